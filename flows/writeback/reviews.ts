/**
 * Reviews of DAM assets in Content Server (issue 16 §3): marketing asks for a review of some
 * assets in a workspace; Atrium files each asset's preview rendition into the workspace, starts
 * the configured review workflow over those documents (draft → form → initiate), and records the
 * review. A tracker polls the open reviews' processes; when one completes, its decision is written
 * to every asset's approval in its DAM (APPROVED: publish-ready) and an approval record (who
 * decided what, when, with which comment, on which assets) is filed in the workspace.
 *
 * Both halves are durable jobs (flows/jobs.ts): the request runs for its sender (the mutation
 * answers with the review), each filed preview and the process are steps that look before they
 * act (a document of the same name in the folder; a process whose title carries the review's
 * key), so a retry files nothing twice and starts no second process; the decision is a job keyed
 * by the review, each asset's write a step.
 */
import { createHash } from 'node:crypto';
import { decodeId } from '../../access/ids.ts';
import type { Asset, DamSystem } from '../../sources/model.ts';
import type { DamSource, DamWrites, EcmReviews, EcmSource, EcmWrites } from '../../sources/ports.ts';
import { PermanentFailure, type JobKind, type JobRunner } from '../jobs.ts';
import type { ReviewRecord, SyncStorePort } from './sync-store.ts';

/** Who decision jobs belong to in the flows store (Atrium itself). */
export const REVIEW_ACTOR = 'atrium:reviews';

export interface ReviewConfig {
  /** Node id of the Content Server workflow map reviews start. */
  workflowId: string;
  /** The workflow form field that carries the assets' references (`WorkflowForm_<n>`), if any. */
  assetsFormId?: string;
}

export interface ReviewDeps {
  ecm: EcmWrites & EcmReviews & Pick<EcmSource, 'getDocuments'>;
  dams: Partial<Record<DamSystem, DamSource & DamWrites>>;
  store: SyncStorePort;
  config: ReviewConfig;
  now?: () => number;
}

/** One asset to review, as the requester was allowed to see it. */
export interface ReviewAsset {
  /** Its global id. */
  id: string;
  system: DamSystem;
  nativeId: string;
  title: string;
}

export interface ReviewRequest {
  assets: ReviewAsset[];
  /** The workspace (node id) the previews and the approval record go into. */
  workspaceId: string;
  /** Who asked (principal id). */
  requestedBy: string;
  note: string;
  dueDate: string | null;
  /** Reviewers named by the requester (carried in the process's instructions; the map assigns the task). */
  reviewers: string[];
}

/** The review's id: one per requester and idempotency key. */
export const reviewIdOf = (actor: string, key: string) =>
  `rv_${createHash('sha256').update(`${actor}\n${key}`).digest('base64url').slice(0, 29)}`;

const EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
};

/** The preview's name in the workspace: one per asset, stable (what a retry looks for). */
export function previewName(a: ReviewAsset, mimeType: string): string {
  const title =
    Array.from(a.title, (c) => (c.charCodeAt(0) < 0x20 || '\\/:*?"<>|'.includes(c) ? ' ' : c))
      .join('')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 120) || 'asset';
  return `Review preview - ${a.system} ${a.nativeId.slice(0, 40)} - ${title}.${EXT[mimeType] ?? 'bin'}`;
}

/** The approval record's name in the workspace. */
export const recordName = (reviewId: string) => `Approval record - ${reviewId}.json`;

