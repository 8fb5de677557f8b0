/**
 * Simulator of the Extended ECM Business Workspaces REST API (vendor-apis §2), serving the
 * demo world's campaign and account workspaces as written to, and those created through the
 * API (workspace-records.ts, over the write overlay when the core gives one; the writes
 * themselves are in writes-workspaces.ts), and the members routes (`/api/v2/members`,
 * `/api/v1|v2/members/{id}`, over members.ts) whose paging these options set. The core Content
 * Server simulator mounts it under its CGI path and gives it ticket checking (`ctx.authed`)
 * and its member directory (`ctx.members`).
 *
 * Where the reference is INFERRED or NOT FOUND, the behaviour chosen here is an option of
 * `createWorkspaceRoutes` and is documented beside it. Extensions that no public source
 * shows, all INFERRED and all on the listing endpoint:
 * - `where_column_query`: a small SQL-like subset (see `parseColumnQuery`). A public C#
 *   client sends `name LIKE '<id> -*'`; we add `=`, `<>`, `IN (...)`, `AND`, `OR`, `NOT`,
 *   parentheses, and category attribute columns `Attr_<categoryId>_<attributeId>`.
 *   Multi-valued attributes match when any value matches. This is how a client fetches many
 *   workspaces in one request (`Attr_9840_2 IN ('CMP-2026-001','CMP-2026-002')`,
 *   `id IN (10000000,50000000)`).
 * - `fields=roles`: each result carries `data.roles`, the §2.4 role list with members, so
 *   teams of many workspaces come back in the same single request.
 * - `fields=categories`: each result carries `data.categories` as on the GET by id.
 * - `where_workspace_type_ids={17,18}` (the relateditems syntax) and `where_member_id=<user>`
 *   (repeatable; workspaces whose team includes that user).
 * - `?state` on the GET by id: `results.state` with the metadata tokens of the workspace and
 *   its categories, as the node GET gives them (§1.4 lists `state` among every v2 result's
 *   optional siblings), so a client reads values and tokens in one request.
 */
import type { DemoWorkspace, DemoWorld } from '../demo/world.ts';
import type { Mapping } from '../../sources/mapping.ts';
import type { WorkspaceType } from '../../sources/model.ts';
import { all, first, type Handler, type SimRequest, type SimResponse } from '../framework/server.ts';
import type {
  WireBusinessProperties,
  WireLink,
  WirePaging,
  WireRole,
  WireWorkspaceItem,
  WireWorkspaceList,
  WireWorkspaceProperties,
  WireWorkspaceReference,
} from '../../sources/otcs/wire.ts';
import type { OtcsRouteModule, OtcsSimContext } from './context.ts';
import type { Overlay } from './overlay.ts';
import { parseColumnQuery, type ColumnQuery } from './column-query.ts';
import { memberDirectory, memberOf, v1Member, type MemberDirectory } from './members.ts';
import { TEMPLATES, WORKSPACE_TYPES } from './templates.ts';
import {
  accountRecord,
  campaignRecord,
  workspaceRecords,
  type RoleView,
  type WorkspaceRecords,
  type WsRecord,
} from './workspace-records.ts';

/** Behaviour the reference leaves open; every default is documented with its evidence. */
export interface WorkspaceSimOptions {
  /**
   * Shape of `results` on `GET /businessworkspaces/{id}`: pyxecm's example shows a list with
   * top-level paging, pyxecm's code and the csui mock read an object (§2.1). Default 'object'.
   */
  singleResultsAs?: 'object' | 'list';
  /** Page size when `limit` is absent (NOT FOUND; default 100). */
  defaultLimit?: number;
  /** Largest page size ("internal OTCS limit seems to be 500", pyxecm). */
  maxLimit?: number;
  /** Default and cap of `limit` on `/members` (pyxecm: default 10, "does not allow values > 20"). */
  memberDefaultLimit?: number;
  memberLimitCap?: number;
  /**
   * Pages past the end: pyxecm reports the server "delivers results for pages out of range";
   * which results is NOT FOUND. 'last-page' (default) repeats the last page, 'empty' answers none.
   */
  outOfRangePage?: 'last-page' | 'empty';
  /** Workspace dates with a `Z` zone; default false, as the workspace examples show (§1.4). */
  zonedDates?: boolean;
  /** Status for an unknown workspace id (NOT FOUND; default 400, the CS spec's "Could not get a node"). */
  notFoundStatus?: 400 | 404;
}

