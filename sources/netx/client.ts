/**
 * The NetX connector: a DamSource over NetX's JSON-RPC API (`POST /api/rpc`) and its file
 * retrieval URLs, authenticated with a static `Authorization: apiToken <token>`, plus its
 * writes (DamWrites, writes.ts).
 *
 * - Every call is one JSON-RPC request (rpc.ts). They are POSTs but reads (or writes that set
 *   a state), so they are marked idempotent and get the shared retry budget (5xx, 429 with
 *   Retry-After, timeouts).
 * - The response `id` must echo ours; anything else is MALFORMED.
 * - JSON-RPC errors arrive in HTTP 200 bodies: 10000 (token invalid or expired) becomes
 *   UNAUTHENTICATED at once, because a static apiToken cannot be renewed; 3004 FORBIDDEN;
 *   -32603 and the -32000…-32099 server range UNAVAILABLE; any other code BAD_REQUEST.
 * - Facets: NetX documents no facet API, so findAssets never returns facets (`undefined`).
 * - Changes: NetX webhooks have no public payload, so changesSince polls getAssetsByQuery
 *   with a range on `modDate`. Polling cannot see deletions; they surface as missing ids.
 */
import { createHttpClient, type HttpClient } from '../http/client.ts';
import { UpstreamError } from '../http/errors.ts';
import { offsetCursor } from '../http/paging.ts';
import { pathOf } from '../http/path.ts';
import type { Mapping } from '../mapping.ts';
import type { Asset, CanonicalFilter, Change, ChangeSet, Content, Page, PageRequest, RenditionKind } from '../model.ts';
import type { DamSource, DamWrites, SourceHealth } from '../ports.ts';
import { assetNumber, CLIENT_DATA_GROUPS, toAsset, toQuery, type MapContext } from './map.ts';
import { createNetxRpc } from './rpc.ts';
import { AUTH_SCHEME, DEFAULT_KIND_ATTRIBUTE, DEFAULT_TOTAL_KEY, VIEW_WEB, type RpcOptions } from './wire.ts';
import { checkWriteOptions, createNetxWrites, type NetxWriteOptions } from './writes.ts';

