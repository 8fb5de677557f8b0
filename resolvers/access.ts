/** `explainAccess(id, as)`: the policy's decision for another reader, for compliance and admin. */
import type { Context } from './context.ts';
import { BadUserInputError, NotFoundError } from '../access/errors.ts';
import { requireAuditReader } from '../access/policy.ts';
import { decodeId, type DecodedId } from '../access/ids.ts';
import { isPlausibleId } from './input.ts';

/** The part of a decoded id a source is asked with. */
function keyOf(d: DecodedId): string {
  switch (d.kind) {
    case 'Campaign':
      return d.code;
    case 'Account':
      return d.accountId;
    case 'Workspace':
    case 'Document':
      return d.nodeId;
    case 'Asset':
      return d.nativeId;
  }
}

export const accessResolvers = {
  Query: {
    explainAccess: async (_: unknown, args: { id: string; as: string }, ctx: Context) => {
      requireAuditReader(ctx.principal);
      const as = ctx.directory(args.as);
      if (!as) throw new BadUserInputError('`as` names no known reader');
      const d = decodeId(args.id);
      if (!d || d.kind === 'Workspace') throw new BadUserInputError('`id` must be the id of a campaign, account, document or asset');
      // An id whose code or native id no source could hold is no object: nothing to ask about.
      if (!isPlausibleId(keyOf(d))) throw new NotFoundError();
      const target =
        d.kind === 'Campaign'
          ? { kind: 'campaign' as const, code: d.code }
          : d.kind === 'Account'
            ? { kind: 'account' as const, id: d.accountId }
            : d.kind === 'Document'
              ? { kind: 'document' as const, nodeId: d.nodeId }
              : { kind: 'asset' as const, system: d.system, nativeId: d.nativeId };
      const decision = await ctx.access.explain(as, target);
      if (!decision) throw new NotFoundError();
      return { id: args.id, reader: as.email, allowed: decision.allowed, rule: decision.rule };
    },
  },
};
