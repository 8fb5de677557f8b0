/**
 * Writes to iconik (DamWrites, vendor-apis-writes §4.1 and §4.3): rights and approval fields
 * into the mapped metadata view, and the asset in or out of the partner distribution
 * collections the connector is configured with.
 *
 * | port method | vendor calls |
 * | --- | --- |
 * | writeFields | `PUT /metadata/v1/assets/{asset_id}/views/{view_id}/` `{metadata_values: {field: {field_values, mode: "overwrite"}}}` |
 * | distributionOf | `GET /assets/v1/assets/{asset_id}/?include_collections=true` -> `in_collections` ∩ configured |
 * | removeFromDistribution | `DELETE /assets/v1/collections/{collection_id}/contents/assets/{asset_id}/` per collection; 404 = already out |
 * | addToDistribution | `POST /assets/v1/collections/{collection_id}/contents/` `{object_id, object_type: "assets"}` per collection; a refusal (409/400) is success when the asset is in it after all |
 *
 * Unlike Content Server's writes (sources/otcs/write-call.ts), every one of these may be sent
 * again, so the HTTP core retries them on 5xx, timeouts and 429 like a read: the view PUT
 * overwrites with the same values, a second DELETE answers 404 (already out), and a second
 * POST of content is refused as already there, which is checked and counted as done.
 *
 * Errors are UpstreamErrors composed here from what the caller sent (asset and collection
 * ids, already checked to be UUIDs); the vendor's body, the URL and the token never reach a
 * message.
 */
import { UpstreamError } from '../http/errors.ts';
import { pathOf } from '../http/path.ts';
import type { HttpClient } from '../http/client.ts';
import type { Mapping } from '../mapping.ts';
import type { DamFieldValues, DamWrites } from '../ports.ts';
import { isObj, malformed } from './map.ts';
import { metadataValuesFor } from './map-writes.ts';
import { UUID_RE, type CollectionContentSchema } from './wire.ts';

const p = pathOf('ICONIK');
const JSON_HEADERS = { 'content-type': 'application/json' };

/** What the writes need of the client: its authenticated transport and the mapping. */
export interface IconikWriteTransport {
  http: HttpClient;
  mapping: Mapping;
}

export interface IconikWriteOptions {
  /**
   * The partner-facing collections (ids) write-back takes assets out of and puts them back
   * into: what `distributionOf` reports. Default none.
   */
  distributionCollections?: readonly string[];
}

/** An asset id the caller gave, or NOT_FOUND without a request (the reads answer null for it). */
function assetIdOf(id: string): string {
  if (typeof id !== 'string' || !UUID_RE.test(id))
    throw new UpstreamError('ICONIK', 'NOT_FOUND', 'asset does not exist (not an iconik id)');
  return id.toLowerCase();
}

/** Collection ids the caller gave, de-duplicated, or BAD_REQUEST without a request. */
function collectionIdsOf(ids: readonly string[]): string[] {
  if (!Array.isArray(ids)) throw new UpstreamError('ICONIK', 'BAD_REQUEST', 'containers must be a list of collection ids');
  for (const c of ids)
    if (typeof c !== 'string' || !UUID_RE.test(c)) throw new UpstreamError('ICONIK', 'BAD_REQUEST', 'a container is not a collection id');
  return [...new Set(ids.map((c) => c.toLowerCase()))];
}

/**
 * Rethrows a failed request as an UpstreamError of the same kind (so `retryable` still tells a
 * transient failure from a refusal) with a message that names the action; `missing` says what a
 * 404 means for it.
 */
const failed =
  (action: string, missing: string) =>
  (e: unknown): never => {
    if (!(e instanceof UpstreamError)) throw e;
    const detail = e.message.replace(/^ICONIK: /, '');
    const message: Record<UpstreamError['kind'], string> = {
      NOT_FOUND: `${action}: ${missing}`,
      BAD_REQUEST: `${action}: refused as invalid (check the metadata mapping and the values)`,
      FORBIDDEN: `${action}: permission denied`,
      UNAUTHENTICATED: `${action}: credentials refused`,
      CONFLICT: `${action}: refused as a conflict`,
      RATE_LIMITED: `${action}: rate limited (${detail})`,
      UNAVAILABLE: `${action}: iconik unavailable (${detail})`,
      MALFORMED: `${action}: ${detail}`,
    };
    throw new UpstreamError('ICONIK', e.kind, message[e.kind], e.status, e.retryAfterMs);
  };

