/**
 * The naive peer's resolvers: what a team hand-writing this graph gets. Every field calls its
 * source directly, once per parent object: no DataLoader, no batching, no de-duplication, no
 * cache, no access policy. They use the project's own connectors (sources/<system>/client.ts)
 * and small helpers (ids, connection arguments, effective rights), so what differs from Atrium
 * is the batching and caching strategy (and Atrium's policy work, which the peer skips).
 */
import type { Account, Asset, Campaign, DamSystem, Document, Rendition, Workspace } from '../../../sources/model.ts';
import type { DamSource, EcmSource } from '../../../sources/ports.ts';
import { effectiveRights } from '../../../access/rights.ts';
import { checkFirst, decodeOffset, offsetCursor } from '../../../resolvers/connection.ts';
import { campaignQuery, contentFilter, damSystems, type CampaignFilterInput, type ContentFilterInput } from '../../../resolvers/filters.ts';
import { accountId, assetId, campaignId, decodeId, documentId, workspaceId } from '../../../access/ids.ts';
import { compareAssets } from '../../../resolvers/merge.ts';
import { DateScalar, DateTime } from '../../../resolvers/scalars.ts';
import { naiveSearch, type SearchArgs } from './search.ts';

/** What every naive resolver gets: the raw connectors, nothing per request. */
export interface NaiveContext {
  sources: { ecm: EcmSource; dams: Record<DamSystem, DamSource> };
}

interface ListArgs {
  first?: number | null;
  after?: string | null;
}
interface ContentArgs extends ListArgs {
  filter?: ContentFilterInput | null;
}

const one = async <T>(p: Promise<(T | null)[]>): Promise<T | null> => (await p)[0] ?? null;

