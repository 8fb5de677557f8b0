/**
 * The NetX simulator: the JSON-RPC 2.0 API of `POST /api/rpc` and the authenticated file
 * retrieval URLs, serving the demo world's NetX assets (vendor-apis.md §4, §6.6).
 *
 * Conventions enforced, as NetX documents them: `jsonrpc` must be "2.0", the request `id` is
 * echoed, params are positional only (a named-params object gets -32602), batches are refused
 * (-32600), invalid JSON gets -32700, an unknown method -32601. Every JSON-RPC error travels
 * in an HTTP 200 body. A missing, unknown or revoked apiToken gets code 10000, an object the
 * caller may not see code 3004. `dataContext: "json"` is accepted and ignored.
 *
 * Choices where the reference says NOT FOUND or INFERRED (each is an option below): the key of
 * a list's total (`size`), page-size limits, the data groups returned when none are selected,
 * rate limiting (off), the public base of file URLs. Webhooks are NOT FOUND (no payload,
 * signature or event list is public), so the simulator delivers none.
 *
 * Writes (vendor-apis-writes §6.1): `updateAsset` (SEEN; its `attributes` INFERRED),
 * `addAssetToFolder` (SEEN), `removeAssetFromFolder` and `setAssetAttributes` (INFERRED names).
 * What they change is kept in edits.ts and served by every read; each change moves the asset's
 * `modDate`. `GET /__sim/rpc` lists the calls with their params.
 */
import { DEMO_CREDENTIALS } from '../demo/credentials.ts';
import { renditionContent } from '../demo/content.ts';
import type { DemoAsset, DemoRendition, DemoWorld } from '../demo/world.ts';
import { createAssetChanges, registerAssetControls, type AssetPatch } from '../demo/asset-changes.ts';
import type { Mapping } from '../../sources/mapping.ts';
import type { RenditionKind } from '../../sources/model.ts';
import { createSimulator, type Handler, type SimRequest, type SimResponse, type Simulator } from '../framework/server.ts';
import { fileTypeOf } from '../../sources/netx/map.ts';
import { nominalSize } from './attributes.ts';
import { checkAttributes, createNetxEdits, type NetxEdits } from './edits.ts';
import { childFolders, folderById, folderByPath, isWithin, type SimFolder } from './folders.ts';
import { RpcFault } from './rpc-fault.ts';
import {
  AUTH_SCHEME,
  DEFAULT_KIND_ATTRIBUTE,
  DEFAULT_TOTAL_KEY,
  JSONRPC_VERSION,
  PROXY_PREVIEW,
  PROXY_THUMBNAIL,
  RPC_ERRORS,
  RPC_PATH,
  VIEW_WEB,
  type NetxAsset,
  type NetxFolder,
  type NetxRenditionEntry,
  type NetxUser,
  type RpcId,
  type RpcOptions,
} from '../../sources/netx/wire.ts';

export interface NetxSimOptions {
  /**
   * Tokens the simulator accepts. Read on every request, so removing one from the array the
   * caller passed revokes it at once (NetX tokens are generated and revoked in its admin UI).
   * Default: the demo token.
   */
  apiTokens?: string[];
  /** Key of the total in list results (NOT FOUND upstream). Default `size`; `null` omits it. */
  totalKey?: string | null;
  /** Page size when `options.page.size` is absent. Default 100. */
  defaultPageSize?: number;
  /** Larger page sizes are clamped to this. Default 1000. */
  maxPageSize?: number;
  /** Data groups returned when `options.data` is absent (INFERRED). Default id and base. */
  defaultDataGroups?: string[];
  /** Requests per second across the vendor API before HTTP 429 with Retry-After. Off by default. */
  rateLimitPerSecond?: number;
  /** Origin put in file URLs. Default: the origin the request was addressed to (its Host header). */
  publicUrl?: string;
  /** Attribute that carries the asset kind (the shared mapping has no kind field). */
  kindAttribute?: string;
  /** Methods that answer 3004 (access denied), to exercise a client's FORBIDDEN path. */
  deniedMethods?: string[];
  /**
   * Methods this NetX does not have: they answer -32601 like an unknown one (e.g. the INFERRED
   * `removeAssetFromFolder` or `setAssetAttributes`, absent from a real NetX).
   */
  disabledMethods?: string[];
  /**
   * Whether `updateAsset` writes `attributes` (INFERRED upstream). Default true; false accepts
   * and ignores them, as a NetX without that path might, to exercise a client's check.
   */
  attributesViaUpdateAsset?: boolean;
  /** Latency added to every vendor request. */
  baseLatencyMs?: number;
}

