/**
 * Every read of the graph, checked against the reader (DESIGN.md, Access policy v1).
 *
 * Resolvers never load a campaign, account, workspace, document or asset except through here.
 * Each read (1) asks the source with the policy's pushdown merged into the reader's filter, so
 * pages, totals and facets already leave out what the reader may not see, and (2) checks every
 * object before returning it. What the reader may not see does not exist for them: `null`
 * by id, absent from lists.
 */
import type {
  Account,
  Asset,
  Campaign,
  CanonicalFilter,
  DamSystem,
  Document,
  Facet,
  Page,
  PageRequest,
  Sort,
  System,
  Workspace,
} from '../sources/model.ts';
import { DAM_SYSTEMS } from '../sources/model.ts';
import type { AccountQuery, CampaignQuery } from '../sources/ports.ts';
import type { Loaders } from './loaders.ts';
import type { Principal } from './principal.ts';
import {
  accountDecision,
  accountPushdown,
  assetDecision,
  assetPushdown,
  campaignDecision,
  campaignPushdown,
  documentDecision,
  documentPushdown,
  explainDecision,
  isMember,
  mergeAccountQuery,
  mergeCampaignQuery,
  mergeFilters,
  NOT_CONFIDENTIAL,
  PARTNER_DOCUMENTS,
  ROLE_ORDER,
  type AccessTarget,
  type AssetOwners,
  type Decision,
  type DocumentOwner,
} from './policy.ts';
import { effectiveRights, type EffectiveRights } from './rights.ts';
import { isSourceFailure } from './guard.ts';
import { findAll, type ScopedSources } from './sources.ts';

/** Largest list of owners the gateway resolves for a search's pushdown. */
const OWNER_LIST = 1000;

/** One independently paged part of a search: a source asked with one filter. */
export interface SearchStream {
  id: string;
  system: System;
  find(page: PageRequest): Promise<Page<Document | Asset>>;
}

export interface OwnerRef {
  kind: 'campaign' | 'account';
  campaign?: Campaign;
  account?: Account;
}

const emptyPage = <T>(): Page<T> => ({ items: [], total: 0 });

/**
 * The reader's own owner filter kept within the owners they see: lists intersect, and an owner
 * kind the reader did not ask for is left out (asking for campaigns means campaigns only).
 */
function withinOwners(filter: CanonicalFilter, codes: string[], accountIds: string[]): CanonicalFilter | 'empty' {
  const asked = filter.campaignCodes !== undefined || filter.accountIds !== undefined;
  const c = filter.campaignCodes ? filter.campaignCodes.filter((x) => codes.includes(x)) : asked ? [] : codes;
  const a = filter.accountIds ? filter.accountIds.filter((x) => accountIds.includes(x)) : asked ? [] : accountIds;
  if (c.length + a.length === 0) return 'empty';
  const { campaignCodes: _c, accountIds: _a, ...rest } = filter;
  return { ...rest, ...(c.length ? { campaignCodes: c } : {}), ...(a.length ? { accountIds: a } : {}) };
}

/** Facets over assets the reader sees (the fields the DAMs facet on). */
function assetFacets(assets: readonly Asset[]): Facet[] {
  const fields: [Facet['field'], (a: Asset) => (string | undefined)[]][] = [
    ['kind', (a) => [a.kind]],
    ['approval', (a) => [a.approval]],
    ['rightsStatus', (a) => [a.rights.status]],
    ['campaignCode', (a) => [a.campaignCode]],
    ['locale', (a) => [a.locale]],
  ];
  return fields
    .map(([field, of]) => {
      const counts = new Map<string, number>();
      for (const a of assets) for (const v of of(a)) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
      return {
        field,
        values: [...counts].map(([value, count]) => ({ value, count })).sort((x, y) => y.count - x.count || x.value.localeCompare(y.value)),
      };
    })
    .filter((f) => f.values.length > 0);
}

export class Access {
  private readonly campaignOk = new Map<string, boolean>();
  private readonly accountOk = new Map<string, Promise<boolean>>();

  constructor(
    readonly principal: Principal | null,
    private readonly loaders: Loaders,
    private readonly sources: ScopedSources,
    private readonly now: () => number,
  ) {}

  // ------------------------------------------------------------ owners

  /** Whether the reader sees a campaign. */
  campaignVisible(c: Campaign): boolean {
    let ok = this.campaignOk.get(c.code);
    if (ok === undefined) {
      ok = campaignDecision(this.principal, c).allowed;
      this.campaignOk.set(c.code, ok);
    }
    return ok;
  }

