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
  Approval,
  Asset,
  AuditEntry,
  Campaign,
  CanonicalFilter,
  ChangeSet,
  Content,
  DamSystem,
  Document,
  Hold,
  Page,
  PageRequest,
  RenditionKind,
  Retention,
  System,
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