/** One JSON-RPC call as `GET /__sim/rpc` lists it: its method and params, and its error code if it failed. */
export interface RpcCall {
  at: string;
  method: string;
  params: unknown;
  error?: number;
}
const MAX_CALLS = 5000;

interface SimContext {
  world: DemoWorld;
  mapping: Mapping;
  opts: Required<Pick<NetxSimOptions, 'defaultPageSize' | 'maxPageSize' | 'defaultDataGroups' | 'kindAttribute'>> & NetxSimOptions;
  /** Origin for file URLs of the current request. */
  origin: string;
  /** Every asset as a query row, built once (a real DAM answers from its index, not by rebuilding each asset). */
  rows(): readonly Row[];
  /** What JSON-RPC writes changed: attributes, file names, folder membership. */
  edits: NetxEdits;
  /** Log a call for `GET /__sim/rpc`. */
  record(call: RpcCall): void;
  /** Record a change of an asset: apply the patch and move its modify date (the change feed polls it); the asset after. */
  touch(a: DemoAsset, patch?: AssetPatch): DemoAsset;
}

/** Whether an asset is filed in a folder (or below it, when `recursive`), as it is filed now. */
function inFolder(ctx: SimContext, a: DemoAsset, folderId: number, recursive: boolean): boolean {
  return ctx.edits.folders(a).some((start) => isWithin(ctx.world, start, folderId, recursive));
}

// ---------------------------------------------------------------- assets on the wire

const api = (origin: string, id: string, rest: string) => `${origin}/api/file/asset/${id}/${rest}`;
const legacy = (origin: string, id: string, rest: string) => `${origin}/file/asset/${id}/${rest}`;

function entry(name: string, r: DemoRendition, url: string): NetxRenditionEntry {
  return { name, mimeType: r.mimeType, ...(r.width ? { width: r.width } : {}), ...(r.height ? { height: r.height } : {}), url };
}

/** Wire form of an asset with only the selected data groups (`id` always). */
function wireAsset(ctx: SimContext, asset: DemoAsset, groups: ReadonlySet<string>): NetxAsset {
  const a = { ...asset, fileName: ctx.edits.fileName(asset) };
  const id = Number(a.nativeId);
  const out: NetxAsset = { id };
  const created = Date.parse(a.createdAt);
  const original = a.renditions.find((r) => r.kind === 'ORIGINAL');
  if (groups.has('asset.base')) {
    Object.assign(out, {
      name: a.title,
      fileName: a.fileName,
      fileType: fileTypeOf(a.fileName),
      fileSize: nominalSize(original),
      creationDate: created,
      modDate: Date.parse(a.modifiedAt),
      importDate: created,
      description: a.description,
    });
  }
  if (groups.has('asset.file') && original) {
    out.file = { ...entry(a.fileName, original, api(ctx.origin, a.nativeId, encodeURIComponent(a.fileName))), size: nominalSize(original) };
  }
  if (groups.has('asset.attributes')) out.attributes = ctx.edits.attributes(asset);
  const pick = (kind: RenditionKind) => a.renditions.find((r) => r.kind === kind);
  if (groups.has('asset.proxies')) {
    const thumb = pick('THUMBNAIL');
    const preview = pick('PREVIEW');
    out.proxies = [
      ...(thumb ? [entry(PROXY_THUMBNAIL, thumb, api(ctx.origin, a.nativeId, 'thumbnail.jpg'))] : []),
      ...(preview ? [entry(PROXY_PREVIEW, preview, legacy(ctx.origin, a.nativeId, 'preview'))] : []),
    ];
  }
  if (groups.has('asset.views')) {
    const web = pick('WEB');
    out.views = web ? [entry(VIEW_WEB, web, legacy(ctx.origin, a.nativeId, `view/${VIEW_WEB}`))] : [];
  }
  const refs = () =>
    ctx.edits
      .folders(asset)
      .map((f) => folderById(ctx.world, f))
      .filter((f) => f !== null)
      .map(({ id: fid, name, path }) => ({ id: fid, name, path }));
  if (groups.has('asset.folders')) out.folders = refs();
  if (groups.has('asset.relatedFolders')) out.relatedFolders = [];
  // The demo's NetX assets have no locale variants or other relations.
  if (groups.has('asset.relatedAssets')) out.relatedAssets = [];
  return out;
}

// ---------------------------------------------------------------- criteria