  /** The team of a campaign's or account's workspace (embedded when the listing carried it). */
  private async teamOf(owner: Campaign | Account): Promise<Workspace['team']> {
    return (owner.workspace ?? (await this.loaders.workspace.load(owner.workspaceId)))?.team ?? [];
  }

  /** Whether the reader sees an account (membership decides for sales). */
  accountVisible(a: Account): Promise<boolean> {
    let ok = this.accountOk.get(a.id);
    if (!ok) {
      ok = this.teamOf(a).then((team) => accountDecision(this.principal, a, team).allowed);
      this.accountOk.set(a.id, ok);
    }
    return ok;
  }

  /** A campaign by code, if the reader sees it. */
  async campaign(code: string): Promise<Campaign | null> {
    const c = await this.loaders.campaign.load(code);
    return c && this.campaignVisible(c) ? c : null;
  }

  /** An account by CRM id, if the reader sees it. */
  async account(id: string): Promise<Account | null> {
    const a = await this.loaders.account.load(id);
    return a && (await this.accountVisible(a)) ? a : null;
  }

  /** Many campaigns by code, those the reader sees, in order. */
  async campaigns(codes: readonly string[]): Promise<Campaign[]> {
    const got = await this.loaders.campaign.loadMany(codes);
    return got.filter((c): c is Campaign => !!c && !(c instanceof Error) && this.campaignVisible(c));
  }

  /** Many accounts by id, those the reader sees, in order. */
  async accounts(ids: readonly string[]): Promise<Account[]> {
    const got = (await this.loaders.account.loadMany(ids)).filter((a): a is Account => !!a && !(a instanceof Error));
    const ok = await Promise.all(got.map((a) => this.accountVisible(a)));
    return got.filter((_, i) => ok[i]);
  }

  /** The campaign or account a workspace stands for. */
  private async ownerOfWorkspace(ws: Workspace): Promise<OwnerRef | null> {
    const o = ws.owner;
    if (!o) return null;
    if ('campaignCode' in o) {
      const campaign = await this.loaders.campaign.load(o.campaignCode);
      return campaign ? { kind: 'campaign', campaign } : null;
    }
    const account = await this.loaders.account.load(o.accountId);
    return account ? { kind: 'account', account } : null;
  }

  private async ownerVisible(owner: OwnerRef): Promise<boolean> {
    if (owner.campaign) return this.campaignVisible(owner.campaign);
    if (owner.account) return this.accountVisible(owner.account);
    return false;
  }

  /** A workspace by node id, if the reader sees the campaign or account it stands for. */
  async workspace(nodeId: string): Promise<Workspace | null> {
    const ws = await this.loaders.workspace.load(nodeId);
    if (!ws) return null;
    const owner = await this.ownerOfWorkspace(ws);
    return owner && (await this.ownerVisible(owner)) ? ws : null;
  }

  // ------------------------------------------------------------ documents

  /** The owner and its team for a document (from its canonical metadata). */
  private async documentContext(d: Document): Promise<{ owner: DocumentOwner; team: Workspace['team'] } | null> {
    if (d.metadata.campaignCode) {
      const campaign = await this.loaders.campaign.load(d.metadata.campaignCode);
      if (!campaign || campaign.workspaceId !== d.workspaceId) return null;
      return { owner: { kind: 'campaign', campaign, visible: this.campaignVisible(campaign) }, team: await this.teamOf(campaign) };
    }
    if (d.metadata.accountId) {
      const account = await this.loaders.account.load(d.metadata.accountId);
      if (!account || account.workspaceId !== d.workspaceId) return null;
      return { owner: { kind: 'account', account, visible: await this.accountVisible(account) }, team: await this.teamOf(account) };
    }
    return null;
  }

  private async documentAllowed(d: Document): Promise<Decision> {
    // Admin and compliance see every document; no owner lookup is needed to say so.
    if (this.principal?.roles.some((r) => r === 'admin' || r === 'compliance'))
      return { allowed: true, rule: 'all-documents: this reader sees every document' };
    let c: Awaited<ReturnType<Access['documentContext']>>;
    try {
      c = await this.documentContext(d);
    } catch (e) {
      if (isSourceFailure(e))
        return { allowed: false, rule: 'document.owner.unavailable: the campaign or account it belongs to cannot be read now' };
      throw e;
    }
    if (!c) return { allowed: false, rule: 'document.owner: the document names no campaign or account it belongs to' };
    return documentDecision(this.principal, d, c.owner, c.team);
  }

