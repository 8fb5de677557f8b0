/**
 * OpenText Media Management (OTMM) REST v6 wire shapes, shared by the simulator and the client.
 * Tags follow vendor-apis.md §5 (shared/reference/, beside this repository): shapes seen in vendor code are
 * marked SEEN; what we had to choose because no public source shows it is marked CHOSEN and is
 * configurable in the simulator and read tolerantly by the client.
 */
import type { AssetKind, RenditionKind } from '../model.ts';

/** Every API path lives under this prefix (SEEN pyxecm, Java wrapper). */
export const OTMM_BASE_PATH = '/otmmapi/v6';

// ------------------------------------------------------------------ sessions

/** `session_resource.session` (SEEN JS client docstring). */
export interface OtmmSession {
  domain_name: string;
  /** Sent back as `X-Requested-By` on every non-session call. */
  id: number;
  local_session: boolean;
  login_name: string;
  message_digest: string;
  role_name: string;
  user_full_name: string;
  user_id: string;
  user_role_id: number;
  validation_key: number;
}

export interface OtmmSessionResource {
  session_resource: { session: OtmmSession };
}

/**
 * `POST /sessions/oauth2/token` answer. Only `token_info.oauth_token.accessToken` is SEEN
 * (pyxecm); `expiresIn` and `tokenType` are CHOSEN in the same camelCase style.
 */
export interface OtmmTokenResource {
  token_info: { oauth_token: { accessToken: string; expiresIn: number; tokenType: string } };
}

/**
 * Error body. CHOSEN (NOT FOUND in any public source): `{"exception_body":{...}}`, the root-key
 * wrapping every other OTMM resource uses. The simulator lets tests replace it.
 */
export interface OtmmExceptionBody {
  exception_body: { message: string; debug_message: string | null; http_response_code: number };
}

// ------------------------------------------------------------------ assets

/**
 * A leaf value: `{type, value}` (SEEN pyxecm parser comments); `display_value` on list entries.
 * A lookup-domain value (`domain_value: true`) is a domain entry instead, `{display_value,
 * field_value:{type,value}}`, as pyxecm (reads `display_value` when `value` is absent) and a
 * public Java extractor (reads `field_value.value` when `domain_value` is true) expect.
 */
export interface OtmmTypedValue {
  type?: string;
  value?: string | number | boolean | null;
  display_value?: string;
  field_value?: { type?: string; value?: string | number | boolean | null } | null;
}

/**
 * The `value` of a scalar metadata field: `{value:{type,value}, is_locked, domain_value, ...}`.
 * An empty field may leave out the inner `value` (what the simulator sends by default), or
 * send it without a `value` of its own; readers must accept both, and `null` too.
 */
export interface OtmmFieldValue {
  value?: OtmmTypedValue | null;
  is_locked?: boolean;
  domain_value?: boolean;
  cascading_domain_value?: boolean;
}

/**
 * A node of the metadata tree: a category, a scalar field (`value`), or a tabular (multi-valued)
 * field whose rows carry `values` (SEEN pyxecm: `metadata_element_list[{values:[{value:{...}}]}]`).
 */
export interface OtmmMetadataElement {
  id?: string;
  name?: string;
  type?: string;
  data_type?: string;
  value?: OtmmFieldValue | null;
  values?: { value?: OtmmTypedValue | null }[];
  metadata_element_list?: OtmmMetadataElement[];
  display_value?: string;
}

export interface OtmmMetadata {
  type: string;
  id: string;
  name: string;
  metadata_element_list: OtmmMetadataElement[];
}

/** `master_content_info` and each `rendition_content.*` entry (SEEN pyxecm example). */
export interface OtmmContentInfo {
  id: string;
  name: string;
  mime_type: string;
  /** Bytes, or -1 when unknown (the simulator generates bytes on demand; see simulators/otmm/README.md). */
  content_size: number;
  content_kind: string;
  content_manager_id: string;
  /** Pixels, or -1 (SEEN: -1 for a PDF). */
  height: number;
  width: number;
  unit_of_size: string;
  /** API-relative URL of the bytes, e.g. `/otmmapi/v6/renditions/{id}`. */
  url: string;
}

