/**
 * The demo world as the policy sees it: demo records adapted to the canonical model, readers as
 * principals, effective rights at the world's day, and an INDEPENDENT oracle that restates
 * DESIGN.md's access table in the plainest terms (it shares no code with access/policy).
 */
import { testWorld } from './world.ts';
import type { DemoAccount, DemoAsset, DemoCampaign, DemoDocument, DemoMember, DemoUser } from '../../simulators/demo/world.ts';
import type { Account, Asset, Campaign, CanonicalFilter, Document, Member, Rights } from '../../sources/model.ts';
import type { Principal } from '../../access/principal.ts';
import { effectiveRights, type EffectiveRights } from '../../access/rights.ts';

export const world = testWorld();
/** The world's "now": midnight UTC of its day. */
export const NOW = world.asOf;

export const principalOf = (u: DemoUser): Principal => ({
  id: u.email,
  email: u.email,
  name: u.name,
  roles: [...u.roles],
  regions: [...u.regions],
  ...(u.org ? { org: u.org } : {}),
});
export const users = world.demoUsers();
export const user = (email: string): DemoUser => {
  const u = users.find((x) => x.email === email);
  if (!u) throw new Error(`no demo user ${email}`);
  return u;
};

export const campaignOf = (c: DemoCampaign): Campaign => ({
  code: c.code,
  name: c.name,
  status: c.status,
  productLine: c.productLine,
  regions: [...c.regions],
  startDate: c.startDate,
  endDate: c.endDate,
  openToAllPartners: c.openToAllPartners,
  audience: [...c.audience],
  project: c.project,
  businessObject: c.businessObject,
  workspaceId: String(c.workspaceId),
  source: { system: 'OTCS', nativeId: String(c.workspaceId) },
});
export const accountOf = (a: DemoAccount): Account => ({
  id: a.id,
  name: a.name,
  kind: a.kind,
  region: a.region,
  businessObject: a.businessObject,
  workspaceId: String(a.workspaceId),
  source: { system: 'OTCS', nativeId: String(a.workspaceId) },
});
export const documentOf = (d: DemoDocument): Document => ({
  source: { system: 'OTCS', nativeId: String(d.nodeId) },
  name: d.name,
  mimeType: d.mimeType,
  size: d.size,
  version: d.versions.length,
  status: d.status,
  classification: d.classification,
  metadata: { ...d.metadata },
  workspaceId: String(d.workspaceId),
  parentId: String(d.parentId),
  createdAt: d.createdAt,
  modifiedAt: d.modifiedAt,
});
export const assetOf = (a: DemoAsset): Asset => ({
  source: { system: a.system, nativeId: a.nativeId },
  title: a.title,
  kind: a.kind,
  mimeType: a.mimeType,
  approval: a.approval,
  rights: { ...a.rights, territories: [...a.rights.territories], channels: [...a.rights.channels] },
  ...(a.campaignCode ? { campaignCode: a.campaignCode } : {}),
  ...(a.accountId ? { accountId: a.accountId } : {}),
  ...(a.locale ? { locale: a.locale } : {}),
  renditions: [],
  metadata: {},
  createdAt: a.createdAt,
  modifiedAt: a.modifiedAt,
});
export const teamOf = (t: readonly DemoMember[]): Member[] => t.map(({ email, name, role }) => ({ email, name, role }));

/** The ECM licence an asset's rights cite: the document, `null` when it does not exist, `undefined` when none. */
export function licenceOf(rights: Rights): Document | null | undefined {
  if (!rights.licenceId) return undefined;
  const node = world.node(Number(rights.licenceId));
  return node?.kind === 'document' ? documentOf(node.document) : null;
}
export const rightsAt = (a: Asset, now: number): EffectiveRights => effectiveRights(a.rights, licenceOf(a.rights), now);

