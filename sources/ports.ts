/**
 * The ports: what each connector offers the layers above, in canonical terms only.
 *
 * Batch contract (DESIGN.md "one upstream request per source per level"): every method that
 * takes a list of keys answers them with ONE upstream request where the vendor allows it,
 * and returns results in the order and length of its keys (`null` for a missing key), so a
 * DataLoader can use it directly.
 */
import type {
  Account,
  AccountKind,
  Approval,
  ApprovalStatus,
  Asset,
  AuditEntry,
  BusinessObject,
  Campaign,
  CampaignStatus,
  CanonicalFilter,
  CanonicalMetadata,
  Classification,
  ChangeSet,
  Content,
  DamSystem,
  Document,
  DocumentStatus,
  Hold,
  Page,
  PageRequest,
  Region,
  RenditionKind,
  Retention,
  RightsStatus,
  System,
  Territory,
  Version,
  Workspace,
} from './model.ts';

/** Health of one source, as its client last saw it. */
export interface SourceHealth {
  system: System;
  ok: boolean;
  latencyMs?: number;
  /** A short, public reason (never a URL, token or stack). */
  message?: string;
}

export interface SourceClient {
  readonly system: System;
  /** One cheap authenticated call; throws a typed UpstreamError when the source is not usable. */
  ping(): Promise<SourceHealth>;
  /** What changed since `cursor` (start from `undefined`: changes since the client was created). */
  changesSince(cursor?: string): Promise<ChangeSet>;
}

/** Content Server with Extended ECM Business Workspaces. */
export interface EcmSource extends SourceClient {
  readonly system: 'OTCS';
  /** Campaign workspaces matching the filter (campaignCodes, statuses of campaigns via `campaignStatuses`). */
  listCampaigns(filter: CampaignQuery, page: PageRequest): Promise<Page<Campaign>>;
  /** Campaigns by code, in key order. */
  getCampaigns(codes: readonly string[]): Promise<(Campaign | null)[]>;
  listAccounts(filter: AccountQuery, page: PageRequest): Promise<Page<Account>>;
  /** Accounts by CRM id, in key order. */
  getAccounts(ids: readonly string[]): Promise<(Account | null)[]>;
  /** Workspaces by node id, in key order (with their teams). */
  getWorkspaces(ids: readonly string[]): Promise<(Workspace | null)[]>;
  /** Documents by node id, in key order: one `POST /api/v2/nodes/list`. */
  getDocuments(ids: readonly string[]): Promise<(Document | null)[]>;
  /** Documents matching the filter (typically `workspaceIds` plus policy filters), via search; facets when asked. */
  findDocuments(filter: CanonicalFilter, page: PageRequest, opts?: { facets?: boolean }): Promise<Page<Document>>;
  getVersions(documentId: string): Promise<Version[]>;
  /** Streams the bytes of a version (latest when omitted). */
  openContent(documentId: string, version?: number): Promise<Content>;
  getApprovals(documentId: string): Promise<Approval[]>;
  getRetention(documentId: string): Promise<Retention | null>;
  getHolds(documentId: string): Promise<Hold[]>;
  getAudit(documentId: string): Promise<AuditEntry[]>;
}

/**
 * Writes into Content Server (issue 14), one vendor step each. None is retried by the client
 * (they are not idempotent); a caller that does not know whether a step happened looks first
 * (`findWorkspace`, `findDocument`) rather than repeating it. Failures are typed UpstreamErrors;
 * a name or business object that already exists is CONFLICT.
 */
export interface EcmWrites {
  /** The workspace of a business object (ext system, type, id), or null: the check before a create is repeated. */
  findWorkspace(bo: BusinessObject): Promise<Workspace | null>;
  /** Create a business workspace from its type's template (its folders and team roles come with it), with its categories. */
  createWorkspace(draft: WorkspaceDraft): Promise<Workspace>;
  /** Bring a workspace's name, business-object reference and categories in line with `draft`. */
  updateWorkspace(workspaceId: string, draft: WorkspaceDraft): Promise<Workspace>;
  /** A document of that exact name directly in a folder, or null: the check before an upload is repeated. */
  findDocument(folderId: string, name: string): Promise<Document | null>;
  /** Upload a new document (multipart, the bytes streamed) with its categories. */
  uploadDocument(draft: DocumentDraft): Promise<Document>;
  /** Add a version to a document (multipart, streamed); returns the document at its new version. */
  addVersion(documentId: string, content: UploadContent): Promise<Document>;
  /** Apply a records-management classification (a retention category of the file plan, by name or id). */
  classify(documentId: string, retention: string): Promise<void>;
  /** The folders of a workspace (from its template), by name: where documents are filed. */
  folders(workspaceId: string): Promise<{ id: string; name: string }[]>;
  /** Delete a document (a write taken back: an upload whose retention could not be applied). */
  deleteDocument(documentId: string): Promise<void>;
}