export interface OtmmAsset {
  asset_id: string;
  name: string;
  mime_type: string;
  content_type: string;
  content_size: number;
  asset_state: string;
  content_state: string;
  date_imported: string;
  date_last_updated: string;
  deleted: boolean;
  expired: boolean;
  locked: boolean;
  checked_out: boolean;
  latest_version: boolean;
  version: number;
  metadata_model_id: string;
  original_asset_id: string;
  delivery_service_url?: string;
  master_content_info?: OtmmContentInfo;
  asset_content_info?: { master_content: OtmmContentInfo };
  rendition_content?: Partial<Record<RenditionContentKey, OtmmContentInfo>>;
  metadata?: OtmmMetadata;
  /** Only on `level_of_detail=full` reads (the simulator leaves it out of slim ones). */
  security_policy_list?: OtmmSecurityPolicyRef[];
  path_list?: unknown[];
  access_control_descriptor?: { permissions_map: Record<string, unknown> };
}

export interface OtmmAssetResource {
  asset_resource: { asset: OtmmAsset };
}

// ------------------------------------------------------------------ writes (vendor-apis-writes.md §7)

/**
 * A security policy as an asset carries it: `{"id":6}` in a create body (SEEN otmm-ng, §7.1);
 * the simulator adds the policy's `name` on reads. Ids are numbers (SEEN).
 */
export interface OtmmSecurityPolicyRef {
  id: number;
  name?: string;
}

/** `GET /securitypolicies` items (SEEN otmm-sc, §7.1). */
export interface OtmmSecurityPolicy {
  id: number;
  name: string;
  description: string;
  status: string;
  ownership_type: string;
  create_date: string;
  last_update_date: string;
  last_updated_by: string;
}

export interface OtmmSecurityPoliciesResource {
  security_policies_resource: { security_policy_list: OtmmSecurityPolicy[] };
}

/**
 * One field of an edit: a scalar field as the web client sends it (SEEN otmm-ux, §7.2:
 * `{id, type:"com.artesia.metadata.MetadataField", value:{value:{type, value}}}`), or a tabular
 * (multi-valued) field as `{id, type:"com.artesia.metadata.MetadataTableField", values:[{value:{type,
 * value}}]}`, the row form reads carry (INFERRED: no captured edit of a list field). A scalar
 * whose inner value has no `value` clears the field; a table field with no `values` clears it
 * (INFERRED).
 */
export type OtmmEditedField =
  | { id: string; type: 'com.artesia.metadata.MetadataField'; value: { value: OtmmTypedValue } }
  | { id: string; type: 'com.artesia.metadata.MetadataTableField'; values: { value: OtmmTypedValue }[] };

/**
 * The body of an asset edit (`PATCH /assets/{id}`, path INFERRED). `metadata` is SEEN (otmm-ux);
 * `security_policy_list` beside it (the whole new list, `[{id}]`) is INFERRED from the create
 * body, which carries the policies in the asset representation (§7.2 "set restricted").
 */
export interface OtmmEditedAsset {
  edited_asset: { data: { metadata?: OtmmEditedField[]; security_policy_list?: OtmmSecurityPolicyRef[] } };
}

/**
 * Where the lock and edit calls go and what the lock call's `action` says. INFERRED (§7.2: the
 * REST paths behind the web client's lock/update/unlock are NOT FOUND): `PUT /assets/{id}/state`
 * with form `action=lock|unlock`, then `PATCH /assets/{id}`. Both sides take them as options;
 * `{id}` stands for the asset id, paths are relative to OTMM_BASE_PATH.
 */
export const OTMM_WRITE_DEFAULTS = {
  statePath: '/assets/{id}/state',
  editPath: '/assets/{id}',
  lock: 'lock',
  unlock: 'unlock',
} as const;

/**
 * Keys of `rendition_content` by canonical rendition kind. `thumbnail_content`,
 * `preview_content` and `pdf_preview_content` are SEEN; `web_content` for the web-sized
 * rendition is CHOSEN (no public example names it).
 */
