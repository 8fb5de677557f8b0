/**
 * The data-access layer: the only module that reads the graph. Every exported function checks
 * the session first, asks the gateway with the signed-in reader's token (so the gateway's
 * access policy decides what exists for them), and returns small objects. Gateway URLs and
 * tokens never leave this module except as the upstream of the portal's /files routes.
 */
import 'server-only';
import { cache } from 'react';
import { redirect } from 'next/navigation';
import { UnauthenticatedError, gatewayFile, gatewayQuery, type Answer, type GatewayFile, type Outage } from './graphql.ts';
import { currentSession, type Session } from './session.ts';
import {
  ACCOUNT_FIELDS,
  ASSET_FIELDS,
  CAMPAIGN_FIELDS,
  DOCUMENT_FIELDS,
  RIGHTS_FIELDS,
  accountSummary,
  assetCard,
  campaignSummary,
  documentRow,
  hit,
  page,
  rights,
  type GqlAccount,
  type GqlAsset,
  type GqlCampaign,
  type GqlConnection,
  type GqlDocument,
  type GqlRights,
} from './shapes.ts';
import { hasAccepted, recordAcceptance, termsFor } from './terms.ts';
import type {
  AccountDetail,
  AccountSummary,
  AssetDetail,
  CampaignDetail,
  CampaignSummary,
  ComplianceOverview,
  ExpiringAsset,
  Facet,
  Hit,
  Page,
  Viewer,
} from './types.ts';

/** Page data with the source outages met while reading it. */
export interface WithOutages<T> {
  data: T;
  outages: Outage[];
}

const DAMS = ['ICONIK', 'NETX', 'OTMM'];
const DAY = 86_400_000;

/** The session, or off to the sign-in page. */
async function requireSession(): Promise<Session> {
  const session = await currentSession();
  if (!session) redirect('/signin');
  return session;
}

async function ask<T>(session: Session, query: string, variables: Record<string, unknown> = {}): Promise<Answer<T>> {
  try {
    return await gatewayQuery<T>(session.gatewayToken, query, variables);
  } catch (e) {
    if (e instanceof UnauthenticatedError) redirect('/signin?error=SessionExpired');
    throw e;
  }
}

const merge = (...lists: Outage[][]): Outage[] => {
  const out: Outage[] = [];
  for (const o of lists.flat()) if (!out.some((x) => x.source === o.source)) out.push(o);
  return out;
};

/** Whether the request carries a valid session (route handlers answer 401 instead of redirecting). */
export async function signedIn(): Promise<boolean> {
  return (await currentSession()) !== null;
}

/** Who is signed in, as the gateway knows them. Cached per request: the layout and the page ask once. */
export const getViewer = cache(async (): Promise<Viewer> => {
  const session = await requireSession();
  const { data } = await ask<{ viewer: Viewer }>(session, '{ viewer { email name roles org regions } }');
  return {
    email: data.viewer.email ?? session.email,
    name: data.viewer.name ?? session.name,
    roles: data.viewer.roles,
    org: data.viewer.org,
    regions: data.viewer.regions,
  };
});

export interface Home {
  campaigns: Page<CampaignSummary>;
  accounts: Page<AccountSummary>;
  latest: Hit[];
}

/** The home page: the reader's campaigns and accounts, and what changed last (who they are comes from `getViewer`). */
export async function getHome(): Promise<WithOutages<Home>> {
  const session = await requireSession();
  const { data, outages } = await ask<{
    campaigns: GqlConnection<GqlCampaign>;
    accounts: GqlConnection<GqlAccount>;
    latest: { nodes: (GqlAsset | GqlDocument)[] } | null;
  }>(
    session,
    `{
    campaigns(first: 24) { totalCount pageInfo { hasNextPage endCursor } nodes { ${CAMPAIGN_FIELDS} } }
    accounts(first: 24) { totalCount pageInfo { hasNextPage endCursor } nodes { ${ACCOUNT_FIELDS} } }
    latest: search(sort: DATE, first: 8) { nodes { __typename ... on Asset { ${ASSET_FIELDS} } ... on Document { ${DOCUMENT_FIELDS} } } }
  }`,
  );
  return {
    data: {
      campaigns: page(data.campaigns, campaignSummary),
      accounts: page(data.accounts, accountSummary),
      latest: (data.latest?.nodes ?? []).map(hit),
    },
    outages,
  };
}

