/**
 * The iconik connector: the DamSource port over iconik's REST API.
 *
 * - Auth: `App-ID` plus `Auth-Token` on every request. With a static application token that
 *   token is used as is; with email/password the client logs in (`POST
 *   /auth/v1/auth/simple/login/`) and logs in again, once for all concurrent callers, when a
 *   request gets 401.
 * - Reads go through one search request per call (`POST /search/v1/search/`): search objects
 *   carry metadata, files and proxies, so assets, their canonical fields and their renditions
 *   come back together (one upstream request per level).
 * - changesSince polls a `date_modified` range. iconik also pushes webhooks (see
 *   `changeOfWebhook` in changes.ts) for a gateway that registers one; polling needs nothing
 *   registered and also works through firewalls. Polling cannot see purges.
 * - Writes (DamWrites: metadata fields, distribution collections) are in writes.ts, over the
 *   same authenticated transport.
 */
import { credentialCache } from '../http/auth.ts';
import { UpstreamError } from '../http/errors.ts';
import { pageWindow } from '../http/paging.ts';
import { createHttpClient, type HttpClient } from '../http/client.ts';
import type { Mapping } from '../mapping.ts';
import type { Asset, CanonicalFilter, ChangeSet, Page, PageRequest, RenditionKind } from '../model.ts';
import type { DamSource, DamWrites, SourceHealth } from '../ports.ts';
import { changesSince } from './changes.ts';
import { openRendition } from './download.ts';
import {
  DEFAULT_PROXY_KINDS,
  facetFields,
  isObj,
  malformed,
  mapFacets,
  parseEnvelope,
  toAsset,
  type Envelope,
  type IconikSearch,
  type MapContext,
} from './map.ts';
import { criteriaFor, decodeCursor, encodeCursor, sortFor } from './query.ts';
import { UUID_RE } from './wire.ts';
import { createIconikWrites } from './writes.ts';

export interface IconikClientOptions {
  /** API base including `/API` (e.g. `https://app.iconik.io/API`). */
  baseUrl: string;
  appId: string;
  /** A long-lived application token; when absent, email and password log in. */
  authToken?: string;
  email?: string;
  password?: string;
  mapping: Mapping;
  /** Per-attempt timeout. Default 5000. */
  timeoutMs?: number;
  /** Retries of idempotent reads. Default 2. */
  retries?: number;
  /** Backoff base in ms. Default 100. */
  backoffBaseMs?: number;
  /** Longest Retry-After to wait for. Default 5000. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  /** Largest page to ask for (iconik's own limit is NOT FOUND). Default 500. */
  maxPerPage?: number;
  /** Proxy name -> rendition kind (default thumbnail/preview/web). */
  proxyKinds?: Record<string, RenditionKind>;
  /** Clock, for the start of changesSince. Default Date.now. */
  clock?: () => number;
  /**
   * The partner distribution collections (ids) write-back takes assets out of and puts back
   * into (`distributionOf`, `removeFromDistribution`, `addToDistribution`). Default none.
   */
  distributionCollections?: string[];
}

/** A base URL fit for `source.url`: no credentials, no trailing slash. */
function publicBase(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return '';
  }
}

function authHooks(opts: IconikClientOptions, login: () => Promise<string>) {
  return {
    cache: credentialCache(login),
    headers: (token: string) => ({ 'App-ID': opts.appId, 'Auth-Token': token }),
  };
}

/** Log in with email and password; answers the token. */
async function simpleLogin(http: HttpClient, opts: IconikClientOptions): Promise<string> {
  const res = await http.request<unknown>({
    method: 'POST',
    path: '/auth/v1/auth/simple/login/',
    anonymous: true,
    idempotent: true,
    headers: { 'content-type': 'application/json', 'App-ID': opts.appId },
    body: JSON.stringify({ email: opts.email, password: opts.password }),
  });
  if (!isObj(res.body) || typeof res.body.token !== 'string' || res.body.token === '') throw malformed('login answered no token');
  return res.body.token;
}