export const RENDITION_CONTENT_KEYS = {
  THUMBNAIL: 'thumbnail_content',
  PREVIEW: 'preview_content',
  WEB: 'web_content',
} as const satisfies Partial<Record<RenditionKind, string>>;
export type RenditionContentKey = (typeof RENDITION_CONTENT_KEYS)[keyof typeof RENDITION_CONTENT_KEYS] | 'pdf_preview_content';

/**
 * OTMM `content_type` values per canonical kind (ACROBAT SEEN; the others are the OTMM content
 * type names as INFERRED). The first of each list is what the simulator emits.
 */
export const CONTENT_TYPES: Record<AssetKind, readonly string[]> = {
  IMAGE: ['BITMAP'],
  VIDEO: ['VIDEO'],
  AUDIO: ['AUDIO'],
  DOCUMENT: ['ACROBAT', 'MSWORD', 'MSEXCEL', 'MSPOWERPOINT', 'TEXT'],
  TEMPLATE: ['INDESIGN'],
};

// ------------------------------------------------------------------ search

/**
 * System fields the search accepts conditions and facets on, besides the metadata model's own
 * fields (which come from the mapping). Ids INFERRED from OTMM's `ARTESIA.FIELD.*` convention.
 */
export const SYSTEM_FIELDS = {
  assetId: 'ARTESIA.FIELD.ASSET ID',
  name: 'ARTESIA.FIELD.ASSET NAME',
  description: 'ARTESIA.FIELD.ASSET DESCRIPTION',
  contentType: 'ARTESIA.FIELD.CONTENT TYPE',
  mimeType: 'ARTESIA.FIELD.MIME TYPE',
  dateImported: 'ARTESIA.FIELD.DATE IMPORTED',
  dateLastUpdated: 'ARTESIA.FIELD.DATE LAST UPDATED',
} as const;

/**
 * Relational operator ids the simulator evaluates and the client emits. Only
 * `ARTESIA.OPERATOR.CHAR.CONTAINS` is SEEN; the rest follow its naming (INFERRED). Date operators
 * compare instants; char operators compare case-insensitively; on a multi-valued field a
 * condition holds when any value satisfies it (IS_NOT / IS_EMPTY: when none does).
 */
export const OPERATORS = {
  is: 'ARTESIA.OPERATOR.CHAR.IS',
  isNot: 'ARTESIA.OPERATOR.CHAR.IS_NOT',
  contains: 'ARTESIA.OPERATOR.CHAR.CONTAINS',
  startsWith: 'ARTESIA.OPERATOR.CHAR.STARTS_WITH',
  /** Takes `value_list` instead of `value`. */
  isOneOf: 'ARTESIA.OPERATOR.CHAR.IS_ONE_OF',
  isEmpty: 'ARTESIA.OPERATOR.CHAR.IS_EMPTY',
  isNotEmpty: 'ARTESIA.OPERATOR.CHAR.IS_NOT_EMPTY',
  dateIsAfter: 'ARTESIA.OPERATOR.DATE.IS_AFTER',
  dateIsOnOrAfter: 'ARTESIA.OPERATOR.DATE.IS_ON_OR_AFTER',
  dateIsBefore: 'ARTESIA.OPERATOR.DATE.IS_BEFORE',
  dateIsOnOrBefore: 'ARTESIA.OPERATOR.DATE.IS_ON_OR_BEFORE',
  dateIsEmpty: 'ARTESIA.OPERATOR.DATE.IS_EMPTY',
  dateIsNotEmpty: 'ARTESIA.OPERATOR.DATE.IS_NOT_EMPTY',
} as const;
export type OperatorId = (typeof OPERATORS)[keyof typeof OPERATORS];
export const OPERATOR_IDS: ReadonlySet<string> = new Set(Object.values(OPERATORS));

/**
 * Fields shared by both condition types. `relational_operator` (`and`|`or`, default `and`)
 * joins a condition to the one before it; `left_paren`/`right_paren` hold zero or more
 * parentheses. With no parentheses AND binds tighter than OR. (The join direction and the
 * precedence are CHOSEN: vendor-apis.md only shows the field names.)
 */
