/**
 * A simulated OpenText Media Management (OTMM) REST v6 server serving the demo world's OTMM
 * assets in the vendor's wire format (vendor-apis.md §5), with the shared `/__sim` control
 * surface. Built, not listening: call `listen()`.
 *
 * Auth: `POST /sessions` (form username/password) returns `session_resource` and a session
 * cookie; every other call needs `X-Requested-By: <session.id>` and that cookie, or an OAuth
 * `Authorization: Bearer` token from `POST /sessions/oauth2/token`. Sessions expire after
 * `sessionTtlMs` of inactivity. Points the vendor material leaves open (error body, facets,
 * GET vs POST search, rate limits, write paths) are options; see README.md. Asset writes (lock,
 * edit, unlock, security policies) are in writes.ts. OTMM has no webhooks here: none are
 * documented, so clients poll.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { DEMO_CREDENTIALS } from '../demo/credentials.ts';
import { renditionContent } from '../demo/content.ts';
import type { DemoAsset, DemoRendition, DemoWorld } from '../demo/world.ts';
import { createAssetChanges, registerAssetControls } from '../demo/asset-changes.ts';
import { DAM_FIELDS, type Mapping } from '../../sources/mapping.ts';
import {
  createSimulator,
  first,
  type Handler,
  type Method,
  type SimRequest,
  type SimResponse,
  type Simulator,
} from '../framework/server.ts';
import { createContainers, lookupDomains, type FolderNode } from './browse.ts';
import { registerWrites, type OtmmWriteSimOptions, type WriteState } from './writes.ts';
import {
  FULL_LOAD,
  fieldValues,
  renderAsset,
  resolveContent,
  type DomainValueStyle,
  type EmptyValueStyle,
  type LoadSpec,
  type RenderContext,
} from './assets.ts';
import {
  SearchInputError,
  compileConditions,
  countFacet,
  keywordPredicate,
  parseFacetRequests,
  parseJsonField,
  parseRestrictions,
  satisfies,
  type Restriction,
  type SearchDoc,
} from './search.ts';
import {
  OTMM_BASE_PATH,
  SYSTEM_FIELDS,
  type OtmmAsset,
  type OtmmDataLoadRequest,
  type OtmmSearchResultResource,
  type OtmmSession,
} from '../../sources/otmm/wire.ts';

export interface OtmmSimOptions extends OtmmWriteSimOptions {
  /** Accepted sign-in; default DEMO_CREDENTIALS.otmm. */
  credentials?: { username: string; password: string };
  /** Idle time after which a session (and its bearer token) is gone. Default 30 minutes. */
  sessionTtlMs?: number;
  /** Whether calls must carry the session cookie besides X-Requested-By. Default true. */
  requireCookie?: boolean;
  /** Name of the session cookie. Default `JSESSIONID`. */
  cookieName?: string;
  /** The clock (tests move it to expire sessions). Default Date.now. */
  now?: () => number;
  /** The error body for a status (NOT FOUND upstream). Default `{"exception_body":{message, debug_message, http_response_code}}`. */
  errorBody?: (status: number, message: string) => unknown;
  /** Methods `/search/text` answers (both appear in vendor clients). Default both. */
  searchMethods?: readonly ('GET' | 'POST')[];
  /** Page size when `limit` is absent (NOT FOUND upstream). Default 50. */
  defaultLimit?: number;
  /** Larger `limit`s are clamped to this (NOT FOUND upstream). Default 1000. */
  maxLimit?: number;
  /** Field ids faceted on when a search asks for no facets (a server-side facet configuration). Default none. */
  defaultFacetFields?: readonly string[];
  /** Answer 429 with Retry-After past this many API calls per window (NOT FOUND upstream). Default off. */
  rateLimit?: { requests: number; windowMs: number };
  /** Carry the master id of locale variants in this metadata field instead of `original_asset_id`. */
  variantField?: string;
  /**
   * How a field without a value is sent (NOT FOUND upstream; README.md). Default `omit`: no
   * inner `value`. `typed`: an inner `{type}` without `value`.
   */
  emptyValue?: EmptyValueStyle;
  /**
   * How a lookup-domain field's value is sent (INFERRED; README.md). Default `domain`:
   * `{display_value, field_value:{type,value}}`. `typed`: `{type, value}`.
   */
  domainValue?: DomainValueStyle;
  /** Latency added to every vendor request. Default 0. */
  baseLatencyMs?: number;
}

