/**
 * The OTMM connector: a DamSource over OTMM REST v6 (vendor-apis.md §5).
 *
 * - Auth: one session (`POST /sessions`), sent as `X-Requested-By: <session.id>` plus the
 *   session cookie; on 401 it is renewed once, shared by every concurrent caller.
 * - Reads: `POST /search/text` (form-encoded, but a read, so retried like a GET). getAssets is
 *   one search with an IS_ONE_OF condition on the asset id; findAssets pushes the whole
 *   CanonicalFilter down as search conditions. Renditions come from the same search results.
 * - Changes: OTMM documents no webhooks, so changesSince polls the search on the
 *   last-updated date. Deletions are not visible this way.
 * - Writes (DamWrites): writes.ts, over the same session (lock -> edit -> unlock).
 */
import type { Asset, CanonicalFilter, Change, ChangeSet, Content, Page, PageRequest, RenditionKind } from '../model.ts';
import type { Mapping } from '../mapping.ts';
import type { DamSource, DamWrites, SourceHealth } from '../ports.ts';
import { credentialCache } from '../http/auth.ts';
import { createHttpClient, type HttpClient } from '../http/client.ts';
import { UpstreamError } from '../http/errors.ts';
import { offsetCursor } from '../http/paging.ts';
import { formBody, pathOf, type QueryValue } from '../http/path.ts';
import { isoDate, malformed, objAt, toAsset, toFacets, toWireAsset, type MapContext } from './map.ts';
import {
  NothingMatches,
  conditionListJson,
  facetRequestJson,
  filterConditions,
  idConditions,
  keywordQuery,
  updatedSinceConditions,
} from './query.ts';
import { OTMM_BASE_PATH, type OtmmDataLoadRequest } from './wire.ts';
import { ASSET_ID, createOtmmWrites, type OtmmWriteOptions } from './writes.ts';

export interface OtmmClientOptions extends OtmmWriteOptions {
  /** The server's origin (`https://otmm.example.com`); the client appends `/otmmapi/v6`. */
  baseUrl: string;
  username: string;
  password: string;
  mapping: Mapping;
  /** Per-attempt timeout. Default 5000. */
  timeoutMs?: number;
  /** Retries of reads after the first attempt. Default 2. */
  retries?: number;
  fetch?: typeof fetch;
  /** Largest page (and id batch) asked of OTMM in one search. Default 1000 (the simulator's maximum). */
  maxPageSize?: number;
  /** A metadata field carrying the master id of locale variants; default: `original_asset_id`. */
  variantField?: string;
  /** Backoff base between retries, ms. Default 100. */
  backoffBaseMs?: number;
  /** The clock (changesSince starts at client creation). Default Date.now. */
  now?: () => number;
}

interface OtmmCredential {
  sessionId: string;
  /** `name=value` pairs from Set-Cookie, joined for the Cookie header. */
  cookie: string;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** What search results carry: metadata and rendition info, so no per-asset call is needed. */
const FULL_LOAD: OtmmDataLoadRequest = {
  data_load_request: { load_metadata: true, load_asset_content_info: true, load_thumbnail_info: true, load_preview_info: true },
};
const CONTENT_LOAD: OtmmDataLoadRequest = {
  data_load_request: { load_asset_content_info: true, load_thumbnail_info: true, load_preview_info: true },
};

/** Opaque offset cursors, checked on the way back in. */
const pageCursor = offsetCursor('OTMM');

interface ChangeCursor {
  /** ISO instant: report assets updated at or after it. */
  t: string;
  /** Ids already reported with exactly that instant (so a tie is not reported twice). */
  ids: string[];
}

/** A changesSince cursor that reports changes from an instant on (e.g. to resume after a restart). */
export function otmmChangeCursor(since: string | Date): string {
  const t = new Date(since).toISOString();
  return Buffer.from(JSON.stringify({ t, ids: [] } satisfies ChangeCursor)).toString('base64url');
}

function decodeChangeCursor(cursor: string): ChangeCursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<ChangeCursor>;
    if (typeof c.t === 'string' && !Number.isNaN(Date.parse(c.t)) && Array.isArray(c.ids) && c.ids.every((x) => typeof x === 'string')) {
      return { t: c.t, ids: c.ids };
    }
  } catch {
    // fall through to the typed error
  }
  throw new UpstreamError('OTMM', 'BAD_REQUEST', 'invalid changes cursor');
}

/** The session id of a `session_resource` answer, or MALFORMED. */
function sessionIdOf(body: unknown): string {
  const resource = objAt({ body }, 'body', 'response');
  const session = objAt(objAt(resource, 'session_resource', 'response'), 'session', 'session_resource');
  const id = session.id;
  if ((typeof id !== 'number' && typeof id !== 'string') || String(id) === '') malformed('session_resource.session.id is missing');
  return String(id);
}