function pageOf<T>(items: T[], total: number, offset: number) {
  const edges = items.map((node, i) => ({ cursor: offsetCursor(offset + i), node }));
  return {
    edges,
    nodes: items,
    pageInfo: { hasNextPage: offset + items.length < total, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: total,
  };
}

/** Each DAM asked for its own page of the owner's assets, merged and cut in the gateway. */
async function assetsOf(
  ctx: NaiveContext,
  filter: ContentFilterInput | null | undefined,
  scope: { campaignCodes?: string[]; accountIds?: string[] },
  args: ListArgs,
) {
  const first = checkFirst(args.first);
  const offset = decodeOffset(args.after);
  const pages = await Promise.all(
    damSystems(filter).map((s) => ctx.sources.dams[s].findAssets({ ...contentFilter(filter), ...scope }, { first: offset + first })),
  );
  const all = pages.flatMap((p) => p.items).sort(compareAssets);
  const total = pages.reduce((n, p) => n + p.total, 0);
  return { ...pageOf(all.slice(offset, offset + first), total, offset), missingSources: [] };
}

async function documentsIn(ctx: NaiveContext, workspace: string, args: ContentArgs) {
  const first = checkFirst(args.first);
  const offset = decodeOffset(args.after);
  const page = await ctx.sources.ecm.findDocuments({ ...contentFilter(args.filter), workspaceIds: [workspace] }, { first, offset });
  return pageOf(page.items, page.total, offset);
}

const campaignByAnyId = (id: string, ctx: NaiveContext) => {
  const d = decodeId(id);
  const code = d?.kind === 'Campaign' ? d.code : d ? null : id;
  return code ? one(ctx.sources.ecm.getCampaigns([code])) : null;
};

/** The resolver map for the project's SDL (fields not listed resolve by property). */
export function naiveResolvers() {
  return {
    DateTime,
    Date: DateScalar,
    Query: {
      campaigns: async (_: unknown, args: ListArgs & { filter?: CampaignFilterInput | null }, ctx: NaiveContext) => {
        const offset = decodeOffset(args.after);
        const page = await ctx.sources.ecm.listCampaigns(campaignQuery(args.filter), { first: checkFirst(args.first), offset });
        return pageOf(page.items, page.total, offset);
      },
      campaign: (_: unknown, { id }: { id: string }, ctx: NaiveContext) => campaignByAnyId(id, ctx),
      asset: (_: unknown, { id }: { id: string }, ctx: NaiveContext) => {
        const d = decodeId(id);
        return d?.kind === 'Asset' ? one(ctx.sources.dams[d.system].getAssets([d.nativeId])) : null;
      },
      document: (_: unknown, { id }: { id: string }, ctx: NaiveContext) => {
        const d = decodeId(id);
        return d?.kind === 'Document' ? one(ctx.sources.ecm.getDocuments([d.nodeId])) : null;
      },
      account: (_: unknown, { id }: { id: string }, ctx: NaiveContext) => {
        const d = decodeId(id);
        const crm = d?.kind === 'Account' ? d.accountId : d ? null : id;
        return crm ? one(ctx.sources.ecm.getAccounts([crm])) : null;
      },
      search: (_: unknown, args: SearchArgs, ctx: NaiveContext) => naiveSearch(ctx, args),
    },
    SearchResult: { __resolveType: (n: { __typename?: string }) => n.__typename ?? null },
    Node: { __resolveType: (n: { __typename?: string }) => n.__typename ?? null },
    Campaign: {
      id: (c: Campaign) => campaignId(c.code),
      workspace: (c: Campaign, _: unknown, ctx: NaiveContext) => one(ctx.sources.ecm.getWorkspaces([c.workspaceId])),
      documents: (c: Campaign, args: ContentArgs, ctx: NaiveContext) => documentsIn(ctx, c.workspaceId, args),
      assets: (c: Campaign, args: ContentArgs, ctx: NaiveContext) => assetsOf(ctx, args.filter, { campaignCodes: [c.code] }, args),
      // One lookup per audience member: the N+1 a hand-written resolver makes.
      accounts: async (c: Campaign, _: unknown, ctx: NaiveContext) => {
        if (c.openToAllPartners) return (await ctx.sources.ecm.listAccounts({ kinds: ['PARTNER'] }, { first: 100 })).items;
        const found = await Promise.all(c.audience.map((id) => one(ctx.sources.ecm.getAccounts([id]))));
        return found.filter((a): a is Account => !!a);
      },
    },
    Account: {
      id: (a: Account) => accountId(a.id),
      workspace: (a: Account, _: unknown, ctx: NaiveContext) => one(ctx.sources.ecm.getWorkspaces([a.workspaceId])),
      documents: (a: Account, args: ContentArgs, ctx: NaiveContext) => documentsIn(ctx, a.workspaceId, args),
      assets: (a: Account, args: ContentArgs, ctx: NaiveContext) => assetsOf(ctx, args.filter, { accountIds: [a.id] }, args),
    },
    Workspace: { id: (w: Workspace) => workspaceId(w.source.nativeId) },
    Document: {
      id: (d: Document) => documentId(d.source.nativeId),
      workspace: (d: Document, _: unknown, ctx: NaiveContext) => one(ctx.sources.ecm.getWorkspaces([d.workspaceId])),
    },
    Asset: {
      id: (a: Asset) => assetId(a.source.system as DamSystem, a.source.nativeId),
      approval: (a: Asset) => ({ status: a.approval }),
      renditions: (a: Asset) =>
        a.renditions.map((r: Rendition) => ({
          kind: r.kind,
          mimeType: r.mimeType,
          width: r.width ?? null,
          height: r.height ?? null,
          url: `/files/assets/${assetId(a.source.system as DamSystem, a.source.nativeId)}/${r.kind.toLowerCase()}`,
        })),
      // The licence is fetched for every asset, one request each.
      rights: async (a: Asset, _: unknown, ctx: NaiveContext) => {
        const licence = a.rights.licenceId ? await one(ctx.sources.ecm.getDocuments([a.rights.licenceId])) : undefined;
        return effectiveRights(a.rights, licence, Date.now());
      },
      campaign: (a: Asset, _: unknown, ctx: NaiveContext) => (a.campaignCode ? one(ctx.sources.ecm.getCampaigns([a.campaignCode])) : null),
      account: (a: Asset, _: unknown, ctx: NaiveContext) => (a.accountId ? one(ctx.sources.ecm.getAccounts([a.accountId])) : null),
    },
    Rights: {
      licence: (r: { licenceId?: string }, _: unknown, ctx: NaiveContext) =>
        r.licenceId ? one(ctx.sources.ecm.getDocuments([r.licenceId])) : null,
    },
  };
}