export interface CampaignRow {
  demo: DemoCampaign;
  campaign: Campaign;
  team: Member[];
}
export interface AccountRow {
  demo: DemoAccount;
  account: Account;
  team: Member[];
}
export type Owner = { kind: 'campaign'; row: CampaignRow } | { kind: 'account'; row: AccountRow };
export interface DocumentRow {
  demo: DemoDocument;
  document: Document;
  owner: Owner;
}
export interface AssetRow {
  demo: DemoAsset;
  asset: Asset;
  rights: EffectiveRights;
  campaign?: CampaignRow;
  account?: AccountRow;
}

export const campaigns: CampaignRow[] = [...world.campaigns()].map((c) => ({
  demo: c,
  campaign: campaignOf(c),
  team: teamOf(world.campaignWorkspace(c).team),
}));
export const accounts: AccountRow[] = [...world.accounts()].map((a) => ({
  demo: a,
  account: accountOf(a),
  team: teamOf(world.accountWorkspace(a).team),
}));
const campaignByCode = new Map(campaigns.map((r) => [r.campaign.code, r]));
const accountById = new Map(accounts.map((r) => [r.account.id, r]));

export const documents: DocumentRow[] = [...world.documents()].map((d) => {
  const ws = world.workspaceOf(d.workspaceId);
  if (!ws) throw new Error(`document ${d.nodeId} has no workspace`);
  const owner: Owner =
    ws.kind === 'campaign'
      ? { kind: 'campaign', row: campaignByCode.get(ws.campaign.code) as CampaignRow }
      : { kind: 'account', row: accountById.get(ws.account.id) as AccountRow };
  return { demo: d, document: documentOf(d), owner };
});

export const assets: AssetRow[] = [...world.assets()].map((a) => {
  const asset = assetOf(a);
  const campaign = a.campaignCode ? campaignByCode.get(a.campaignCode) : undefined;
  const account = a.accountId ? accountById.get(a.accountId) : undefined;
  return { demo: a, asset, rights: rightsAt(asset, NOW), ...(campaign ? { campaign } : {}), ...(account ? { account } : {}) };
});

// ------------------------------------------------------------------ the oracle (DESIGN.md table)

type OracleRole = DemoUser['roles'][number];
const isOn = (u: DemoUser, team: readonly Member[]) => team.some((m) => m.email === u.email);
const shareRegion = (a: readonly string[], b: readonly string[]) => a.some((x) => b.includes(x));

function seesCampaignAs(role: OracleRole, u: DemoUser, c: Campaign): boolean {
  if (role === 'admin' || role === 'compliance' || role === 'marketing') return true;
  if (role === 'sales') return c.status === 'ACTIVE' || c.status === 'CLOSED';
  return c.status === 'ACTIVE' && (c.openToAllPartners || c.audience.includes(u.org ?? '')) && shareRegion(c.regions, u.regions) && !!u.org;
}
function seesAccountAs(role: OracleRole, u: DemoUser, a: Account, team: readonly Member[]): boolean {
  if (role === 'admin' || role === 'compliance' || role === 'marketing') return true;
  if (role === 'sales') return isOn(u, team);
  return !!u.org && a.id === u.org;
}

/** A reader sees a campaign when any of their roles does. */
export const oracleCampaign = (u: DemoUser, c: Campaign): boolean => u.roles.some((r) => seesCampaignAs(r, u, c));
export const oracleAccount = (u: DemoUser, r: AccountRow): boolean => u.roles.some((role) => seesAccountAs(role, u, r.account, r.team));

export function oracleDocument(u: DemoUser, r: DocumentRow): boolean {
  const d = r.document;
  const team = r.owner.row.team;
  return u.roles.some((role) => {
    if (role === 'admin' || role === 'compliance') return true;
    if (role === 'marketing') return !(d.classification === 'CONFIDENTIAL' && !isOn(u, team));
    if (role === 'sales') {
      if (r.owner.kind === 'account') return seesAccountAs('sales', u, r.owner.row.account, team);
      return seesCampaignAs('sales', u, r.owner.row.campaign) && (d.classification !== 'CONFIDENTIAL' || isOn(u, team));
    }
    const ownerOk = r.owner.kind === 'campaign' ? seesCampaignAs('partner', u, r.owner.row.campaign) : r.owner.row.account.id === u.org;
    return (d.classification === 'PUBLIC' || d.classification === 'PARTNER') && d.status === 'RELEASED' && ownerOk;
  });
}