function stream(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

/** The request's job: the previews filed, the process started, the review recorded. */
export function requestJob(deps: ReviewDeps): JobKind<ReviewRequest & { id: string }, ReviewRecord> {
  const now = deps.now ?? Date.now;
  const at = () => new Date(now()).toISOString();
  return {
    kind: 'asset.review.request',
    async run(input, steps) {
      await steps.run('record', () =>
        deps.store.addReview({
          id: input.id,
          processId: null,
          workspaceId: input.workspaceId,
          assetIds: input.assets.map((a) => a.id),
          requestedBy: input.requestedBy,
          note: input.note,
          dueDate: input.dueDate,
          state: 'REQUESTED',
          decision: null,
          comment: null,
          decidedBy: null,
          decidedAt: null,
          recordId: null,
          createdAt: at(),
        }),
      );
      const documentIds: string[] = [];
      for (const [i, a] of input.assets.entries()) {
        const id = await steps.run(`preview:${i}`, async () => {
          const dam = deps.dams[a.system];
          if (!dam) throw new PermanentFailure(`no ${a.system} connector is configured`);
          const content = await dam.openRendition(a.nativeId, 'PREVIEW');
          const name = previewName(a, content.mimeType);
          const there = await deps.ecm.findDocument(input.workspaceId, name);
          if (there) {
            await content.body.cancel().catch(() => undefined);
            return there.source.nativeId;
          }
          const doc = await deps.ecm.uploadDocument({
            folderId: input.workspaceId,
            name,
            fileName: name,
            mimeType: content.mimeType,
            ...(content.size !== undefined ? { size: content.size } : {}),
            body: content.body,
            classification: 'INTERNAL',
          });
          return doc.source.nativeId;
        });
        documentIds.push(id);
      }
      const processId = await steps.run('process', async () => {
        const found = await deps.ecm.findReview(input.id);
        if (found) return found.processId;
        const refs = input.assets.map((a) => `${a.system.toLowerCase()}:${a.nativeId}`).join(', ');
        const note = [input.note, input.reviewers.length ? `Reviewers: ${input.reviewers.join(', ')}` : ''].filter(Boolean).join('\n');
        const started = await deps.ecm.startReview({
          workflowId: deps.config.workflowId,
          documentIds,
          title: `Review of ${input.assets.length} asset${input.assets.length === 1 ? '' : 's'}: ${input.assets
            .map((a) => a.title)
            .join(', ')
            .slice(0, 150)}`,
          key: input.id,
          ...(input.dueDate ? { dueDate: input.dueDate } : {}),
          ...(deps.config.assetsFormId ? { values: { [deps.config.assetsFormId]: refs.slice(0, 2000) } } : {}),
          ...(note ? { comment: note.slice(0, 1000) } : {}),
        });
        return started.processId;
      });
      await steps.run('running', () => deps.store.updateReview(input.id, { processId, state: 'RUNNING' }, at()), { final: true });
      return (await deps.store.review(input.id)) as ReviewRecord;
    },
  };
}

export interface DecisionInput {
  reviewId: string;
  decision: 'APPROVED' | 'REJECTED';
  comment: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

/** The decision's job: each asset's approval written in its DAM, the approval record filed, the review closed. */
export function decisionJob(deps: ReviewDeps): JobKind<DecisionInput, { written: string[]; recordId: string }> {
  const now = deps.now ?? Date.now;
  return {
    kind: 'asset.review.decide',
    // A DAM down for a day still gets the decision when it is back.
    maxAttempts: 300,
    async run(input, steps) {
      const review = await deps.store.review(input.reviewId);
      if (!review) throw new PermanentFailure('the review is gone');
      const written: string[] = [];
      for (const id of review.assetIds) {
        const did = await steps.run(`approval:${id}`, async () => {
          const ref = parseAssetRef(id);
          const dam = ref && deps.dams[ref.system];
          if (!ref || !dam) return false;
          const [asset] = await dam.getAssets([ref.nativeId]);
          if (!asset) return false;
          if ((asset as Asset).approval === input.decision) return false;
          await dam.writeFields(ref.nativeId, { approval: input.decision });
          return true;
        });
        if (did) written.push(id);
      }
      const recordId = await steps.run('record', async () => {
        const name = recordName(review.id);
        const there = await deps.ecm.findDocument(review.workspaceId, name);
        if (there) return there.source.nativeId;
        const text = `${JSON.stringify(
          {
            review: review.id,
            process: review.processId,
            decision: input.decision,
            comment: input.comment,
            decidedBy: input.decidedBy,
            decidedAt: input.decidedAt,
            requestedBy: review.requestedBy,
            requestedAt: review.createdAt,
            note: review.note,
            assets: review.assetIds,
          },
          null,
          2,
        )}\n`;
        const doc = await deps.ecm.uploadDocument({
          folderId: review.workspaceId,
          name,
          fileName: name,
          mimeType: 'application/json',
          size: Buffer.byteLength(text),
          body: stream(text),
          classification: 'INTERNAL',
        });
        return doc.source.nativeId;
      });
      await steps.run(
        'close',
        () =>
          deps.store.updateReview(
            review.id,
            {
              state: 'DECIDED',
              decision: input.decision,
              comment: input.comment,
              decidedBy: input.decidedBy,
              decidedAt: input.decidedAt,
              recordId,
            },
            new Date(now()).toISOString(),
          ),
        { final: true },
      );
      return { written, recordId };
    },
  };
}

/** The system and native id of an asset's global id, or null. */
function parseAssetRef(id: string): { system: DamSystem; nativeId: string } | null {
  const d = decodeId(id);
  return d?.kind === 'Asset' ? { system: d.system, nativeId: d.nativeId } : null;
}

/** The reviews' jobs registered with a runner, the request, and the tracker of open reviews. */
export function registerReviews(runner: JobRunner, deps: ReviewDeps) {
  const request = runner.register(requestJob(deps));
  const decide = runner.register(decisionJob(deps));
  return {
    request,
    /**
     * Look at every open review's process once: a completed one's decision becomes a job, a
     * stopped one is closed. A source failing is left for the next look.
     */
    async track(log: { warn(msg: string, f?: Record<string, unknown>): void }): Promise<number> {
      let decided = 0;
      for (const r of await deps.store.openReviews(50)) {
        if (r.state !== 'RUNNING' || !r.processId) continue;
        try {
          const s = await deps.ecm.reviewStatus(r.processId);
          if (s.state === 'STOPPED')
            await deps.store.updateReview(r.id, { state: 'STOPPED' }, new Date((deps.now ?? Date.now)()).toISOString());
          if (s.state !== 'COMPLETED' || !s.decision) continue;
          await runner.enqueue(decide, REVIEW_ACTOR, `decide-${r.id}`, {
            reviewId: r.id,
            decision: s.decision,
            comment: s.comment ?? null,
            decidedBy: s.actor ?? null,
            decidedAt: s.decidedAt ?? null,
          });
          decided++;
        } catch (e) {
          log.warn('a review could not be looked at; it is looked at again', { review: r.id, error: (e as Error).message?.slice(0, 300) });
        }
      }
      return decided;
    },
  };
}