  /** The documents the reader may see, in order. */
  async checkDocuments(docs: readonly Document[]): Promise<Document[]> {
    const ok = await Promise.all(docs.map((d) => this.documentAllowed(d)));
    return docs.filter((_, i) => ok[i]?.allowed);
  }

  /** A document by node id, if the reader sees it. */
  async document(nodeId: string): Promise<Document | null> {
    const d = await this.loaders.document.load(nodeId);
    return d && (await this.documentAllowed(d)).allowed ? d : null;
  }

  /** Documents of a campaign or account workspace: pushdown, then the per-object check. */
  async documentsOf(owner: OwnerRef, filter: CanonicalFilter): Promise<Document[]> {
    const o = owner.campaign ?? owner.account;
    if (!o || !(await this.ownerVisible(owner))) return [];
    const member = !!this.principal && isMember(this.principal, await this.teamOf(o));
    const merged = mergeFilters(filter, documentPushdown(this.principal, owner.kind, member));
    if (merged === 'empty') return [];
    return this.checkDocuments(await this.loaders.documentsIn.load({ owner: o.workspaceId, filter: merged }));
  }

  // ------------------------------------------------------------ assets

  /**
   * Effective rights of an asset now (narrowed by its ECM licence). A licence whose source fails
   * leaves the DAM's own rights, marked unverified (the answer names the failing source); never
   * throws for a source's failure, so one source's outage never nulls another's asset.
   */
  async rights(a: Asset): Promise<EffectiveRights> {
    let licence: Awaited<ReturnType<Loaders['document']['load']>> | undefined | 'unreadable';
    try {
      licence = a.rights.licenceId ? await this.loaders.document.load(a.rights.licenceId) : undefined;
    } catch (e) {
      if (!isSourceFailure(e)) throw e;
      licence = 'unreadable';
    }
    return effectiveRights(a.rights, licence, this.now());
  }

  /** Readers the policy lets see every asset (admin, compliance, marketing) need no owner or licence lookups. */
  private seesAllAssets(): boolean {
    return !!this.principal?.roles.some((r) => r === 'admin' || r === 'compliance' || r === 'marketing');
  }

  private async assetAllowed(a: Asset, full = false): Promise<Decision> {
    if (!full && this.seesAllAssets()) return { allowed: true, rule: 'all-assets: this reader sees every asset' };
    try {
      const [rights, campaign, account] = await Promise.all([
        this.rights(a),
        a.campaignCode ? this.loaders.campaign.load(a.campaignCode) : null,
        a.accountId ? this.loaders.account.load(a.accountId) : null,
      ]);
      const owners: AssetOwners = {
        ...(campaign ? { campaign: { campaign, visible: this.campaignVisible(campaign) } } : {}),
        ...(account ? { account: { account, visible: await this.accountVisible(account) } } : {}),
      };
      return assetDecision(this.principal, a, rights, owners, this.now());
    } catch (e) {
      // The owners live in the ECM: when it fails, what depends on them is withheld (fail closed).
      if (isSourceFailure(e))
        return { allowed: false, rule: 'asset.owner.unavailable: the campaign or account it belongs to cannot be read now' };
      throw e;
    }
  }

  /** The assets the reader may see, in order. */
  async checkAssets(assets: readonly Asset[]): Promise<Asset[]> {
    const ok = await Promise.all(assets.map((a) => this.assetAllowed(a)));
    return assets.filter((_, i) => ok[i]?.allowed);
  }

  /** An asset by native id, if the reader sees it. */
  async asset(system: DamSystem, nativeId: string): Promise<Asset | null> {
    const a = await this.loaders.asset[system].load(nativeId);
    return a && (await this.assetAllowed(a)).allowed ? a : null;
  }

  /** The asset filter for this reader, or 'empty'. */
  assetFilter(filter: CanonicalFilter): CanonicalFilter | 'empty' {
    return mergeFilters(filter, assetPushdown(this.principal, this.now()));
  }

  /** One DAM's assets of a campaign or account: pushdown, then the per-object check. Rejects when the DAM fails. */
  async assetsOf(system: DamSystem, owner: OwnerRef, filter: CanonicalFilter | 'empty'): Promise<Asset[]> {
    const o = owner.campaign ?? owner.account;
    if (!o || filter === 'empty' || !(await this.ownerVisible(owner))) return [];
    const key = owner.campaign ? owner.campaign.code : (owner.account as Account).id;
    return this.checkAssets(await this.loaders.assetsOf.load({ system, by: owner.kind, owner: key, filter }));
  }

  // ------------------------------------------------------------ lists