/**
 * Build the OTMM DamSource and its DamWrites (one session for both). Never throws anything but
 * UpstreamError from its methods; a malformed write path option throws TypeError here.
 */
export function createOtmmClient(opts: OtmmClientOptions): DamSource & DamWrites {
  const origin = opts.baseUrl.replace(/\/+$/, '');
  // The simulator allows 1000 (vendor limit NOT FOUND); one page keeps a batch of campaigns in one request.
  const maxPage = Math.max(1, opts.maxPageSize ?? 1000);
  const now = opts.now ?? Date.now;
  const createdAt = new Date(now()).toISOString();
  const ctx: MapContext = { mapping: opts.mapping, origin, ...(opts.variantField ? { variantField: opts.variantField } : {}) };
  const p = pathOf('OTMM');

  const login = async (): Promise<OtmmCredential> => {
    const res = await http.request<unknown>({
      method: 'POST',
      path: '/sessions',
      anonymous: true,
      idempotent: true,
      headers: FORM,
      body: formBody({ username: opts.username, password: opts.password }),
    });
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]?.trim() ?? '')
      .filter((c) => c.includes('='))
      .join('; ');
    return { sessionId: sessionIdOf(res.body), cookie };
  };
  const http: HttpClient = createHttpClient<OtmmCredential>({
    system: 'OTMM',
    baseUrl: origin + OTMM_BASE_PATH,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.backoffBaseMs !== undefined ? { backoffBaseMs: opts.backoffBaseMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    auth: {
      cache: credentialCache(login),
      headers: (c) => ({ 'X-Requested-By': c.sessionId, ...(c.cookie ? { cookie: c.cookie } : {}) }),
    },
  });

  /** One search; form-encoded POST, marked idempotent because it only reads. */
  const search = async (fields: Record<string, QueryValue>) => {
    const res = await http.request<unknown>({
      method: 'POST',
      path: '/search/text',
      idempotent: true,
      headers: FORM,
      body: formBody(fields),
    });
    const resource = objAt(objAt(res, 'body', 'response'), 'search_result_resource', 'response');
    const result = objAt(resource, 'search_result', 'search_result_resource');
    const list = resource.asset_list ?? [];
    if (!Array.isArray(list)) malformed('search_result_resource.asset_list is not a list');
    const total = result.total_hit_count;
    if (typeof total !== 'number' || !Number.isInteger(total) || total < 0) malformed('search_result.total_hit_count is missing');
    return { assets: list as unknown[], total, facets: result.facet_field_response_list };
  };

  /** Sort pushed to OTMM (INFERRED parameters, see README); relevance is OTMM's own order. */
  const sortFields = (sort: PageRequest['sort']) =>
    !sort || sort.field === 'relevance'
      ? {}
      : { sort_field: sort.field === 'name' ? 'NAME' : 'DATE_LAST_UPDATED', sort_order: sort.direction };

  const searchFields = (
    conditions: ReturnType<typeof filterConditions>,
    after: number,
    limit: number,
    load: OtmmDataLoadRequest | 'system',
    keyword = '*',
  ) => ({
    keyword_query: keyword,
    after,
    limit,
    load_type: load === 'system' ? 'system' : 'custom',
    level_of_detail: 'slim',
    ...(load === 'system' ? {} : { data_load_request: JSON.stringify(load) }),
    search_condition_list: conditionListJson(conditions),
  });

  const getBatch = async (ids: string[]): Promise<Map<string, Asset>> => {
    const { assets } = await search(searchFields(idConditions(ids), 0, ids.length, FULL_LOAD));
    return new Map(assets.map((raw) => toAsset(raw, ctx)).map((a) => [a.source.nativeId, a]));
  };

  const writes = createOtmmWrites(http, opts.mapping, opts);

  return {
    ...writes,
    system: 'OTMM',

    async ping(): Promise<SourceHealth> {
      const started = Date.now();
      const res = await http.request<unknown>({ path: '/sessions' });
      sessionIdOf(res.body);
      return { system: 'OTMM', ok: true, latencyMs: Date.now() - started };
    },

    async getAssets(ids) {
      // Only 40-hex ids can exist; anything else is answered null without asking OTMM.
      const valid = [...new Set(ids.map((id) => id.toLowerCase()).filter((id) => ASSET_ID.test(id)))];
      const found = new Map<string, Asset>();
      const batches: string[][] = [];
      for (let i = 0; i < valid.length; i += maxPage) batches.push(valid.slice(i, i + maxPage));
      for (const m of await Promise.all(batches.map(getBatch))) for (const [k, v] of m) found.set(k, v);
      return ids.map((id) => (ASSET_ID.test(id.toLowerCase()) ? (found.get(id.toLowerCase()) ?? null) : null));
    },

    async findAssets(filter: CanonicalFilter, page: PageRequest, findOpts?: { facets?: boolean }): Promise<Page<Asset>> {
      const offset = page.offset ?? pageCursor.decode(page.after);
      let conditions;
      try {
        conditions = filterConditions(filter, opts.mapping);
      } catch (e) {
        if (e instanceof NothingMatches) return { items: [], total: 0, ...(findOpts?.facets ? { facets: [] } : {}) };
        throw e;
      }
      const limit = Math.min(maxPage, Math.max(1, page.first));
      const fields = {
        ...searchFields(conditions, offset, limit, FULL_LOAD, keywordQuery(filter.text)),
        ...sortFields(page.sort),
        ...(findOpts?.facets ? { facet_field_request_list: facetRequestJson(opts.mapping) } : {}),
      };
      const { assets, total, facets } = await search(fields);
      const items = page.first <= 0 ? [] : assets.slice(0, limit).map((raw) => toAsset(raw, ctx));
      const end = offset + items.length;
      return {
        items,
        total,
        ...(items.length > 0 && end < total ? { next: pageCursor.encode(end) } : {}),
        ...(findOpts?.facets ? { facets: toFacets(facets, opts.mapping) } : {}),
      };
    },

    async openRendition(assetId: string, kind: RenditionKind): Promise<Content> {
      if (!ASSET_ID.test(assetId)) throw new UpstreamError('OTMM', 'NOT_FOUND', 'no such asset');
      const res = await http.request<unknown>({
        path: p`/assets/${assetId}`,
        query: { load_type: 'custom', level_of_detail: 'slim', data_load_request: JSON.stringify(CONTENT_LOAD) },
      });
      const asset = toWireAsset(objAt(objAt(res, 'body', 'response'), 'asset_resource', 'response').asset, ctx);
      const r = asset.renditions.find((x) => x.kind === kind);
      if (!r) throw new UpstreamError('OTMM', 'NOT_FOUND', `asset has no ${kind} rendition`);
      const path = kind === 'ORIGINAL' ? p`/assets/${assetId}/contents` : p`/renditions/${r.contentId}`;
      const bytes = await http.request<ReadableStream<Uint8Array> | null>({ path, expect: 'stream', headers: { accept: '*/*' } });
      if (!bytes.body) malformed('rendition has no body');
      const length = Number(bytes.headers.get('content-length'));
      const fileName = /filename="([^"]+)"/.exec(bytes.headers.get('content-disposition') ?? '')?.[1];
      return {
        body: bytes.body,
        mimeType: bytes.headers.get('content-type') ?? r.mimeType,
        ...(Number.isFinite(length) && length > 0 ? { size: length } : {}),
        ...(fileName ? { fileName } : {}),
      };
    },

    async changesSince(cursor?: string): Promise<ChangeSet> {
      const from = cursor === undefined ? { t: createdAt, ids: [] } : decodeChangeCursor(cursor);
      const seen = new Set(from.ids);
      const changes: Change[] = [];
      // No sort order is documented for search, so read every page: a partial read could skip changes.
      for (let after = 0; ;) {
        const { assets, total } = await search(searchFields(updatedSinceConditions(from.t), after, maxPage, 'system'));
        for (const raw of assets) changes.push(changeOf(raw, from.t));
        after += assets.length;
        if (assets.length === 0 || after >= total) break;
      }
      const fresh = changes.filter((c) => !(c.at === from.t && seen.has(c.nativeId)));
      const last = fresh.reduce((m, c) => (c.at > m ? c.at : m), from.t);
      const ids = [...fresh.filter((c) => c.at === last).map((c) => c.nativeId), ...(last === from.t ? from.ids : [])];
      fresh.sort((a, b) => a.at.localeCompare(b.at));
      return { changes: fresh, cursor: Buffer.from(JSON.stringify({ t: last, ids } satisfies ChangeCursor)).toString('base64url') };
    },
  };
}

/** One change from a slim search entry: created when imported at or after `since`, else updated. */
function changeOf(raw: unknown, since: string): Change {
  if (typeof raw !== 'object' || raw === null) malformed('asset is not an object');
  const a = raw as Record<string, unknown>;
  if (typeof a.asset_id !== 'string' || a.asset_id === '') malformed('asset.asset_id is missing');
  const at = isoDate(a.date_last_updated, 'asset.date_last_updated');
  const imported = isoDate(a.date_imported, 'asset.date_imported');
  return { system: 'OTMM', kind: 'asset', nativeId: a.asset_id, at, operation: imported >= since ? 'create' : 'update' };
}