/** Build the write half of the iconik client over its transport. Throws on a malformed option. */
export function createIconikWrites(t: IconikWriteTransport, opts: IconikWriteOptions = {}): DamWrites {
  const configured = [...new Set((opts.distributionCollections ?? []).map((c) => String(c).toLowerCase()))];
  const wrong = configured.filter((c) => !UUID_RE.test(c));
  if (wrong.length) throw new Error(`iconik distributionCollections must be collection ids (UUIDs); ${wrong.length} of them are not`);
  const viewId = t.mapping.iconik.metadataViewId;

  /** The collections the asset is in now (`in_collections`, lower-cased). */
  async function collectionsOf(id: string, action: string): Promise<Set<string>> {
    const res = await t.http
      .request<unknown>({ path: p`/assets/v1/assets/${id}/`, query: { include_collections: 'true' } })
      .catch(failed(action, `asset ${id} does not exist`));
    if (!isObj(res.body)) throw malformed('the asset is not an object');
    const list = res.body.in_collections ?? [];
    if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) throw malformed('in_collections is not a list of ids');
    return new Set(list.map((c) => c.toLowerCase()));
  }

  return {
    async writeFields(assetId: string, values: DamFieldValues): Promise<void> {
      const id = assetIdOf(assetId);
      const metadata_values = metadataValuesFor(values ?? {}, t.mapping);
      if (Object.keys(metadata_values).length === 0) return;
      const action = `writing fields of asset ${id}`;
      await t.http
        .request<unknown>({
          method: 'PUT',
          path: p`/metadata/v1/assets/${id}/views/${viewId}/`,
          // Overwrite with the same values is the same state: safe to send again after a 5xx or a timeout.
          idempotent: true,
          headers: JSON_HEADERS,
          body: JSON.stringify({ metadata_values }),
          expect: 'none',
        })
        .catch(failed(action, `asset ${id} or the mapped metadata view does not exist`));
    },

    async distributionOf(assetId: string): Promise<string[]> {
      const id = assetIdOf(assetId);
      if (configured.length === 0) return [];
      const now = await collectionsOf(id, `reading the collections of asset ${id}`);
      return configured.filter((c) => now.has(c));
    },

    async removeFromDistribution(assetId: string, containers: readonly string[]): Promise<void> {
      const id = assetIdOf(assetId);
      for (const c of collectionIdsOf(containers)) {
        await t.http
          .request<unknown>({
            method: 'DELETE',
            path: p`/assets/v1/collections/${c}/contents/assets/${id}/`,
            // A repeated DELETE answers 404, which is the state wanted: safe to send again.
            idempotent: true,
            expect: 'none',
          })
          .catch((e: unknown) => {
            // 404 "Content object not found": it is not in that collection (any more).
            if (e instanceof UpstreamError && e.kind === 'NOT_FOUND') return;
            failed(`removing asset ${id} from collection ${c}`, '')(e);
          });
      }
    },

    async addToDistribution(assetId: string, containers: readonly string[]): Promise<void> {
      const id = assetIdOf(assetId);
      for (const c of collectionIdsOf(containers)) {
        const action = `adding asset ${id} to collection ${c}`;
        const content: CollectionContentSchema = { object_id: id, object_type: 'assets' };
        await t.http
          .request<unknown>({
            method: 'POST',
            path: p`/assets/v1/collections/${c}/contents/`,
            // A repeat is refused as already there, and that refusal is counted as done below.
            idempotent: true,
            headers: JSON_HEADERS,
            body: JSON.stringify(content),
            expect: 'none',
          })
          .catch(async (e: unknown) => {
            // What iconik answers for content already in a collection is NOT FOUND in its docs
            // (the simulator: 409, or 201 again): a 409 or 400 is success when the asset is in it.
            if (e instanceof UpstreamError && (e.kind === 'CONFLICT' || e.kind === 'BAD_REQUEST')) {
              if ((await collectionsOf(id, action)).has(c)) return;
            }
            failed(action, `collection ${c} or asset ${id} does not exist`)(e);
          });
      }
    },
  };
}
