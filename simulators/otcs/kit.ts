/**
 * What the Content Server simulator's route modules share: resolved options, the context
 * (the node store over world and write overlay, uploads, categories, the acting user), the
 * vendor's error and paging conventions, and request parsing (`fields`, forms, `body=`).
 */
import { first, all, type Handler, type Method, type SimRequest, type SimResponse, type Simulator } from '../framework/server.ts';
import type { CategoryDef } from './categories.ts';
import type { ContentStore } from './content-store.ts';
import type { OtcsSimContext } from './context.ts';
import type { MemberDirectory } from './members.ts';
import type { NodeStore, SimNode } from './node-store.ts';
import type { Overlay } from './overlay.ts';
import type { Uploads } from './uploads.ts';
import type { ErrorBody, Paging } from '../../sources/otcs/wire.ts';

export type { NodeStore, SimDocument, SimNode } from './node-store.ts';

/** Options of `createOtcsSimulator`. Those marked INFERRED/NOT FOUND model open questions of vendor-apis §7. */
export interface OtcsSimOptions {
  /** CGI path all API routes live under. Default `/otcs/cs.exe`. */
  cgiPath?: string;
  /** Ticket lifetime (an admin setting on real servers, "e.g. 30 minutes"). Default 30 min. */
  ticketTtlMs?: number;
  /** Answer every authenticated call with a fresh ticket (SEEN cs-rest). Default true. */
  rotateTickets?: boolean;
  /** 400 for `application/json` request bodies [INFERRED, vendor-apis §6.1]. Default true. */
  rejectJsonBodies?: boolean;
  /** Audit `results` as a list of `{data:{audit}}` instead of an object [shape uncertain, §1.6]. Default false. */
  auditResultsAsList?: boolean;
  /** Latency added to every vendor request. Default 0. */
  baseLatencyMs?: number;
  /** Status for an unknown node: the spec says 400 "Could not get a node for {id}" [§7 open]. Default 400. */
  missingNodeStatus?: 400 | 404;
  /**
   * What a page past `page_total` returns. pyxecm reports that real servers answer out-of-range
   * pages with results instead of an empty list [SEEN comment]; `last` repeats the last page.
   * Default `last`, so clients must stop at `page_total`.
   */
  outOfRangePages?: 'last' | 'empty';
  /** Largest `limit` honoured [NOT FOUND: no documented cap]. Default 500. */
  maxPageSize?: number;
  /**
   * Status for a path under `{cgi}/api/` that names no route: the spec lists 400 "The REST API
   * URL could not be found in the mappings registry" on every operation [SPEC, vendor-apis
   * §1.7]; no public capture shows it. Default 400.
   */
  unknownRouteStatus?: 400 | 404;
  /**
   * Where `GET /nodes/{id}/categories` puts the attribute definitions: `nested` under
   * `metadata.categories`, as six of pyxecm's methods read them [SEEN], or `flat` in
   * `metadata`, as its docstring example (quoted in vendor-apis §1.6) shows. Default `nested`.
   */
  categoryMetadata?: 'nested' | 'flat';
  /**
   * Accepted sign-ins and the member each acts as; `name` is the member's `name` when it is
   * not the login name (members.ts). Default: the demo credentials, `otadmin` signing in as
   * the Admin (id 1000, named `Admin`), as OTDS maps `otadmin@otds.admin` to it.
   */
  users?: { username: string; password: string; userId: number; name?: string }[];

  // Writes (vendor-apis-writes §2). Each option is a point the reference leaves open.

