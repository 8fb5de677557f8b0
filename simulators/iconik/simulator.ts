/**
 * The iconik simulator: iconik's REST API (vendor-apis.md §3) over the demo world, built on
 * the shared simulator framework (so `/__sim/*` stats, request log and faults come with it).
 * It does not listen; call `listen()` on the result.
 *
 * Every vendor route needs both `App-ID` and `Auth-Token` (401 `{"errors":["Token is invalid"]}`
 * otherwise). Accepted tokens: the demo application token, and tokens from the simple login,
 * which expire after `tokenTtlMs`. Paths end with `/`, as every path in the vendor spec does;
 * the same path without it is served too unless `trailingSlash` says otherwise.
 *
 * Writes (writes.ts): metadata values through a view PUT and collection contents added and
 * removed, served by every read afterwards.
 */
import { randomUUID } from 'node:crypto';
import { DEMO_CREDENTIALS } from '../demo/credentials.ts';
import type { DemoWorld } from '../demo/world.ts';
import { createAssetChanges, registerAssetControls } from '../demo/asset-changes.ts';
import { mountWebhookDelivery, type WebhookDeliveryOptions } from './webhooks.ts';
import type { Mapping } from '../../sources/mapping.ts';
import { createSimulator, first, type Handler, type SimRequest, type SimResponse, type Simulator } from '../framework/server.ts';
import { IconikDocs, type Signer } from './docs.ts';
import { IconikEdits } from './edits.ts';
import { mountWriteRoutes, type DuplicateContent } from './writes.ts';
import type { CollectionContentInfo } from './schemas.ts';
import { createDownloadSigner, mountFileRoutes } from './files.ts';
import {
  errorResponse,
  faultBody,
  fieldErrors,
  isResponse,
  mountRoute,
  pageOf,
  pageParams,
  pageUrl,
  type IconikSimContext,
  type TrailingSlash,
} from './http.ts';
import { facetBuckets, parseCriteria, runSearch, type SearchDoc } from './search.ts';
import { iconikDate, type CollectionSchema, type FacetBucket, type TokenSchema, type WebhookSchema } from '../../sources/iconik/wire.ts';

export interface IconikSimOptions {
  /** Path prefix of the API. Default `/API` (as on app.iconik.io). */
  basePath?: string;
  /** Accepted credentials; default the demo ones (simulators/demo/credentials.ts). */
  credentials?: { appId: string; authToken: string; email: string; password: string };
  /** Lifetime of tokens from the simple login. Default 1 hour. */
  tokenTtlMs?: number;
  /** Lifetime of signed download URLs. Default 5 minutes. */
  downloadTtlMs?: number;
  /** Largest `per_page` accepted (the real limit is NOT FOUND). Default 500. */
  maxPerPage?: number;
  /**
   * Rate limit per App-ID (off by default). The real one is from a secondary source only
   * (~1000 requests per 20 s): when on, every authenticated answer carries
   * `RateLimit-Remaining`, and excess requests get 429 with `Retry-After`.
   */
  rateLimit?: { limit: number; windowMs: number };
  /**
   * Shape of search facets (uncertain, vendor-apis.md §3.5). `buckets` (default):
   * `{field: {buckets: [{key, doc_count}]}}` as one third-party client reads them; `list`:
   * `{field: [{key, doc_count}]}`. The client accepts both.
   */
  facetShape?: 'buckets' | 'list';
  /**
   * How a path without its trailing slash is answered (NOT FOUND upstream; see TrailingSlash
   * and README.md). Default `optional`: both spellings are served.
   */
  trailingSlash?: TrailingSlash;
  /** Latency added to every vendor request. Default 0. */
  baseLatencyMs?: number;
  /** Webhook delivery: attempts, retry delay, failures before FAILING, timeout (webhooks.ts). */
  webhooks?: WebhookDeliveryOptions;
  /**
   * The answer to adding content a collection already holds (NOT FOUND upstream): `conflict`
   * (default) 409 `{"errors":["Object is already in the collection"]}`, `added` 201 again.
   */
  duplicateContent?: DuplicateContent;
}

