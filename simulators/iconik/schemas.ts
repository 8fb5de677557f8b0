/**
 * iconik wire shapes the simulator serves that the connector does not read, so they live here
 * rather than in sources/iconik/wire.ts (which holds what both halves share). Keys are from
 * iconik's OpenAPI spec (vendor-apis.md §0 `iconik-spec`); field comments say where the spec
 * alone does not settle a value.
 */
/** ComponentSchema: a stream of a format (VIDEO, AUDIO, IMAGE, ...). */
export interface ComponentSchema {
  id: string;
  name: string;
  type: 'VIDEO' | 'AUDIO' | 'IMAGE' | 'TEXT' | 'OTHER' | 'NON_MEDIA' | 'EXIF' | 'IPTC' | 'XMP' | 'GENERAL';
  metadata: Record<string, string>;
}

/**
 * FormatSchema: `GET /files/v1/assets/{asset_id}/formats/` (in a `last_id` page) and
 * `.../formats/{format_id or name}/`. `metadata` entries are string maps such as
 * `{"internet_media_type": "application/pdf"}` (vendor-apis-writes.md §4.4 step 3).
 */
export interface FormatSchema {
  id: string;
  asset_id: string;
  version_id: string;
  name: string;
  status: 'ACTIVE' | 'DELETED';
  archive_status: 'NOT_ARCHIVED' | 'ARCHIVING' | 'FAILED_TO_ARCHIVE' | 'ARCHIVED';
  is_online: boolean;
  storage_methods: string[];
  metadata: Record<string, string>[];
  components: ComponentSchema[];
  user_id: string;
  date_created: string;
  date_modified: string;
  date_deleted: string | null;
  deleted_by_user: string | null;
  warnings: string[];
}

/** CollectionContentInfoSchema: `GET /assets/v1/collections/{collection_id}/content/info/`. */
export interface CollectionContentInfo {
  assets_count: number;
  collections_count: number;
}