/** Build the iconik connector: its reads and its writes. */
export function createIconikClient(opts: IconikClientOptions): DamSource & DamWrites {
  if (!opts.authToken && !(opts.email && opts.password)) throw new Error('iconik client needs authToken, or email and password');
  const maxPerPage = Math.max(1, opts.maxPerPage ?? 500);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const doFetch = opts.fetch ?? fetch;
  const proxyKinds = opts.proxyKinds ?? DEFAULT_PROXY_KINDS;
  const ctx: MapContext = { mapping: opts.mapping, apiBase: publicBase(opts.baseUrl), proxyKinds };
  const common = {
    system: 'ICONIK' as const,
    baseUrl: opts.baseUrl,
    timeoutMs,
    fetch: doFetch,
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.backoffBaseMs !== undefined ? { backoffBaseMs: opts.backoffBaseMs } : {}),
    ...(opts.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: opts.maxRetryAfterMs } : {}),
  };
  const anonymous = createHttpClient(common);
  const staticToken = opts.authToken;
  const login = staticToken ? () => Promise.resolve(staticToken) : () => simpleLogin(anonymous, opts);
  const http = createHttpClient({ ...common, auth: authHooks(opts, login) });
  const writes = createIconikWrites(
    { http, mapping: opts.mapping },
    opts.distributionCollections ? { distributionCollections: opts.distributionCollections } : {},
  );

  const search: IconikSearch = async (criteria, page, perPage) => {
    const res = await http.request<unknown>({
      method: 'POST',
      path: '/search/v1/search/',
      idempotent: true,
      // Signed URLs in results would expire before anyone used them; downloads ask afresh.
      query: { page, per_page: perPage, generate_signed_url: 'false', save_search_history: 'false' },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(criteria),
    });
    return parseEnvelope(res.body);
  };

  async function getAssets(ids: readonly string[]): Promise<(Asset | null)[]> {
    const wanted = [...new Set(ids.filter((id) => typeof id === 'string' && UUID_RE.test(id)))];
    const found = new Map<string, Asset>();
    // One request for up to maxPerPage ids; more ids than that need one request per chunk.
    for (let i = 0; i < wanted.length; i += maxPerPage) {
      const chunk = wanted.slice(i, i + maxPerPage);
      const env = await search(
        { doc_types: ['assets'], filter: { operator: 'AND', terms: [{ name: 'id', value_in: chunk }] } },
        1,
        chunk.length,
      );
      for (const o of env.objects) {
        const a = toAsset(o, ctx);
        found.set(a.source.nativeId, a);
      }
    }
    return ids.map((id) => found.get(id) ?? null);
  }

  async function findAssets(filter: CanonicalFilter, page: PageRequest, o?: { facets?: boolean }): Promise<Page<Asset>> {
    const wanted = Math.min(maxPerPage, Math.max(1, Math.floor(page.first)));
    // An absolute offset (cross-source search) is served by the page size whose one page covers it.
    const window = page.offset !== undefined ? pageWindow(page.offset, wanted, maxPerPage) : null;
    if (page.offset !== undefined && !window) throw new UpstreamError('ICONIK', 'BAD_REQUEST', 'page offset beyond reach');
    const cursor = window
      ? { page: window.page, perPage: window.perPage }
      : page.after
        ? decodeCursor(page.after)
        : { page: 1, perPage: wanted };
    const skip = window?.skip ?? 0;
    const criteria = criteriaFor(filter, opts.mapping);
    const sort = sortFor(page.sort);
    if (sort) criteria.sort = sort;
    if (o?.facets) criteria.facets = [...facetFields(opts.mapping).keys()];
    let env: Envelope;
    let pastTheEnd = false;
    try {
      env = await search(criteria, cursor.page, cursor.perPage);
    } catch (e) {
      // iconik answers a page past the end with 404 "Requested page does not exist": the results
      // ended (they shrank since the caller's last page), nothing failed. The first page of the
      // same size still carries the total and the facets.
      if (!(e instanceof UpstreamError && e.kind === 'NOT_FOUND' && cursor.page > 1)) throw e;
      env = await search(criteria, 1, cursor.perPage);
      pastTheEnd = true;
    }
    const items = pastTheEnd ? [] : env.objects.slice(skip, skip + wanted).map((x) => toAsset(x, ctx));
    const pages = Math.ceil(env.total / cursor.perPage);
    return {
      items,
      total: env.total,
      ...(!pastTheEnd && cursor.page < pages ? { next: encodeCursor({ page: cursor.page + 1, perPage: cursor.perPage }) } : {}),
      ...(o?.facets ? { facets: mapFacets(env.facets, opts.mapping) } : {}),
    };
  }

  async function ping(): Promise<SourceHealth> {
    const started = Date.now();
    const res = await http.request<unknown>({ path: '/auth/v1/auth/token/' });
    if (!isObj(res.body)) throw malformed('token check');
    return { system: 'ICONIK', ok: true, latencyMs: Date.now() - started };
  }

  const startedAt = new Date((opts.clock ?? Date.now)()).toISOString();
  return {
    system: 'ICONIK',
    ping,
    getAssets,
    findAssets,
    openRendition: (assetId, kind) => openRendition({ http, proxyKinds, timeoutMs, fetch: doFetch }, assetId, kind),
    changesSince: (cursor?: string): Promise<ChangeSet> => changesSince(search, maxPerPage, cursor ?? startedAt, cursor === undefined),
    ...writes,
  };
}