const DEFAULTS: Required<WorkspaceSimOptions> = {
  singleResultsAs: 'object',
  defaultLimit: 100,
  maxLimit: 500,
  memberDefaultLimit: 10,
  memberLimitCap: 20,
  outOfRangePage: 'last-page',
  zonedDates: false,
  notFoundStatus: 400,
};

/** Illustrative ids of things the world does not model. */
const BO_TYPE_IDS: Record<string, number> = Object.fromEntries(WORKSPACE_TYPES.map((t) => [TEMPLATES[t].boType, TEMPLATES[t].boTypeId]));
const CONFIG_NODE_IDS: Record<WorkspaceType, number> = { Campaign: 39316, Customer: 39317, Partner: 39318 };
const GERMAN_TYPE_NAMES: Record<WorkspaceType, string> = { Campaign: 'Kampagne', Customer: 'Kunde', Partner: 'Partner' };
const BUSINESS_WORKSPACE_SUBTYPE = 848;
const ENTERPRISE_VOLUME_ID = -2000;

// ---------------------------------------------------------------- where_column_query
function columnValues(rec: WsRecord, column: string): string[] {
  if (column === 'name') return [rec.ws.name];
  if (column === 'id') return [String(rec.ws.nodeId)];
  const v = rec.attrs[column.slice('Attr_'.length)];
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.filter((x) => x !== null).map(String);
}

const likeRegex = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'is');

function matchesQuery(rec: WsRecord, q: ColumnQuery): boolean {
  switch (q.op) {
    case 'and':
      return q.parts.every((p) => matchesQuery(rec, p));
    case 'or':
      return q.parts.some((p) => matchesQuery(rec, p));
    case 'not':
      return !matchesQuery(rec, q.part);
    case 'eq':
      return columnValues(rec, q.column).includes(q.value);
    case 'ne':
      return !columnValues(rec, q.column).includes(q.value);
    case 'in':
      return columnValues(rec, q.column).some((v) => q.values.includes(v));
    case 'like': {
      const re = likeRegex(q.pattern);
      return columnValues(rec, q.column).some((v) => re.test(v));
    }
  }
}

// ---------------------------------------------------------------- request parsing

class BadRequest extends Error {}

function intParam(q: SimRequest['query'], key: string, fallback: number, min = 1): number {
  const raw = first(q[key]);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new BadRequest(`${key} must be an integer of at least ${min}`);
  return Number(raw);
}

/** `{17,18}`, `17,18` or repeated values: the ids. */
function idSet(values: string[]): Set<number> | undefined {
  if (!values.length) return undefined;
  const ids = values.flatMap((v) => v.replace(/^\{|\}$/g, '').split(',')).map((s) => s.trim().replace(/^'|'$/g, ''));
  if (ids.some((s) => !/^\d+$/.test(s))) throw new BadRequest('workspace type ids must be integers');
  return new Set(ids.map(Number));
}

/** `fields`: section -> the property names asked for (`properties{id,name}`), or null for all. */
function parseFields(q: SimRequest['query']): Map<string, Set<string> | null> {
  const out = new Map<string, Set<string> | null>();
  for (const f of all(q.fields)) {
    const m = /^([a-z_]+)(?:\{([^}]*)\})?$/.exec(f.trim());
    if (!m) throw new BadRequest(`fields "${f}" is not understood`);
    out.set(m[1] as string, m[2] === undefined ? null : new Set(m[2].split(',').map((s) => s.trim())));
  }
  return out;
}

/** `where_name`: `contains_X`, `startswith_X`, or a bare value (contains) [INFERRED], case-insensitive. */
function nameFilter(raw: string | undefined): ((name: string) => boolean) | undefined {
  if (raw === undefined || raw === '') return undefined;
  const m = /^(contains|startswith)_(.*)$/s.exec(raw);
  const needle = (m ? (m[2] as string) : raw).toLowerCase();
  return m?.[1] === 'startswith' ? (n) => n.toLowerCase().startsWith(needle) : (n) => n.toLowerCase().includes(needle);
}