interface Session {
  expires: number | null;
  userId: string;
}

/** Build the iconik simulator (not listening). */
export function createIconikSimulator(generated: DemoWorld, mapping: Mapping, opts: IconikSimOptions = {}): Simulator {
  // The world as this DAM serves it: assets edited and created through `/__sim/assets` are in it.
  const changes = createAssetChanges(generated, 'ICONIK');
  const world = changes.view;
  const basePath = (opts.basePath ?? '/API').replace(/\/+$/, '');
  const creds = opts.credentials ?? DEMO_CREDENTIALS.iconik;
  const tokenTtlMs = opts.tokenTtlMs ?? 3_600_000;
  const edits = new IconikEdits();
  const docs = new IconikDocs(world, mapping, edits);
  const sessions = new Map<string, Session>();
  const webhooks = new Map<string, WebhookSchema>();
  const rate = { windowStart: 0, used: 0 };
  const sim = createSimulator({
    name: 'iconik',
    errorBody: faultBody,
    ...(opts.baseLatencyMs !== undefined ? { baseLatencyMs: opts.baseLatencyMs } : {}),
    onReset: () => {
      sessions.clear();
      webhooks.clear();
      // Only what changed is forgotten: the world's memoized search documents stay warm. Every
      // write went through `changes` too, so its asset is among those forgotten.
      edits.clear();
      for (const i of changes.clear()) docs.forget(i);
      delivery.clear();
      rate.used = 0;
    },
  });
  const signer = createDownloadSigner(opts.downloadTtlMs ?? 300_000);
  const apiUrl = () => `${sim.url}${basePath}`;
  const sign: Signer = (a, kind) => `${apiUrl()}/files/v1/download/${signer.token(a, kind)}/`;

  const sessionOf = (req: SimRequest): Session | undefined => {
    if (first(req.headers['app-id']) !== creds.appId) return undefined;
    const token = first(req.headers['auth-token']);
    if (!token) return undefined;
    if (token === creds.authToken) return { expires: null, userId: docs.userId };
    const s = sessions.get(token);
    if (!s || (s.expires !== null && s.expires <= Date.now())) return undefined;
    return s;
  };

  const rateLimited = (): { remaining: number; retryAfter?: number } | undefined => {
    if (!opts.rateLimit) return undefined;
    const now = Date.now();
    if (now - rate.windowStart >= opts.rateLimit.windowMs) {
      rate.windowStart = now;
      rate.used = 0;
    }
    rate.used++;
    const remaining = Math.max(0, opts.rateLimit.limit - rate.used);
    if (rate.used > opts.rateLimit.limit)
      return { remaining, retryAfter: Math.max(1, Math.ceil((rate.windowStart + opts.rateLimit.windowMs - now) / 1000)) };
    return { remaining };
  };

  const authed =
    (handler: Handler): Handler =>
    async (req) => {
      if (!sessionOf(req)) return errorResponse(401, 'Token is invalid');
      const limit = rateLimited();
      if (limit?.retryAfter !== undefined) {
        return {
          ...errorResponse(429, 'Too many requests'),
          headers: { 'retry-after': String(limit.retryAfter), 'ratelimit-remaining': '0' },
        };
      }
      const out = await handler(req);
      return limit ? { ...out, headers: { ...(out.headers ?? {}), 'ratelimit-remaining': String(limit.remaining) } } : out;
    };

  const trailingSlash = opts.trailingSlash ?? 'optional';
  const ctx: IconikSimContext = {
    basePath,
    world,
    mapping,
    docs,
    maxPerPage: opts.maxPerPage ?? 500,
    apiUrl,
    sign,
    authed,
    route: (method, path, handler) => mountRoute(sim, basePath, trailingSlash, method, path, handler),
  };
  const tokenBody = (token: string, s: Session): TokenSchema => ({
    token,
    app_id: creds.appId,
    user_id: s.userId,
    expires: s.expires === null ? null : iconikDate(s.expires),
    system_domain_id: docs.systemDomainId,
    system_domain_status: 'ACTIVE',
    is_admin: false,
  });

  ctx.route('POST', '/auth/v1/auth/simple/login/', (req) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (typeof b.email !== 'string' || typeof b.password !== 'string') return fieldErrors({ email: ['Missing data for required field.'] });
    // The real failure message is NOT FOUND; 401 in the usual error body.
    if (b.email.toLowerCase() !== creds.email || b.password !== creds.password) return errorResponse(401, 'Invalid email or password');
    const token = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
    const s: Session = { expires: Date.now() + tokenTtlMs, userId: docs.userId };
    sessions.set(token, s);
    return { status: 201, body: tokenBody(token, s) };
  });
  ctx.route(
    'GET',
    '/auth/v1/auth/token/',
    authed((req) => {
      const token = first(req.headers['auth-token']) ?? '';
      return { body: tokenBody(token, sessionOf(req) as Session) };
    }),
  );

  registerAssetControls(sim, changes);
  const delivery = mountWebhookDelivery(sim, webhooks, (a) => docs.asset(a), docs, opts.webhooks);
  changes.onChange((c) => {
    docs.forget(c.asset.index);
    delivery.deliver(c);
  });
  mountAssetRoutes(ctx);
  mountMetadataRoutes(ctx);
  mountWriteRoutes(ctx, changes, edits, opts.duplicateContent);
  mountSearchRoute(ctx, opts.facetShape ?? 'buckets');
  mountFileRoutes(ctx, signer, webhooks);
  return sim;
}