export function oracleAsset(u: DemoUser, r: AssetRow, rights: EffectiveRights = r.rights): boolean {
  return u.roles.some((role) => {
    if (role === 'admin' || role === 'compliance' || role === 'marketing') return true;
    const campaignOk = !!r.campaign && seesCampaignAs(role, u, r.campaign.campaign);
    const accountOk = !!r.account && seesAccountAs(role, u, r.account.account, r.account.team);
    if (role === 'sales') return r.asset.approval === 'APPROVED' && (campaignOk || accountOk);
    return (
      r.asset.approval === 'APPROVED' &&
      rights.inForce &&
      (rights.territories.includes('WORLD') || shareRegion(rights.territories, u.regions)) &&
      rights.channels.includes('partner') &&
      (campaignOk || accountOk)
    );
  });
}

// ------------------------------------------------------------------ a CanonicalFilter matcher

/** What a source sees of an item: its own values, before any ECM licence narrows them. */
export interface Item {
  classification?: string;
  status?: string;
  approval?: string;
  kind?: string;
  rightsStatus?: string;
  territories?: readonly string[];
  channels?: readonly string[];
  validFrom?: string;
  validUntil?: string;
}
export const docItem = (d: Document): Item => ({ classification: d.classification, status: d.status });
export const assetItem = (a: Asset): Item => ({
  approval: a.approval,
  kind: a.kind,
  rightsStatus: a.rights.status,
  territories: a.rights.territories,
  channels: a.rights.channels,
  ...(a.rights.validFrom ? { validFrom: a.rights.validFrom } : {}),
  ...(a.rights.validUntil ? { validUntil: a.rights.validUntil } : {}),
});

/**
 * CanonicalFilter semantics (sources/model.ts): AND across fields, any-of within a list,
 * territories any-of with `WORLD` on the item matching all, validAt within [validFrom, validUntil)
 * with missing bounds open. A field this matcher does not know fails loudly, so a pushdown that
 * grows a field cannot pass unchecked.
 */
export function matches(f: CanonicalFilter, it: Item): boolean {
  for (const [key, value] of Object.entries(f)) {
    if (value === undefined) continue;
    const oneOf = (v: string | undefined) => v !== undefined && (value as string[]).includes(v);
    switch (key) {
      case 'classifications':
        if (!oneOf(it.classification)) return false;
        break;
      case 'statuses':
        if (!oneOf(it.status)) return false;
        break;
      case 'approvals':
        if (!oneOf(it.approval)) return false;
        break;
      case 'kinds':
        if (!oneOf(it.kind)) return false;
        break;
      case 'rightsStatuses':
        if (!oneOf(it.rightsStatus)) return false;
        break;
      case 'channels':
        if (!(it.channels ?? []).some((c) => (value as string[]).includes(c))) return false;
        break;
      case 'territories': {
        const t = it.territories ?? [];
        if (!(t.includes('WORLD') || t.some((x) => (value as string[]).includes(x)))) return false;
        break;
      }
      case 'validAt': {
        const at = Date.parse(value as string);
        if (it.validFrom && Date.parse(it.validFrom) > at) return false;
        if (it.validUntil && Date.parse(it.validUntil) <= at) return false;
        break;
      }
      case 'validUntilBetween': {
        const { from, to } = value as { from?: string; to?: string };
        if (!it.validUntil) return false;
        const u = Date.parse(it.validUntil);
        if ((from && u < Date.parse(from)) || (to && u >= Date.parse(to))) return false;
        break;
      }
      default:
        throw new Error(`matcher does not know filter field ${key}`);
    }
  }
  return true;
}
