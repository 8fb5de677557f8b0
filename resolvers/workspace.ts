/** Workspace: an Extended ECM business workspace and its team. */
import type { Workspace } from '../sources/model.ts';
import type { Context } from './context.ts';
import { NotFoundError } from '../access/errors.ts';
import { requireInternal } from '../access/policy.ts';
import { decodeId, workspaceId } from '../access/ids.ts';
import { isPlausibleId } from './input.ts';

/** A workspace by global id, or NOT_FOUND (also when the reader may not see it, and without a request when the id cannot be ours). */
export async function workspaceByGlobalId(id: string, ctx: Context): Promise<Workspace> {
  const d = decodeId(id);
  const ws = d?.kind === 'Workspace' && isPlausibleId(d.nodeId) ? await ctx.access.workspace(d.nodeId) : null;
  if (!ws) throw new NotFoundError('Workspace');
  return ws;
}

export const workspaceResolvers = {
  Query: {
    workspace: (_: unknown, { id }: { id: string }, ctx: Context) => workspaceByGlobalId(id, ctx),
  },
  Workspace: {
    id: (w: Workspace) => workspaceId(w.source.nativeId),
    team: (w: Workspace, _: unknown, ctx: Context) => {
      requireInternal(ctx.principal, 'Workspace teams');
      return w.team;
    },
  },
};