/** All listing filters of a request, as one predicate. */
function listFilter(req: SimRequest): (rec: WsRecord) => boolean {
  const q = req.query;
  const tests: ((rec: WsRecord) => boolean)[] = [];
  const typeId = first(q.where_workspace_type_id);
  if (typeId !== undefined) {
    if (!/^\d+$/.test(typeId)) throw new BadRequest('where_workspace_type_id must be an integer');
    tests.push((r) => r.ws.typeId === Number(typeId));
  }
  const typeIds = idSet(all(q.where_workspace_type_ids));
  if (typeIds) tests.push((r) => typeIds.has(r.ws.typeId));
  const typeName = first(q.where_workspace_type_name)?.toLowerCase();
  if (typeName) tests.push((r) => r.ws.type.toLowerCase().startsWith(typeName));
  const name = nameFilter(first(q.where_name));
  if (name) tests.push((r) => name(r.ws.name));
  const bo = [first(q.where_ext_system_id), first(q.where_bo_type), first(q.where_bo_id)] as const;
  if (bo[0] !== undefined) tests.push((r) => r.ws.businessObject.system === bo[0]);
  if (bo[1] !== undefined) tests.push((r) => r.ws.businessObject.type === bo[1]);
  if (bo[2] !== undefined) tests.push((r) => r.ws.businessObject.id === bo[2]);
  if (first(q.where_is_early) === 'true') tests.push(() => false); // no workspace of the world is an early one
  const members = idSet(all(q.where_member_id));
  if (members) tests.push((r) => r.ws.team.some((m) => members.has(m.userId)));
  const cq = first(q.where_column_query);
  if (cq !== undefined && cq.trim() !== '') {
    let parsed: ColumnQuery;
    try {
      parsed = parseColumnQuery(cq);
    } catch (e) {
      throw new BadRequest(`where_column_query: ${(e as Error).message}`);
    }
    tests.push((r) => matchesQuery(r, parsed));
  }
  return (rec) => tests.every((t) => t(rec));
}

/** `sort`: `(asc|desc)_(name|id|create_date|modify_date)` or a bare key; anything else keeps id order. */
function sorter(raw: string | undefined): (a: WsRecord, b: WsRecord) => number {
  const m = /^(?:(asc|desc)_)?(name|id|create_date|modify_date)$/.exec(raw ?? '');
  const byId = (a: WsRecord, b: WsRecord) => a.ws.nodeId - b.ws.nodeId;
  if (!m) return byId;
  const dir = m[1] === 'desc' ? -1 : 1;
  const key = (r: WsRecord): string | number =>
    m[2] === 'name'
      ? r.ws.name.toLowerCase()
      : m[2] === 'create_date'
        ? r.ws.createdAt
        : m[2] === 'modify_date'
          ? r.ws.modifiedAt
          : r.ws.nodeId;
  return (a, b) => {
    const [x, y] = [key(a), key(b)];
    return (x < y ? -dir : x > y ? dir : 0) || byId(a, b);
  };
}

// ---------------------------------------------------------------- wire builders

const link = (href: string, name = '', method = 'GET'): WireLink => ({ body: '', content_type: '', href, method, name });

