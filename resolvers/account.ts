/** Account: a customer or partner workspace in the ECM, joined with DAM assets by account id. */
import type { GraphQLResolveInfo } from 'graphql';
import type { Account } from '../sources/model.ts';
import type { Context } from './context.ts';
import { NotFoundError } from '../access/errors.ts';
import { accountId, decodeId } from '../access/ids.ts';
import { connectionFromPage, connectionFromWindow, pageWindow, type PageArgs } from './connection.ts';
import { isPlausibleId } from './input.ts';
import { accountQuery, contentFilter, damSystems, type AccountFilterInput, type ContentFilterInput } from './filters.ts';
import { mergedAssets } from './merge.ts';

interface ContentArgs extends PageArgs {
  filter?: ContentFilterInput | null;
}

/** An account by global id or CRM id, or NOT_FOUND (also when the reader may not see it, and without a request when the id cannot be ours). */
export async function accountByAnyId(id: string, ctx: Context): Promise<Account> {
  const decoded = decodeId(id);
  const crmId = decoded?.kind === 'Account' ? decoded.accountId : decoded ? null : id;
  const a = crmId && isPlausibleId(crmId) ? await ctx.access.account(crmId) : null;
  if (!a) throw new NotFoundError('Account');
  return a;
}

export const accountResolvers = {
  Query: {
    accounts: async (_: unknown, args: PageArgs & { filter?: AccountFilterInput | null }, ctx: Context) => {
      const { first, offset } = pageWindow(args);
      const page = await ctx.access.listAccounts(accountQuery(args.filter), { first, offset });
      return connectionFromPage(page, offset);
    },
    account: (_: unknown, { id }: { id: string }, ctx: Context) => accountByAnyId(id, ctx),
  },
  Account: {
    id: (a: Account) => accountId(a.id),
    workspace: (a: Account, _: unknown, ctx: Context) => a.workspace ?? ctx.loaders.workspace.load(a.workspaceId),
    documents: async (a: Account, args: ContentArgs, ctx: Context) => {
      // Arguments first: a bad cursor or filter costs no upstream request.
      const window = pageWindow(args);
      const filter = contentFilter(args.filter);
      return connectionFromWindow(await ctx.access.documentsOf({ kind: 'account', account: a }, filter), window);
    },
    assets: (a: Account, args: ContentArgs, ctx: Context, info: GraphQLResolveInfo) =>
      mergedAssets(ctx, info, { kind: 'account', account: a }, contentFilter(args.filter), damSystems(args.filter), pageWindow(args)),
    campaigns: (a: Account, _: unknown, ctx: Context) => ctx.access.campaignsOf(a),
  },
};
