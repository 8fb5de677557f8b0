/**
 * The canonical model: the only shapes that leave `sources/`. Every connector maps its
 * vendor's wire format into these; nothing above `sources/` ever sees a vendor shape.
 *
 * Dates are ISO-8601 strings in UTC with a zone (`2026-01-19T06:57:04.000Z`); date-only
 * business dates (campaign start/end) are `YYYY-MM-DD`.
 */

/** The upstream systems Atrium reads. */
export type System = 'OTCS' | 'ICONIK' | 'NETX' | 'OTMM';
export const SYSTEMS: readonly System[] = ['OTCS', 'ICONIK', 'NETX', 'OTMM'];
/** The DAM systems among them. */
export type DamSystem = Exclude<System, 'OTCS'>;
export const DAM_SYSTEMS: readonly DamSystem[] = ['ICONIK', 'NETX', 'OTMM'];

export type Region = 'EMEA' | 'NA' | 'APAC' | 'LATAM';
export const REGIONS: readonly Region[] = ['EMEA', 'NA', 'APAC', 'LATAM'];
/** A territory is a region, or `WORLD` for everywhere. */
export type Territory = Region | 'WORLD';

export type CampaignStatus = 'PLANNED' | 'ACTIVE' | 'CLOSED';
export type AccountKind = 'PARTNER' | 'CUSTOMER';
export type Classification = 'PUBLIC' | 'PARTNER' | 'INTERNAL' | 'CONFIDENTIAL';
export const CLASSIFICATIONS: readonly Classification[] = ['PUBLIC', 'PARTNER', 'INTERNAL', 'CONFIDENTIAL'];
export type DocumentStatus = 'DRAFT' | 'IN_REVIEW' | 'APPROVED' | 'RELEASED' | 'ARCHIVED';
export const DOCUMENT_STATUSES: readonly DocumentStatus[] = ['DRAFT', 'IN_REVIEW', 'APPROVED', 'RELEASED', 'ARCHIVED'];
export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED';
export const APPROVAL_STATUSES: readonly ApprovalStatus[] = ['PENDING', 'APPROVED', 'REJECTED'];
export type RightsStatus = 'CLEARED' | 'RESTRICTED' | 'EXPIRED' | 'PENDING';
export const RIGHTS_STATUSES: readonly RightsStatus[] = ['CLEARED', 'RESTRICTED', 'EXPIRED', 'PENDING'];
export type AssetKind = 'IMAGE' | 'VIDEO' | 'AUDIO' | 'DOCUMENT' | 'TEMPLATE';
export const ASSET_KINDS: readonly AssetKind[] = ['IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'TEMPLATE'];
export type RenditionKind = 'THUMBNAIL' | 'PREVIEW' | 'WEB' | 'ORIGINAL';
export const RENDITION_KINDS: readonly RenditionKind[] = ['THUMBNAIL', 'PREVIEW', 'WEB', 'ORIGINAL'];
/** Channels an asset may be used in. Open vocabulary; these are the known ones. */
export const CHANNELS = ['partner', 'web', 'print', 'internal', 'social', 'broadcast'] as const;
export type WorkspaceType = 'Campaign' | 'Customer' | 'Partner';

/** Where a record came from: the system and its own id for it. */
export interface SourceRef {
  system: System;
  /** The vendor's id, as a string (Content Server node ids are numbers there). */
  nativeId: string;
  /** A link into the vendor's own UI or API, when the connector knows one. Never contains credentials. */
  url?: string;
}

/** An external business object a workspace stands for (a CRM account, a CRM campaign). */
export interface BusinessObject {
  system: string;
  type: string;
  id: string;
}

/**
 * The canonical metadata vocabulary of DESIGN.md. Each source carries these in its own
 * fields (Content Server category attributes, iconik metadata view fields, NetX attributes,
 * OTMM metadata fields); the mapping configuration says which (config/mapping.*.json).
 */
export interface CanonicalMetadata {
  campaignCode?: string;
  /** The CRM id of the account (its businessObject.id). */
  accountId?: string;
  project?: string;
  productLine?: string;
  region?: Region;
  classification?: Classification;
  status?: DocumentStatus;
  approval?: ApprovalStatus;
  rightsStatus?: RightsStatus;
  validFrom?: string;
  validUntil?: string;
  territories?: Territory[];
  channels?: string[];
  locale?: string;
  /** Content Server node id of the licence document an asset's rights come from. */
  licenceId?: string;
}
export const CANONICAL_FIELDS = [
  'campaignCode',
  'accountId',
  'project',
  'productLine',
  'region',
  'classification',
  'status',
  'approval',
  'rightsStatus',
  'validFrom',
  'validUntil',
  'territories',
  'channels',
  'locale',
  'licenceId',
] as const satisfies readonly (keyof CanonicalMetadata)[];
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];
/** Fields that hold lists of values. */
export const MULTI_VALUED_FIELDS: ReadonlySet<CanonicalField> = new Set(['territories', 'channels']);

export interface Member {
  email: string;
  name: string;
  role: string;
}

export interface Workspace {
  source: SourceRef;
  name: string;
  type: WorkspaceType;
  /** The campaign or account it stands for, when the source said (its category). */
  owner?: { campaignCode: string } | { accountId: string };
  businessObject: BusinessObject;
  team: Member[];
  createdAt: string;
  modifiedAt: string;
}

export interface Campaign {
  /** The campaign code (`CMP-2026-001`): the key assets use to join a campaign. */
  code: string;
  name: string;
  status: CampaignStatus;
  productLine: string;
  regions: Region[];
  startDate: string;
  endDate: string;
  openToAllPartners: boolean;
  /** CRM ids of the partner accounts the campaign is shared with. */
  audience: string[];
  project?: string;
  businessObject: BusinessObject;
  /** The Content Server node id of its business workspace. */
  workspaceId: string;
  /** The workspace itself, when the source returned it in the same answer. */
  workspace?: Workspace;
  source: SourceRef;
}