  /** Campaigns the reader sees, a page. */
  async listCampaigns(query: CampaignQuery, page: PageRequest): Promise<Page<Campaign>> {
    const merged = mergeCampaignQuery(query, campaignPushdown(this.principal));
    if (merged === 'empty') return emptyPage();
    const res = await this.sources.ecm.listCampaigns(merged, page);
    for (const c of res.items) this.loaders.campaign.prime(c.code, c);
    const items = res.items.filter((c) => this.campaignVisible(c));
    return { ...res, items, total: res.total - (res.items.length - items.length) };
  }

  /** Accounts the reader sees, a page. */
  async listAccounts(query: AccountQuery, page: PageRequest): Promise<Page<Account>> {
    const merged = mergeAccountQuery(query, accountPushdown(this.principal));
    if (merged === 'empty') return emptyPage();
    const res = await this.sources.ecm.listAccounts(merged, page);
    for (const a of res.items) this.loaders.account.prime(a.id, a);
    const ok = await Promise.all(res.items.map((a) => this.accountVisible(a)));
    const items = res.items.filter((_, i) => ok[i]);
    return { ...res, items, total: res.total - (res.items.length - items.length) };
  }

  /**
   * The accounts a campaign is shared with, as the reader sees them: for a campaign open to all
   * partners every partner account (listed once per request, however many campaigns ask), else
   * its audience.
   */
  private visiblePartners?: Promise<Account[]>;
  accountsOf(c: Campaign): Promise<Account[]> {
    if (!c.openToAllPartners) return this.accounts(c.audience);
    this.visiblePartners ??= this.listAccounts({ kinds: ['PARTNER'] }, { first: OWNER_LIST }).then((p) => p.items);
    return this.visiblePartners;
  }

  /** Every campaign the reader sees (up to OWNER_LIST), listed once per request. */
  private visibleCampaigns?: Promise<Campaign[]>;
  private allVisibleCampaigns(): Promise<Campaign[]> {
    this.visibleCampaigns ??= this.listCampaigns({}, { first: OWNER_LIST }).then((p) => p.items);
    return this.visibleCampaigns;
  }

  /**
   * Campaigns the reader sees that are shared with an account (for partner accounts, also those
   * open to all partners). Filters the request's one listing, so `accounts { campaigns }` costs
   * one upstream request however many accounts there are.
   */
  async campaignsOf(a: Account): Promise<Campaign[]> {
    return (await this.allVisibleCampaigns()).filter((c) => c.audience.includes(a.id) || (a.kind === 'PARTNER' && c.openToAllPartners));
  }

  /** Every campaign and account the reader sees (for search's owner pushdown), memoized. */
  private owners?: Promise<{ campaigns: Campaign[]; accounts: Account[] }>;
  private visibleOwners(): Promise<{ campaigns: Campaign[]; accounts: Account[] }> {
    this.owners ??= Promise.all([this.allVisibleCampaigns(), this.listAccounts({}, { first: OWNER_LIST })]).then(([campaigns, a]) => ({
      campaigns,
      accounts: a.items,
    }));
    return this.owners;
  }

