/** Account: a customer or partner workspace in the ECM, joined with DAM assets by account id. */
import type { GraphQLResolveInfo } from 'graphql';
import type { Account } from '../sources/model.ts';
import type { Context } from './context.ts';
import { NotFoundError } from '../access/errors.ts';
import { accountId, decodeId } from '../access/ids.ts';
import { checkFirst, connectionFromList, connectionFromPage, decodeOffset } from './connection.ts';
import { accountQuery, contentFilter, damSystems, type AccountFilterInput, type ContentFilterInput } from './filters.ts';
import { mergedAssets } from './merge.ts';

interface ListArgs {
  first?: number | null;
  after?: string | null;
}
interface ContentArgs extends ListArgs {
  filter?: ContentFilterInput | null;
}

/** An account by global id or CRM id, or NOT_FOUND (also when the reader may not see it). */
export async function accountByAnyId(id: string, ctx: Context): Promise<Account> {
  const decoded = decodeId(id);
  const crmId = decoded?.kind === 'Account' ? decoded.accountId : decoded ? null : id;
  const a = crmId ? await ctx.access.account(crmId) : null;
  if (!a) throw new NotFoundError('Account');
  return a;
}

export const accountResolvers = {
  Query: {
    accounts: async (_: unknown, args: ListArgs & { filter?: AccountFilterInput | null }, ctx: Context) => {
      const first = checkFirst(args.first);
      const offset = decodeOffset(args.after);
      const page = await ctx.access.listAccounts(accountQuery(args.filter), { first, offset });
      return connectionFromPage(page, offset);
    },
    account: (_: unknown, { id }: { id: string }, ctx: Context) => accountByAnyId(id, ctx),
  },
  Account: {
    id: (a: Account) => accountId(a.id),
    workspace: (a: Account, _: unknown, ctx: Context) => a.workspace ?? ctx.loaders.workspace.load(a.workspaceId),
    documents: async (a: Account, args: ContentArgs, ctx: Context) =>
      connectionFromList(await ctx.access.documentsOf({ kind: 'account', account: a }, contentFilter(args.filter)), args),
    assets: (a: Account, args: ContentArgs, ctx: Context, info: GraphQLResolveInfo) =>
      mergedAssets(ctx, info, { kind: 'account', account: a }, contentFilter(args.filter), damSystems(args.filter), args),
    campaigns: (a: Account, _: unknown, ctx: Context) => ctx.access.campaignsOf(a),
  },
};