const SYSTEM_FIELDS = ['id', 'name', 'fileName', 'fileType', 'fileSize', 'creationDate', 'modDate', 'importDate', 'description'] as const;
type SystemField = (typeof SYSTEM_FIELDS)[number];
const isSystemField = (f: unknown): f is SystemField => typeof f === 'string' && (SYSTEM_FIELDS as readonly string[]).includes(f);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An asset as the query engine sees it: system fields and attribute values. */
interface Row {
  asset: DemoAsset;
  system: Record<SystemField, string | number>;
  attributes: Record<string, string[]>;
}

function rowOf(ctx: SimContext, a: DemoAsset): Row {
  const created = Date.parse(a.createdAt);
  const fileName = ctx.edits.fileName(a);
  return {
    asset: a,
    system: {
      id: Number(a.nativeId),
      name: a.title,
      fileName,
      fileType: fileTypeOf(fileName),
      fileSize: nominalSize(a.renditions.find((r) => r.kind === 'ORIGINAL')),
      creationDate: created,
      modDate: Date.parse(a.modifiedAt),
      importDate: created,
      description: a.description,
    },
    attributes: ctx.edits.attributes(a),
  };
}

/** The values a field reference points at; throws -32602 for an unknown field or attribute. */
function valuesOf(ctx: SimContext, row: Row | null, ref: Record<string, unknown>): (string | number)[] {
  if (ref.field !== undefined) {
    if (!isSystemField(ref.field)) throw new RpcFault(RPC_ERRORS.invalidParams, `unknown field: ${String(ref.field)}`);
    return row ? [row.system[ref.field]] : [];
  }
  if (typeof ref.attribute === 'string') {
    const known = new Set([...Object.values(ctx.mapping.netx.attributes), ctx.opts.kindAttribute]);
    if (!known.has(ref.attribute)) throw new RpcFault(RPC_ERRORS.invalidParams, `unknown attribute: ${ref.attribute}`);
    return row ? (row.attributes[ref.attribute] ?? []) : [];
  }
  throw new RpcFault(RPC_ERRORS.invalidParams, 'a criterion needs a field or an attribute');
}

/** A value as epoch ms: numbers as they are, strings as ISO dates or digit strings. */
function asMillis(v: string | number): number {
  if (typeof v === 'number') return v;
  return /^-?\d+$/.test(v) ? Number(v) : Date.parse(v);
}

const CRITERION_KEYS = ['exact', 'contains', 'range', 'folder', 'subquery'] as const;

/** Whether one criterion's condition holds for a row (row `null` validates only). */
function holds(ctx: SimContext, row: Row | null, c: Record<string, unknown>): boolean {
  const keys = CRITERION_KEYS.filter((k) => c[k] !== undefined);
  if (keys.length !== 1) throw new RpcFault(RPC_ERRORS.invalidParams, `a criterion needs exactly one of ${CRITERION_KEYS.join(', ')}`);
  const key = keys[0] as (typeof CRITERION_KEYS)[number];
  const body = c[key];
  if (!isObj(body)) throw new RpcFault(RPC_ERRORS.invalidParams, `${key} must be an object`);
  switch (key) {
    case 'exact': {
      if (typeof body.value !== 'string' && typeof body.value !== 'number')
        throw new RpcFault(RPC_ERRORS.invalidParams, 'exact.value must be a string or number');
      const values = valuesOf(ctx, row, body);
      if (body.value === '' && body.attribute !== undefined) return values.length === 0;
      return values.some((v) => String(v) === String(body.value));
    }
    case 'contains': {
      if (typeof body.value !== 'string') throw new RpcFault(RPC_ERRORS.invalidParams, 'contains.value must be a string');
      const pattern = containsPattern(body.value);
      return valuesOf(ctx, row, body).some((v) => pattern.test(String(v)));
    }
    case 'range': {
      const { min, max } = body;
      if ((min !== undefined && typeof min !== 'number') || (max !== undefined && typeof max !== 'number')) {
        throw new RpcFault(RPC_ERRORS.invalidParams, 'range.min and range.max must be numbers');
      }
      return valuesOf(ctx, row, body).some((v) => {
        const t = asMillis(v);
        return !Number.isNaN(t) && (min === undefined || t >= min) && (max === undefined || t <= max);
      });
    }
    case 'folder': {
      if (!Number.isInteger(body.folderId)) throw new RpcFault(RPC_ERRORS.invalidParams, 'folder.folderId must be an integer');
      return row ? inFolder(ctx, row.asset, body.folderId as number, body.recursive === true) : false;
    }
    case 'subquery': {
      if (!Array.isArray(body.query)) throw new RpcFault(RPC_ERRORS.invalidParams, 'subquery.query must be an array');
      return matches(ctx, row, body.query);
    }
  }
}