/** A CGI-relative href (§1.1) from a path and query; flags (`?metadata`) stay bare. */
function hrefOf(path: string, query: SimRequest['query']): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const x of Array.isArray(v) ? v : [v])
      parts.push(x === '' ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(x)}`);
  }
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

const error = (status: number, message: string, detail = ''): SimResponse => ({ status, body: { error: message, errorDetail: detail } });
const invalid = (detail: string) => error(400, 'One or more parameters are invalid', detail);

/** Builds the wire form of workspace records for one simulator instance. */
class WireBuilder {
  private readonly childCount = new Map<DemoWorkspace['type'], number>();

  constructor(
    private readonly world: DemoWorld,
    private readonly mapping: Mapping,
    private readonly opts: Required<WorkspaceSimOptions>,
    private readonly records: WorkspaceRecords,
  ) {}

  date(iso: string): string {
    return this.opts.zonedDates ? iso : iso.replace(/(\.\d+)?Z$/, '');
  }

  /**
   * Direct children of a workspace: every world workspace of a type has the same folder
   * layout, plus what was created in it through the API.
   */
  private size(rec: WsRecord): number {
    const added = this.records.addedChildren(rec.ws.nodeId);
    if (rec.written) return added;
    let n = this.childCount.get(rec.ws.type);
    if (n === undefined) {
      const tree = this.world.tree(rec.ws.nodeId);
      n = tree ? [...tree.folders, ...tree.documents].filter((x) => x.parentId === rec.ws.nodeId).length : 0;
      this.childCount.set(rec.ws.type, n);
    }
    return n + added;
  }

  properties(rec: WsRecord, only: Set<string> | null | undefined, relType?: string): WireWorkspaceProperties {
    const ws = rec.ws;
    const size = this.size(rec);
    const props: WireWorkspaceProperties = {
      volume_id: ENTERPRISE_VOLUME_ID,
      id: ws.nodeId,
      parent_id: ws.parentId,
      name: ws.name,
      description: '',
      type: BUSINESS_WORKSPACE_SUBTYPE,
      type_name: 'Business Workspace',
      wnf_wksp_type_id: ws.typeId,
      wnf_wksp_template_id: TEMPLATES[ws.type].templateId,
      wksp_type_name: ws.type,
      size,
      size_formatted: `${size} Items`,
      container: true,
      container_size: size,
      classification_id: 0,
      classification_ids: [],
      rm_enabled: true,
      perm_see: true,
      perm_modify: true,
      favorite: false,
      create_date: this.date(ws.createdAt),
      modify_date: this.date(ws.modifiedAt),
      ...(relType ? { rel_type: relType } : {}),
    };
    if (!only) return props;
    // Narrowing keeps the keys the client reads to identify and type a workspace.
    const keep = new Set([...only, 'id', 'name', 'type', 'type_name', 'parent_id', 'volume_id']);
    return Object.fromEntries(Object.entries(props).filter(([k]) => keep.has(k))) as WireWorkspaceProperties;
  }

  businessProperties(ws: DemoWorkspace): WireBusinessProperties {
    const bo = ws.businessObject;
    return {
      business_object_id: bo.id,
      business_object_type: bo.type,
      business_object_type_id: BO_TYPE_IDS[bo.type] ?? 0,
      business_object_type_name: bo.type,
      display_url: `https://crm.example.com/lightning/r/${bo.type}/${bo.id}/view`,
      external_system_id: bo.system,
      external_system_name: bo.system,
      has_default_display: true,
      has_default_search: true,
      isEarly: false,
      workspace_type_id: ws.typeId,
      workspace_type_name: ws.type,
      workspace_type_widget_icon_content: `/appimg/ot_bws/icons/${ws.typeId}%2Esvg?v=1`,
    };
  }

  references(ws: DemoWorkspace): WireWorkspaceReference[] {
    const bp = this.businessProperties(ws);
    return [
      {
        business_object_id: bp.business_object_id,
        business_object_type: bp.business_object_type,
        business_object_type_id: bp.business_object_type_id,
        external_system_id: bp.external_system_id,
        has_default_display: true,
        has_default_search: true,
        workspace_type_id: ws.typeId,
      },
    ];
  }

  role(role: RoleView, withMembers: boolean): WireRole {
    return {
      actions: { data: {}, map: {}, order: [] },
      data: { properties: role.properties, ...(withMembers ? { members: role.members.map(memberOf) } : {}) },
    };
  }

  /** A workspace item with the sections asked for; properties are always there. */
  item(rec: WsRecord, sections: Map<string, Set<string> | null>, relType?: string): WireWorkspaceItem {
    const has = (s: string) => sections.has(s);
    const data: WireWorkspaceItem['data'] = { properties: this.properties(rec, sections.get('properties'), relType) };
    if (has('business_properties')) data.business_properties = this.businessProperties(rec.ws);
    if (has('categories')) data.categories = [{ ...rec.attrs }, ...rec.others.map((c) => ({ ...c }))];
    if (has('workspace_references')) data.workspace_references = this.references(rec.ws);
    if (has('wksp_info')) data.wksp_info = { wksp_type_icon: `/appimg/ot_bws/icons/${rec.ws.typeId}%2Esvg?v=1` };
    if (has('roles')) data.roles = this.records.roles(rec).map((r) => this.role(r, true));
    return {
      actions: {
        data: { open: { ...link(`/api/v2/nodes/${rec.ws.nodeId}/nodes`, 'Open'), form_href: '' } },
        map: { default_action: 'open' },
        order: ['open'],
      },
      data,
    };
  }

  /** `metadata` / `metadata_order` of a GET by id with `?metadata`. */
  metadata(rec: WsRecord): Pick<WireWorkspaceItem, 'metadata' | 'metadata_order'> {
    const cat = rec.kind === 'campaign' ? this.mapping.otcs.campaignCategory : this.mapping.otcs.accountCategory;
    return {
      metadata: {
        properties: { name: { key: 'name', name: 'Name', type: -1, persona: '', required: true } },
        categories: { [String(cat.id)]: { key: String(cat.id), name: cat.name, persona: 'category', read_only: true } },
      },
      metadata_order: { categories: [String(rec.categoryId)] },
    };
  }
}