  /**
   * The streams a search asks: for each source, filters whose union is exactly what the reader
   * may see and which never overlap (so totals add up). Readers who see everything get one
   * stream per source; the rest are confined to the campaigns and accounts they see, and
   * confidential documents to the workspaces they are on the team of.
   */
  async searchStreams(filter: CanonicalFilter, systems: System[], sort: Sort): Promise<SearchStream[]> {
    const p = this.principal;
    if (!p) return [];
    // Several roles: the most permissive one shapes the streams; the per-hit check is the union.
    const top = ROLE_ORDER.find((r) => p.roles.includes(r));
    if (!top) return [];
    const streams: SearchStream[] = [];
    const docStream = (id: string, f: CanonicalFilter | 'empty') => {
      if (f === 'empty' || !systems.includes('OTCS')) return;
      streams.push({ id, system: 'OTCS', find: (page) => this.sources.ecm.findDocuments(f, { ...page, sort }, { facets: true }) });
    };
    const assetStreams = (f: CanonicalFilter | 'empty') => {
      if (f === 'empty') return;
      for (const s of DAM_SYSTEMS) {
        if (systems.includes(s))
          streams.push({ id: s, system: s, find: (page) => this.sources.dams[s].findAssets(f, { ...page, sort }, { facets: true }) });
      }
    };
    if (top === 'admin' || top === 'compliance') {
      docStream('OTCS', filter);
      assetStreams(filter);
      return streams;
    }
    let owners: { campaigns: Campaign[]; accounts: Account[] };
    try {
      owners = await this.visibleOwners();
    } catch (e) {
      if (!isSourceFailure(e)) throw e;
      // The ECM cannot say which campaigns and accounts this reader sees: marketing still sees
      // every DAM asset; for the others whatever depends on those owners is withheld.
      if (top !== 'marketing') return [];
      const policy = assetPushdown(p, this.now());
      if (policy !== 'empty') assetStreams(mergeFilters(filter, policy));
      return streams;
    }
    const { campaigns, accounts } = owners;
    const teams = await Promise.all([...campaigns, ...accounts].map((o) => this.teamOf(o)));
    const memberWs = [...campaigns, ...accounts].filter((_, i) => isMember(p, teams[i] ?? [])).map((o) => o.workspaceId);
    const scoped =
      top === 'marketing'
        ? filter
        : withinOwners(
            filter,
            campaigns.map((c) => c.code),
            accounts.map((a) => a.id),
          );
    if (scoped === 'empty') return [];
    if (top === 'partner') {
      docStream('OTCS', mergeFilters(scoped, PARTNER_DOCUMENTS));
    } else {
      // Non-confidential documents of what they see, plus confidential ones of their teams' workspaces.
      docStream('OTCS', mergeFilters(scoped, { classifications: [...NOT_CONFIDENTIAL] }));
      const teamWs = filter.workspaceIds ? memberWs.filter((w) => filter.workspaceIds?.includes(w)) : memberWs;
      if (teamWs.length) docStream('OTCS#team', mergeFilters({ ...scoped, workspaceIds: teamWs }, { classifications: ['CONFIDENTIAL'] }));
    }
    const assetPolicy = assetPushdown(p, this.now());
    if (assetPolicy === 'empty') return streams;
    const assetFilter = mergeFilters(scoped, assetPolicy);
    if (top !== 'partner') {
      assetStreams(assetFilter);
      return streams;
    }
    // A DAM cannot see the ECM licence that narrows a partner's rights, nor the exact second
    // rights end: for partners the gateway counts, facets and pages what its own check lets through.
    if (assetFilter === 'empty') return streams;
    for (const s of DAM_SYSTEMS) {
      if (!systems.includes(s)) continue;
      streams.push({ id: s, system: s, find: (page) => this.checkedPage(s, assetFilter, page, sort) });
    }
    return streams;
  }

  /** Every asset of a DAM for a filter, checked, then paged here: totals and facets count only what the reader sees. */
  private async checkedPage(system: DamSystem, filter: CanonicalFilter, page: PageRequest, sort: Sort): Promise<Page<Asset>> {
    const all = await findAll((p) => this.sources.dams[system].findAssets(filter, { ...p, sort }));
    const visible = await this.checkAssets(all);
    const start = page.offset ?? 0;
    return { items: visible.slice(start, start + page.first), total: visible.length, facets: assetFacets(visible) };
  }

  /** The searchable hits the reader may see (the final check on search results). */
  async checkHits(hits: readonly (Document | Asset)[]): Promise<(Document | Asset)[]> {
    const ok = await Promise.all(hits.map((h) => ('title' in h ? this.assetAllowed(h) : this.documentAllowed(h))));
    return hits.filter((_, i) => ok[i]?.allowed);
  }

  // ------------------------------------------------------------ explain

  /** The decision for another reader `as` on an object (for explainAccess). */
  async explain(
    as: Principal | null,
    target:
      | { kind: 'campaign'; code: string }
      | { kind: 'account'; id: string }
      | { kind: 'document'; nodeId: string }
      | { kind: 'asset'; system: DamSystem; nativeId: string },
  ): Promise<Decision | null> {
    const other = new Access(as, this.loaders, this.sources, this.now);
    const now = this.now();
    let t: AccessTarget;
    switch (target.kind) {
      case 'campaign': {
        const campaign = await this.loaders.campaign.load(target.code);
        if (!campaign) return null;
        t = { kind: 'campaign', campaign };
        break;
      }
      case 'account': {
        const account = await this.loaders.account.load(target.id);
        if (!account) return null;
        t = { kind: 'account', account, team: await this.teamOf(account) };
        break;
      }
      case 'document': {
        const document = await this.loaders.document.load(target.nodeId);
        if (!document) return null;
        const c = await other.documentContext(document);
        if (!c) return { allowed: false, rule: 'document.owner: the document names no campaign or account it belongs to' };
        t = { kind: 'document', document, owner: c.owner, team: c.team };
        break;
      }
      case 'asset': {
        const asset = await this.loaders.asset[target.system].load(target.nativeId);
        if (!asset) return null;
        return other.assetAllowed(asset, true);
      }
    }
    return explainDecision(as, t, now);
  }
}
