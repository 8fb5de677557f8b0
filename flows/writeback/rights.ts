/**
 * Rights write-back (issue 16 §2): when a licence document changes in Content Server, every asset
 * that cites it gets the licence's terms written into its DAM-side rights fields (status,
 * validity, territories, channels), and leaves the DAM's partner-facing distribution containers
 * while the rights do not allow use; renewed, it goes back into exactly the containers Atrium took
 * it out of. ECM owns rights: a DAM-side change of those fields (drift) is written over again.
 *
 * - Trigger: the outbox consumer `rights-writeback` reads `asset.rights.changed` events the
 *   Content Server feed makes for each asset citing a changed licence (flows/feed/otcs-events.ts),
 *   and a DAM feed's own rights events for drift; each becomes a durable job keyed by the event.
 * - Each job step reads the licence and the asset afresh (never a recorded look), so a job retried
 *   after a newer one writes the newest terms, not stale ones; a field already holding the value
 *   is not written (nothing is written twice); the DAM writes are idempotent besides.
 * - Visible: `asset_sync` (sync-store.ts) holds each asset's state, surfaced as `Asset.sync`.
 */
import { createHash } from 'node:crypto';
import { decodeId } from '../../access/ids.ts';
import type { Document, DamSystem, Rights, RightsStatus } from '../../sources/model.ts';
import type { DamFieldValues, DamSource, DamWrites, EcmSource } from '../../sources/ports.ts';
import { PermanentFailure, type JobKind, type JobRunner } from '../jobs.ts';
import type { Job } from '../store.ts';
import type { OutboxConsumer } from '../outbox/consumers.ts';
import type { StoredEvent } from '../outbox/store.ts';
import type { SyncStorePort } from './sync-store.ts';

/** Who the write-back jobs belong to in the flows store (Atrium itself). */
export const WRITEBACK_ACTOR = 'atrium:writeback';

/** What one job writes back: an asset (global id, DAM, native id) and the licence its rights follow. */
export interface RightsInput {
  asset: string;
  system: DamSystem;
  nativeId: string;
  licence: string;
}

export interface RightsResult {
  /** The fields written (those already holding the value are not). */
  written: (keyof DamFieldValues)[];
  /** Containers the asset was taken out of, or put back into. */
  removed: string[];
  restored: string[];
  allowed: boolean;
}

/**
 * The DAM-side rights fields a licence asks for at `now` (pure): its status (EXPIRED past its end,
 * PENDING before its start), its validity, and its territories and channels where it names them.
 * `allowed`: whether the rights allow use now.
 */
export function licenceFields(licence: Document, now: number): { fields: DamFieldValues; allowed: boolean } {
  const m = licence.metadata;
  let status: RightsStatus = m.rightsStatus ?? 'CLEARED';
  if (m.validUntil && Date.parse(m.validUntil) <= now) status = 'EXPIRED';
  else if (m.validFrom && Date.parse(m.validFrom) > now && status === 'CLEARED') status = 'PENDING';
  const fields: DamFieldValues = { rightsStatus: status, validFrom: m.validFrom ?? null, validUntil: m.validUntil ?? null };
  if (m.territories?.length) fields.territories = [...m.territories];
  if (m.channels?.length) fields.channels = [...m.channels];
  return { fields, allowed: status === 'CLEARED' };
}

/** The same instant, or the same day when either side keeps dates only (a DAM storing a date field). */
function sameTime(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  const x = Date.parse(a);
  const y = Date.parse(b);
  if (x === y) return true;
  const dateOnly = (s: string, t: number) => /^\d{4}-\d{2}-\d{2}$/.test(s) || t % 86_400_000 === 0;
  return (dateOnly(a, x) || dateOnly(b, y)) && new Date(x).toISOString().slice(0, 10) === new Date(y).toISOString().slice(0, 10);
}