/** One page of rows under the configured out-of-range rule. */
function pageOf<T>(
  rows: T[],
  page: number,
  limit: number,
  outOfRange: WorkspaceSimOptions['outOfRangePage'],
): { items: T[]; paging: Omit<WirePaging, 'actions'> } {
  const total = rows.length;
  const pageTotal = Math.ceil(total / limit);
  const served = page > pageTotal && outOfRange === 'last-page' ? Math.max(1, pageTotal) : page;
  const start = (served - 1) * limit;
  const items = rows.slice(start, start + limit);
  return {
    items,
    paging: {
      limit,
      page,
      page_total: pageTotal,
      range_max: items.length ? start + items.length : 0,
      range_min: items.length ? start + 1 : 0,
      total_count: total,
    },
  };
}

// ---------------------------------------------------------------- routes

/** The business-workspace routes with the given behaviour options. */
export function createWorkspaceRoutes(options: WorkspaceSimOptions = {}): OtcsRouteModule {
  const opts: Required<WorkspaceSimOptions> = { ...DEFAULTS, ...options };
  return (sim, ctx) => {
    const records = workspaceRecords(ctx.world, ctx.mapping, ctx.overlay);
    const wire = new WireBuilder(ctx.world, ctx.mapping, opts, records);
    const routes = workspaceHandlers(ctx, wire, records, opts);
    for (const [pattern, handler] of routes) {
      sim.route('GET', `${ctx.basePath}${pattern}`, ctx.authed(guard(handler)));
    }
  };
}

/** Turns a BadRequest from parameter parsing into the CS 400 body. */
function guard(handler: Handler): Handler {
  return async (req) => {
    try {
      return await handler(req);
    } catch (e) {
      if (e instanceof BadRequest) return invalid(e.message);
      throw e;
    }
  };
}