/** Left fold of criteria (see QueryCriterion); an empty list matches everything. */
function matches(ctx: SimContext, row: Row | null, criteria: unknown[]): boolean {
  let acc: boolean | undefined;
  for (const c of criteria) {
    if (!isObj(c)) throw new RpcFault(RPC_ERRORS.invalidParams, 'each criterion must be an object');
    const op = c.operator;
    if (op !== 'and' && op !== 'or' && op !== 'not') throw new RpcFault(RPC_ERRORS.invalidParams, 'operator must be and, or or not');
    const m = holds(ctx, row, c);
    if (acc === undefined) acc = op === 'not' ? !m : m;
    else if (op === 'and') acc = acc && m;
    else if (op === 'or') acc = acc || m;
    else acc = acc && !m;
  }
  return acc ?? true;
}

// ---------------------------------------------------------------- options, paging, sorting

interface ParsedOptions {
  startIndex: number;
  size: number;
  sort?: { field: SystemField; desc: boolean };
  groups: Set<string>;
}

function parseOptions(ctx: SimContext, raw: unknown): ParsedOptions {
  if (raw !== undefined && !isObj(raw)) throw new RpcFault(RPC_ERRORS.invalidParams, 'options must be an object');
  const o = (raw ?? {}) as RpcOptions & Record<string, unknown>;
  const page = isObj(o.page) ? o.page : {};
  const startIndex = page.startIndex ?? 0;
  const size = page.size ?? ctx.opts.defaultPageSize;
  if (!Number.isInteger(startIndex) || startIndex < 0 || !Number.isInteger(size) || size < 0) {
    throw new RpcFault(RPC_ERRORS.invalidParams, 'page.startIndex and page.size must be non-negative integers');
  }
  let sort: ParsedOptions['sort'];
  if (o.sort !== undefined) {
    if (!isObj(o.sort) || !isSystemField(o.sort.field) || (o.sort.order !== 'asc' && o.sort.order !== 'desc')) {
      throw new RpcFault(RPC_ERRORS.invalidParams, `sort needs a field (${SYSTEM_FIELDS.join(', ')}) and an order (asc, desc)`);
    }
    sort = { field: o.sort.field, desc: o.sort.order === 'desc' };
  }
  if (o.data !== undefined && (!Array.isArray(o.data) || o.data.some((d) => typeof d !== 'string'))) {
    throw new RpcFault(RPC_ERRORS.invalidParams, 'data must be a list of data group names');
  }
  return {
    startIndex,
    size: Math.min(size, ctx.opts.maxPageSize),
    groups: new Set(o.data ?? ctx.opts.defaultDataGroups),
    ...(sort ? { sort } : {}),
  };
}

function compareRows(sort: ParsedOptions['sort']) {
  return (a: Row, b: Row): number => {
    if (sort) {
      const x = a.system[sort.field];
      const y = b.system[sort.field];
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      if (c !== 0) return sort.desc ? -c : c;
    }
    return (a.system.id as number) - (b.system.id as number);
  };
}

function listResult(ctx: SimContext, rows: Row[], o: ParsedOptions): Record<string, unknown> {
  rows.sort(compareRows(o.sort));
  const page = rows.slice(o.startIndex, o.startIndex + o.size);
  const out: Record<string, unknown> = { results: page.map((r) => wireAsset(ctx, r.asset, o.groups)) };
  if (ctx.opts.totalKey !== null) out[ctx.opts.totalKey ?? DEFAULT_TOTAL_KEY] = rows.length;
  return out;
}

// ---------------------------------------------------------------- methods

type Method = (ctx: SimContext, params: unknown[]) => unknown;

const positiveInt = (v: unknown, what: string): number => {
  if (!Number.isSafeInteger(v) || (v as number) <= 0) throw new RpcFault(RPC_ERRORS.invalidParams, `${what} must be a positive integer`);
  return v as number;
};

const assetByNumber = (world: DemoWorld, id: number) => world.assetById('NETX', String(id));