/**
 * What a change feed polls in Content Server (issue 15), which has no outbound events: nodes by
 * modify date and a node's audit since an instant. Typed UpstreamErrors like every read.
 */
export interface EcmChangeReads {
  /** Workspaces and documents modified at or after `since`, oldest first; `more` when a page cap cut the list. */
  modifiedSince(since: string, maxPages?: number): Promise<{ nodes: ModifiedNode[]; more: boolean }>;
  /** A node's audit rows at or after `since`, oldest first, with the vendor's event type ids. */
  auditSince(nodeId: string, since: string): Promise<AuditRow[]>;
}

/** A node whose modify date moved. */
export interface ModifiedNode {
  id: string;
  kind: 'document' | 'workspace';
  createdAt: string;
  modifiedAt: string;
}

/** One audit row as the vendor records it: event type id and name, when, by whom, and a stable key. */
export interface AuditRow {
  eventType: number;
  name: string;
  at: string;
  userId: string;
  /** Stable for the same row (node, instant, type, user): the vendor gives rows no id. */
  key: string;
}

/** A campaign as its system of record describes it, for its workspace's categories. */
export interface CampaignDraft {
  code: string;
  name: string;
  status?: CampaignStatus;
  productLine?: string;
  regions?: Region[];
  startDate?: string;
  endDate?: string;
  openToAllPartners?: boolean;
  /** CRM ids of the accounts it is shared with. */
  audience?: string[];
}

/** An account (customer or partner) as its system of record describes it. */
export interface AccountDraft {
  /** The CRM id (its business object id). */
  id: string;
  name: string;
  kind: AccountKind;
  region?: Region;
  /** Who owns it in the CRM (email). */
  owner?: string;
}

/** What a business workspace is made from: its business object and what it stands for. */
export type WorkspaceDraft =
  | { kind: 'campaign'; businessObject: BusinessObject; campaign: CampaignDraft }
  | { kind: 'account'; businessObject: BusinessObject; account: AccountDraft };

/** Bytes to upload: streamed, never held whole. */
export interface UploadContent {
  fileName: string;
  mimeType: string;
  /** Length in bytes when known. */
  size?: number;
  body: ReadableStream<Uint8Array>;
}

/** A document to file: where, what, and the metadata applied at creation. */
export interface DocumentDraft extends UploadContent {
  /** The folder (node id) it goes in. */
  folderId: string;
  /** Its name in the ECM (defaults to the file name). */
  name?: string;
  classification?: Classification;
  status?: DocumentStatus;
  campaignCode?: string;
  accountId?: string;
  productLine?: string;
  region?: Region;
}

export interface CampaignQuery {
  codes?: string[];
  statuses?: Campaign['status'][];
  regions?: Campaign['regions'];
  /** Campaigns whose audience includes this account, or that are open to all partners. */
  audienceIncludes?: string;
  productLines?: string[];
  text?: string;
}

export interface AccountQuery {
  ids?: string[];
  kinds?: Account['kind'][];
  regions?: Account['region'][];
  /** Accounts whose workspace team includes this email. */
  memberEmail?: string;
  text?: string;
}

/** A DAM: iconik, NetX, or OTMM. */
export interface DamSource extends SourceClient {
  readonly system: DamSystem;
  /** Assets by native id, in key order: one upstream request. */
  getAssets(ids: readonly string[]): Promise<(Asset | null)[]>;
  /** Assets matching a canonical filter, filtered at the source, with facets when asked. */
  findAssets(filter: CanonicalFilter, page: PageRequest, opts?: { facets?: boolean }): Promise<Page<Asset>>;
  /** Streams a rendition's bytes from the source. */
  openRendition(assetId: string, kind: RenditionKind): Promise<Content>;
}