interface ConditionCommon {
  relational_operator?: 'and' | 'or';
  left_paren?: string;
  right_paren?: string;
}

/** A condition on one field of the model. */
export interface OtmmFieldCondition extends ConditionCommon {
  metadata_field_id: string;
  relational_operator_id: string;
  value?: string;
  value_list?: string[];
}

export interface OtmmScalarCondition extends OtmmFieldCondition {
  type: 'com.artesia.search.SearchScalarCondition';
}

export interface OtmmTabularFieldCondition extends OtmmFieldCondition {
  type: 'com.artesia.search.SearchTabularFieldCondition';
}

/** Conditions on a tabular (multi-valued) field (SEEN shape). */
export interface OtmmTabularCondition extends ConditionCommon {
  type: 'com.artesia.search.SearchTabularCondition';
  metadata_table_id: string;
  tabular_field_list: OtmmTabularFieldCondition[];
}

export type OtmmSearchCondition = OtmmScalarCondition | OtmmTabularCondition;

/** The `search_condition_list` form field, as JSON (SEEN). */
export interface OtmmSearchConditionList {
  search_condition_list: { search_condition: OtmmSearchCondition[] };
}

/** The `facet_restriction_list` form field, as JSON (SEEN). A `null` in value_list means "no value". */
export interface OtmmFacetRestrictionList {
  facet_restriction_list: {
    facet_field_restriction: {
      type: string;
      /** `EXCLUDE`: this field's own facet is counted without this restriction (multi-select facets). */
      facet_generation_behavior?: string;
      field_id: string;
      value_list: (string | null)[];
    }[];
  };
}

/**
 * The `facet_field_request_list` form field, as JSON: which fields to facet on. CHOSEN (how a
 * real server selects facets, via a facet configuration or a request field, is NOT FOUND).
 */
export interface OtmmFacetFieldRequestList {
  facet_field_request_list: { facet_field_request: { type: string; field_id: string; max_values?: number }[] };
}

/** One facet of `facet_field_response_list`. Shape CHOSEN (NOT FOUND). */
export interface OtmmFacetFieldResponse {
  type: string;
  field_id: string;
  facet_value_list: { type: string; value: string | null; asset_count: number }[];
}

export interface OtmmSearchResult {
  asset_id_list: string[];
  hit_count: number;
  total_hit_count: number;
  offset: number;
  facet_field_response_list: OtmmFacetFieldResponse[];
  asset_group_count: number;
}

/** `search_result_resource` (SEEN pyxecm, Angular). */
export interface OtmmSearchResultResource {
  search_result_resource: { search_result: OtmmSearchResult; asset_list: OtmmAsset[] };
}

/** `data_load_request` query/form field, as JSON (SEEN pyxecm). */
export interface OtmmDataLoadRequest {
  data_load_request: {
    load_metadata?: boolean;
    load_asset_content_info?: boolean;
    load_thumbnail_info?: boolean;
    load_preview_info?: boolean;
    load_path?: boolean;
  };
}

// ------------------------------------------------------------------ containers and domains

/** `collection_resource.collection[]` items (SEEN Java wrapper: id, name, owner_name). */
export interface OtmmCollection {
  id: string;
  name: string;
  owner_name: string;
  description: string;
  asset_count: number;
}

/** Items of `folder_children.asset_list` and `assets_resource.asset_list` (SEEN: asset_id, name). */
export interface OtmmListItem {
  asset_id: string;
  name: string;
  /** `ARTESIA.CONTAINER.TYPE.FOLDER` for folders (INFERRED); absent for assets. */
  container_type_id?: string;
  mime_type?: string;
  date_last_updated?: string;
}

/** `lookup_domain_resource.lookup_domain` (SEEN pyxecm). */
export interface OtmmLookupDomain {
  domainId: string;
  datatype: string;
  domainValues: {
    display_value: string;
    field_value: { type: string; value: string };
    expired_value: boolean;
    active_from: string | null;
    active_to: string | null;
  }[];
}