const sameSet = (a: readonly string[] | undefined, b: readonly string[] | undefined) => {
  const x = [...new Set(a ?? [])].sort();
  const y = [...new Set(b ?? [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

/** The fields of `target` the asset's DAM-side rights do not hold yet (pure). */
export function fieldsToWrite(current: Rights, target: DamFieldValues): DamFieldValues {
  const out: DamFieldValues = {};
  if (target.rightsStatus !== undefined && current.status !== target.rightsStatus) out.rightsStatus = target.rightsStatus;
  if (target.validFrom !== undefined && !sameTime(current.validFrom, target.validFrom)) out.validFrom = target.validFrom;
  if (target.validUntil !== undefined && !sameTime(current.validUntil, target.validUntil)) out.validUntil = target.validUntil;
  if (target.territories !== undefined && !sameSet(current.territories, target.territories)) out.territories = target.territories;
  if (target.channels !== undefined && !sameSet(current.channels, target.channels)) out.channels = target.channels;
  return out;
}

export type WritableDam = DamSource & DamWrites;

export interface RightsDeps {
  /** Content Server, uncached: the licence as it is now. */
  ecm: Pick<EcmSource, 'getDocuments'>;
  /** The DAMs, uncached, with their write ports. */
  dams: Partial<Record<DamSystem, WritableDam>>;
  sync: SyncStorePort;
  now?: () => number;
}

/** The job kind: the fields, then the distribution, then the record. */
export function rightsJob(deps: RightsDeps): JobKind<RightsInput, RightsResult> {
  const now = deps.now ?? Date.now;
  const stamp = () => new Date(now()).toISOString();
  return {
    kind: 'asset.rights.writeback',
    // A DAM down for a day still gets the write when it is back (the backoff tops out at 5 min).
    maxAttempts: 300,
    // One asset's write-backs one after another, in order; different assets side by side.
    group: (input) => input.asset,
    async run(input, steps) {
      const dam = deps.dams[input.system];
      if (!dam) throw new PermanentFailure(`no writable ${input.system} connector is configured`);
      const ref = { assetId: input.asset, system: input.system, nativeId: input.nativeId };
      const look = async () => {
        const [[licence], [asset]] = await Promise.all([deps.ecm.getDocuments([input.licence]), dam.getAssets([input.nativeId])]);
        if (!licence) throw new PermanentFailure('the licence document is gone');
        if (!asset) throw new PermanentFailure('the asset is gone from its DAM');
        return { asset, ...licenceFields(licence, now()) };
      };
      const fields = await steps.run('fields', async () => {
        const { asset, fields: target, allowed } = await look();
        const diff = fieldsToWrite(asset.rights, target);
        if (Object.keys(diff).length) await dam.writeFields(input.nativeId, diff);
        return { written: Object.keys(diff) as (keyof DamFieldValues)[], target, allowed };
      });
      const moved = await steps.run('distribution', async () => {
        const [rec] = await deps.sync.get([input.asset]);
        if (!fields.allowed) {
          const inNow = await dam.distributionOf(input.nativeId);
          if (inNow.length === 0) return { removed: [], restored: [] };
          // Recorded first: a crash after the removal still knows where to put it back.
          await deps.sync.mark(ref, { removedFrom: [...new Set([...(rec?.removedFrom ?? []), ...inNow])] }, stamp());
          await dam.removeFromDistribution(input.nativeId, inNow);
          return { removed: inNow, restored: [] };
        }
        const back = rec?.removedFrom ?? [];
        if (back.length === 0) return { removed: [], restored: [] };
        await dam.addToDistribution(input.nativeId, back);
        await deps.sync.mark(ref, { removedFrom: [] }, stamp());
        return { removed: [], restored: back };
      });
      await steps.run(
        'record',
        () =>
          deps.sync.mark(
            ref,
            { state: 'IN_SYNC', licence: input.licence, written: fields.target, lastWrittenAt: stamp(), lastError: null },
            stamp(),
          ),
        { final: true },
      );
      return { written: fields.written, removed: moved.removed, restored: moved.restored, allowed: fields.allowed };
    },
  };
}

/** The key of a job: one per event and asset (an event handed over again makes no second job). */
const jobKey = (e: StoredEvent, asset: string) =>
  `rights-${createHash('sha256').update(`${e.id}\n${asset}`).digest('base64url').slice(0, 32)}`;

/** The licence an `asset.rights.changed` event of the Content Server feed names, if any. */
function licenceOf(e: StoredEvent): string | null {
  const after = e.data.after as { licence?: { licence?: unknown } } | undefined;
  const id = after?.licence?.licence;
  return typeof id === 'string' && /^\d{1,19}$/.test(id) ? id : null;
}

/**
 * The outbox consumer: a licence change (Content Server's `asset.rights.changed`) queues a
 * write-back; a DAM's own rights change to values other than those written (drift) queues one too.
 */
export function rightsConsumer(runner: JobRunner, deps: RightsDeps): OutboxConsumer {
  const kind = runner.register(rightsJob(deps));
  const now = deps.now ?? Date.now;
  return {
    name: 'rights-writeback',
    async handle(events) {
      for (const e of events) {
        if (e.type !== 'asset.rights.changed' || e.objectType !== 'Asset') continue;
        const id = decodeId(e.objectId);
        if (id?.kind !== 'Asset' || !deps.dams[id.system]) continue;
        const ref = { assetId: e.objectId, system: id.system, nativeId: id.nativeId };
        let licence = e.source === 'OTCS' ? licenceOf(e) : null;
        if (!licence) {
          // A DAM's own change: drift when Atrium manages the asset and the fields differ from those written.
          const [rec] = await deps.sync.get([e.objectId]);
          const rights = (e.data.after as { damRights?: Rights } | undefined)?.damRights;
          if (!rec?.licence || !rec.written || !rights || rec.state !== 'IN_SYNC') continue;
          if (Object.keys(fieldsToWrite(rights, rec.written)).length === 0) continue;
          await deps.sync.mark(ref, { state: 'DRIFTED' }, new Date(now()).toISOString());
          licence = rec.licence;
        } else await deps.sync.mark(ref, { state: 'PENDING', licence }, new Date(now()).toISOString());
        const { job, created } = await runner.enqueue(kind, WRITEBACK_ACTOR, jobKey(e, e.objectId), {
          asset: e.objectId,
          system: id.system,
          nativeId: id.nativeId,
          licence,
        });
        // The event handed over again (a crash before the consumer's ack): its job's outcome stands.
        if (!created && (job.state === 'done' || job.state === 'failed')) await settled(deps.sync, now)(job, job.state, job.error);
      }
    },
  };
}

/** What a write-back job's end means for its asset's record (the runner's `onSettled`, and a job found ended). */
export function settled(sync: SyncStorePort, now: () => number = Date.now) {
  return async (job: Job, outcome: 'done' | 'pending' | 'failed', error: unknown): Promise<void> => {
    if (job.kind !== 'asset.rights.writeback') return;
    const input = job.input as RightsInput;
    const ref = { assetId: input.asset, system: input.system, nativeId: input.nativeId };
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : null;
    const at = new Date(now()).toISOString();
    if (outcome === 'done') await sync.mark(ref, { state: 'IN_SYNC', lastError: null }, at);
    else await sync.mark(ref, { state: outcome === 'failed' ? 'FAILED' : 'PENDING', lastError: (message ?? 'failed').slice(0, 300) }, at);
  };
}
