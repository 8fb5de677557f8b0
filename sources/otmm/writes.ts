/**
 * Writes to OTMM (DamWrites, vendor-apis-writes.md §7.2): lock -> save -> unlock, the order the
 * vendor's own SDK and web client use. The REST paths behind them are NOT FOUND in the vendor
 * material; the defaults (`OTMM_WRITE_DEFAULTS`) are INFERRED and every path and action name is
 * an option. Distribution is the asset's security policies: OTMM has no documented REST for
 * collection membership, and the policy list rides in the asset representation.
 *
 * | port method | vendor calls |
 * | --- | --- |
 * | writeFields | `GET /assets/{id}` (metadata); unless every value is there already: `PUT /assets/{id}/state` `action=lock`, `PATCH /assets/{id}` `{"edited_asset":{"data":{"metadata":[...]}}}`, `PUT .../state` `action=unlock` |
 * | distributionOf | `GET /assets/{id}` (`level_of_detail=full`: `security_policy_list`) |
 * | removeFromDistribution, addToDistribution | `GET /assets/{id}`; unless nothing changes: lock, `GET` again under the lock, `PATCH` `{"edited_asset":{"data":{"security_policy_list":[{id}]}}}`, unlock |
 *
 * A lock this client took is always released, whatever the edit did; a lock held by someone
 * else is CONFLICT and is never released by us. Edits are not retried by the HTTP core (the
 * caller retries the whole write, which is idempotent); the lock and unlock calls are not
 * retried either, except that an unlock is retried on a transient failure (unlocking twice
 * is harmless, leaving a lock behind is not). Every session call carries `X-Requested-By`
 * (client.ts). Messages are composed here, never taken from the vendor's body.
 */
import { UpstreamError } from '../http/errors.ts';
import type { HttpClient } from '../http/client.ts';
import { formBody, segment } from '../http/path.ts';
import type { Mapping } from '../mapping.ts';
import type { DamFieldValues, DamWrites } from '../ports.ts';
import { objAt, readFields } from './map.ts';
import { alreadyWritten, distributionIds, fieldWrites, metadataEdit, policyEdit, policyIdsOf } from './map-writes.ts';
import { OTMM_WRITE_DEFAULTS, type OtmmDataLoadRequest, type OtmmEditedAsset } from './wire.ts';

export interface OtmmWriteOptions {
  /**
   * Paths of the lock/unlock call (`state`, sent as PUT with a form `action`) and of the edit
   * (`edit`, sent as PATCH with JSON), relative to `/otmmapi/v6`, `{id}` standing for the asset
   * id. INFERRED; defaults `/assets/{id}/state` and `/assets/{id}`.
   */
  writePaths?: { state?: string; edit?: string };
  /** The `action` values of the state call. INFERRED; default `lock` / `unlock`. */
  lockActions?: { lock: string; unlock: string };
  /**
   * Security policy ids that stand for partner distribution (the "containers" of DamWrites, as
   * decimal strings). Default none: distributionOf answers [] and no policy is ever changed.
   */
  distributionPolicies?: readonly number[];
}

/** Only 40-hex ids can exist (the read side's rule); anything else is NOT_FOUND without a request. */
export const ASSET_ID = /^[0-9a-f]{40}$/;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_BODY = { 'content-type': 'application/json' };
const METADATA_LOAD: OtmmDataLoadRequest = { data_load_request: { load_metadata: true } };

function checkTemplate(t: string, what: string): string {
  if (!t.startsWith('/') || !t.includes('{id}')) throw new TypeError(`OTMM ${what} must start with / and contain {id}`);
  return t;
}

/** The write failure as a typed error with a public message (what was done, never what OTMM said). */
function writeError(e: unknown, action: string, refused: string): UpstreamError {
  if (!(e instanceof UpstreamError)) return new UpstreamError('OTMM', 'UNAVAILABLE', `${action} failed`);
  const fail = (message: string) => new UpstreamError('OTMM', e.kind, `${action}: ${message}`, e.status, e.retryAfterMs);
  if (e.status === undefined) return fail(e.message.replace(/^OTMM: /, ''));
  switch (e.kind) {
    case 'CONFLICT':
      return fail('the asset is locked by another user; retry later');
    case 'NOT_FOUND':
      return fail('the asset does not exist (or writePaths do not match the server)');
    case 'BAD_REQUEST':
      return fail(refused);
    case 'FORBIDDEN':
      return fail('not permitted to the integration user (check its security policies)');
    case 'UNAUTHENTICATED':
      return fail('credentials refused');
    case 'RATE_LIMITED':
      return fail('rate limited; retry later');
    case 'UNAVAILABLE':
    case 'MALFORMED':
      return fail(`failed (HTTP ${e.status})`);
  }
}

/** Whether a failed call may still have happened (no answer, or a server error). */
const outcomeUnknown = (e: unknown) => !(e instanceof UpstreamError) || e.status === undefined || e.status >= 500;

