/**
 * iconik wire shapes (vendor-apis.md §3), shared by the simulator and the client. Names are
 * the vendor's snake_case keys. Types describe what the simulator sends and what the client
 * may receive; the client still validates every body it reads (map.ts), since a type is a
 * claim, not a guarantee.
 */
import type { AssetKind } from '../model.ts';

/** `{"errors": [...]}` or `{"errors": {"field": [...]}}` (oneOf, every operation's default response). */
export interface ErrorBody {
  errors: string[] | Record<string, string[]>;
}

/** Page-style envelope of every list (§3.2). `scroll_id` is null unless `scroll=true`. */
export interface ListEnvelope<T> {
  objects: T[];
  page: number;
  pages: number;
  per_page: number;
  total: number;
  first_url: string | null;
  last_url: string | null;
  next_url: string | null;
  prev_url: string | null;
  scroll_id: string | null;
}

/** TokenSchema: the answer of the simple login and of the token check. */
export interface TokenSchema {
  token: string;
  app_id: string;
  user_id: string;
  expires: string | null;
  system_domain_id: string;
  system_domain_status: 'ACTIVE' | 'WARNING' | 'FROZEN' | 'DEACTIVATED';
  is_admin: boolean;
}

export interface Resolution {
  width: number;
  height: number;
}

export interface AssetVersion {
  id: string;
  status: 'ACTIVE' | 'IN_PROGRESS' | 'FAILED' | 'DELETING' | 'DELETED';
  analyze_status: string;
  archive_status: string;
  transcribe_status: string;
  is_online: boolean;
  created_by_user: string;
  date_created: string;
}

/** AssetSchema: `GET /assets/v1/assets/{id}/`. */
export interface AssetSchema {
  id: string;
  title: string;
  type: 'ASSET' | 'SEQUENCE' | 'NLE_PROJECT' | 'PLACEHOLDER' | 'CUSTOM' | 'LINK' | 'SUBCLIP';
  status: 'ACTIVE' | 'DELETED';
  analyze_status: string;
  archive_status: 'NOT_ARCHIVED' | 'ARCHIVING' | 'FAILED_TO_ARCHIVE' | 'ARCHIVED';
  category: string | null;
  external_id: string | null;
  external_link: string | null;
  is_online: boolean;
  is_blocked: boolean;
  in_collections: string[];
  created_by_user: string;
  updated_by_user: string;
  date_created: string;
  date_modified: string;
  date_imported: string;
  date_deleted: string | null;
  custom_keyframe: string | null;
  custom_poster: string | null;
  original_asset_id: string | null;
  time_start_milliseconds: number | null;
  time_end_milliseconds: number | null;
  versions: AssetVersion[];
  warning: string | null;
  favoured: boolean;
  site_name: string | null;
}

/** Search-result metadata: field name -> list of values (vendor-apis.md §3.5, SEEN). */
export type SearchMetadata = Record<string, unknown[]>;

/** AssetElasticSchema: list and search objects. */
export interface AssetElasticSchema extends AssetSchema {
  object_type: 'assets';
  media_type: string | null;
  description: string | null;
  duration_milliseconds: number | null;
  files: FileSchema[];
  proxies: ProxySchema[];
  keyframes: KeyframeSchema[];
  metadata: SearchMetadata;
  relations: unknown[];
  versions_number: number;
  comments_count: number;
  position: number | null;
}

export type StorageStatus = 'OPEN' | 'GROWING' | 'AWAITED' | 'CLOSED' | 'FAILED' | 'ARCHIVED' | 'MISSING' | 'REDISCOVERED' | 'DELETED';

/** Proxy (a rendition iconik made). */
export interface ProxySchema {
  id: string;
  asset_id: string;
  version_id: string;
  name: string;
  filename: string;
  format: string;
  codec: string | null;
  bit_rate: number | null;
  audio_bitrate: number | null;
  frame_rate: string | null;
  resolution: Resolution | null;
  size: number;
  status: StorageStatus;
  storage_id: string;
  storage_method: string;
  url: string | null;
  is_public: boolean;
  rotation: number | null;
  start_time_code: string | null;
  is_drop_frame: boolean;
  date_created: string;
  date_modified: string;
}

/** FileSchema (an original file of a version). */
export interface FileSchema {
  id: string;
  asset_id: string;
  version_id: string;
  file_set_id: string;
  format_id: string;
  name: string;
  original_name: string;
  directory_path: string;
  size: number;
  checksum: string | null;
  status: StorageStatus;
  type: 'FILE' | 'DIRECTORY' | 'SYMLINK';
  storage_id: string;
  storage_method: string;
  url: string | null;
  file_date_created: string;
  file_date_modified: string;
  system_domain_id: string;
  user_id: string;
}

/** KeyframeSchema (SPEC: type KEYFRAME_MAP | KEYFRAME | POSTER). */
export interface KeyframeSchema {
  id: string;
  asset_id: string;
  version_id: string;
  collection_id: string | null;
  name: string;
  filename: string;
  format: string;
  type: 'KEYFRAME_MAP' | 'KEYFRAME' | 'POSTER';
  is_custom_keyframe: boolean;
  is_public: boolean;
  resolution: Resolution | null;
  rotation: number | null;
  size: number;
  status: StorageStatus;
  storage_id: string;
  storage_method: string;
  time_code: { frames_num: number; frame_rate: string } | null;
  url: string | null;
  date_created: string;
  date_modified: string;
}

/** `{"url": "<signed url>"}` of the download_url endpoints. */
export interface DownloadUrl {
  url: string;
}

