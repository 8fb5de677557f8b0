/**
 * Simulated node routes (vendor-apis §1.6 Nodes, Versions and content, Categories,
 * Permissions): one node, children, the batch list, ancestors, versions (v2, and v1 as
 * cs-rest calls them), bytes, categories and permissions.
 */
import { documentContent } from '../demo/content.ts';
import type { DemoDocument } from '../demo/world.ts';
import { all, first, type SimRequest, type SimResponse } from '../framework/server.ts';
import {
  fail,
  formOf,
  noNode,
  nodeParam,
  pageOf,
  parseFields,
  parseNodeId,
  selfLink,
  type CoreSim,
  type FieldSpec,
  type SimDocument,
  type SimNode,
} from './kit.ts';
import { ancestorInfo, categoryEntry, latest, nodeProperties, pick, versionDefinitions, versionInfo } from './render.ts';
import { SUBTYPE, type VersionInfo } from '../../sources/otcs/wire.ts';

/** The `data` block of a node for a `fields` spec. */
export function nodeData(ctx: CoreSim, n: SimNode, spec: FieldSpec): Record<string, unknown> {
  const childCount = n.type === SUBTYPE.document ? 0 : ctx.nodes.children(n.id).length;
  const data: Record<string, unknown> = { properties: pick(nodeProperties(n, childCount), spec.properties) };
  const doc = n.document;
  // [INFERRED] v2 `fields=categories` on a node: a list with one flat attribute map per category.
  if (spec.categories) data.categories = [...n.categories().values()];
  if (spec.versions === 'latest' && doc) data.versions = versionInfo(doc, latest(doc));
  if (spec.versions === 'all' && doc) data.versions = doc.versions.map((v) => versionInfo(doc, v));
  if (spec.permissions) data.permissions = permissionsOf(n);
  if (spec.ancestors) data.ancestors = ctx.nodes.ancestors(n.id).map(ancestorInfo);
  return data;
}

const ALL_PERMS = [
  'see',
  'see_contents',
  'modify',
  'edit_attributes',
  'add_items',
  'reserve',
  'add_major_version',
  'delete_versions',
  'delete',
  'edit_permissions',
];

/** Permission entries (SEEN csui mock shape): owner, owner group, public, team members. */
function permissionsOf(n: SimNode): Record<string, unknown>[] {
  const confidential = n.document?.classification === 'CONFIDENTIAL';
  const team = n.workspace?.team ?? [];
  return [
    { permissions: ALL_PERMS, right_id: n.ownerId, type: 'owner' },
    { permissions: ALL_PERMS.slice(0, 6), right_id: 1001, type: 'group' },
    { permissions: confidential ? [] : ['see', 'see_contents'], right_id: null, type: 'public' },
    ...team.map((m) => ({ permissions: ALL_PERMS.slice(0, 4), right_id: m.userId, type: 'custom' })),
  ];
}

/**
 * `results.state` with `?state` (SPEC: "Returns the metadata state token for data ... under
 * results.state"; category tokens "under results.state.categories"). The keys inside are
 * INFERRED: `properties.metadata_token` for the node (PUT /nodes/{id} `metadata_token`), and
 * `categories.{cat}.metadata_token` for each category (`{cat}_1` of a category PUT).
 */
export function nodeState(ctx: CoreSim, n: SimNode): Record<string, unknown> {
  return {
    properties: { metadata_token: ctx.overlay.token(n.id, 'node') },
    categories: Object.fromEntries([...n.categories().keys()].map((c) => [String(c), { metadata_token: ctx.overlay.token(n.id, c) }])),
  };
}

function getNode(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  const results = {
    data: nodeData(ctx, n, parseFields(all(req.query.fields))),
    ...('state' in req.query ? { state: nodeState(ctx, n) } : {}),
  };
  return { body: { links: selfLink(ctx, req), results } };
}

const CONTAINER_TYPES = new Set<number>([SUBTYPE.folder, SUBTYPE.businessWorkspace, SUBTYPE.enterpriseVolume]);