  /**
   * Success status of `POST /api/v2/businessworkspaces` and `POST /api/v2/nodes`: NOT FOUND for
   * workspaces ("treat 200 and 201 as success", §2.1); the spec gives 200 for nodes. Default 200.
   */
  createdStatus?: 200 | 201;
  /**
   * A create whose parent does not exist: 400 "Sorry, the item you requested could not be
   * accessed. ..." (SPEC createNode2, the text for a node that does not exist or may not be
   * seen), or 500 "Could not get a node for {id}" (the spec's text on other write operations).
   * Which one a create gets is NOT FOUND. Default 400.
   */
  missingParentStatus?: 400 | 500;
  /**
   * A create naming a category or attribute that does not exist: 400 "Could not create a new
   * {type}" (SPEC createNode2's 400, the detail naming the key) or 500 (what the workspace
   * create answers for categories it cannot parse, SEEN). NOT FOUND. Default 400.
   */
  badCategoryStatus?: 400 | 500;
  /**
   * A workspace create (or reference update) for a business object another workspace already
   * references: refused with 500 "... already exists", or allowed. NOT FOUND. Default `reject`.
   */
  duplicateBusinessObject?: 'reject' | 'allow';
  /**
   * Changing a document's RM classification needs the current `rm_metadataToken` (409 edit
   * conflict when it is missing or stale); a first classification needs none. INFERRED from
   * pyxecm ("only when changing", §2.3). Default true.
   */
  rmTokenRequired?: boolean;
  /** Longest version description; pyxecm truncates to 255 itself, so a longer one is refused (400). Default 255. */
  maxVersionDescription?: number;
  /** Most nodes the write overlay holds (created and changed ones); a write past it answers 500. Default 10000. */
  maxOverlayNodes?: number;
  /** Directory for uploaded bytes. Default: a fresh directory under the OS temp dir, removed on close. */
  contentDir?: string;
  /** The clock of writes (create and modify dates, audit rows). Default `Date.now`. */
  now?: () => number;
}

export type ResolvedOptions = Required<Omit<OtcsSimOptions, 'users' | 'contentDir'>> & {
  users: NonNullable<OtcsSimOptions['users']>;
  contentDir?: string;
};

/** What every core route module receives. */
export interface CoreSim extends OtcsSimContext {
  sim: Simulator;
  opts: ResolvedOptions;
  nodes: NodeStore;
  members: MemberDirectory;
  /** What was written through the API (the read routes see the world through it). */
  overlay: Overlay;
  /** The bytes of written versions, and the uploads of the request being handled. */
  content: ContentStore;
  uploads: Uploads;
  /** The mapping's categories with their attribute definitions. */
  categories: Map<number, CategoryDef>;
  /** The user a request acts as (its ticket's); the Admin when it has none (open routes). */
  userOf(req: SimRequest): number;
  /** Register a route under the CGI path; authenticated unless `open`. */
  route(method: Method, path: string, handler: Handler, open?: boolean): void;
}

/** A CS error answer `{error, errorDetail}`. */
export function fail(status: number, error: string, errorDetail = ''): SimResponse {
  const body: ErrorBody = { error, errorDetail };
  return { status, body };
}

/** The 400/404 for an id that names no node (vendor text, id echoed as harmless JSON text). */
export function noNode(ctx: CoreSim, raw: string): SimResponse {
  return fail(ctx.opts.missingNodeStatus, `Could not get a node for ${raw.slice(0, 64)}`);
}

/** A node id from a route parameter: digits only, within the safe integer range. */
export function parseNodeId(raw: string | undefined): number | null {
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return null;
  const n = Number(raw);
  return n > 0 ? n : null;
}

/** The node named by `:id`, or null (answer with `noNode`). */
export function nodeParam(ctx: CoreSim, req: SimRequest): SimNode | null {
  const id = parseNodeId(req.params.id);
  return id === null ? null : ctx.nodes.get(id);
}

/** Parsed form fields, or the error answer for a body Content Server would refuse. */
export type Form = { ok: true; fields: Record<string, unknown> } | { ok: false; res: SimResponse };