function workspaceHandlers(
  ctx: OtcsSimContext,
  wire: WireBuilder,
  records: WorkspaceRecords,
  opts: Required<WorkspaceSimOptions>,
): [string, Handler][] {
  const { world, mapping } = ctx;
  const directory = ctx.members ?? memberDirectory(world, []);
  const notFound = (id: string) => error(opts.notFoundStatus, `Could not get a node for ${id}`);
  const workspaceParam = (req: SimRequest): WsRecord | null =>
    /^\d{1,15}$/.test(req.params.id ?? '') ? records.byId(Number(req.params.id)) : null;

  /** A §2.2 listing of `rows` (already filtered), paged and sorted per the request. */
  const listing = (req: SimRequest, path: string, rows: WsRecord[], relType?: (r: WsRecord) => string): SimResponse => {
    const limit = Math.min(opts.maxLimit, intParam(req.query, 'limit', opts.defaultLimit));
    const page = intParam(req.query, 'page', 1);
    const sections = parseFields(req.query);
    const sorted = [...rows].sort(sorter(first(req.query.sort)));
    const { items, paging } = pageOf(sorted, page, limit, opts.outOfRangePage);
    const next =
      page < paging.page_total ? { next: link(hrefOf(path, { ...req.query, page: String(page + 1), limit: String(limit) })) } : undefined;
    const body: WireWorkspaceList = {
      links: { data: { self: link(hrefOf(path, req.query)) } },
      paging: { actions: { ...next }, ...paging },
      meta_data: { properties: { name: { align: 'left', name: 'Name', persona: '', sort: true, type: -1, width_weight: 100 } } },
      results: items.map((r) => wire.item(r, sections, relType?.(r))),
      wksp_info: { wksp_type_icon: null },
    };
    return { body };
  };

  const list: Handler = (req) => {
    const keep = listFilter(req);
    return listing(req, '/api/v2/businessworkspaces', records.all().filter(keep));
  };

  const byBusinessObject: Handler = (req) => {
    const { ext, botype, boid } = req.params;
    const rows = records.all().filter((r) => {
      const bo = r.ws.businessObject;
      return bo.system === ext && bo.type === botype && bo.id === boid;
    });
    return listing(req, req.rawPath.slice(ctx.basePath.length), rows);
  };

  const getOne: Handler = (req) => {
    const rec = workspaceParam(req);
    if (!rec) return notFound(req.params.id ?? '');
    const asked = parseFields(req.query);
    const sections: Map<string, Set<string> | null> = asked.size
      ? new Map([['business_properties', null], ...asked])
      : new Map<string, null>(['business_properties', 'categories', 'workspace_references', 'wksp_info'].map((s) => [s, null]));
    const item: WireWorkspaceItem = {
      ...wire.item(rec, sections),
      ...('metadata' in req.query ? wire.metadata(rec) : {}),
      ...('state' in req.query && ctx.overlay ? { state: stateOf(ctx.overlay, rec) } : {}),
    };
    const self = { data: { self: link(hrefOf(`/api/v2/businessworkspaces/${rec.ws.nodeId}`, req.query)) } };
    if (opts.singleResultsAs === 'object') return { body: { links: self, results: item } };
    const paging: WirePaging = { limit: opts.maxLimit, page: 1, page_total: 1, range_max: 1, range_min: 1, total_count: 1 };
    return { body: { links: self, meta_data: { properties: {} }, paging, results: [item] } };
  };

  const roles: Handler = (req) => {
    const rec = workspaceParam(req);
    if (!rec) return notFound(req.params.id ?? '');
    const withMembers = all(req.query.fields).includes('members');
    const self = link(hrefOf(`/api/v2/businessworkspaces/${rec.ws.nodeId}/roles`, req.query));
    return { body: { links: { self }, results: records.roles(rec).map((r) => wire.role(r, withMembers)) } };
  };

  const roleOf = (req: SimRequest): { rec: WsRecord; role: RoleView } | SimResponse => {
    const rec = workspaceParam(req);
    if (!rec) return notFound(req.params.id ?? '');
    const role = records.roles(rec).find((r) => String(r.properties.id) === req.params.role_id);
    return role ? { rec, role } : error(400, `Could not get a role for ${req.params.role_id ?? ''}`);
  };

  const role: Handler = (req) => {
    const found = roleOf(req);
    if (!('role' in found)) return found;
    const self = link(hrefOf(`/api/v2/businessworkspaces/${found.rec.ws.nodeId}/roles/${found.role.properties.id}`, req.query));
    return { body: { links: { data: { self } }, results: wire.role(found.role, all(req.query.fields).includes('members')) } };
  };

  const roleMembers: Handler = (req) => {
    const found = roleOf(req);
    if (!('role' in found)) return found;
    const self = link(hrefOf(`/api/v2/businessworkspaces/${found.rec.ws.nodeId}/roles/${found.role.properties.id}/members`, req.query));
    return { body: { links: { data: { self } }, results: found.role.members.map((m) => ({ data: { properties: memberOf(m) } })) } };
  };

  const related: Handler = (req) => {
    const rec = workspaceParam(req);
    if (!rec) return notFound(req.params.id ?? '');
    const rels = relatedOf(world, mapping, rec).map((r) => ({ ...r, rec: records.patch(r.rec) }));
    const wanted = relTypesOf(req);
    // relateditems takes the listing's name and type filters (§2), not its INFERRED extensions.
    const keep = listFilter({ ...req, query: { ...req.query, where_column_query: [], where_member_id: [] } });
    const rows = rels.filter((r) => (!wanted || wanted.has(r.relType)) && keep(r.rec));
    const relType = new Map(rows.map((r) => [r.rec.ws.nodeId, r.relType]));
    return listing(
      req,
      `/api/v2/businessworkspaces/${rec.ws.nodeId}/relateditems`,
      rows.map((r) => r.rec),
      (r) => relType.get(r.ws.nodeId) ?? 'child',
    );
  };

  return [
    ['/api/v2/businessworkspaces', list],
    ['/api/v2/businessworkspaces/:id', getOne],
    ['/api/v2/businessworkspaces/:id/roles', roles],
    ['/api/v2/businessworkspaces/:id/roles/:role_id', role],
    ['/api/v2/businessworkspaces/:id/roles/:role_id/members', roleMembers],
    ['/api/v2/businessworkspaces/:id/relateditems', related],
    ['/api/v2/externalsystems/:ext/botypes/:botype/boids/:boid', byBusinessObject],
    ['/api/v2/businessworkspacetypes', workspaceTypes],
    ['/api/v2/members', members(directory, opts)],
    ['/api/v2/members/:id', member(directory, 'v2')],
    ['/api/v1/members/:id', member(directory, 'v1')],
  ];
}