/** The OTMM DamWrites over the read client's HTTP (its session and X-Requested-By). */
export function createOtmmWrites(http: HttpClient, mapping: Mapping, opts: OtmmWriteOptions = {}): DamWrites {
  const statePath = checkTemplate(opts.writePaths?.state ?? OTMM_WRITE_DEFAULTS.statePath, 'writePaths.state');
  const editPath = checkTemplate(opts.writePaths?.edit ?? OTMM_WRITE_DEFAULTS.editPath, 'writePaths.edit');
  const actions = opts.lockActions ?? { lock: OTMM_WRITE_DEFAULTS.lock, unlock: OTMM_WRITE_DEFAULTS.unlock };
  const configured = [...new Set(opts.distributionPolicies ?? [])];
  const pathFor = (template: string, id: string) => template.replaceAll('{id}', segment('OTMM', id));

  /** The asset id as OTMM spells it (lower-case hex, as getAssets accepts it). */
  const idOf = (assetId: string): string => {
    const id = typeof assetId === 'string' ? assetId.toLowerCase() : '';
    if (!ASSET_ID.test(id)) throw new UpstreamError('OTMM', 'NOT_FOUND', 'no such asset');
    return id;
  };

  /** The asset as a full read gives it (metadata when asked, and its security policies). */
  const readAsset = async (id: string, metadata: boolean): Promise<Record<string, unknown>> => {
    let body: unknown;
    try {
      ({ body } = await http.request<unknown>({
        path: `/assets/${segment('OTMM', id)}`,
        query: metadata
          ? { load_type: 'custom', level_of_detail: 'full', data_load_request: JSON.stringify(METADATA_LOAD) }
          : { load_type: 'system', level_of_detail: 'full' },
      }));
    } catch (e) {
      if (e instanceof UpstreamError && e.kind === 'NOT_FOUND') throw new UpstreamError('OTMM', 'NOT_FOUND', 'no such asset', e.status);
      throw e;
    }
    return objAt(objAt({ body }, 'body', 'response'), 'asset_resource', 'response').asset as Record<string, unknown>;
  };

  const setState = (id: string, action: string, retry: boolean) =>
    http.request({
      method: 'PUT',
      path: pathFor(statePath, id),
      headers: FORM,
      body: formBody({ action }),
      idempotent: retry,
      expect: 'none',
    });

  const edit = async (id: string, body: OtmmEditedAsset, action: string): Promise<void> => {
    try {
      await http.request({ method: 'PATCH', path: pathFor(editPath, id), headers: JSON_BODY, body: JSON.stringify(body), expect: 'none' });
    } catch (e) {
      throw writeError(e, action, 'values refused (check the metadata mapping, the lookup domains and the security policies)');
    }
  };

  /**
   * Run `work` holding the asset's lock. The lock is released afterwards however `work` ends;
   * when the lock call's outcome is unknown, a release is attempted too. The work's error wins
   * over the release's; a failed release after successful work is thrown (the caller retries,
   * and the retry releases the lock).
   */
  const underLock = async (id: string, work: () => Promise<void>): Promise<void> => {
    try {
      await setState(id, actions.lock, false);
    } catch (e) {
      if (outcomeUnknown(e)) await setState(id, actions.unlock, true).catch(() => undefined);
      throw writeError(e, 'lock of the asset', 'lock refused (check writePaths and lockActions)');
    }
    let failure: unknown;
    try {
      await work();
    } catch (e) {
      failure = e;
    }
    try {
      await setState(id, actions.unlock, true);
    } catch (e) {
      if (failure === undefined) throw writeError(e, 'unlock of the asset', 'unlock refused (check writePaths and lockActions)');
    }
    if (failure !== undefined) throw failure;
  };

  /** Set the asset's policies to `next(current)`, reading them again under the lock; no write when nothing changes. */
  const changePolicies = async (assetId: string, containers: readonly string[], next: (current: number[]) => number[]) => {
    const id = idOf(assetId);
    if (containers.length === 0) return;
    distributionIds(containers, configured);
    const unchanged = (current: number[]) => {
      const want = next(current);
      return want.length === current.length && want.every((x, i) => x === current[i]);
    };
    if (unchanged(policyIdsOf(await readAsset(id, false)))) return;
    await underLock(id, async () => {
      const current = policyIdsOf(await readAsset(id, false));
      if (!unchanged(current)) await edit(id, policyEdit(next(current)), 'change of the security policies');
    });
  };

  return {
    async writeFields(assetId: string, values: DamFieldValues): Promise<void> {
      const id = idOf(assetId);
      const writes = fieldWrites(values, mapping);
      if (writes.length === 0) return;
      // Writing what is there already would only move the modify date (and wake every change feed).
      if (alreadyWritten(writes, readFields((await readAsset(id, true)).metadata), mapping)) return;
      await underLock(id, () => edit(id, metadataEdit(writes), 'edit of the asset metadata'));
    },

    async distributionOf(assetId: string): Promise<string[]> {
      const id = idOf(assetId);
      if (configured.length === 0) return [];
      const held = new Set(policyIdsOf(await readAsset(id, false)));
      return configured.filter((p) => held.has(p)).map(String);
    },

    async removeFromDistribution(assetId: string, containers: readonly string[]): Promise<void> {
      const id = idOf(assetId);
      const ids = new Set(distributionIds(containers, configured));
      await changePolicies(id, containers, (current) => current.filter((p) => !ids.has(p)));
    },

    async addToDistribution(assetId: string, containers: readonly string[]): Promise<void> {
      const id = idOf(assetId);
      const ids = distributionIds(containers, configured);
      await changePolicies(id, containers, (current) => [...current, ...ids.filter((p) => !current.includes(p))]);
    },
  };
}
