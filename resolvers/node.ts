/** `node(id:)`, `viewer` and `sources`: the graph's entry points that are not one type's. */
import type { Context } from './context.ts';
import { pingAll } from '../access/sources.ts';
import { NotFoundError } from '../access/errors.ts';
import { decodeId } from '../access/ids.ts';
import { typed, typeOf } from './typename.ts';
import { accountByAnyId } from './account.ts';
import { assetByGlobalId } from './asset.ts';
import { campaignByAnyId } from './campaign.ts';
import { documentByGlobalId } from './document.ts';
import { workspaceByGlobalId } from './workspace.ts';

/** The typename of each object kind `node` can return. */
async function nodeById(id: string, ctx: Context): Promise<object> {
  const d = decodeId(id);
  if (!d) throw new NotFoundError();
  switch (d.kind) {
    case 'Campaign':
      return typed(await campaignByAnyId(id, ctx), 'Campaign');
    case 'Account':
      return typed(await accountByAnyId(id, ctx), 'Account');
    case 'Workspace':
      return typed(await workspaceByGlobalId(id, ctx), 'Workspace');
    case 'Document':
      return typed(await documentByGlobalId(id, ctx), 'Document');
    case 'Asset':
      return typed(await assetByGlobalId(id, ctx), 'Asset');
  }
}

export const nodeResolvers = {
  Query: {
    node: (_: unknown, { id }: { id: string }, ctx: Context) => nodeById(id, ctx),
    viewer: (_: unknown, __: unknown, ctx: Context) => {
      const p = ctx.principal;
      return p
        ? { signedIn: true, email: p.email, name: p.name ?? null, roles: p.roles, org: p.org ?? null, regions: p.regions }
        : { signedIn: false, email: null, name: null, roles: [], org: null, regions: [] };
    },
    // A ping refreshes each source's status; failures are recorded, not thrown.
    sources: async (_: unknown, __: unknown, ctx: Context) =>
      (await pingAll(ctx.system)).map(({ answered: _answered, circuit, ...status }) => ({
        ...status,
        circuit: circuit === 'half-open' ? 'HALF_OPEN' : circuit.toUpperCase(),
      })),
  },
  Node: {
    __resolveType: typeOf,
  },
};
