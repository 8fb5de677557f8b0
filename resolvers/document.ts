/** Document: a node in a business workspace, with its compliance fields. */
import type { Approval, Document } from '../sources/model.ts';
import type { Context } from './context.ts';
import { NotFoundError } from '../access/errors.ts';
import { requireAuditReader } from '../access/policy.ts';
import { decodeId, documentId } from '../access/ids.ts';
import { isPlausibleId } from './input.ts';
import { documentAuditTrail } from './audit.ts';

/** A document by global id, or NOT_FOUND (also when the reader may not see it, and without a request when the id cannot be ours). */
export async function documentByGlobalId(id: string, ctx: Context): Promise<Document> {
  const d = decodeId(id);
  const doc = d?.kind === 'Document' && isPlausibleId(d.nodeId) ? await ctx.access.document(d.nodeId) : null;
  if (!doc) throw new NotFoundError('Document');
  return doc;
}

export const documentResolvers = {
  Query: {
    document: (_: unknown, { id }: { id: string }, ctx: Context) => documentByGlobalId(id, ctx),
  },
  Document: {
    id: (d: Document) => documentId(d.source.nativeId),
    workspace: (d: Document, _: unknown, ctx: Context) => ctx.access.workspace(d.workspaceId),
    downloadUrl: (d: Document, _: unknown, ctx: Context) => ctx.links.document(d),
    versions: (d: Document, _: unknown, ctx: Context) => ctx.sources.ecm.getVersions(d.source.nativeId),
    approvals: async (d: Document, _: unknown, ctx: Context) => {
      requireAuditReader(ctx.principal);
      return (await ctx.sources.ecm.getApprovals(d.source.nativeId)).map((a: Approval) => ({
        status: a.decision,
        step: a.step,
        actor: a.actor,
        decidedAt: a.at,
        comment: a.comment ?? null,
        version: a.version ?? null,
      }));
    },
    retention: (d: Document, _: unknown, ctx: Context) => {
      requireAuditReader(ctx.principal);
      return ctx.sources.ecm.getRetention(d.source.nativeId);
    },
    holds: (d: Document, _: unknown, ctx: Context) => {
      requireAuditReader(ctx.principal);
      return ctx.sources.ecm.getHolds(d.source.nativeId);
    },
    // The ECM's audit merged with Atrium's access events for the document (resolvers/audit.ts).
    auditTrail: (d: Document, _: unknown, ctx: Context) => documentAuditTrail(d, ctx),
  },
};