/** Walk the reader's assets in force now, up to `maxPages` pages of 100, keeping their rights' end. */
async function scanExpiries(
  session: Session,
  maxPages: number,
): Promise<WithOutages<{ id: string; title: string; validUntil: string | null }[]>> {
  const out: { id: string; title: string; validUntil: string | null }[] = [];
  let outages: Outage[] = [];
  let after: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const answer: Answer<{
      search: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: { id?: string; title?: string; rights?: { validUntil: string | null } | null }[];
      };
    }> = await ask(
      session,
      `query Expiries($after: String, $filter: ContentFilter) { search(first: 100, after: $after, filter: $filter) {
        pageInfo { hasNextPage endCursor } nodes { ... on Asset { id title rights { validUntil } } } } }`,
      { after, filter: { systems: DAMS, validAt: new Date().toISOString() } },
    );
    outages = merge(outages, answer.outages);
    for (const n of answer.data.search.nodes)
      if (n.id && n.title) out.push({ id: n.id, title: n.title, validUntil: n.rights?.validUntil ?? null });
    if (!answer.data.search.pageInfo.hasNextPage) break;
    after = answer.data.search.pageInfo.endCursor;
  }
  return { data: out, outages };
}

/** The reader's assets whose rights end within `days`, soonest first. */
export async function getExpiringSoon(days = 60, limit = 6): Promise<WithOutages<ExpiringAsset[]>> {
  const session = await requireSession();
  const { data, outages } = await scanExpiries(session, 3);
  const now = Date.now();
  const soon = data
    .filter(
      (a): a is ExpiringAsset => a.validUntil !== null && Date.parse(a.validUntil) > now && Date.parse(a.validUntil) <= now + days * DAY,
    )
    .sort((a, b) => a.validUntil.localeCompare(b.validUntil))
    .slice(0, limit);
  return { data: soon, outages };
}

/** One campaign with its documents and a page of its assets; null when the reader may not see it. */
export async function getCampaign(id: string, after: string | null): Promise<WithOutages<CampaignDetail> | null> {
  const session = await requireSession();
  const { data, outages } = await ask<{
    campaign:
      | (GqlCampaign & {
          project: string | null;
          documents: GqlConnection<GqlDocument> | null;
          assets: (GqlConnection<GqlAsset> & { missingSources: string[] }) | null;
        })
      | null;
  }>(
    session,
    `query Campaign($id: ID!, $after: String) { campaign(id: $id) {
      ${CAMPAIGN_FIELDS} project
      documents(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { ${DOCUMENT_FIELDS} } }
      assets(first: 24, after: $after) { totalCount missingSources pageInfo { hasNextPage endCursor } nodes { ${ASSET_FIELDS} } }
    } }`,
    { id, after },
  );
  const c = data.campaign;
  if (!c) return null;
  return {
    data: {
      ...campaignSummary(c),
      project: c.project,
      documents: page(c.documents, documentRow),
      assets: page(c.assets, assetCard),
      missingSources: c.assets?.missingSources ?? [],
    },
    outages,
  };
}

interface GqlAssetDetail extends GqlAsset {
  locale: string | null;
  createdAt: string;
  metadata: { project: string | null; productLine: string | null };
  source: { system: string };
  renditions: { kind: string; width: number | null; height: number | null; mimeType: string }[];
  campaign: { id: string; name: string; code: string } | null;
  account: { id: string; name: string } | null;
  variants: { id: string; title: string; locale: string | null }[] | null;
}

/** One asset with its renditions, rights and terms; null when the reader may not see it. */
export async function getAsset(id: string): Promise<WithOutages<AssetDetail> | null> {
  const session = await requireSession();
  const { data, outages } = await ask<{ asset: GqlAssetDetail | null }>(
    session,
    `query Asset($id: ID!) { asset(id: $id) {
      ${ASSET_FIELDS} locale createdAt metadata { project productLine } source { system }
      renditions { kind width height mimeType }
      campaign { id name code } account { id name } variants { id title locale }
    } }`,
    { id },
  );
  const a = data.asset;
  if (!a) return null;
  const terms = termsFor(rights(a.rights));
  return {
    data: {
      ...assetCard(a),
      locale: a.locale,
      createdAt: a.createdAt,
      project: a.metadata.project,
      productLine: a.metadata.productLine,
      system: a.source.system,
      renditions: a.renditions.map((r) => ({ kind: r.kind, width: r.width, height: r.height, mimeType: r.mimeType })),
      campaign: a.campaign,
      account: a.account,
      variants: (a.variants ?? []).filter((v) => v.id !== a.id),
      terms,
      termsAccepted: terms ? await hasAccepted(session.email, a.id, terms.id) : true,
    },
    outages,
  };
}