/** `where_type`: -1 containers, -2 searchable (all here), -3 non-containers, or subtype numbers. */
function typeFilter(values: string[]): (n: SimNode) => boolean {
  if (values.length === 0) return () => true;
  const tests = values.map((v): ((n: SimNode) => boolean) => {
    if (v === '-1') return (n) => CONTAINER_TYPES.has(n.type);
    if (v === '-2') return () => true;
    if (v === '-3') return (n) => !CONTAINER_TYPES.has(n.type);
    const t = Number(v);
    return (n) => n.type === t;
  });
  return (n) => tests.some((t) => t(n));
}

const SORTS: Record<string, (a: SimNode, b: SimNode) => number> = {
  name: (a, b) => a.name.localeCompare(b.name) || a.id - b.id,
  asc_name: (a, b) => a.name.localeCompare(b.name) || a.id - b.id,
  desc_name: (a, b) => b.name.localeCompare(a.name) || b.id - a.id,
  asc_modify_date: (a, b) => a.modifiedAt.localeCompare(b.modifiedAt) || a.id - b.id,
  desc_modify_date: (a, b) => b.modifiedAt.localeCompare(a.modifiedAt) || b.id - a.id,
};

function listChildren(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  if (n.type === SUBTYPE.document) return fail(500, "Could not process object, invalid action 'browse'");
  const sortKey = first(req.query.sort) ?? 'asc_name';
  const sort = SORTS[sortKey];
  if (!sort) return fail(400, 'One or more parameters are invalid', `Unknown sort '${sortKey.slice(0, 40)}'.`);
  const nameFilter = (first(req.query.where_name) ?? '').toLowerCase();
  const items = ctx.nodes
    .children(n.id)
    .filter(typeFilter(all(req.query.where_type)))
    .filter((c) => c.name.toLowerCase().includes(nameFilter))
    .sort(sort);
  const { slice, paging } = pageOf(ctx, items, req.query.page, req.query.limit, 25);
  const spec = parseFields(all(req.query.fields));
  return {
    body: {
      collection: { paging, sorting: { sort: [{ key: 'sort', value: sortKey }] } },
      links: selfLink(ctx, req),
      results: slice.map((c) => ({ data: nodeData(ctx, c, spec) })),
    },
  };
}

/** `POST /api/v2/nodes/list`: form `ids` and `fields`, repeated (SEEN pyxecm get_nodes). */
function listNodes(ctx: CoreSim, req: SimRequest): SimResponse {
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const rawIds = all(form.fields.ids).flatMap((v) => v.split(','));
  if (rawIds.length === 0) return fail(400, 'One or more parameters are invalid', 'ids is required.');
  const spec = parseFields(all(form.fields.fields));
  // Missing ids are left out (the order of the others is the request's); clients match by id.
  const results = rawIds
    .map((raw) => parseNodeId(raw.trim()))
    .map((id) => (id === null ? null : ctx.nodes.get(id)))
    .filter((n): n is SimNode => n !== null)
    .map((n) => ({ data: nodeData(ctx, n, spec) }));
  return { body: { links: selfLink(ctx, req), results } };
}

function ancestors(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  return { body: { ancestors: [...ctx.nodes.ancestors(n.id), n].map(ancestorInfo) } };
}

/** The document named by `:id`, or the vendor error for a missing node or a non-document. */
function documentParam(ctx: CoreSim, req: SimRequest): SimDocument | SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  return n.document ?? fail(400, `Node ${n.id} is not a document`, 'The requested action is not supported by this node type.');
}

const isDoc = (v: SimDocument | SimResponse): v is SimDocument => typeof (v as SimDocument).nodeId === 'number';

function versionParam(doc: SimDocument, raw: string | undefined) {
  return raw !== undefined && /^\d{1,6}$/.test(raw) ? doc.versions.find((v) => v.number === Number(raw)) : undefined;
}

function listVersions(ctx: CoreSim, req: SimRequest, v1: boolean): SimResponse {
  const doc = documentParam(ctx, req);
  if (!isDoc(doc)) return doc;
  const versions = doc.versions.map((v) => versionInfo(doc, v));
  // v1: `{data: [...], definitions}` (SPEC listVersions; SEEN csui drag-and-drop mock).
  if (v1) return { body: { data: versions, definitions: versionDefinitions(versions[0] as VersionInfo) } };
  return { body: { links: selfLink(ctx, req), results: versions.map((v) => ({ data: { versions: v } })) } };
}