export interface CollectionSchema {
  id: string;
  title: string;
  parent_id: string | null;
  parents: string[];
  in_collections: string[];
  is_root: boolean;
  status: 'ACTIVE' | 'HIDDEN' | 'DELETED';
  object_type: 'collections';
  permissions: string[];
  category: string | null;
  external_id: string | null;
  created_by_user: string;
  date_created: string;
  date_modified: string;
}

export interface MetadataFieldSchema {
  name: string;
  label: string;
  field_type: string;
  multi: boolean;
  options: { label: string; value: string }[];
  required: boolean;
  read_only: boolean;
  use_as_facet: boolean;
  sortable: boolean;
  min_value: number | null;
  max_value: number | null;
}

export interface MetadataViewSchema {
  id: string;
  name: string;
  description: string;
  view_fields: MetadataFieldSchema[];
  date_created: string;
  date_modified: string;
}

/** `{"field_values": [{"value": ...}], "mode"?: "overwrite"}` (SEEN). */
export interface FieldValues {
  field_values: { value: unknown }[];
  mode?: string;
}

/**
 * How a view PUT applies a field's values (SPEC `MetadataFieldValueSchema1.mode`, write-only):
 * replace them (the default), add them, or take them out.
 */
export const METADATA_MODES = ['append', 'delete', 'overwrite'] as const;
export type MetadataMode = (typeof METADATA_MODES)[number];

/** The body of `PUT /metadata/v1/assets/{asset_id}/views/{view_id}/` (vendor-apis-writes §4.1). */
export interface MetadataValuesPut {
  metadata_values: Record<string, { field_values: { value: string }[]; mode?: MetadataMode }>;
}

/**
 * `CollectionContentSchema`: the body of `POST /assets/v1/collections/{id}/contents/`
 * (`object_id`, `object_type`) and, with the read-only keys, what the simulator answers (the
 * spec's 201 "Content added" has no body schema; answering the object is INFERRED).
 */
export interface CollectionContentSchema {
  object_id: string;
  object_type: string;
  collection_id?: string;
  date_created?: string;
}

export interface MetadataValuesSchema {
  metadata_values: Record<string, FieldValues>;
  object_id: string;
  object_type: string;
  version_id: string | null;
  job_id: string | null;
  date_created: string;
  date_modified: string;
}

/** `CriteriaRangeFilter`: bounds are inclusive (Elasticsearch gte/lte, INFERRED). */
export interface CriteriaRange {
  min?: string | number;
  max?: string | number;
}

/** `CriteriaTerm`: every condition present must hold. */
export interface CriteriaTerm {
  name: string;
  value?: string | number | boolean;
  value_in?: (string | number)[];
  range?: CriteriaRange;
  exists?: boolean;
  missing?: boolean;
}

/** `CriteriaFilterSchema` (recursive). */
export interface CriteriaFilter {
  operator: 'AND' | 'OR';
  terms?: CriteriaTerm[];
  filters?: CriteriaFilter[];
}

export interface SortSpec {
  name: string;
  order?: 'asc' | 'desc';
}

/** `SearchCriteriaSchema`, the body of `POST /search/v1/search/`. */
export interface SearchCriteria {
  query?: string;
  doc_types?: string[];
  metadata_view_id?: string;
  search_fields?: string[];
  include_fields?: string[];
  exclude_fields?: string[];
  filter?: CriteriaFilter;
  facets?: string[];
  facets_filters?: CriteriaTerm[];
  sort?: SortSpec[];
}

export interface FacetBucket {
  key: string;
  doc_count: number;
}

/** Facets in the Elasticsearch shape (uncertain, see vendor-apis.md §3.5). */
export type Facets = Record<string, { buckets: FacetBucket[] }>;

/** `SearchDocumentsSchema`. */
export interface SearchDocuments extends ListEnvelope<AssetElasticSchema | (CollectionSchema & { metadata: SearchMetadata })> {
  facets: Facets | Record<string, FacetBucket[]>;
}

export type WebhookStatus = 'ENABLED' | 'DISABLED' | 'FAILING' | 'DELETED';

/** `WebhookCreateSchema`. */
export interface WebhookCreate {
  url: string;
  event_type: string;
  status: WebhookStatus;
  name?: string;
  description?: string;
  realm?: string;
  operation?: string;
  object_id?: string;
  query?: string;
  headers?: Record<string, string>;
}

/** `WebhookSchema`: the create body plus server-set fields. */
export interface WebhookSchema extends WebhookCreate {
  id: string;
  date_created: string;
  date_modified: string;
  last_payload: unknown;
  last_error: string | null;
  first_failed_at: string | null;
  deleted_at: string | null;
}

/** A delivered webhook payload (SEEN, a real captured example). */
export interface WebhookPayload {
  system_domain_id: string;
  object_id: string;
  user_id: string;
  realm: string;
  operation: string;
  event_type: string;
  request_id: string;
  data: Record<string, unknown>;
}

/** iconik's date-time format as seen on the wire: microseconds and `+00:00` (SEEN webhook payload). */
export function iconikDate(iso: string | number): string {
  const d = new Date(iso);
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/**
 * `media_type` per canonical kind. iconik derives media_type from the file (image, video,
 * audio, document); it has no template type, so `template` is a convention of this
 * deployment (INFERRED), kept in one place so both halves agree.
 */
export const MEDIA_TYPES: Record<AssetKind, string> = {
  IMAGE: 'image',
  VIDEO: 'video',
  AUDIO: 'audio',
  DOCUMENT: 'document',
  TEMPLATE: 'template',
};

/** The canonical UUID form iconik ids take. */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