const METHODS: Record<string, Method> = {
  getAssets(ctx, [ids, options]) {
    if (!Array.isArray(ids)) throw new RpcFault(RPC_ERRORS.invalidParams, 'getAssets expects [[assetId, ...], options]');
    const o = parseOptions(ctx, options);
    // Ids that do not exist are left out of the results (INFERRED), so one stale id does not fail a batch.
    const found = ids
      .map((id) => positiveInt(id, 'assetId'))
      .map((id) => assetByNumber(ctx.world, id))
      .filter((a) => a !== null);
    const out: Record<string, unknown> = { results: found.map((a) => wireAsset(ctx, a, o.groups)) };
    if (ctx.opts.totalKey !== null) out[ctx.opts.totalKey ?? DEFAULT_TOTAL_KEY] = found.length;
    return out;
  },
  getAssetsByQuery(ctx, [q, options]) {
    if (!isObj(q) || !Array.isArray(q.query))
      throw new RpcFault(RPC_ERRORS.invalidParams, 'getAssetsByQuery expects [{query: [criteria]}, options]');
    const o = parseOptions(ctx, options);
    const criteria = q.query as unknown[];
    matches(ctx, null, criteria); // validate once, so a bad query fails even when nothing would match
    const rows: Row[] = [];
    for (const row of ctx.rows()) if (matches(ctx, row, criteria)) rows.push(row);
    return listResult(ctx, rows, o);
  },
  getAssetsByFolder(ctx, [folderId, recursive, options]) {
    const id = positiveInt(folderId, 'folderId');
    if (typeof recursive !== 'boolean') throw new RpcFault(RPC_ERRORS.invalidParams, 'recursive must be a boolean');
    if (!folderById(ctx.world, id)) throw new RpcFault(RPC_ERRORS.accessDenied, 'Access not allowed to object for the given caller');
    const o = parseOptions(ctx, options);
    const rows: Row[] = [];
    for (const row of ctx.rows()) if (inFolder(ctx, row.asset, id, recursive)) rows.push(row);
    return listResult(ctx, rows, o);
  },
  getFolderByPath(ctx, [path, options]) {
    if (typeof path !== 'string') throw new RpcFault(RPC_ERRORS.invalidParams, 'getFolderByPath expects [path, options]');
    const id = folderByPath(ctx.world, path);
    if (id === null) throw new RpcFault(RPC_ERRORS.accessDenied, 'Access not allowed to object for the given caller');
    return wireFolder(ctx, id, options);
  },
  getFoldersByParent(ctx, [folderId, options]) {
    const id = positiveInt(folderId, 'folderId');
    if (!folderById(ctx.world, id)) throw new RpcFault(RPC_ERRORS.accessDenied, 'Access not allowed to object for the given caller');
    const children = childFolders(ctx.world, id);
    const out: Record<string, unknown> = { results: children.map((c) => wireFolder(ctx, c, options)) };
    if (ctx.opts.totalKey !== null) out[ctx.opts.totalKey ?? DEFAULT_TOTAL_KEY] = children.length;
    return out;
  },
  getAssetAttributes(ctx, [assetId]) {
    const a = assetByNumber(ctx.world, positiveInt(assetId, 'assetId'));
    if (!a) throw new RpcFault(RPC_ERRORS.accessDenied, 'Access not allowed to object for the given caller');
    return ctx.edits.attributes(a);
  },
  getSelf(): NetxUser {
    return { id: 7, login: 'atrium-integration', firstName: 'Atrium', lastName: 'Integration', email: 'integration@atrium.example' };
  },

  // Writes (vendor-apis-writes §6.1). Each one that changes something moves the asset's modDate.
  updateAsset(ctx, [fields, options]) {
    if (!isObj(fields)) throw new RpcFault(RPC_ERRORS.invalidParams, 'updateAsset expects [{id, ...fields}, options]');
    const unknown = Object.keys(fields).find((k) => !(UPDATE_FIELDS as readonly string[]).includes(k));
    if (unknown !== undefined) throw new RpcFault(RPC_ERRORS.invalidParams, `Invalid params: unknown asset field "${unknown}"`);
    const a = assetByNumber(ctx.world, positiveInt(fields.id, 'id'));
    if (!a) throw denied();
    const o = parseOptions(ctx, options);
    // A name is one non-empty line; a description any text.
    const text = (k: 'name' | 'fileName' | 'description'): string | undefined => {
      const v = fields[k];
      if (v === undefined) return undefined;
      const line = k !== 'description';
      if (typeof v !== 'string' || v.length > 500 || (line && (v.trim() === '' || [...v].some((ch) => ch.charCodeAt(0) < 0x20))))
        throw new RpcFault(RPC_ERRORS.invalidParams, `Invalid params: ${k} must be ${line ? 'a non-empty line of text' : 'text'}`);
      return v;
    };
    const name = text('name');
    const fileName = text('fileName');
    const description = text('description');
    if (fileName !== undefined && /[/\\]/.test(fileName))
      throw new RpcFault(RPC_ERRORS.invalidParams, 'Invalid params: fileName is a name, not a path');
    // Checked whole before anything is stored: a refused update changes nothing.
    const attributes =
      fields.attributes === undefined ? undefined : checkAttributes(fields.attributes, ctx.mapping, ctx.opts.kindAttribute);
    if (attributes && ctx.opts.attributesViaUpdateAsset !== false) ctx.edits.writeAttributes(a, attributes);
    if (fileName !== undefined) ctx.edits.setFileName(a, fileName);
    const after = ctx.touch(a, { ...(name !== undefined ? { title: name } : {}), ...(description !== undefined ? { description } : {}) });
    return wireAsset(ctx, after, o.groups);
  },
  setAssetAttributes(ctx, [assetId, attributes]) {
    const a = assetByNumber(ctx.world, positiveInt(assetId, 'assetId'));
    if (!a) throw denied();
    ctx.edits.writeAttributes(a, checkAttributes(attributes, ctx.mapping, ctx.opts.kindAttribute));
    return ctx.edits.attributes(ctx.touch(a));
  },
  addAssetToFolder(ctx, [assetId, folderId, options]) {
    const { a, folder } = assetAndFolder(ctx, assetId, folderId);
    const o = parseOptions(ctx, options);
    // Filing an asset where it is already is no change and no error (INFERRED).
    const after = ctx.edits.setMembership(a, folder, true) ? ctx.touch(a) : a;
    return wireAsset(ctx, after, o.groups);
  },
  removeAssetFromFolder(ctx, [assetId, folderId, options]) {
    const { a, folder } = assetAndFolder(ctx, assetId, folderId);
    const o = parseOptions(ctx, options);
    const now = ctx.edits.folders(a);
    if (now.length === 1 && now[0] === folder)
      throw new RpcFault(RPC_ERRORS.invalidParams, 'Invalid params: an asset must stay in at least one folder');
    // Taking an asset out of a folder it is not in is no change and no error (INFERRED).
    const after = ctx.edits.setMembership(a, folder, false) ? ctx.touch(a) : a;
    return wireAsset(ctx, after, o.groups);
  },
};

