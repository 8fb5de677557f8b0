/**
 * Reviews of assets and publishing into the DAMs (issue 16): `requestReview`, `publishToDam`, and
 * `Asset.reviews`. Who may is decided in access/policy/writes.ts; what is reviewed or published
 * must be visible to the writer (read through `ctx.access`, so an asset or document the writer
 * may not see is NOT_FOUND, exactly as on a read).
 */
import { BadUserInputError, ForbiddenError, NotFoundError } from '../access/errors.ts';
import { assetId as assetGlobalId, decodeId, documentId as documentGlobalId, workspaceId as workspaceGlobalId } from '../access/ids.ts';
import { requireInternal } from '../access/policy.ts';
import { reviewIdOf, type ReviewAsset } from '../flows/writeback/reviews.ts';
import type { PublishResult } from '../flows/writeback/publish.ts';
import type { ReviewRecord } from '../flows/writeback/sync-store.ts';
import type { Asset, DamSystem } from '../sources/model.ts';
import type { Context } from './context.ts';
import { checkList, checkString, MAX_TEXT } from './input.ts';
import { actorOf, authorize, checkKey, failed, writesOf } from './mutations.ts';

const MAX_REVIEW_ASSETS = 50;
const MAX_PUBLISH_DOCUMENTS = 20;
const DAMS: readonly string[] = ['ICONIK', 'NETX', 'OTMM'];

interface RequestReviewInput {
  assets: string[];
  workspace: string;
  reviewers?: string[] | null;
  note?: string | null;
  dueDate?: string | null;
}

function writebackOf(ctx: Context): NonNullable<NonNullable<Context['writes']>['writeback']> {
  const w = writesOf(ctx).writeback;
  if (!w) throw new ForbiddenError('This gateway does not write back to the DAMs');
  return w;
}

/** A review as the graph shows it: its joins read as the reader sees them. */
function reviewNode(r: ReviewRecord, ctx: Context) {
  return {
    ...r,
    requestedAt: r.createdAt,
    workspace: () => ctx.access.workspace(r.workspaceId),
    record: () => (r.recordId ? ctx.access.document(r.recordId) : null),
    assets: async () => {
      const seen = await Promise.all(
        r.assetIds.map((id) => {
          const d = decodeId(id);
          return d?.kind === 'Asset' ? ctx.access.asset(d.system, d.nativeId).catch(() => null) : null;
        }),
      );
      return seen.filter((a): a is Asset => !!a);
    },
  };
}

async function requestReview(ctx: Context, input: RequestReviewInput, key: string) {
  checkKey(key);
  const operation = 'requestReview';
  authorize(ctx, operation, key, 'asset.review', {});
  const wb = writebackOf(ctx);
  const ids = [...new Set(checkList('assets', input.assets))];
  if (ids.length === 0 || ids.length > MAX_REVIEW_ASSETS)
    throw new BadUserInputError(`\`assets\` must name 1 to ${MAX_REVIEW_ASSETS} assets`);
  const note = input.note ? checkString('note', input.note, MAX_TEXT) : '';
  const reviewers = (input.reviewers ? checkList('reviewers', input.reviewers) : []).map((r) => checkString('reviewers', r, 200));
  const ws = decodeId(input.workspace);
  const workspace = ws?.kind === 'Workspace' ? await ctx.access.workspace(ws.nodeId) : null;
  if (!workspace) throw new NotFoundError('Workspace');
  const assets: ReviewAsset[] = [];
  for (const id of ids) {
    const d = decodeId(id);
    const a = d?.kind === 'Asset' ? await ctx.access.asset(d.system, d.nativeId) : null;
    if (!a || d?.kind !== 'Asset') throw new NotFoundError('Asset');
    assets.push({ id: assetGlobalId(d.system, d.nativeId), system: d.system, nativeId: d.nativeId, title: a.title });
  }
  const actor = actorOf(ctx);
  const w = writesOf(ctx);
  let out: { result: ReviewRecord; replayed: boolean };
  try {
    out = await w.runner.execute(wb.review, actor, key, {
      id: reviewIdOf(actor, key),
      assets,
      workspaceId: workspace.source.nativeId,
      requestedBy: actor,
      note,
      dueDate: input.dueDate ?? null,
      reviewers,
    });
  } catch (e) {
    failed(ctx, operation, key, e);
  }
  w.written();
  ctx.audit?.write({
    operation,
    outcome: out.replayed ? 'replayed' : 'done',
    idempotencyKey: key,
    object: {
      id: workspaceGlobalId(workspace.source.nativeId),
      type: 'Workspace',
      system: 'OTCS',
      nativeId: workspace.source.nativeId,
      version: null,
      campaign: workspace.owner && 'campaignCode' in workspace.owner ? workspace.owner.campaignCode : null,
    },
  });
  return reviewNode(out.result, ctx);
}