export interface NetxClientOptions extends NetxWriteOptions {
  /** The NetX origin, e.g. `https://dam.example.com`. */
  baseUrl: string;
  /** A token generated in NetX (System > Integrations > API). */
  apiToken: string;
  mapping: Mapping;
  /** Per-attempt timeout, ms. Default 5000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 2. */
  retries?: number;
  /** Backoff base between retries, ms. Default 100. */
  backoffBaseMs?: number;
  fetch?: typeof fetch;
  /** Largest page requested from NetX. Default 1000 (the simulator's maximum; NetX documents none). */
  maxPageSize?: number;
  /** Key of a list's total in NetX results (NOT FOUND upstream). Default `size`. */
  totalKey?: string;
  /** Attribute carrying the asset kind (the shared mapping has no kind field). Default `Asset Type`. */
  kindAttribute?: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const malformed = (what: string) => new UpstreamError('NETX', 'MALFORMED', `malformed response: ${what}`);

/** File URL path of each rendition kind (File Retrieval API; the thumbnail via the newer /api/file). */
const RENDITION_PATHS: Record<RenditionKind, (id: number) => string> = {
  THUMBNAIL: (id) => pathOf('NETX')`/api/file/asset/${id}/thumbnail.jpg`,
  PREVIEW: (id) => pathOf('NETX')`/file/asset/${id}/preview`,
  WEB: (id) => pathOf('NETX')`/file/asset/${id}/view/${VIEW_WEB}`,
  ORIGINAL: (id) => pathOf('NETX')`/file/asset/${id}/original`,
};

/** Offset cursors for findAssets: opaque to callers, checked on the way back in. */
const pageCursor = offsetCursor('NETX');

interface ChangeCursor {
  /** modDate (epoch ms) the next poll starts at, inclusive. */
  t: number;
  /** Assets at exactly `t` already reported (results are sorted by modDate, then id). */
  skip: number;
}
const changeCursor = {
  encode: (c: ChangeCursor) => Buffer.from(JSON.stringify(c)).toString('base64url'),
  decode(s: string): ChangeCursor {
    try {
      const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Partial<ChangeCursor>;
      if (Number.isSafeInteger(c.t) && Number.isSafeInteger(c.skip) && (c.skip as number) >= 0)
        return { t: c.t as number, skip: c.skip as number };
    } catch {
      // fall through to the typed error
    }
    throw new UpstreamError('NETX', 'BAD_REQUEST', 'invalid changes cursor');
  },
};

/** A changesSince cursor that reports changes from an instant on (e.g. to resume after a restart). */
export function netxChangeCursor(since: string | Date): string {
  const t = since instanceof Date ? since.getTime() : Date.parse(since);
  if (Number.isNaN(t)) throw new RangeError('netxChangeCursor: not a date');
  return changeCursor.encode({ t, skip: 0 });
}

function checkOptions(opts: NetxClientOptions): string {
  let origin: string;
  try {
    const u = new URL(opts.baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    origin = u.origin;
  } catch {
    throw new TypeError('createNetxClient: baseUrl must be an http(s) URL');
  }
  if (!/^[\x21-\x7e]+$/.test(opts.apiToken)) throw new TypeError('createNetxClient: apiToken must be a non-empty token without spaces');
  return origin;
}

/**
 * Create the NetX DamSource with its writes (DamWrites, writes.ts). Throws TypeError on unusable
 * options; every later failure is an UpstreamError.
 */
export function createNetxClient(opts: NetxClientOptions): DamSource & DamWrites {
  const origin = checkOptions(opts);
  const writeOptions = checkWriteOptions(opts);
  const http: HttpClient = createHttpClient({
    system: 'NETX',
    baseUrl: opts.baseUrl,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.backoffBaseMs !== undefined ? { backoffBaseMs: opts.backoffBaseMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const auth = { authorization: `${AUTH_SCHEME} ${opts.apiToken}` };
  const transport = createNetxRpc(http, opts.apiToken);
  const rpc = transport.call;
  // NetX documents no page-size limit (vendor-apis §4): 1000 keeps a batch of campaigns in one call.
  const maxPage = Math.max(1, opts.maxPageSize ?? 1000);
  const totalKey = opts.totalKey ?? DEFAULT_TOTAL_KEY;
  const mapCtx: MapContext = { mapping: opts.mapping, kindAttribute: opts.kindAttribute ?? DEFAULT_KIND_ATTRIBUTE, origin };
  const createdAt = Date.now();

  /** A list result: its items and, when NetX sent one, its total. */
  async function list(method: string, params: unknown[]): Promise<{ results: unknown[]; total?: number }> {
    const result = await rpc(method, params);
    if (!isObj(result) || !Array.isArray(result.results)) throw malformed(`${method} result has no results list`);
    const total = result[totalKey];
    if (total === undefined) return { results: result.results };
    if (!Number.isSafeInteger(total) || (total as number) < 0) throw malformed(`${method} total is not a count`);
    return { results: result.results, total: total as number };
  }

  return {
    system: 'NETX',
    ...createNetxWrites(transport, opts.mapping, writeOptions),

    async ping(): Promise<SourceHealth> {
      const started = Date.now();
      const self = await rpc('getSelf', []);
      if (!isObj(self) || self.id === undefined) throw malformed('getSelf returned no user');
      return { system: 'NETX', ok: true, latencyMs: Date.now() - started };
    },

    async getAssets(ids: readonly string[]): Promise<(Asset | null)[]> {
      const numbers = [...new Set(ids.map(assetNumber).filter((n): n is number => n !== null))];
      if (numbers.length === 0) return ids.map(() => null);
      const { results } = await list('getAssets', [numbers, { data: CLIENT_DATA_GROUPS }]);
      const byId = new Map(results.map((r) => toAsset(r, mapCtx)).map((a) => [a.source.nativeId, a]));
      return ids.map((id) => (assetNumber(id) === null ? null : (byId.get(id) ?? null)));
    },

    async findAssets(filter: CanonicalFilter, page: PageRequest): Promise<Page<Asset>> {
      const offset = page.offset ?? pageCursor.decode(page.after);
      const query = toQuery(filter, opts.mapping, mapCtx.kindAttribute);
      if (query === null) return { items: [], total: 0 };
      const size = Math.max(0, Math.min(Math.floor(page.first), maxPage));
      const options: RpcOptions = { page: { startIndex: offset, size }, data: CLIENT_DATA_GROUPS };
      if (page.sort && page.sort.field !== 'relevance')
        options.sort = { field: page.sort.field === 'date' ? 'modDate' : 'name', order: page.sort.direction };
      const { results, total } = await list('getAssetsByQuery', [{ query }, options]);
      const items = results.map((r) => toAsset(r, mapCtx));
      const end = offset + items.length;
      // Without a total (a NetX that omits the key), a full page may have a successor.
      const known = total ?? (items.length === size && size > 0 ? end + 1 : end);
      return { items, total: total ?? end, ...(end < known && items.length > 0 ? { next: pageCursor.encode(end) } : {}) };
    },

    async openRendition(assetId: string, kind: RenditionKind): Promise<Content> {
      const id = assetNumber(assetId);
      if (id === null) throw new UpstreamError('NETX', 'NOT_FOUND', 'no such asset');
      const res = await http.request<ReadableStream<Uint8Array> | null>({
        path: RENDITION_PATHS[kind](id),
        headers: auth,
        expect: 'stream',
      });
      if (!res.body) throw malformed('file response has no body');
      const length = Number(res.headers.get('content-length'));
      return {
        body: res.body,
        mimeType: (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]?.trim() || 'application/octet-stream',
        ...(Number.isSafeInteger(length) && length >= 0 && res.headers.has('content-length') ? { size: length } : {}),
      };
    },

    async changesSince(cursor?: string): Promise<ChangeSet> {
      const from = cursor === undefined ? { t: createdAt, skip: 0 } : changeCursor.decode(cursor);
      const { results } = await list('getAssetsByQuery', [
        { query: [{ operator: 'and', range: { field: 'modDate', min: from.t } }] },
        { page: { startIndex: from.skip, size: maxPage }, sort: { field: 'modDate', order: 'asc' }, data: ['asset.id', 'asset.base'] },
      ]);
      const changes: Change[] = results.map((r) => {
        if (!isObj(r) || !Number.isSafeInteger(r.id) || typeof r.modDate !== 'number' || typeof r.creationDate !== 'number')
          throw malformed('changed asset lacks id or dates');
        return {
          system: 'NETX',
          kind: 'asset',
          nativeId: String(r.id),
          at: new Date(r.modDate).toISOString(),
          operation: r.creationDate >= from.t ? 'create' : 'update',
        };
      });
      return { changes, cursor: changeCursor.encode(nextChangeCursor(from, results as { modDate: number }[])) };
    },
  };
}

/** Advance past what was reported: the last modDate seen, and how many assets sit exactly at it. */
function nextChangeCursor(from: ChangeCursor, results: { modDate: number }[]): ChangeCursor {
  const last = results[results.length - 1];
  if (!last) return from;
  const atLast = results.filter((r) => r.modDate === last.modDate).length;
  return { t: last.modDate, skip: last.modDate === from.t ? from.skip + atLast : atLast };
}