interface SessionRecord {
  session: OtmmSession;
  cookie: string;
  token: string;
  lastUsed: number;
}

const isForm = (v: unknown): v is Record<string, string | string[]> => typeof v === 'object' && v !== null && !Array.isArray(v);
const cookiesOf = (header: string | undefined): Map<string, string> =>
  new Map(
    (header ?? '')
      .split(';')
      .map((p) => p.trim().split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k as string, v.join('=')]),
  );

/** Build the OTMM simulator over a world (not listening). */
export function createOtmmSimulator(generated: DemoWorld, mapping: Mapping, opts: OtmmSimOptions = {}): Simulator {
  const now = opts.now ?? Date.now;
  // The modify date of an edit made through the vendor API (see `update` below); else the clock.
  let editedAt: number | undefined;
  // The world as this DAM serves it: assets edited and created through `/__sim/assets` and the
  // vendor's edit call are in it.
  const changes = createAssetChanges(generated, 'OTMM', () => editedAt ?? now());
  const world = changes.view;
  const creds = opts.credentials ?? DEMO_CREDENTIALS.otmm;
  const ttl = opts.sessionTtlMs ?? 30 * 60_000;
  const requireCookie = opts.requireCookie ?? true;
  const cookieName = opts.cookieName ?? 'JSESSIONID';
  const errorBody =
    opts.errorBody ??
    ((status: number, message: string) => ({ exception_body: { message, debug_message: null, http_response_code: status } }));
  const searchMethods = opts.searchMethods ?? ['GET', 'POST'];
  const defaultLimit = opts.defaultLimit ?? 50;
  const maxLimit = opts.maxLimit ?? 1000;
  const ctx: RenderContext = {
    mapping,
    ...(opts.variantField ? { variantField: opts.variantField } : {}),
    ...(opts.emptyValue ? { emptyValue: opts.emptyValue } : {}),
    ...(opts.domainValue ? { domainValue: opts.domainValue } : {}),
    isLocked: (id) => writes.isLocked(id),
    policiesOf: (a) => writes.policiesOf(a),
  };
  const containers = createContainers(world, creds.username);
  const knownFields = new Set<string>([
    ...DAM_FIELDS.map((f) => mapping.otmm.fields[f]),
    ...Object.values(SYSTEM_FIELDS),
    ...(opts.variantField ? [opts.variantField] : []),
  ]);

  const sessions = new Map<string, SessionRecord>();
  const tokens = new Map<string, SessionRecord>();
  let window = { start: 0, count: 0 };

  const sim = createSimulator({
    name: 'otmm',
    errorBody: (status) => errorBody(status, STATUS_CODES[status] ?? `HTTP ${status}`),
    ...(opts.baseLatencyMs !== undefined ? { baseLatencyMs: opts.baseLatencyMs } : {}),
    onReset: () => {
      window = { start: 0, count: 0 };
      writes.clear();
      // Only what changed is forgotten: the world's memoized search documents stay warm.
      for (const i of changes.clear()) docs[i] = undefined;
      docs.length = Math.min(docs.length, generated.counts.assets.OTMM);
    },
  });
  registerAssetControls(sim, changes);
  const fail = (status: number, message: string): SimResponse => ({ status, body: errorBody(status, message) });

  // ---------------------------------------------------------------- sessions

  const drop = (rec: SessionRecord) => {
    sessions.delete(String(rec.session.id));
    tokens.delete(rec.token);
  };
  const newSession = (): SessionRecord => {
    // Sweep idle sessions on each sign-in, so long benchmark runs do not accumulate them.
    for (const old of sessions.values()) if (now() - old.lastUsed > ttl) drop(old);
    const rec: SessionRecord = {
      session: {
        domain_name: 'OTMM',
        id: randomInt(100_000_000, 999_999_999),
        local_session: false,
        login_name: creds.username,
        message_digest: randomBytes(20).toString('hex'),
        role_name: 'Administrator',
        user_full_name: 'super, tsuper',
        user_id: '1001',
        user_role_id: 1,
        validation_key: randomInt(-2_147_483_648, 2_147_483_647),
      },
      cookie: randomBytes(16).toString('hex').toUpperCase(),
      token: randomBytes(24).toString('base64url'),
      lastUsed: now(),
    };
    sessions.set(String(rec.session.id), rec);
    tokens.set(rec.token, rec);
    return rec;
  };
  const alive = (rec: SessionRecord | undefined): SessionRecord | undefined => {
    if (!rec) return undefined;
    if (now() - rec.lastUsed > ttl) {
      drop(rec);
      return undefined;
    }
    rec.lastUsed = now();
    return rec;
  };

  /**
   * The caller's session, or why not. Session methods may omit X-Requested-By (the vendor's
   * rule exempts them); everything else needs it, plus the cookie when `requireCookie`.
   */
  const identify = (req: SimRequest, sessionMethod: boolean): SessionRecord | SimResponse => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (bearer) return alive(tokens.get(bearer)) ?? fail(401, 'The OAuth token is invalid or has expired.');
    const cookie = cookiesOf(req.headers.cookie).get(cookieName);
    const requestedBy = first(req.headers['x-requested-by']);
    let rec: SessionRecord | undefined;
    if (requestedBy !== undefined) rec = sessions.get(requestedBy);
    else if (sessionMethod && cookie) rec = [...sessions.values()].find((s) => s.cookie === cookie);
    else return fail(401, 'The X-Requested-By header is required.');
    if (!rec) return fail(401, 'The session is invalid or has expired.');
    if ((requireCookie || cookie !== undefined) && cookie !== rec.cookie)
      return fail(401, 'The session cookie is missing or does not match the session.');
    return alive(rec) ?? fail(401, 'The session is invalid or has expired.');
  };

  const rateLimited = (): SimResponse | undefined => {
    const limit = opts.rateLimit;
    if (!limit) return undefined;
    const t = now();
    if (t - window.start >= limit.windowMs) window = { start: t, count: 0 };
    window.count++;
    if (window.count <= limit.requests) return undefined;
    const wait = Math.max(1, Math.ceil((window.start + limit.windowMs - t) / 1000));
    return { ...fail(429, 'Too many requests.'), headers: { 'retry-after': String(wait) } };
  };

  const authed =
    (handler: (req: SimRequest, who: SessionRecord) => SimResponse | Promise<SimResponse>, sessionMethod = false): Handler =>
    (req) => {
      const who = identify(req, sessionMethod);
      if (!('session' in who)) return who;
      return rateLimited() ?? handler(req, who);
    };

  const route = (method: Method, path: string, handler: Handler) => sim.route(method, OTMM_BASE_PATH + path, handler);

  route('POST', '/sessions', (req) => {
    const form = isForm(req.body) ? req.body : {};
    const username = first(form.username);
    const password = first(form.password);
    if (!username || !password) return fail(400, 'username and password are required.');
    if (username !== creds.username || password !== creds.password) return fail(401, 'Invalid username or password.');
    const rec = newSession();
    return {
      headers: { 'set-cookie': `${cookieName}=${rec.cookie}; Path=/otmmapi; HttpOnly` },
      body: { session_resource: { session: rec.session } },
    };
  });
  route(
    'GET',
    '/sessions',
    authed((_req, who) => ({ body: { session_resource: { session: who.session } } }), true),
  );
  route('DELETE', '/sessions', (req) => {
    const who = identify(req, true);
    if (!('session' in who)) return who;
    drop(who);
    return { status: 204 };
  });
  route('POST', '/sessions/oauth2/token', (req) => {
    const form = isForm(req.body) ? req.body : {};
    if (first(form.grant_type) !== 'password') return fail(400, 'Only grant_type=password is supported.');
    if (!first(form.client_id)) return fail(400, 'client_id is required.');
    if (first(form.username) !== creds.username || first(form.password) !== creds.password)
      return fail(401, 'Invalid username or password.');
    const rec = newSession();
    return { body: { token_info: { oauth_token: { accessToken: rec.token, expiresIn: Math.floor(ttl / 1000), tokenType: 'Bearer' } } } };
  });

  // ---------------------------------------------------------------- assets and bytes

  /** What `load_type` / `level_of_detail` / `data_load_request` ask an asset to carry. */
  const loadSpec = (fields: Record<string, unknown>, fallback: 'metadata' | 'full'): LoadSpec | SimResponse => {
    const type = first(fields.load_type) ?? fallback;
    const slim = first(fields.level_of_detail) === 'slim';
    switch (type) {
      case 'system':
        return { metadata: false, master: false, thumbnail: false, preview: false, slim };
      case 'metadata':
      case 'full':
        return { ...FULL_LOAD, slim };
      case 'custom': {
        let parsed: unknown;
        try {
          parsed = parseJsonField(first(fields.data_load_request), 'data_load_request');
        } catch (e) {
          return fail(400, (e as Error).message);
        }
        const flags = (parsed as OtmmDataLoadRequest | undefined)?.data_load_request ?? {};
        return {
          metadata: !!flags.load_metadata,
          master: !!flags.load_asset_content_info,
          thumbnail: !!flags.load_thumbnail_info,
          preview: !!flags.load_preview_info,
          slim,
        };
      }
      default:
        return fail(400, `Unknown load_type: ${type}`);
    }
  };
  const isLoad = (v: LoadSpec | SimResponse): v is LoadSpec => 'metadata' in v;

  route(
    'GET',
    '/assets/:asset_id',
    authed((req) => {
      const asset = world.assetById('OTMM', req.params.asset_id ?? '');
      if (!asset) return fail(404, 'The asset does not exist.');
      const load = loadSpec(req.query, 'full');
      return isLoad(load) ? { body: { asset_resource: { asset: renderAsset(asset, ctx, load) } } } : load;
    }),
  );

  const sendBytes = (asset: DemoAsset, r: DemoRendition): SimResponse => {
    const name = r.kind === 'ORIGINAL' ? asset.fileName : `${asset.fileName.replace(/\.[a-z0-9]+$/, '')}-${r.kind.toLowerCase()}.png`;
    return {
      headers: { 'content-type': r.mimeType, 'content-disposition': `inline; filename="${name}"` },
      body: renditionContent(asset, r),
    };
  };
  route(
    'GET',
    '/assets/:asset_id/contents',
    authed((req) => {
      const asset = world.assetById('OTMM', req.params.asset_id ?? '');
      const master = asset?.renditions.find((r) => r.kind === 'ORIGINAL');
      return asset && master ? sendBytes(asset, master) : fail(404, 'The asset does not exist.');
    }),
  );
  const renditionBytes = (id: string): SimResponse => {
    const found = resolveContent(world, id);
    return found ? sendBytes(found.asset, found.rendition) : fail(404, 'The content does not exist.');
  };
  route(
    'GET',
    '/renditions/:content_id',
    authed((req) => renditionBytes(req.params.content_id ?? '')),
  );
  sim.route(
    'GET',
    '/adaptivemedia/rendition',
    authed((req) => renditionBytes(first(req.query.id) ?? '')),
  );

  // ---------------------------------------------------------------- writes

  const domains = lookupDomains(world, mapping);
  const writes: WriteState = registerWrites(
    {
      world,
      generated,
      route,
      authed: (handler) => authed((req, who) => handler(req, String(who.session.id))),
      fail,
      sessionAlive: (id) => {
        const rec = sessions.get(id);
        return rec !== undefined && now() - rec.lastUsed <= ttl;
      },
      update: (id, patch) => {
        // Forward past the previous modify date, even within one millisecond: feeds poll by it.
        const previous = world.assetById('OTMM', id);
        editedAt = Math.max(now(), previous ? Date.parse(previous.modifiedAt) + 1 : 0);
        try {
          return changes.update(id, patch);
        } finally {
          editedAt = undefined;
        }
      },
      render: (a) => renderAsset(a, ctx, FULL_LOAD),
      edit: { mapping, domains, ...(opts.variantField ? { variantField: opts.variantField } : {}) },
    },
    opts,
  );
  changes.onChange((c) => {
    if (c.operation === 'create') writes.created(c.asset);
  });

  // ---------------------------------------------------------------- search

  const docs: (SearchDoc | undefined)[] = [];
  // A changed asset is made searchable anew (simulators/demo/asset-changes.ts).
  changes.onChange((c) => (docs[c.asset.index] = undefined));
  const docAt = (i: number): SearchDoc => {
    let d = docs[i];
    if (!d) {
      const a = world.asset('OTMM', i);
      d = { fields: fieldValues(a, ctx), text: `${a.title} ${a.description} ${a.fileName}`.toLowerCase() };
      docs[i] = d;
    }
    return d;
  };

  const intField = (raw: unknown, name: string, fallback: number, min: number): number => {
    const s = first(raw);
    if (s === undefined || s === '') return fallback;
    if (!/^\d+$/.test(s) || Number(s) < min) throw new SearchInputError(`${name} must be an integer >= ${min}`);
    return Number(s);
  };

  const search = (req: SimRequest): SimResponse => {
    const fields: Record<string, unknown> = { ...req.query, ...(isForm(req.body) ? req.body : {}) };
    const load = loadSpec(fields, 'metadata');
    if (!isLoad(load)) return load;
    let result: OtmmSearchResultResource;
    try {
      result = runSearch(fields, load);
    } catch (e) {
      if (e instanceof SearchInputError) return fail(400, e.message);
      throw e;
    }
    return { body: result };
  };

  const runSearch = (fields: Record<string, unknown>, load: LoadSpec): OtmmSearchResultResource => {
    const after = intField(fields.after, 'after', 0, 0);
    const limit = Math.min(maxLimit, intField(fields.limit, 'limit', defaultLimit, 1));
    const condition = compileConditions(parseJsonField(first(fields.search_condition_list), 'search_condition_list'), (id) =>
      knownFields.has(id),
    );
    const restrictions = parseRestrictions(parseJsonField(first(fields.facet_restriction_list), 'facet_restriction_list'));
    const facetRequests =
      parseFacetRequests(parseJsonField(first(fields.facet_field_request_list), 'facet_field_request_list')) ??
      (opts.defaultFacetFields ?? []).map((field) => ({ field, max: 100 }));
    const keyword = keywordPredicate(first(fields.keyword_query));

    const base: { index: number; doc: SearchDoc }[] = [];
    for (let i = 0; i < world.counts.assets.OTMM; i++) {
      const doc = docAt(i);
      if (keyword(doc) && condition(doc)) base.push({ index: i, doc });
    }
    const passes = (doc: SearchDoc, skip?: Restriction) => restrictions.every((r) => r === skip || satisfies(doc, r));
    const hits = base.filter((h) => passes(h.doc));
    // Sorting is INFERRED (vendor-apis §5 documents none): `sort_field` NAME or DATE_LAST_UPDATED,
    // `sort_order` asc|desc; ties keep the index order, so pages are stable.
    const sortField = first(fields.sort_field);
    if (sortField !== undefined) {
      if (sortField !== 'NAME' && sortField !== 'DATE_LAST_UPDATED') throw new SearchInputError(`unknown sort_field ${sortField}`);
      const dir = first(fields.sort_order) === 'desc' ? -1 : 1;
      const key = (i: number) => (sortField === 'NAME' ? world.asset('OTMM', i).title : world.asset('OTMM', i).modifiedAt);
      const keys = new Map(hits.map((h) => [h.index, key(h.index)]));
      hits.sort((a, b) => dir * (keys.get(a.index) as string).localeCompare(keys.get(b.index) as string) || a.index - b.index);
    }
    const facets = facetRequests.map(({ field, max }) => {
      const own = restrictions.find((r) => r.field === field && r.exclude);
      return countFacet(
        base.filter((h) => passes(h.doc, own)).map((h) => h.doc),
        field,
        max,
      );
    });
    const page = hits.slice(after, after + limit);
    const assets: OtmmAsset[] = page.map((h) => renderAsset(world.asset('OTMM', h.index), ctx, load));
    return {
      search_result_resource: {
        search_result: {
          asset_id_list: assets.map((a) => a.asset_id),
          hit_count: assets.length,
          total_hit_count: hits.length,
          offset: after,
          facet_field_response_list: facets,
          // Grouped (e.g. by collection) results are not simulated.
          asset_group_count: 0,
        },
        asset_list: assets,
      },
    };
  };
  for (const m of searchMethods) route(m, '/search/text', authed(search));

  // ---------------------------------------------------------------- collections, folders, lookup domains

  const pageOf = <T>(req: SimRequest, items: T[]): T[] | SimResponse => {
    try {
      const after = intField(req.query.after, 'after', 0, 0);
      const limit = Math.min(maxLimit, intField(req.query.limit, 'limit', maxLimit, 1));
      return items.slice(after, after + limit);
    } catch (e) {
      return fail(400, (e as Error).message);
    }
  };
  const listLoad: LoadSpec = { metadata: false, master: false, thumbnail: true, preview: true, slim: true };
  const assetItems = (list: Iterable<DemoAsset>) => [...list].map((a) => renderAsset(a, ctx, listLoad));

  route(
    'GET',
    '/collections',
    authed(() => ({ body: { collection_resource: { collection: containers.collections() } } })),
  );
  route(
    'GET',
    '/collections/:id/assets',
    authed((req) => {
      const campaign = containers.collectionCampaign(req.params.id ?? '');
      if (!campaign) return fail(404, 'The collection does not exist.');
      const page = pageOf(req, assetItems(world.campaignAssets('OTMM', campaign.code)));
      return Array.isArray(page) ? { body: { assets_resource: { asset_list: page } } } : page;
    }),
  );
  // The root-folder envelope is not in the vendor material: `folders_resource.folder_list` is chosen.
  route(
    'GET',
    '/folders/rootfolders',
    authed(() => ({ body: { folders_resource: { folder_list: containers.rootFolders() } } })),
  );
  route(
    'GET',
    '/folders/:id/children',
    authed((req) => {
      const node: FolderNode | null = containers.folder(req.params.id ?? '');
      if (!node) return fail(404, 'The folder does not exist.');
      const items = node.kind === 'campaign' ? assetItems(world.campaignAssets('OTMM', node.campaign.code)) : containers.subFolders(node);
      const page = pageOf<unknown>(req, items);
      return Array.isArray(page) ? { body: { folder_children: { asset_list: page } } } : page;
    }),
  );
  route(
    'GET',
    '/lookupdomains',
    authed(() => ({ body: { lookup_domains_resource: { lookup_domains: domains } } })),
  );
  route(
    'GET',
    '/lookupdomains/:id',
    authed((req) => {
      const d = domains.find((x) => x.domainId === req.params.id);
      return d ? { body: { lookup_domain_resource: { lookup_domain: d } } } : fail(404, 'The lookup domain does not exist.');
    }),
  );

  return sim;
}
