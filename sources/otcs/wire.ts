/**
 * Content Server REST wire shapes (vendor-apis.md §1), as the simulator emits them and the
 * client reads them. Tags in comments follow vendor-apis.md: SEEN/SPEC shapes are copied,
 * INFERRED ones are our choice and say so. The client never trusts these types: it narrows
 * every field it reads (map.ts), since real servers vary (results object vs list, zones).
 */

/** Node subtypes used here (vendor-apis §1.5, SEEN pyxecm constants). */
export const SUBTYPE = {
  folder: 0,
  document: 144,
  enterpriseVolume: 141,
  businessWorkspace: 848,
} as const;

/** A CS link object (`links.data.self`, `paging.actions.next`, result actions) (SEEN). */
export interface WireLink {
  body: string;
  content_type: string;
  href: string;
  method: string;
  name: string;
  form_href?: string;
}

/** v2 `data.properties` of a node (SEEN pyxecm get_node; a document adds mime_type/size). */
export interface NodeProperties {
  id: number;
  parent_id: number;
  name: string;
  type: number;
  type_name: string;
  description: string;
  create_date: string;
  modify_date: string;
  create_user_id: number;
  modify_user_id: number;
  owner_user_id: number;
  owner_group_id: number;
  container: boolean;
  container_size: number;
  mime_type: string | null;
  size: number;
  size_formatted: string;
  volume_id: number;
  [key: string]: unknown;
}

/** A version object (SEEN pyxecm). */
export interface VersionInfo {
  create_date: string;
  description: string;
  file_name: string;
  file_size: number;
  file_type: string;
  id: number;
  mime_type: string;
  modify_date: string;
  name: string;
  owner_id: number;
  version_id: number;
  version_number: number;
  [key: string]: unknown;
}

/** An ancestor entry, shaped like `GET /api/v1/nodes/{id}/ancestors` items [INFERRED keys]. */
export interface AncestorInfo {
  id: number;
  name: string;
  parent_id: number;
  type: number;
  type_name: string;
  volume_id: number;
}

/** Paging block of collection envelopes (SEEN). */
export interface Paging {
  limit: number;
  page: number;
  page_total: number;
  range_max: number;
  range_min: number;
  total_count: number;
  [key: string]: unknown;
}

/** The CS error body (vendor-apis §1.7); `statusCode` only with `suppress_response_codes`. */
export interface ErrorBody {
  error: string;
  errorDetail: string;
  statusCode?: number;
}

/** An audit event (SEEN pyxecm get_node_audit; `id` is the node id there, not an event id). */
export interface AuditEvent {
  id: number;
  event_type: number;
  audit_date: string;
  user_id: number;
  agent_id: number | null;
  audit_language_code: string | null;
  target_user_id: number | null;
  audit_name: string;
  user_id_expand?: WireUser;
}

/** A user as `expand=...{user_id}` and `GET /api/v1/auth` render it (SPEC auth_Data, trimmed). */
export interface WireUser {
  id: number;
  name: string;
  display_name: string;
  first_name: string;
  last_name: string;
  business_email: string | null;
  group_id: number;
  type: 0;
  type_name: 'User';
}

/** A legal hold (SEEN pyxecm, `GET /api/v2/holds`). */
export interface WireHold {
  HoldID: number;
  HoldName: string;
  ActiveHold: number;
  HoldType: string;
  HoldComment: string;
  DateApplied: string | null;
  DateToRemove: string | null;
  AlternateHoldID: string;
  ParentID: number | null;
}

/** One RM classification of a node (SEEN pyxecm, partly schematic; `name` INFERRED). */
export interface WireRmClassification {
  rmclassification_id: number;
  name: string;
  file_number: string;
  rsi: string | null;
  record_date: string | null;
  file_status: string;
  status_date: string | null;
  essential: string;
  official: boolean;
  storage: string;
}

/** A retention schedule (SEEN pyxecm `results.data.rsis[]`, schematic values). */
export interface WireRsi {
  RSIID: number;
  RSI: string;
  Title: string;
  RSIStatus: string;
  RetYears: number;
  RetMonths: number;
  RetDays: number;
  Disposition: string;
  ActionCode: number;
}