/** Fields `updateAsset` takes beside `id`: `name`, `fileName` (SEEN), `description` (ours), `attributes` (INFERRED). */
const UPDATE_FIELDS = ['id', 'name', 'fileName', 'description', 'attributes'] as const;

const denied = () => new RpcFault(RPC_ERRORS.accessDenied, 'Access not allowed to object for the given caller');

/** The asset and folder of a folder write; 3004 for either one that does not exist. */
function assetAndFolder(ctx: SimContext, assetId: unknown, folderId: unknown): { a: DemoAsset; folder: number } {
  const a = assetByNumber(ctx.world, positiveInt(assetId, 'assetId'));
  const folder = positiveInt(folderId, 'folderId');
  if (!a || !folderById(ctx.world, folder)) throw denied();
  return { a, folder };
}

/** A folder with the selected folder data groups (default id and base). */
function wireFolder(ctx: SimContext, id: number, options: unknown): NetxFolder {
  if (options !== undefined && !isObj(options)) throw new RpcFault(RPC_ERRORS.invalidParams, 'options must be an object');
  const data = isObj(options) && Array.isArray(options.data) ? new Set(options.data) : new Set(['folder.id', 'folder.base']);
  const f = folderById(ctx.world, id) as SimFolder;
  const out: NetxFolder = { id };
  if (data.has('folder.base')) Object.assign(out, { name: f.name, path: f.path, parentId: f.parentId });
  if (data.has('folder.children'))
    out.children = childFolders(ctx.world, id).map((c) => ({ id: c, name: folderById(ctx.world, c)?.name ?? '' }));
  return out;
}

// ---------------------------------------------------------------- JSON-RPC transport

const rpcError = (id: RpcId | null, code: number, message: string): SimResponse => ({
  status: 200,
  body: { jsonrpc: JSONRPC_VERSION, id, error: { code, message, data: null } },
});

/** The token of `Authorization: apiToken <token>`, if it is one the simulator accepts. */
function authorized(req: SimRequest, tokens: readonly string[]): boolean {
  const [scheme, token, extra] = String(req.headers.authorization ?? '')
    .trim()
    .split(/\s+/);
  // Auth schemes are case-insensitive (RFC 9110); the token is compared exactly.
  return scheme?.toLowerCase() === AUTH_SCHEME.toLowerCase() && token !== undefined && extra === undefined && tokens.includes(token);
}

