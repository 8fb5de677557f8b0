/**
 * GraphQL selections the data-access layer asks for, and the pure functions that turn the
 * gateway's answers into the portal's small objects (types.ts).
 */
import type { AccountSummary, AssetCard, CampaignSummary, DocumentRow, Hit, Page, Rights } from './types.ts';

export const CAMPAIGN_FIELDS = 'id name code status productLine regions startDate endDate';
export const ACCOUNT_FIELDS = 'id name kind region businessObject { id }';
export const RIGHTS_FIELDS = 'rights { status validFrom validUntil territories channels licence { id name } }';
export const ASSET_FIELDS = `id title kind mimeType modifiedAt approval { status } ${RIGHTS_FIELDS} renditions { kind }`;
export const DOCUMENT_FIELDS = 'id name mimeType size version status classification modifiedAt downloadUrl';

export interface GqlCampaign {
  id: string;
  name: string;
  code: string;
  status: string;
  productLine: string;
  regions: string[];
  startDate: string;
  endDate: string;
}
export interface GqlAccount {
  id: string;
  name: string;
  kind: string;
  region: string;
  businessObject: { id: string };
}
export interface GqlRights {
  status: string;
  validFrom: string | null;
  validUntil: string | null;
  territories: string[];
  channels: string[];
  licence: { id: string; name: string } | null;
}
export interface GqlAsset {
  __typename?: 'Asset';
  id: string;
  title: string;
  kind: string;
  mimeType: string;
  modifiedAt: string;
  approval: { status: string };
  rights: GqlRights | null;
  renditions: { kind: string }[];
}
export interface GqlDocument {
  __typename?: 'Document';
  id: string;
  name: string;
  mimeType: string;
  size: number;
  version: number;
  status: string;
  classification: string;
  modifiedAt: string;
  downloadUrl: string | null;
}
export interface GqlConnection<T> {
  nodes: T[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export const campaignSummary = (c: GqlCampaign): CampaignSummary => ({
  id: c.id,
  name: c.name,
  code: c.code,
  status: c.status,
  productLine: c.productLine,
  regions: c.regions,
  startDate: c.startDate,
  endDate: c.endDate,
});

export const accountSummary = (a: GqlAccount): AccountSummary => ({
  id: a.id,
  name: a.name,
  kind: a.kind,
  region: a.region,
  crmId: a.businessObject.id,
});

export const rights = (r: GqlRights | null): Rights | null =>
  r && {
    status: r.status,
    validFrom: r.validFrom,
    validUntil: r.validUntil,
    territories: r.territories,
    channels: r.channels,
    licence: r.licence ? { id: r.licence.id, name: r.licence.name } : null,
  };

export const assetCard = (a: GqlAsset): AssetCard => ({
  id: a.id,
  title: a.title,
  kind: a.kind,
  mimeType: a.mimeType,
  approval: a.approval.status,
  rights: rights(a.rights),
  hasThumbnail: a.renditions.some((r) => r.kind === 'THUMBNAIL'),
  modifiedAt: a.modifiedAt,
});

export const documentRow = (d: GqlDocument): DocumentRow => ({
  id: d.id,
  name: d.name,
  mimeType: d.mimeType,
  size: d.size,
  version: d.version,
  status: d.status,
  classification: d.classification,
  modifiedAt: d.modifiedAt,
  downloadable: d.downloadUrl !== null,
});

export const hit = (n: GqlAsset | GqlDocument): Hit =>
  n.__typename === 'Document' ? { type: 'document', ...documentRow(n as GqlDocument) } : { type: 'asset', ...assetCard(n as GqlAsset) };

/** A page of small objects from a connection (null when a source left it out). */
export function page<G, T>(c: GqlConnection<G> | null | undefined, map: (g: G) => T): Page<T> {
  if (!c) return { items: [], total: 0, nextCursor: null };
  return { items: c.nodes.map(map), total: c.totalCount, nextCursor: c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null };
}