/** `where_relationtype=child|parent` or `where_rel_types={'child','parent'}`; undefined for both. */
function relTypesOf(req: SimRequest): Set<string> | undefined {
  const raw = [...all(req.query.where_relationtype), ...all(req.query.where_rel_types)];
  if (!raw.length) return undefined;
  const types = raw.flatMap((v) => v.replace(/^\{|\}$/g, '').split(',')).map((s) => s.trim().replace(/^'|'$/g, ''));
  if (types.some((t) => !['child', 'parent', 'BO_Child', 'BO_Parent'].includes(t))) throw new BadRequest('unknown relation type');
  return new Set(types);
}

/**
 * Relations (defined here; the world has none of its own): a campaign workspace is the parent
 * of the workspaces of its audience accounts, so those are its `child` items and it is their
 * `parent` item. Campaigns open to all partners carry no explicit relations.
 */
function relatedOf(world: DemoWorld, mapping: Mapping, rec: WsRecord): { rec: WsRecord; relType: string }[] {
  if (rec.kind === 'campaign') {
    const c = world.workspaceOf(rec.ws.nodeId);
    if (c?.kind !== 'campaign') return [];
    return c.campaign.audience.flatMap((id) => {
      const a = world.accountById(id);
      return a ? [{ rec: accountRecord(world, mapping, a), relType: 'child' }] : [];
    });
  }
  const accountId = rec.ws.businessObject.id;
  return [...world.campaigns()]
    .filter((c) => c.audience.includes(accountId))
    .map((c) => ({ rec: campaignRecord(world, mapping, c), relType: 'parent' }));
}

/** `GET /api/v2/businessworkspacetypes` (§2.3); `ext_system_id` and `bo_type` go together. */
const workspaceTypes: Handler = (req) => {
  const ext = first(req.query.ext_system_id);
  const boType = first(req.query.bo_type);
  if ((ext === undefined) !== (boType === undefined)) return invalid('ext_system_id and bo_type must be given together');
  const types = WORKSPACE_TYPES.filter(() => ext === undefined || ext === 'SFDC');
  const matching = types.filter((t) => boType === undefined || TEMPLATES[t].boType === boType);
  const results = matching.map((t) => ({
    data: {
      properties: {
        wksp_type_id: TEMPLATES[t].typeId,
        wksp_type_name: t,
        wksp_type_names: { en: t, de: GERMAN_TYPE_NAMES[t] },
        rm_enabled: true,
        templates: [{ id: TEMPLATES[t].templateId, name: `${t} Template`, subtype: BUSINESS_WORKSPACE_SUBTYPE }],
        relations: t === 'Campaign' ? [{ related_wksp_type_id: TEMPLATES.Partner.typeId, rel_type: 'child' }] : [],
        wksp_creation: { location: 'fixed', location_value: TEMPLATES[t].location },
        classification: {},
        config_node_id: CONFIG_NODE_IDS[t],
        wksp_icon: `otsapxecm/wksp_${t.toLowerCase()}.png`,
      },
      wksp_info: {
        in_use: true,
        indexing_status: 'UpToDate',
        perspective_folder_id: 0,
        wksp_type_icon: `/appimg/ot_bws/icons/${TEMPLATES[t].typeId}%2Esvg?v=1`,
      },
    },
  }));
  return { body: { links: { data: { self: link(hrefOf('/api/v2/businessworkspacetypes', req.query)) } }, results } };
};