/** Record that the reader accepted the current terms of an asset they may see; false when the asset or terms are gone or changed. */
export async function acceptTerms(assetId: string, termsId: string): Promise<boolean> {
  const session = await requireSession();
  const { data } = await ask<{ asset: { id: string; title: string; rights: GqlRights | null } | null }>(
    session,
    `query Terms($id: ID!) { asset(id: $id) { id title ${RIGHTS_FIELDS} } }`,
    { id: assetId },
  );
  const terms = data.asset ? termsFor(rights(data.asset.rights)) : null;
  if (!data.asset || !terms || terms.id !== termsId) return false;
  await recordAcceptance({
    at: new Date().toISOString(),
    email: session.email,
    assetId: data.asset.id,
    assetTitle: data.asset.title,
    termsId,
    licenceId: data.asset.rights?.licence?.id ?? null,
  });
  return true;
}

/**
 * One rendition's bytes for the reader, or why not: `missing` (no such asset or rendition for
 * them) or `terms` (a download of a licensed asset before its terms were accepted; thumbnails
 * and previews need no acceptance). The signed link is asked for fresh, so it never expires
 * on a page left open.
 */
export async function openRendition(assetId: string, kind: string): Promise<GatewayFile | 'missing' | 'terms'> {
  const session = await requireSession();
  const { data } = await ask<{
    asset: { id: string; rights: GqlRights | null; renditions: { kind: string; url: string | null }[] } | null;
  }>(session, `query Rendition($id: ID!) { asset(id: $id) { id ${RIGHTS_FIELDS} renditions { kind url } } }`, { id: assetId });
  const url = data.asset?.renditions.find((r) => r.kind === kind)?.url;
  if (!data.asset || !url) return 'missing';
  if (kind === 'WEB' || kind === 'ORIGINAL') {
    const terms = termsFor(rights(data.asset.rights));
    if (terms && !(await hasAccepted(session.email, data.asset.id, terms.id))) return 'terms';
  }
  return (await gatewayFile(session.gatewayToken, url)) ?? 'missing';
}

/** A document's current version for the reader, or null when they may not have it. */
export async function openDocument(documentId: string): Promise<GatewayFile | null> {
  const session = await requireSession();
  const { data } = await ask<{ document: { downloadUrl: string | null } | null }>(
    session,
    'query Doc($id: ID!) { document(id: $id) { downloadUrl } }',
    { id: documentId },
  );
  const url = data.document?.downloadUrl;
  return url ? gatewayFile(session.gatewayToken, url) : null;
}

export interface SearchParams {
  q: string;
  filter: Record<string, string[]>;
  sort: 'RELEVANCE' | 'DATE' | 'NAME';
  after: string | null;
}

export interface SearchResult {
  hits: Page<Hit>;
  facets: Facet[];
  missingSources: string[];
}

/** One search over documents and assets, with facets over everything the reader may see. */
export async function searchContent(p: SearchParams): Promise<WithOutages<SearchResult>> {
  const session = await requireSession();
  const filter = Object.keys(p.filter).length ? p.filter : null;
  const { data, outages } = await ask<{ search: GqlConnection<GqlAsset | GqlDocument> & { facets: Facet[]; missingSources: string[] } }>(
    session,
    `query Search($q: String, $filter: ContentFilter, $sort: SearchSort, $after: String) {
      search(query: $q, filter: $filter, sort: $sort, first: 20, after: $after) {
        totalCount missingSources pageInfo { hasNextPage endCursor } facets { field values { value count } }
        nodes { __typename ... on Asset { ${ASSET_FIELDS} } ... on Document { ${DOCUMENT_FIELDS} } }
      } }`,
    { q: p.q || null, filter, sort: p.sort, after: p.after },
  );
  return { data: { hits: page(data.search, hit), facets: data.search.facets, missingSources: data.search.missingSources }, outages };
}

/** The accounts the reader may see. */
export async function getAccounts(): Promise<WithOutages<Page<AccountSummary>>> {
  const session = await requireSession();
  const { data, outages } = await ask<{ accounts: GqlConnection<GqlAccount> }>(
    session,
    `{ accounts(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { ${ACCOUNT_FIELDS} } } }`,
  );
  return { data: page(data.accounts, accountSummary), outages };
}