function oneVersion(ctx: CoreSim, req: SimRequest, v1: boolean): SimResponse {
  const doc = documentParam(ctx, req);
  if (!isDoc(doc)) return doc;
  const v = req.params.n === undefined ? latest(doc) : versionParam(doc, req.params.n);
  if (!v) return fail(400, `Could not get version ${String(req.params.n).slice(0, 16)} of node ${doc.nodeId}`);
  const info = versionInfo(doc, v);
  // v1: the object under `data`, as pyxecm reads `response["data"]["version_number"]` of
  // `versions/latest` [SEEN code]; the spec's list there is its usual array artifact (§1.4).
  if (v1) return { body: { data: info, definitions: versionDefinitions(info) } };
  return { body: { links: selfLink(ctx, req), results: { data: { versions: info } } } };
}

const asciiName = (s: string) => s.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');

/**
 * The bytes of a version: what was uploaded (read from the content store), or the world's
 * generated bytes (of the world's own document, so a write to its labels changes no bytes).
 */
async function content(ctx: CoreSim, req: SimRequest): Promise<SimResponse> {
  const doc = documentParam(ctx, req);
  if (!isDoc(doc)) return doc;
  const v = req.params.n === undefined ? latest(doc) : versionParam(doc, req.params.n);
  if (!v) return fail(400, `Could not get version ${String(req.params.n).slice(0, 16)} of node ${doc.nodeId}`);
  const stored = ctx.overlay.content(doc.nodeId, v.number);
  if (!stored && !doc.origin) return fail(400, `Could not get version ${v.number} of node ${doc.nodeId}`);
  const bytes = stored ? await ctx.content.read(stored) : documentContent(doc.origin as DemoDocument, v.number);
  return {
    headers: {
      'content-type': v.mimeType,
      'content-disposition': `attachment; filename="${asciiName(v.fileName)}"; filename*=UTF-8''${encodeURIComponent(v.fileName)}`,
    },
    body: bytes,
  };
}

function categories(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  const results = [...n.categories()].flatMap(([id, values]) => {
    const def = ctx.categories.get(id);
    return def ? [categoryEntry(def, values, ctx.opts.categoryMetadata)] : [];
  });
  return { body: { links: selfLink(ctx, req), results } };
}

function permissions(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  return { body: { links: selfLink(ctx, req), results: { data: { permissions: permissionsOf(n) } } } };
}

/** Register the node routes. */
export function registerNodeRoutes(ctx: CoreSim): void {
  ctx.route('GET', '/api/v2/nodes/:id', (r) => getNode(ctx, r));
  ctx.route('GET', '/api/v2/nodes/:id/nodes', (r) => listChildren(ctx, r));
  ctx.route('POST', '/api/v2/nodes/list', (r) => listNodes(ctx, r));
  ctx.route('GET', '/api/v1/nodes/:id/ancestors', (r) => ancestors(ctx, r));
  ctx.route('GET', '/api/v2/nodes/:id/versions', (r) => listVersions(ctx, r, false));
  ctx.route('GET', '/api/v2/nodes/:id/versions/:n', (r) => oneVersion(ctx, r, false));
  ctx.route('GET', '/api/v1/nodes/:id/versions', (r) => listVersions(ctx, r, true));
  ctx.route('GET', '/api/v1/nodes/:id/versions/latest', (r) => oneVersion(ctx, r, true));
  ctx.route('GET', '/api/v1/nodes/:id/versions/:n', (r) => oneVersion(ctx, r, true));
  for (const v of ['v1', 'v2']) {
    ctx.route('GET', `/api/${v}/nodes/:id/content`, (r) => content(ctx, r));
    ctx.route('GET', `/api/${v}/nodes/:id/versions/:n/content`, (r) => content(ctx, r));
  }
  ctx.route('GET', '/api/v2/nodes/:id/categories', (r) => categories(ctx, r));
  ctx.route('GET', '/api/v2/nodes/:id/permissions', (r) => permissions(ctx, r));
}