/** `results[].data.wfstatus` of the workflow status list (SEEN pyxecm, keys only). */
export interface WireWfStatus {
  process_id: number;
  subprocess_id: number;
  task_id: number | null;
  status_key: string;
  step_name: string;
  wf_name: string;
  date_initiated: string;
  due_date: string | null;
  assignee: { id: number; name: string }[];
  parallel_steps: unknown[];
}

/**
 * One step of `step_list.{completed,current,next}` in a process status. The step object's
 * keys are [NOT FOUND] in any public source; these are our choice, documented in README.md.
 */
export interface WireWfStep {
  task_id: number;
  title: string;
  /** `Approve`, `Reject`, or null while the step is open. */
  disposition: string | null;
  user_id: number;
  user_name: string;
  user_email: string | null;
  date: string;
  comment: string;
  version_number: number | null;
}

// ---------------------------------------------------------------- Business Workspaces (§2)

/** Top-level paging of business-workspace listings (§2.2): the collection paging, plus a link to the next page. */
export type WirePaging = Pick<Paging, 'limit' | 'page' | 'page_total' | 'range_max' | 'range_min' | 'total_count'> & {
  actions?: { next?: WireLink };
};

/** `data.properties` of a workspace in a listing or a GET by id. */
export interface WireWorkspaceProperties {
  id: number;
  name: string;
  type: number;
  type_name: string;
  parent_id: number;
  volume_id: number;
  [key: string]: unknown;
}

/** `data.business_properties` (§2.1). */
export interface WireBusinessProperties {
  business_object_id: string;
  business_object_type: string;
  business_object_type_id: number;
  business_object_type_name: string;
  display_url: string;
  external_system_id: string;
  external_system_name: string;
  has_default_display: boolean;
  has_default_search: boolean;
  isEarly: boolean;
  workspace_type_id: number;
  workspace_type_name: string;
  workspace_type_widget_icon_content: string;
}

/** One entry of `data.workspace_references` (§2.1). */
export interface WireWorkspaceReference {
  business_object_id: string;
  business_object_type: string;
  business_object_type_id: number;
  external_system_id: string;
  has_default_display: boolean;
  has_default_search: boolean;
  workspace_type_id: number;
}

/** A Content Server user as members endpoints return it (`results[].data.properties`). */
export interface WireMember {
  id: number;
  name: string;
  display_name: string;
  first_name: string;
  last_name: string;
  business_email: string;
  group_id: number;
  type: 0;
  type_name: 'User';
  deleted: boolean;
  photo_url: string;
}

/** `data.properties` of a workspace role (§2.4). */
export interface WireRoleProperties {
  description: string | null;
  id: number;
  inherited_from_id: number | null;
  leader: number | null;
  name: string;
  perms: string[] | null;
}

/** One role of a workspace (§2.4), members present when asked for. */
export interface WireRole {
  actions: { data: Record<string, WireLink>; map: Record<string, string>; order: string[] };
  data: { properties: WireRoleProperties; members?: WireMember[] };
}

/** Values of one or more categories, keyed `{categoryId}_{attributeId}`. */
export type WireCategoryValues = Record<string, string | number | boolean | null | (string | number | null)[]>;

/** A workspace as listings (`results[]`) and the GET by id (`results`) carry it. */
export interface WireWorkspaceItem {
  actions: { data: Record<string, WireLink>; map: Record<string, string>; order: string[] };
  data: {
    properties: WireWorkspaceProperties;
    business_properties?: WireBusinessProperties;
    /** One flat key map per category, as the v2 node categories carry them. */
    categories?: WireCategoryValues[];
    workspace_references?: WireWorkspaceReference[];
    wksp_info?: { wksp_type_icon: string | null };
    /** INFERRED extension (`fields=roles`): the workspace team, as §2.4 roles with members. */
    roles?: WireRole[];
  };
  metadata?: Record<string, unknown>;
  metadata_order?: { categories: string[] };
}

/** The business-workspace listing envelope (§2.2). */
export interface WireWorkspaceList {
  links: { data: { self?: WireLink } };
  paging: WirePaging;
  meta_data: { properties: Record<string, unknown> };
  results: WireWorkspaceItem[];
  wksp_info: { wksp_type_icon: string | null };
}