/** One account's workspace: documents next to its media; null when the reader may not see it. */
export async function getAccount(id: string): Promise<WithOutages<AccountDetail> | null> {
  const session = await requireSession();
  const { data, outages } = await ask<{
    account:
      | (GqlAccount & {
          workspace: { name: string; team: { name: string; role: string }[] | null } | null;
          documents: GqlConnection<GqlDocument> | null;
          assets: GqlConnection<GqlAsset> | null;
          campaigns: { id: string; name: string }[] | null;
        })
      | null;
  }>(
    session,
    `query Account($id: ID!) { account(id: $id) {
      ${ACCOUNT_FIELDS} workspace { name team { name role } } campaigns { id name }
      documents(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { ${DOCUMENT_FIELDS} } }
      assets(first: 48) { totalCount pageInfo { hasNextPage endCursor } nodes { ${ASSET_FIELDS} } }
    } }`,
    { id },
  );
  const a = data.account;
  if (!a) return null;
  return {
    data: {
      ...accountSummary(a),
      workspace: a.workspace?.name ?? null,
      team: a.workspace?.team ?? [],
      documents: page(a.documents, documentRow).items,
      assets: page(a.assets, assetCard).items,
      campaigns: a.campaigns ?? [],
    },
    outages,
  };
}

interface GqlComplianceOverview {
  rightsExpiringByMonth: { month: string; count: number }[];
  pendingApprovals: { id: string; name: string }[];
  holds: { document: { id: string; name: string }; hold: { name: string; reason: string; appliedAt: string | null } }[];
  downloadsByCompany: { company: string; count: number }[];
}

const COMPLIANCE_OVERVIEW = `{ complianceOverview {
  rightsExpiringByMonth { month count } pendingApprovals { id name }
  holds { document { id name } hold { name reason appliedAt } } downloadsByCompany { company count } } }`;

/** The compliance dashboard, from the gateway's `complianceOverview` (figures from the audit store and the sources). */
export async function getComplianceOverview(): Promise<WithOutages<ComplianceOverview>> {
  const session = await requireSession();
  const { data, outages } = await ask<{ complianceOverview: GqlComplianceOverview }>(session, COMPLIANCE_OVERVIEW);
  const o = data.complianceOverview;
  const pending = o.pendingApprovals.slice(0, PENDING_SHOWN);
  const details = await describeOverview(
    session,
    pending.map((p) => p.id),
  );
  return {
    data: {
      expiringByMonth: o.rightsExpiringByMonth,
      pendingApprovals: pending.map((p) => ({ ...p, kind: details.kinds.get(p.id) ?? 'other' })),
      pendingTotal: o.pendingApprovals.length,
      holds: o.holds.map((h) => ({
        documentId: h.document.id,
        documentName: h.document.name,
        hold: h.hold.name,
        reason: h.hold.reason,
        appliedAt: h.hold.appliedAt,
      })),
      downloadsByCompany: o.downloadsByCompany.map((d) => ({ ...d, name: details.companies.get(d.company) ?? null })),
    },
    outages: merge(outages, details.outages),
  };
}

const PENDING_SHOWN = 12;

/**
 * What the overview's bare ids are: whether each pending item is an asset or a document (one
 * aliased `node` query), and the names of the companies behind the CRM ids.
 */
async function describeOverview(
  session: Session,
  ids: string[],
): Promise<{ kinds: Map<string, 'asset' | 'document' | 'other'>; companies: Map<string, string>; outages: Outage[] }> {
  const vars = Object.fromEntries(ids.map((id, i) => [`i${i}`, id]));
  const decl = ids.map((_, i) => `$i${i}: ID!`).join(', ');
  const fields = ids.map((_, i) => `n${i}: node(id: $i${i}) { __typename }`).join(' ');
  const { data, outages } = await ask<Record<string, { __typename?: string } | null> & { accounts: GqlConnection<GqlAccount> }>(
    session,
    `query Describe${decl ? `(${decl})` : ''} { ${fields} accounts(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { ${ACCOUNT_FIELDS} } } }`,
    vars,
  );
  const kinds = new Map<string, 'asset' | 'document' | 'other'>();
  ids.forEach((id, i) => {
    const t = (data[`n${i}`] as { __typename?: string } | null)?.__typename;
    kinds.set(id, t === 'Asset' ? 'asset' : t === 'Document' ? 'document' : 'other');
  });
  return { kinds, companies: new Map(data.accounts.nodes.map((a) => [a.businessObject.id, a.name])), outages };
}

/** The audit store's CSV export of audit events (compliance and admin), or null while the gateway has none or refuses. */
export async function openAuditCsv(): Promise<GatewayFile | null> {
  const session = await requireSession();
  return gatewayFile(session.gatewayToken, '/audit/events.csv');
}