/**
 * `results.state` of a GET with `?state` (INFERRED: §1.4 lists `state` among the optional
 * siblings of every v2 result; the spec puts category tokens under `state.categories`): the
 * metadata tokens of the node and of each of its categories (sources/otcs/README.md).
 */
function stateOf(overlay: Overlay, rec: WsRecord): Record<string, unknown> {
  const id = rec.ws.nodeId;
  const cats = [rec.categoryId, ...(overlay.entry(id)?.categories.keys() ?? [])];
  return {
    properties: { metadata_token: overlay.token(id, 'node') },
    categories: Object.fromEntries([...new Set(cats)].map((c) => [String(c), { metadata_token: overlay.token(id, c) }])),
  };
}

/** `GET /api/v2/members` over the member directory (collection envelope, §1.6 Members). */
function members(directory: MemberDirectory, opts: Required<WorkspaceSimOptions>): Handler {
  return (req) => {
    const q = req.query;
    const limit = Math.min(opts.memberLimitCap, intParam(q, 'limit', opts.memberDefaultLimit));
    const page = intParam(q, 'page', 1);
    const type = first(q.where_type);
    const lower = (v: string | null) => (v ?? '').toLowerCase();
    const name = first(q.where_name)?.toLowerCase();
    const email = first(q.where_business_email)?.toLowerCase();
    const text = first(q.query)?.toLowerCase();
    const firstName = first(q.where_first_name)?.toLowerCase();
    const lastName = first(q.where_last_name)?.toLowerCase();
    const users =
      type === '1'
        ? []
        : directory
            .all()
            .filter(
              (u) =>
                (!name || lower(u.name).startsWith(name)) &&
                (!email || lower(u.business_email) === email) &&
                (!firstName || lower(u.first_name) === firstName) &&
                (!lastName || lower(u.last_name) === lastName) &&
                (!text || [u.name, u.display_name, u.business_email].some((s) => lower(s).includes(text))),
            );
    const { items, paging } = pageOf(users, page, limit, opts.outOfRangePage);
    return {
      body: {
        collection: { paging, sorting: { sort: [{ key: 'sort', value: first(q.sort) ?? 'asc_name' }] } },
        links: { data: { self: link(hrefOf('/api/v2/members', q)) } },
        results: items.map((u) => ({ data: { properties: u } })),
      },
    };
  };
}

/**
 * `GET /api/v2/members/{id}` (`results` as an object, INFERRED) and `GET /api/v1/members/{id}`
 * (`{data, definitions, definitions_order, type, type_name}`, SEEN csui mock). An unknown id
 * is 400 "Could not get a member for {id}" (SPEC GetMemberInfo's 400 text).
 */
function member(directory: MemberDirectory, version: 'v1' | 'v2'): Handler {
  return (req) => {
    const id = req.params.id ?? '';
    const m = /^\d{1,9}$/.test(id) ? directory.get(Number(id)) : null;
    if (!m) return error(400, `Could not get a member for ${id.slice(0, 32)}`);
    if (version === 'v1') return { body: v1Member(m) };
    return { body: { links: { data: { self: link(`/api/v2/members/${m.id}`) } }, results: { data: { properties: m } } } };
  };
}

/** The business-workspace routes with the default (documented) behaviour. */
export const registerWorkspaceRoutes: OtcsRouteModule = createWorkspaceRoutes();
