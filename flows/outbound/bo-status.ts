/**
 * Status back to the business object (issue 14 §6): a durable job per status of a document
 * version, which tells the business object's system (sources/business/status.ts) and retries
 * with backoff while that system is down or busy. The job's key is the document, its version
 * and the status, and the same key goes out as the call's `Idempotency-Key`: a status noticed
 * twice (a change feed replayed after a crash) is one job, and a call whose answer was lost is
 * recorded once by a receiver that honours the key.
 *
 * What notices the statuses (a document approved in Content Server) is the change feed of issue
 * 15: `statusConsumer` reads its `document.approved` events from the outbox (after its own
 * cursor, so a crash between the event's append and the job's enqueue loses nothing).
 */
import { createHash } from 'node:crypto';
import { StatusCallError, type StatusClient, type StatusReport } from '../../sources/business/status.ts';
import { decodeId } from '../../access/ids.ts';
import { isSourceFailure } from '../../access/guard.ts';
import type { EcmSource } from '../../sources/ports.ts';
import { PermanentFailure, TransientFailure, type JobKind, type JobRunner } from '../jobs.ts';
import type { OutboxConsumer } from '../outbox/consumers.ts';

/** Who the status jobs belong to in the flows store (not a reader or a client: Atrium itself). */
export const STATUS_ACTOR = 'atrium:bo-status';

/** The key of a status report: one per document version and status. */
export function statusKey(r: StatusReport): string {
  const digest = createHash('sha256')
    .update(
      `${r.businessObject.system}\n${r.businessObject.type}\n${r.businessObject.id}\n${r.document.id}\n${r.document.version}\n${r.status}`,
    )
    .digest('base64url')
    .slice(0, 32);
  return `bo-status-${digest}`;
}

/** The job kind: one step, the call. */
export function statusJob(client: StatusClient): JobKind<StatusReport, { receipt: string | null }> {
  return {
    kind: 'bo.status',
    async run(report, steps) {
      return steps.run('report', async () => {
        try {
          const { receipt } = await client.report(report, statusKey(report));
          return { receipt: receipt ?? null };
        } catch (e) {
          if (e instanceof StatusCallError) throw e.transient ? new TransientFailure(e.message) : new PermanentFailure(e.message);
          throw e;
        }
      });
    },
  };
}

/** Register the kind with a runner, and what queues a report. */
export function registerStatusReports(runner: JobRunner, client: StatusClient) {
  const kind = runner.register(statusJob(client));
  return {
    /** Queue a report (durable once this resolves); false when its system has no endpoint (nothing to tell). */
    async reportStatus(report: StatusReport): Promise<boolean> {
      if (!client.configured(report.businessObject.system)) return false;
      await runner.enqueue(kind, STATUS_ACTOR, statusKey(report), report);
      return true;
    },
  };
}

/**
 * The outbox consumer that turns a document approved in the workspace of an account or campaign
 * into a status job for its business object's system. Looked up through `ecm` (the gateway's
 * cached source); a source failing fails the batch (it is handled again on the next round: the
 * jobs are keyed, so nothing is queued twice), anything else about one event is logged and skipped.
 */
export function statusConsumer(
  ecm: Pick<EcmSource, 'getDocuments' | 'getAccounts' | 'getCampaigns'>,
  statuses: ReturnType<typeof registerStatusReports>,
  log: { warn(msg: string, f?: Record<string, unknown>): void },
): OutboxConsumer {
  return {
    name: 'bo-status',
    async handle(events) {
      for (const e of events) {
        if (e.type !== 'document.approved' || (!e.account && !e.campaign)) continue;
        try {
          const id = decodeId(e.objectId);
          if (id?.kind !== 'Document') continue;
          const [doc] = await ecm.getDocuments([id.nodeId]);
          const owner = e.account ? (await ecm.getAccounts([e.account]))[0] : (await ecm.getCampaigns([e.campaign as string]))[0];
          if (!doc || !owner) continue;
          await statuses.reportStatus({
            businessObject: owner.businessObject,
            status: 'APPROVED',
            document: { id: e.objectId, name: doc.name, version: doc.version },
          });
        } catch (err) {
          if (isSourceFailure(err)) throw err;
          log.warn('a status for a business object could not be queued', { event: e.id, error: (err as Error).message });
        }
      }
    },
  };
}