/**
 * The canonical fields Atrium writes back to a DAM asset (issue 16), each into the field the
 * mapping names for it (config/mapping.*.json). `null` (or an empty list) clears the field.
 * Dates are ISO date-times; lists are written whole (overwrite).
 */
export interface DamFieldValues {
  approval?: ApprovalStatus;
  rightsStatus?: RightsStatus;
  validFrom?: string | null;
  validUntil?: string | null;
  territories?: Territory[];
  channels?: string[];
}

/**
 * Writes to a DAM (issue 16: rights write-back), through the vendor's own write API. Every method
 * is idempotent: writing the same values again, removing what is out or adding what is in changes
 * nothing and does not fail. Errors are UpstreamError like the reads' (sources/http/errors.ts):
 * a refused write that waiting will not cure (an unknown field, a value not allowed, a method the
 * server does not have) is `BAD_REQUEST`, `FORBIDDEN` or `NOT_FOUND`; a lock held by another
 * user `CONFLICT`; a transient failure `UNAVAILABLE` or `RATE_LIMITED` (retryable).
 */
export interface DamWrites {
  /** Overwrite the given canonical fields on an asset (the others are left as they are). */
  writeFields(assetId: string, values: DamFieldValues): Promise<void>;
  /**
   * The distribution containers (the partner-facing collections or folders the connector is
   * configured with) the asset is in now; [] when none is configured.
   */
  distributionOf(assetId: string): Promise<string[]>;
  /** Take the asset out of these containers (one it is not in: no error). */
  removeFromDistribution(assetId: string, containers: readonly string[]): Promise<void>;
  /** Put the asset (back) into these containers (one it is in already: no error). */
  addToDistribution(assetId: string, containers: readonly string[]): Promise<void>;
}

/** A review to start in Content Server (issue 16 §3): a workflow over documents, with its form filled. */
export interface ReviewDraft {
  /** Node id of the workflow map to start (configured). */
  workflowId: string;
  /** Documents to attach (e.g. the assets' preview renditions filed in the workspace). */
  documentIds: string[];
  /** The process title; it carries `key`, by which a process already started is found again. */
  title: string;
  /** Idempotency key of the review (at most 64 characters of [A-Za-z0-9_-]). */
  key: string;
  dueDate?: string;
  /** Workflow attribute values by form id (`WorkflowForm_<n>`), e.g. the DAM asset references. */
  values?: Record<string, string>;
  comment?: string;
}

/** Where a review process stands, and its decision once completed. */
export interface ReviewStatus {
  processId: string;
  state: 'RUNNING' | 'COMPLETED' | 'STOPPED';
  /** The decision of a completed review (its last task's disposition, or a configured attribute). */
  decision?: 'APPROVED' | 'REJECTED';
  comment?: string;
  /** Who decided (login name or user id as Content Server gives it). */
  actor?: string;
  decidedAt?: string;
}

/** Content Server workflows for reviews (`vendor-apis-writes.md` §2.6). */
export interface EcmReviews {
  /** Start a review: draft process over the documents → form values → initiate. */
  startReview(draft: ReviewDraft): Promise<{ processId: string }>;
  /** A process already started for this review key (look before starting again), or null. */
  findReview(key: string): Promise<{ processId: string } | null>;
  /** The process's state and, once completed, its decision. */
  reviewStatus(processId: string): Promise<ReviewStatus>;
}

/** What an asset published into a DAM carries: canonical fields (the mapping's) and a title. */
export type PublishFields = Partial<Omit<CanonicalMetadata, 'licenceId'>> & { title?: string };

/** A file to publish (its bytes streamed, never held whole by the caller). */
export interface PublishFile {
  fileName: string;
  mimeType: string;
  size: number;
  body: ReadableStream<Uint8Array>;
}

/** Publishing approved content into a DAM (issue 16 §4). Idempotent by the external key. */
export interface DamPublish {
  /** The native id of the asset published from this external key (e.g. `otcs:<nodeId>`), or null. */
  findPublished(externalKey: string): Promise<string | null>;
  /** Create an asset from a file, with the fields and the external key (in `container`, when given); its native id. */
  publish(externalKey: string, file: PublishFile, fields: PublishFields, container?: string): Promise<string>;
  /** Replace the asset's original with a new file (a new version of the same asset, not a second asset), and update its fields. */
  replaceOriginal(assetId: string, file: PublishFile, fields: PublishFields): Promise<void>;
}