function mountAssetRoutes(ctx: IconikSimContext): void {
  ctx.route(
    'GET',
    '/assets/v1/assets/',
    ctx.authed((req) => {
      const p = pageParams(req, ctx.maxPerPage);
      if (isResponse(p)) return p;
      const all = [...ctx.world.assets('ICONIK')];
      return pageOf(all, p, (a) => ctx.docs.elastic(a), pageUrl(ctx, '/assets/v1/assets/', p.perPage));
    }),
  );
  ctx.route(
    'GET',
    '/assets/v1/assets/:id/',
    ctx.authed((req) => {
      const a = ctx.world.assetById('ICONIK', req.params.id ?? '');
      return a ? { body: ctx.docs.asset(a) } : errorResponse(404, 'Asset does not exist');
    }),
  );
  ctx.route(
    'GET',
    '/assets/v1/collections/',
    ctx.authed((req) => {
      const p = pageParams(req, ctx.maxPerPage);
      if (isResponse(p)) return p;
      return pageOf(ctx.docs.collections(), p, (c) => c, pageUrl(ctx, '/assets/v1/collections/', p.perPage));
    }),
  );
  ctx.route(
    'GET',
    '/assets/v1/collections/:id/',
    ctx.authed((req) => {
      const c = ctx.docs.collections().find((x) => x.id === req.params.id);
      return c ? { body: c } : errorResponse(404, 'Collection does not exist');
    }),
  );
  ctx.route(
    'GET',
    '/assets/v1/collections/:id/contents/',
    ctx.authed((req) => {
      const p = pageParams(req, ctx.maxPerPage);
      if (isResponse(p)) return p;
      const contents = ctx.docs.contents(req.params.id ?? '');
      if (!contents) return errorResponse(404, 'Collection does not exist');
      const types = new Set((first(req.query.object_types) ?? 'assets,collections').split(','));
      const items: (CollectionSchema | ReturnType<typeof ctx.docs.elastic>)[] = [
        ...(types.has('collections') ? contents.collections : []),
        ...(types.has('assets') ? contents.assets.map((a) => ctx.docs.elastic(a)) : []),
      ];
      return pageOf(items, p, (x) => x, pageUrl(ctx, `/assets/v1/collections/${req.params.id}/contents/`, p.perPage));
    }),
  );
  // CollectionContentInfoSchema (iconik's spec). Every demo object is ACTIVE, so `only_active`
  // changes nothing; the spec lists no 404 here, but an unknown collection answers one as the
  // other collection routes do.
  ctx.route(
    'GET',
    '/assets/v1/collections/:id/content/info/',
    ctx.authed((req) => {
      const contents = ctx.docs.contents(req.params.id ?? '');
      if (!contents) return errorResponse(404, 'Collection does not exist');
      const body: CollectionContentInfo = { assets_count: contents.assets.length, collections_count: contents.collections.length };
      return { body };
    }),
  );
}