async function publishToDam(ctx: Context, a: { documents: string[]; system: string; container?: string | null; idempotencyKey: string }) {
  const key = checkKey(a.idempotencyKey);
  const operation = 'publishToDam';
  authorize(ctx, operation, key, 'content.publish', {});
  const wb = writebackOf(ctx);
  if (!DAMS.includes(a.system)) throw new BadUserInputError('`system` must be a DAM (ICONIK, NETX or OTMM)');
  const system = a.system as DamSystem;
  const container = a.container ? checkString('container', a.container, 100) : undefined;
  const ids = [...new Set(checkList('documents', a.documents))];
  if (ids.length === 0 || ids.length > MAX_PUBLISH_DOCUMENTS)
    throw new BadUserInputError(`\`documents\` must name 1 to ${MAX_PUBLISH_DOCUMENTS} documents`);
  const docs = [];
  for (const id of ids) {
    const d = decodeId(id);
    if (d?.kind === 'Asset') throw new BadUserInputError('publishing an asset from one DAM into another is not supported; name documents');
    const doc = d?.kind === 'Document' ? await ctx.access.document(d.nodeId) : null;
    if (!doc) throw new NotFoundError('Document');
    docs.push(doc);
  }
  const w = writesOf(ctx);
  const out = [];
  for (const [i, doc] of docs.entries()) {
    const k = docs.length === 1 ? key : `${key.slice(0, 190)}#${i}`;
    let r: { result: PublishResult; replayed: boolean };
    try {
      r = await w.runner.execute(wb.publish, actorOf(ctx), k, {
        document: doc.source.nativeId,
        version: doc.version,
        system,
        ...(container ? { container } : {}),
      });
    } catch (e) {
      failed(ctx, operation, k, e);
    }
    ctx.audit?.write({
      operation,
      outcome: r.replayed ? 'replayed' : 'done',
      idempotencyKey: k,
      object: {
        id: documentGlobalId(doc.source.nativeId),
        type: 'Document',
        system: 'OTCS',
        nativeId: doc.source.nativeId,
        version: String(doc.version),
        campaign: doc.metadata.campaignCode ?? null,
      },
    });
    const res = r.result;
    out.push({
      document: () => ctx.access.document(doc.source.nativeId),
      system: res.system,
      nativeId: res.assetId,
      asset: () => ctx.access.asset(res.system, res.assetId).catch(() => null),
      version: res.version,
      action: res.action,
    });
  }
  return out;
}

export const writebackResolvers = {
  Mutation: {
    requestReview: (_: unknown, a: { input: RequestReviewInput; idempotencyKey: string }, ctx: Context) =>
      requestReview(ctx, a.input, a.idempotencyKey),
    publishToDam: (
      _: unknown,
      a: { documents: string[]; system: string; container?: string | null; idempotencyKey: string },
      ctx: Context,
    ) => publishToDam(ctx, a),
  },
  Asset: {
    reviews: async (a: Asset, _: unknown, ctx: Context) => {
      requireInternal(ctx.principal, 'Reviews');
      if (!ctx.sync) return [];
      const list = await ctx.sync.reviews(assetGlobalId(a.source.system as DamSystem, a.source.nativeId));
      return list.map((r) => reviewNode(r, ctx));
    },
  },
};
