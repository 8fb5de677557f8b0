/**
 * NetX's wire shapes: the JSON-RPC 2.0 envelope of `POST /api/rpc`, the options object, the
 * query criteria of `getAssetsByQuery`, and the asset object with its data groups.
 *
 * Provenance (vendor-apis.md §4): the envelope, positional params, the options object, the
 * method names and the criteria keys are SEEN. The field lists of `asset.base`, `asset.file`,
 * `asset.proxies` and `asset.views`, the key carrying a list's total, the `attribute` key of a
 * criterion and the `subquery` shape are NOT FOUND / INFERRED: the choices below are ours, and
 * the simulator makes the envelope-level ones configurable (see NetxSimOptions).
 */

export const RPC_PATH = '/api/rpc';
export const JSONRPC_VERSION = '2.0';
/** Authorization scheme: `Authorization: apiToken <token>` (SEEN in netx-fal, Frigg). */
export const AUTH_SCHEME = 'apiToken';

/** JSON-RPC error codes: the standard ones plus the two NetX codes seen in clients. */
export const RPC_ERRORS = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** "Access not allowed to object for the given caller" (SEEN netxpy comment). */
  accessDenied: 3004,
  /** Token invalid or expired (SEEN Frigg, which renews on it). */
  authInvalid: 10000,
} as const;

export type RpcId = string | number;

export interface RpcRequest {
  jsonrpc: '2.0';
  id: RpcId;
  method: string;
  /** Positional only: NetX refuses named params. */
  params: unknown[];
  /** Required by the KB's older wording, absent from developer.netx.net; harmless either way. */
  dataContext?: 'json';
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data: null;
}

export type RpcResponse<T = unknown> =
  { jsonrpc: '2.0'; id: RpcId | null; result: T } | { jsonrpc: '2.0'; id: RpcId | null; error: RpcErrorObject };

/** Data groups an options object may select (vendor-apis.md §4.2). */
export const ASSET_DATA_GROUPS = [
  'asset.id',
  'asset.base',
  'asset.file',
  'asset.attributes',
  'asset.proxies',
  'asset.views',
  'asset.folders',
  'asset.relatedAssets',
  'asset.relatedFolders',
] as const;
export type AssetDataGroup = (typeof ASSET_DATA_GROUPS)[number];
export const FOLDER_DATA_GROUPS = ['folder.id', 'folder.base', 'folder.children'] as const;
export type FolderDataGroup = (typeof FOLDER_DATA_GROUPS)[number];

export interface RpcOptions {
  page?: { startIndex?: number; size?: number };
  sort?: { field: string; order: 'asc' | 'desc' };
  data?: string[];
}

/** A value criterion on a system field (`name`, `modDate`, …) or on a custom attribute. */
export interface FieldRef {
  /** A system field of the asset (SEEN: `fileName`, `modDate`). */
  field?: string;
  /** A custom attribute by its name (INFERRED: the key NetX uses for attribute criteria). */
  attribute?: string;
}

export type QueryOperator = 'and' | 'or' | 'not';

/**
 * One criterion: an operator and exactly one of the criterion keys. Semantics (our reading,
 * implemented by the simulator): criteria fold left to right. The first criterion starts the
 * result (`not` negates it); after that `and` intersects, `or` unites and `not` subtracts.
 * `subquery` groups a nested list with the same rules, which is how an OR-list is ANDed in.
 */
export interface QueryCriterion {
  operator: QueryOperator;
  /** Equal to one of the values (case-sensitive). `value: ""` matches an unset attribute (INFERRED). */
  exact?: FieldRef & { value: string | number };
  /** Case-insensitive substring of one of the values. */
  contains?: FieldRef & { value: string };
  /** Inclusive bounds; a missing bound is open. Dates are epoch milliseconds. */
  range?: FieldRef & { min?: number; max?: number };
  /** Assets in the folder (and below it when `recursive`). */
  folder?: { folderId: number; recursive?: boolean };
  subquery?: { query: QueryCriterion[] };
}

export interface AssetQuery {
  query: QueryCriterion[];
}

/** `asset.base`: top-level on the asset object (netxpy reads `modDate` there). Dates are epoch ms. */
export interface NetxAssetBase {
  id: number;
  name: string;
  fileName: string;
  /** File extension, lower case (`png`, `pdf`). */
  fileType: string;
  fileSize: number;
  creationDate: number;
  modDate: number;
  importDate: number;
  description: string;
}

/** `asset.file`: the original file. */
export interface NetxFile {
  name: string;
  size: number;
  mimeType: string;
  width?: number;
  height?: number;
  url: string;
}

/** One entry of `asset.proxies` (generated previews) or `asset.views` (named renditions). */
export interface NetxRenditionEntry {
  name: string;
  mimeType: string;
  width?: number;
  height?: number;
  url: string;
}

export interface NetxFolderRef {
  id: number;
  name: string;
  path: string;
}

/** An asset object as returned: `id` always, the rest when its data group was selected. */
export type NetxAsset = { id: number } & Partial<Omit<NetxAssetBase, 'id'>> & {
    file?: NetxFile;
    /** `{ "<Attribute Name>": ["value", …] }`; an unset attribute has `[]`. */
    attributes?: Record<string, string[]>;
    proxies?: NetxRenditionEntry[];
    views?: NetxRenditionEntry[];
    folders?: NetxFolderRef[];
    relatedAssets?: number[];
    relatedFolders?: NetxFolderRef[];
  };

/** A list result: `results` is SEEN; the total's key is NOT FOUND (ours: `size`, configurable). */
export interface NetxListResult<T> {
  results: T[];
  [totalKey: string]: unknown;
}

export interface NetxFolder {
  id: number;
  name?: string;
  path?: string;
  parentId?: number | null;
  children?: { id: number; name: string }[];
}

export interface NetxUser {
  id: number;
  login: string;
  firstName: string;
  lastName: string;
  email: string;
}

/**
 * Write methods (vendor-apis-writes §6.1). `updateAsset` and `addAssetToFolder` are SEEN;
 * `removeAssetFromFolder` and `setAssetAttributes` are the reference's INFERRED proposals (no
 * public source names them), so the connector takes every method name as an option.
 */
export const WRITE_METHODS = {
  update: 'updateAsset',
  addToFolder: 'addAssetToFolder',
  removeFromFolder: 'removeAssetFromFolder',
  setAttributes: 'setAssetAttributes',
} as const;

/**
 * The first param of `updateAsset`: the asset's id and the fields to change. `name` and
 * `fileName` are SEEN; `description` is ours. `attributes` (INFERRED: the read group's shape,
 * written back) overwrites each named attribute's values; `[]` clears one; attributes not named
 * are left as they are.
 */
export interface NetxAssetUpdate {
  id: number;
  name?: string;
  fileName?: string;
  description?: string;
  attributes?: Record<string, string[]>;
}

/** The total key both sides default to. */
export const DEFAULT_TOTAL_KEY = 'size';
/** Proxy and view names the simulator serves and the client reads (ours; not documented). */
export const PROXY_THUMBNAIL = 'thumbnail';
export const PROXY_PREVIEW = 'preview';
export const VIEW_WEB = 'web';
/** Attribute that carries the asset kind: the shared mapping has no `kind` field, so it is an option. */
export const DEFAULT_KIND_ATTRIBUTE = 'Asset Type';
