/**
 * What the Content Server simulator's route modules share: resolved options, the world as a
 * node tree (with a small tree cache, since the world regenerates a workspace per call), the
 * vendor's error and paging conventions, and request parsing (`fields`, forms, `body=`).
 */
import { NODE, type DemoDocument, type DemoTree, type DemoWorkspace, type DemoWorld } from '../demo/world.ts';
import { first, all, type Handler, type Method, type SimRequest, type SimResponse, type Simulator } from '../framework/server.ts';
import type { OtcsSimContext } from './context.ts';
import type { MemberDirectory } from './members.ts';
import { SUBTYPE, type ErrorBody, type Paging } from '../../sources/otcs/wire.ts';

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
}

export type ResolvedOptions = Required<Omit<OtcsSimOptions, 'users'>> & { users: NonNullable<OtcsSimOptions['users']> };

/** A node of the simulated tree: volume, folder, workspace or document. */
export interface SimNode {
  id: number;
  parentId: number;
  name: string;
  type: number;
  typeName: string;
  description: string;
  createdAt: string;
  modifiedAt: string;
  ownerId: number;
  workspace?: DemoWorkspace;
  document?: DemoDocument;
}

/** The simulator's view of the world as Content Server nodes. */
export interface NodeStore {
  get(id: number): SimNode | null;
  children(id: number): SimNode[];
  /** Ancestors of a node, root first (excluding the node). */
  ancestors(id: number): SimNode[];
  /** Every workspace, folder and document, in workspace order. */
  all(): Generator<SimNode>;
  /** The nodes of the workspaces that contain these node ids (search `location_id`s), in workspace order. */
  within(ids: ReadonlySet<number>): Generator<SimNode>;
}

/** What every core route module receives. */
export interface CoreSim extends OtcsSimContext {
  sim: Simulator;
  opts: ResolvedOptions;
  nodes: NodeStore;
  members: MemberDirectory;
  /** Register a route under the CGI path; authenticated unless `open`. */
  route(method: Method, path: string, handler: Handler, open?: boolean): void;
}

// Enough for every workspace up to scale ~180; a real server keeps its index, not a small window of it.
const TREE_CACHE = 4096;

/** Build the node store over a world; trees are cached (bounded) since they are pure. */
export function createNodeStore(world: DemoWorld): NodeStore {
  const cache = new Map<number, DemoTree>();
  const treeOf = (wsId: number): DemoTree | null => {
    const hit = cache.get(wsId);
    if (hit) return hit;
    const tree = world.tree(wsId);
    if (!tree) return null;
    if (cache.size >= TREE_CACHE) cache.delete(cache.keys().next().value as number);
    cache.set(wsId, tree);
    return tree;
  };
  const epoch = new Date(world.asOf - 3 * 365 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const fixed = (id: number, parentId: number, name: string, type: number, typeName: string): SimNode => ({
    id,
    parentId,
    name,
    type,
    typeName,
    description: '',
    createdAt: epoch,
    modifiedAt: epoch,
    ownerId: 1000,
  });
  const roots = new Map<number, SimNode>([
    [NODE.enterprise, fixed(NODE.enterprise, -1, 'Enterprise', SUBTYPE.enterpriseVolume, 'Enterprise Workspace')],
    [NODE.campaignsFolder, fixed(NODE.campaignsFolder, NODE.enterprise, 'Campaigns', SUBTYPE.folder, 'Folder')],
    [NODE.accountsFolder, fixed(NODE.accountsFolder, NODE.enterprise, 'Accounts', SUBTYPE.folder, 'Folder')],
  ]);
  const wsNode = (w: DemoWorkspace): SimNode => ({
    id: w.nodeId,
    parentId: w.parentId,
    name: w.name,
    type: SUBTYPE.businessWorkspace,
    typeName: 'Business Workspace',
    description: `${w.type} workspace for ${w.businessObject.type} ${w.businessObject.id}`,
    createdAt: w.createdAt,
    modifiedAt: w.modifiedAt,
    ownerId: w.team[0]?.userId ?? 1000,
    workspace: w,
  });
  const docNode = (d: DemoDocument): SimNode => ({
    id: d.nodeId,
    parentId: d.parentId,
    name: d.name,
    type: SUBTYPE.document,
    typeName: 'Document',
    description: d.description,
    createdAt: d.createdAt,
    modifiedAt: d.modifiedAt,
    ownerId: d.ownerId,
    document: d,
  });
  const treeNodes = (tree: DemoTree): SimNode[] => [
    wsNode(tree.workspace),
    ...tree.folders.map((f): SimNode => ({
      id: f.nodeId,
      parentId: f.parentId,
      name: f.name,
      type: SUBTYPE.folder,
      typeName: 'Folder',
      description: '',
      createdAt: f.createdAt,
      modifiedAt: f.createdAt,
      ownerId: tree.workspace.team[0]?.userId ?? 1000,
    })),
    ...tree.documents.map(docNode),
  ];
  const get = (id: number): SimNode | null => {
    const root = roots.get(id);
    if (root) return root;
    const owner = world.workspaceOf(id);
    if (!owner) return null;
    const tree = treeOf(owner.kind === 'campaign' ? owner.campaign.workspaceId : owner.account.workspaceId);
    return tree ? (treeNodes(tree).find((n) => n.id === id) ?? null) : null;
  };
  const workspaceIds = function* (parent: number): Generator<number> {
    if (parent === NODE.campaignsFolder) for (const c of world.campaigns()) yield c.workspaceId;
    if (parent === NODE.accountsFolder) for (const a of world.accounts()) yield a.workspaceId;
  };
  return {
    get,
    children(id) {
      if (id === NODE.enterprise) return [roots.get(NODE.campaignsFolder), roots.get(NODE.accountsFolder)] as SimNode[];
      if (id === NODE.campaignsFolder || id === NODE.accountsFolder) {
        return [...workspaceIds(id)]
          .map((w) => treeOf(w))
          .filter((t): t is DemoTree => t !== null)
          .map((t) => wsNode(t.workspace));
      }
      const owner = world.workspaceOf(id);
      if (!owner) return [];
      const tree = treeOf(owner.kind === 'campaign' ? owner.campaign.workspaceId : owner.account.workspaceId);
      return tree ? treeNodes(tree).filter((n) => n.parentId === id && n.id !== id) : [];
    },
    ancestors(id) {
      const out: SimNode[] = [];
      let cur = get(id);
      while (cur && cur.parentId > 0) {
        const parent = get(cur.parentId);
        if (!parent) break;
        out.unshift(parent);
        cur = parent;
      }
      return out;
    },
    *all() {
      for (const ws of world.workspaces()) {
        const tree = treeOf(ws.nodeId);
        if (tree) yield* treeNodes(tree);
      }
    },
    *within(ids) {
      const wsIds = new Set<number>();
      for (const id of ids) {
        const owner = world.workspaceOf(id);
        if (owner) wsIds.add(owner.kind === 'campaign' ? owner.campaign.workspaceId : owner.account.workspaceId);
      }
      for (const wsId of [...wsIds].sort((a, b) => a - b)) {
        const tree = treeOf(wsId);
        if (tree) yield* treeNodes(tree);
      }
    },
  };
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
