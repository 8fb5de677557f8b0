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