function handleRpc(ctx: SimContext, req: SimRequest): SimResponse {
  let msg: unknown;
  try {
    msg = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    return rpcError(null, RPC_ERRORS.parse, 'Parse error');
  }
  if (Array.isArray(msg)) return rpcError(null, RPC_ERRORS.invalidRequest, 'Batch calls are not supported');
  if (!isObj(msg)) return rpcError(null, RPC_ERRORS.invalidRequest, 'Invalid Request');
  const id = typeof msg.id === 'string' || typeof msg.id === 'number' ? msg.id : null;
  if (msg.jsonrpc !== JSONRPC_VERSION || id === null || typeof msg.method !== 'string') {
    return rpcError(id, RPC_ERRORS.invalidRequest, 'Invalid Request: jsonrpc "2.0", an id and a method are required');
  }
  const answer = dispatch(ctx, req, id, msg.method, msg.params);
  const error = (answer.body as { error?: { code: number } }).error;
  ctx.record({ at: new Date().toISOString(), method: msg.method, params: msg.params ?? null, ...(error ? { error: error.code } : {}) });
  return answer;
}

/** One well-formed call: authorization, the method, its params, its answer. */
function dispatch(ctx: SimContext, req: SimRequest, id: RpcId, name: string, params: unknown): SimResponse {
  if (!authorized(req, ctx.opts.apiTokens ?? [DEMO_CREDENTIALS.netx.apiToken])) {
    return rpcError(id, RPC_ERRORS.authInvalid, 'Authentication token is invalid or expired');
  }
  const method = Object.hasOwn(METHODS, name) && !ctx.opts.disabledMethods?.includes(name) ? METHODS[name] : undefined;
  if (!method) return rpcError(id, RPC_ERRORS.methodNotFound, `Method not found: ${name}`);
  if (params !== undefined && !Array.isArray(params)) {
    return rpcError(id, RPC_ERRORS.invalidParams, 'Invalid params: positional params (an array) only');
  }
  if (ctx.opts.deniedMethods?.includes(name)) {
    return rpcError(id, RPC_ERRORS.accessDenied, 'Access not allowed to object for the given caller');
  }
  try {
    return { status: 200, body: { jsonrpc: JSONRPC_VERSION, id, result: method(ctx, (params as unknown[] | undefined) ?? []) } };
  } catch (e) {
    if (e instanceof RpcFault) return rpcError(id, e.code, e.message);
    throw e;
  }
}

// ---------------------------------------------------------------- files

/** Legacy rendition names (File Retrieval API) to rendition kinds; `zoom` is the large web view. */
const LEGACY_KINDS: Record<string, RenditionKind> = { original: 'ORIGINAL', thumb: 'THUMBNAIL', preview: 'PREVIEW', zoom: 'WEB' };

function serveFile(ctx: SimContext, req: SimRequest, kind: RenditionKind | undefined, attachment: boolean): SimResponse {
  // Checked before the object lookup, so an unauthenticated caller learns nothing about ids.
  if (!authorized(req, ctx.opts.apiTokens ?? [DEMO_CREDENTIALS.netx.apiToken])) {
    // The file URLs are outside JSON-RPC, so a refusal is plain HTTP (status INFERRED).
    return { status: 401, body: { error: 'Unauthorized' } };
  }
  const a = /^\d+$/.test(req.params.id ?? '') ? assetByNumber(ctx.world, Number(req.params.id)) : null;
  const r = a && kind ? a.renditions.find((x) => x.kind === kind) : undefined;
  if (!a || !r || !kind) return { status: 404, body: { error: 'Not Found' } };
  const headers: Record<string, string> = { 'content-type': r.mimeType };
  if (attachment) {
    const name = kind === 'ORIGINAL' ? ctx.edits.fileName(a) : `${a.nativeId}-${kind.toLowerCase()}.png`;
    headers['content-disposition'] = `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`;
  }
  return { status: 200, headers, body: renditionContent(a, r) };
}

// ---------------------------------------------------------------- assembly

/** A fixed one-second window; `null` means the request may pass. */
function rateLimiter(perSecond: number | undefined): { check(): number | null; reset(): void } {
  let windowStart = 0;
  let count = 0;
  return {
    check() {
      if (!perSecond) return null;
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        count = 0;
      }
      count++;
      return count > perSecond ? Math.max(1, Math.ceil((windowStart + 1000 - now) / 1000)) : null;
    },
    reset() {
      windowStart = 0;
      count = 0;
    },
  };
}

/**
 * Create the NetX simulator (not listening). Serves `POST /api/rpc`, the file URLs
 * `GET /api/file/asset/:id/:name` (`thumbnail.jpg`, or any name for the original) and the
 * legacy `GET /file/asset/:id/{original|thumb|preview|zoom|view/:viewName}[/attachment]`.
 */