function mountMetadataRoutes(ctx: IconikSimContext): void {
  const viewId = ctx.mapping.iconik.metadataViewId;
  ctx.route(
    'GET',
    '/metadata/v1/views/',
    ctx.authed((req) => {
      const p = pageParams(req, ctx.maxPerPage);
      if (isResponse(p)) return p;
      return pageOf([ctx.docs.view()], p, (v) => v, pageUrl(ctx, '/metadata/v1/views/', p.perPage));
    }),
  );
  ctx.route(
    'GET',
    '/metadata/v1/views/:view_id/',
    ctx.authed((req) => (req.params.view_id === viewId ? { body: ctx.docs.view() } : errorResponse(404, "Metadata view doesn't exist"))),
  );
  ctx.route(
    'GET',
    '/metadata/v1/:object_type/:object_id/views/:view_id/',
    ctx.authed((req) => {
      if (req.params.view_id !== viewId) return errorResponse(404, "Metadata view doesn't exist");
      if (req.params.object_type !== 'assets') return errorResponse(404, 'Object does not exist');
      const a = ctx.world.assetById('ICONIK', req.params.object_id ?? '');
      return a ? { body: ctx.docs.metadataValues(a) } : errorResponse(404, 'Asset does not exist');
    }),
  );
}

function collectionDocs(ctx: IconikSimContext): SearchDoc[] {
  return ctx.docs.collections().map((c) => ({
    id: c.id,
    docType: 'collections',
    text: c.title.toLowerCase(),
    fields: {
      id: [c.id],
      title: [c.title],
      object_type: ['collections'],
      in_collections: c.in_collections,
      date_created: [c.date_created],
      date_modified: [c.date_modified],
    },
  }));
}

function* searchable(ctx: IconikSimContext): Generator<SearchDoc> {
  for (let i = 0; i < ctx.world.counts.assets.ICONIK; i++) yield ctx.docs.searchDoc(i);
  yield* collectionDocs(ctx);
}

/** Keep only the requested top-level keys (`include_fields`), always with id and object_type. */
function project(obj: object, include: string[] | undefined): object {
  if (!include?.length) return obj;
  const keep = new Set(['id', 'object_type', ...include]);
  return Object.fromEntries(Object.entries(obj).filter(([k]) => keep.has(k)));
}

function mountSearchRoute(ctx: IconikSimContext, facetShape: 'buckets' | 'list'): void {
  ctx.route(
    'POST',
    '/search/v1/search/',
    ctx.authed((req): SimResponse => {
      if (typeof req.body === 'symbol') return errorResponse(400, 'Invalid JSON body');
      const p = pageParams(req, ctx.maxPerPage);
      if (isResponse(p)) return p;
      const parsed = parseCriteria(req.body);
      if ('errors' in parsed) return fieldErrors(parsed.errors);
      const c = parsed.criteria;
      const { hits, facetSet } = runSearch(searchable(ctx), c);
      const signed = first(req.query.generate_signed_url) !== 'false';
      const collections = new Map(ctx.docs.collections().map((x) => [x.id, x]));
      const render = (d: SearchDoc) => {
        const a = d.docType === 'assets' ? ctx.world.assetById('ICONIK', d.id) : null;
        const obj = a ? ctx.docs.elastic(a, signed ? ctx.sign : undefined) : { ...collections.get(d.id), metadata: {} };
        return project(obj, c.include_fields);
      };
      const out = pageOf(hits, p, render, pageUrl(ctx, '/search/v1/search/', p.perPage));
      if (out.status !== 200) return out;
      const buckets = facetBuckets(facetSet, c.facets ?? []);
      const facets =
        facetShape === 'list'
          ? buckets
          : Object.fromEntries(Object.entries(buckets).map(([k, v]): [string, { buckets: FacetBucket[] }] => [k, { buckets: v }]));
      return { body: { ...(out.body as object), facets } };
    }),
  );
}