export interface Account {
  /** The CRM id (its businessObject.id). */
  id: string;
  name: string;
  kind: AccountKind;
  region: Region;
  businessObject: BusinessObject;
  workspaceId: string;
  /** The workspace itself, when the source returned it in the same answer. */
  workspace?: Workspace;
  source: SourceRef;
}

export interface Version {
  number: number;
  fileName: string;
  mimeType: string;
  size: number;
  createdAt: string;
  description?: string;
}

export interface Document {
  source: SourceRef;
  name: string;
  mimeType: string;
  size: number;
  /** Current version number. */
  version: number;
  status: DocumentStatus;
  classification: Classification;
  metadata: CanonicalMetadata;
  /** Node id of the business workspace that holds it (directly or in a folder). */
  workspaceId: string;
  parentId: string;
  createdAt: string;
  modifiedAt: string;
}

export interface Rendition {
  kind: RenditionKind;
  mimeType: string;
  width?: number;
  height?: number;
  size?: number;
  /**
   * The source's own reference to the bytes (a vendor path or URL). The gateway never hands
   * this to readers; it serves bytes through its own signed URLs.
   */
  ref: string;
}

/** Usage rights as a source states them (the DAM's own), or effective after narrowing. */
export interface Rights {
  status: RightsStatus;
  validFrom?: string;
  validUntil?: string;
  territories: Territory[];
  channels: string[];
  /** Content Server node id of the licence document these rights come from, if any. */
  licenceId?: string;
}

export interface Asset {
  source: SourceRef;
  title: string;
  kind: AssetKind;
  mimeType: string;
  approval: ApprovalStatus;
  rights: Rights;
  campaignCode?: string;
  accountId?: string;
  locale?: string;
  /** Native id of the master this asset is a locale variant of. */
  variantOf?: string;
  renditions: Rendition[];
  metadata: CanonicalMetadata;
  createdAt: string;
  modifiedAt: string;
}

/** One step of an approval workflow on a document (from Content Server workflow history). */
export interface Approval {
  step: string;
  decision: 'APPROVED' | 'REJECTED' | 'PENDING';
  actor: string;
  at: string;
  comment?: string;
  version?: number;
}

export interface Retention {
  /** RM classification (file plan) name and number. */
  classification: string;
  fileNumber?: string;
  /** Retention schedule (RSI) code and title. */
  schedule: string;
  scheduleTitle?: string;
  recordDate?: string;
  dispositionDate?: string;
  disposition?: string;
  status: string;
}

export interface Hold {
  id: string;
  name: string;
  type: string;
  reason: string;
  appliedAt?: string;
  removeAt?: string;
}

export interface AuditEntry {
  id: string;
  objectId: string;
  system: System;
  action: string;
  actor: string;
  at: string;
  detail?: string;
}

/**
 * A canonical filter: what a list or search asks for, in the canonical vocabulary. Each
 * connector translates it into its vendor's query so lists are filtered at the source.
 * Every present field narrows (AND across fields, OR within a list).
 */
export interface CanonicalFilter {
  /**
   * Owners. Given alone, each narrows; given together they mean "of any of these campaigns
   * or of any of these accounts" (an item belongs to a campaign or to an account).
   */
  campaignCodes?: string[];
  accountIds?: string[];
  /** Content Server workspace node ids (documents inside them, at any depth). */
  workspaceIds?: string[];
  classifications?: Classification[];
  statuses?: DocumentStatus[];
  approvals?: ApprovalStatus[];
  rightsStatuses?: RightsStatus[];
  kinds?: AssetKind[];
  /** Any of these channels. */
  channels?: string[];
  /** Any of these territories; an item marked `WORLD` matches every territory. */
  territories?: Territory[];
  /** Rights in force at this instant (validFrom <= t < validUntil, missing bounds open). */
  validAt?: string;
  /** Rights ending within [from, to). */
  validUntilBetween?: { from?: string; to?: string };
  locales?: string[];
  productLines?: string[];
  regions?: Region[];
  /** Full text over names, titles and descriptions. */
  text?: string;
  modifiedSince?: string;
}

export type SortField = 'relevance' | 'date' | 'name';
export interface Sort {
  field: SortField;
  direction: 'asc' | 'desc';
}

/**
 * A page request against one source: `first` items starting after the source's own opaque
 * cursor `after`, or at absolute position `offset` (0-based; cross-source search resumes each
 * source exactly where it stopped). Give one of the two, not both.
 */
export interface PageRequest {
  first: number;
  after?: string;
  offset?: number;
  sort?: Sort;
}

export interface Facet {
  field: CanonicalField | 'kind' | 'system' | 'mimeType';
  values: { value: string; count: number }[];
}

export interface Page<T> {
  items: T[];
  /** Total matching items at the source, across all pages. */
  total: number;
  /** Cursor for the next page, absent on the last. */
  next?: string;
  facets?: Facet[];
}

/** One change a source reports, for cache invalidation. */
export interface Change {
  system: System;
  kind: 'document' | 'workspace' | 'asset';
  nativeId: string;
  at: string;
  operation: 'create' | 'update' | 'delete';
}

export interface ChangeSet {
  changes: Change[];
  /** Pass back to get what changed after this set. */
  cursor: string;
}

/** Bytes of a rendition or a document version, streamed from the source. */
export interface Content {
  body: ReadableStream<Uint8Array>;
  mimeType: string;
  size?: number;
  fileName?: string;
}
