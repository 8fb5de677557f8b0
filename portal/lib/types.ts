/**
 * The small objects the data-access layer hands to pages: only what a page shows, never a
 * token or a gateway URL (downloads go through the portal's own /files routes).
 */

export interface Viewer {
  email: string;
  name: string;
  roles: string[];
  org: string | null;
  regions: string[];
}

export interface CampaignSummary {
  id: string;
  name: string;
  code: string;
  status: string;
  productLine: string;
  regions: string[];
  startDate: string;
  endDate: string;
}

export interface AccountSummary {
  id: string;
  name: string;
  kind: string;
  region: string;
  crmId: string;
}

export interface Rights {
  status: string;
  validFrom: string | null;
  validUntil: string | null;
  territories: string[];
  channels: string[];
  /** The ECM licence, when the reader may see it. */
  licence: { id: string; name: string } | null;
}

export interface AssetCard {
  id: string;
  title: string;
  kind: string;
  mimeType: string;
  approval: string;
  rights: Rights | null;
  hasThumbnail: boolean;
  modifiedAt: string;
}

export interface Rendition {
  kind: string;
  width: number | null;
  height: number | null;
  mimeType: string;
}

/** Usage terms of a licensed asset, derived from its effective rights. */
export interface Terms {
  /** Changes whenever the rights do, so a new licence asks for a new acceptance. */
  id: string;
  lines: string[];
}

export interface AssetDetail extends AssetCard {
  locale: string | null;
  renditions: Rendition[];
  campaign: { id: string; name: string; code: string } | null;
  account: { id: string; name: string } | null;
  variants: { id: string; title: string; locale: string | null }[];
  project: string | null;
  productLine: string | null;
  system: string;
  createdAt: string;
  /** Null when the asset carries no licence terms. */
  terms: Terms | null;
  termsAccepted: boolean;
}

export interface DocumentRow {
  id: string;
  name: string;
  mimeType: string;
  size: number;
  version: number;
  status: string;
  classification: string;
  modifiedAt: string;
  downloadable: boolean;
}

export type Hit = ({ type: 'document' } & DocumentRow) | ({ type: 'asset' } & AssetCard);

export interface Page<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}

export interface Facet {
  field: string;
  values: { value: string; count: number }[];
}

export interface CampaignDetail extends CampaignSummary {
  project: string | null;
  documents: Page<DocumentRow>;
  assets: Page<AssetCard>;
  missingSources: string[];
}

export interface AccountDetail extends AccountSummary {
  workspace: string | null;
  team: { name: string; role: string }[];
  documents: DocumentRow[];
  assets: AssetCard[];
  campaigns: { id: string; name: string }[];
}

export interface ExpiringAsset {
  id: string;
  title: string;
  validUntil: string;
}

export interface ComplianceOverview {
  expiringByMonth: { month: string; count: number }[];
  /** The first few waiting items; `kind` says where each one opens. */
  pendingApprovals: { id: string; name: string; kind: 'asset' | 'document' | 'other' }[];
  pendingTotal: number;
  holds: { documentId: string; documentName: string; hold: string; reason: string; appliedAt: string | null }[];
  downloadsByCompany: { company: string; name: string | null; count: number }[];
}
