/** Campaign: a campaign workspace in the ECM, joined with every DAM's assets by campaign code. */
import type { GraphQLResolveInfo } from 'graphql';
import type { Campaign } from '../sources/model.ts';
import type { Context } from './context.ts';
import { NotFoundError } from '../access/errors.ts';
import { requireInternal } from '../access/policy.ts';
import { campaignId, decodeId } from '../access/ids.ts';
import { connectionFromPage, connectionFromWindow, pageWindow, type PageArgs } from './connection.ts';
import { isPlausibleId } from './input.ts';
import { campaignQuery, contentFilter, damSystems, type CampaignFilterInput, type ContentFilterInput } from './filters.ts';
import { mergedAssets } from './merge.ts';

interface ContentArgs extends PageArgs {
  filter?: ContentFilterInput | null;
}

/** A campaign by global id or campaign code, or NOT_FOUND (also when the reader may not see it, and without a request when the id cannot be ours). */
export async function campaignByAnyId(id: string, ctx: Context): Promise<Campaign> {
  const decoded = decodeId(id);
  const code = decoded?.kind === 'Campaign' ? decoded.code : decoded ? null : id;
  const c = code && isPlausibleId(code) ? await ctx.access.campaign(code) : null;
  if (!c) throw new NotFoundError('Campaign');
  return c;
}

export const campaignResolvers = {
  Query: {
    campaigns: async (_: unknown, args: PageArgs & { filter?: CampaignFilterInput | null }, ctx: Context) => {
      const { first, offset } = pageWindow(args);
      const page = await ctx.access.listCampaigns(campaignQuery(args.filter), { first, offset });
      return connectionFromPage(page, offset);
    },
    campaign: (_: unknown, { id }: { id: string }, ctx: Context) => campaignByAnyId(id, ctx),
  },
  Campaign: {
    id: (c: Campaign) => campaignId(c.code),
    // A campaign the reader sees is its workspace's owner: the workspace is as visible as it.
    workspace: (c: Campaign, _: unknown, ctx: Context) => c.workspace ?? ctx.loaders.workspace.load(c.workspaceId),
    documents: async (c: Campaign, args: ContentArgs, ctx: Context) => {
      // Arguments first: a bad cursor or filter costs no upstream request.
      const window = pageWindow(args);
      const filter = contentFilter(args.filter);
      return connectionFromWindow(await ctx.access.documentsOf({ kind: 'campaign', campaign: c }, filter), window);
    },
    assets: (c: Campaign, args: ContentArgs, ctx: Context, info: GraphQLResolveInfo) =>
      mergedAssets(ctx, info, { kind: 'campaign', campaign: c }, contentFilter(args.filter), damSystems(args.filter), pageWindow(args)),
    audience: (c: Campaign, _: unknown, ctx: Context) => {
      requireInternal(ctx.principal, 'Campaign audiences');
      return ctx.access.accounts(c.audience);
    },
    accounts: (c: Campaign, _: unknown, ctx: Context) => ctx.access.accountsOf(c),
  },
};