/** Form fields of a POST: urlencoded or multipart, with the `body=` JSON convention merged in. */
export function formOf(ctx: CoreSim, req: SimRequest): Form {
  if (req.contentType.includes('application/json')) {
    if (ctx.opts.rejectJsonBodies) {
      const res = fail(
        400,
        'One or more parameters are invalid',
        'Requests with an application/json body are not accepted; send application/x-www-form-urlencoded or multipart/form-data.',
      );
      return { ok: false, res };
    }
    const json =
      typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? { ...(req.body as Record<string, unknown>) } : {};
    return { ok: true, fields: json };
  }
  const fields: Record<string, unknown> =
    typeof req.body === 'object' && req.body !== null ? { ...(req.body as Record<string, unknown>) } : {};
  const body = first(fields.body);
  if (body === undefined) return { ok: true, fields };
  delete fields.body;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return { ok: true, fields: { ...fields, ...(parsed as Record<string, unknown>) } };
  } catch {
    return { ok: false, res: fail(400, 'One or more parameters are invalid', 'The body parameter is not a JSON object.') };
  }
}

/** The `fields` mini-language (vendor-apis §1.2, §6.4): which data sections to render. */
export interface FieldSpec {
  properties: true | Set<string>;
  categories: boolean;
  versions: 'none' | 'latest' | 'all';
  permissions: boolean;
  /** [INFERRED] `fields=ancestors`: the v1 ancestors list inline (see sources/otcs/README.md). */
  ancestors: boolean;
}

/** Parse repeated `fields` values; without any, properties only. */
export function parseFields(values: string[]): FieldSpec {
  const spec: FieldSpec = { properties: true, categories: false, versions: 'none', permissions: false, ancestors: false };
  if (values.length === 0) return spec;
  let props: true | Set<string> | undefined;
  for (const v of values.flatMap((x) => x.split(/,(?![^{]*})/))) {
    const f = v.trim();
    const m = /^properties\{([^}]*)\}$/.exec(f);
    if (m)
      props = new Set(
        (m[1] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (f === 'properties') props = true;
    else if (f.startsWith('categories')) spec.categories = true;
    else if (f.startsWith('versions')) spec.versions = /element\(0\)/.test(f) ? 'latest' : 'all';
    else if (f.startsWith('permissions')) spec.permissions = true;
    else if (f === 'ancestors') spec.ancestors = true;
  }
  // Asking for other sections only still returns properties when none were named explicitly.
  spec.properties = props ?? true;
  return spec;
}

/** 1-based paging as Content Server does it (`page`, `limit`), with the out-of-range quirk. */
export function pageOf<T>(
  ctx: CoreSim,
  items: T[],
  pageRaw: unknown,
  limitRaw: unknown,
  defaultLimit: number,
): { slice: T[]; paging: Paging } {
  const limit = Math.min(ctx.opts.maxPageSize, Math.max(1, intOr(first(limitRaw), defaultLimit)));
  const total = items.length;
  const pageTotal = Math.max(1, Math.ceil(total / limit));
  const page = Math.max(1, intOr(first(pageRaw), 1));
  let effective = page;
  if (page > pageTotal) {
    if (ctx.opts.outOfRangePages === 'last') effective = pageTotal;
    else effective = -1;
  }
  const slice = effective < 0 ? [] : items.slice((effective - 1) * limit, effective * limit);
  const rangeMin = slice.length ? (effective - 1) * limit + 1 : 0;
  return {
    slice,
    paging: {
      limit,
      page,
      page_total: pageTotal,
      range_max: slice.length ? rangeMin + slice.length - 1 : 0,
      range_min: rangeMin,
      total_count: total,
    },
  };
}

/** An integer from a query value, or the fallback. */
export function intOr(v: string | undefined, fallback: number): number {
  if (v === undefined || !/^-?\d{1,9}$/.test(v.trim())) return fallback;
  return Number(v);
}

/** The `links.data.self` block for a request (href relative to the CGI, SEEN). */
export function selfLink(
  ctx: CoreSim,
  req: SimRequest,
): { data: { self: { body: string; content_type: string; href: string; method: string; name: string } } } {
  const href = req.rawPath.startsWith(ctx.basePath) ? req.rawPath.slice(ctx.basePath.length) : req.rawPath;
  const qs = Object.entries(req.query).flatMap(([k, v]) =>
    all(v).map((x) => (x === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(x)}`)),
  );
  return {
    data: { self: { body: '', content_type: '', href: qs.length ? `${href}?${qs.join('&')}` : href, method: req.method, name: '' } },
  };
}