export function createNetxSimulator(generated: DemoWorld, mapping: Mapping, opts: NetxSimOptions = {}): Simulator {
  // The world as this DAM serves it: assets edited and created through `/__sim/assets` are in it.
  // Modify dates come from a clock that never repeats an instant, so a change feed polling by
  // modDate (inclusive, with a count of what it saw at its last instant) sees every change.
  let lastChange = 0;
  const changes = createAssetChanges(generated, 'NETX', () => (lastChange = Math.max(Date.now(), lastChange + 1)));
  const world = changes.view;
  const limiter = rateLimiter(opts.rateLimitPerSecond);
  const settings: SimContext['opts'] = {
    ...opts,
    defaultPageSize: opts.defaultPageSize ?? 100,
    maxPageSize: opts.maxPageSize ?? 1000,
    defaultDataGroups: opts.defaultDataGroups ?? ['asset.id', 'asset.base'],
    kindAttribute: opts.kindAttribute ?? DEFAULT_KIND_ATTRIBUTE,
  };
  const edits = createNetxEdits(generated, world, mapping, settings.kindAttribute);
  let calls: RpcCall[] = [];
  const sim = createSimulator({
    name: 'netx',
    ...(opts.baseLatencyMs !== undefined ? { baseLatencyMs: opts.baseLatencyMs } : {}),
    errorBody: (status) => ({ error: `HTTP ${status}` }),
    onReset: () => {
      limiter.reset();
      calls = [];
      // Every write also went through `changes` (to move the modify date), so its rows are among the touched.
      edits.clear();
      // Only what changed is indexed anew: the world's rows stay warm.
      const touched = changes.clear();
      if (index && touched.length) {
        index.length = Math.min(index.length, generated.counts.assets.NETX);
        for (const i of touched) if (i < index.length) index[i] = rowOf(rowContext(), world.asset('NETX', i));
      }
    },
  });
  let index: Row[] | undefined;
  const touch = (a: DemoAsset, patch: AssetPatch = {}): DemoAsset => changes.update(a.nativeId, patch) ?? a;
  const record = (call: RpcCall) => {
    calls.push(call);
    if (calls.length > MAX_CALLS) calls = calls.slice(-MAX_CALLS);
  };
  const context = (origin: string): SimContext => ({ world, mapping, opts: settings, origin, rows, edits, touch, record });
  const rowContext = () => context('');
  const rows = (): readonly Row[] => {
    index ??= [...world.assets('NETX')].map((a) => rowOf(rowContext(), a));
    return index;
  };
  const guard =
    (fn: (ctx: SimContext, req: SimRequest) => SimResponse): Handler =>
    (req) => {
      const wait = limiter.check();
      if (wait !== null) return { status: 429, headers: { 'retry-after': String(wait) }, body: { error: 'Too Many Requests' } };
      const origin = settings.publicUrl ?? `http://${String(req.headers.host ?? '127.0.0.1')}`;
      return fn(context(origin), req);
    };
  // A changed asset's row is replaced (a created one appended): asset i is row i.
  changes.onChange(({ asset }) => {
    if (!index) return;
    const row = rowOf(rowContext(), asset);
    if (asset.index < index.length) index[asset.index] = row;
    else index.push(row);
  });
  registerAssetControls(sim, changes);
  // The JSON-RPC calls as sent (the shared request log shows every call as `POST /api/rpc`).
  sim.control('GET', '/__sim/rpc', () => ({ body: calls }));
  sim.route('POST', RPC_PATH, guard(handleRpc));
  sim.route(
    'GET',
    '/api/file/asset/:id/:name',
    guard((ctx, req) => serveFile(ctx, req, req.params.name === 'thumbnail.jpg' ? 'THUMBNAIL' : 'ORIGINAL', false)),
  );
  for (const suffix of ['', '/attachment']) {
    const attachment = suffix !== '';
    // View routes first: `/view/web` would otherwise match `/:kind/attachment`.
    sim.route(
      'GET',
      `/file/asset/:id/view/:viewName${suffix}`,
      guard((ctx, req) => serveFile(ctx, req, req.params.viewName === VIEW_WEB ? 'WEB' : undefined, attachment)),
    );
    sim.route(
      'GET',
      `/file/asset/:id/:kind${suffix}`,
      guard((ctx, req) => serveFile(ctx, req, LEGACY_KINDS[req.params.kind ?? ''], attachment)),
    );
  }
  return sim;
}

/**
 * A `contains` value as the wildcard match we take NetX to make (INFERRED, see
 * sources/netx/README.md): `*` any run of characters, `?` one, `\` escapes the next character;
 * case-insensitive, anywhere in the value.
 */
function containsPattern(value: string): RegExp {
  let re = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\' && i + 1 < value.length) re += (value[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(re, 'is');
}
