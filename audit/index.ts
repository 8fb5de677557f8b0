/**
 * Atrium's access audit, assembled: the store, its single writer, and what the gateway calls
 * per request (views from the GraphQL plugin, downloads from the files hook). buildGateway
 * takes one of these (or `false` to run without auditing, for benchmarks); main.ts builds it
 * from the configuration and closes it last on shutdown, so buffered events are written.
 */
import { decodeId } from '../access/ids.ts';
import type { AuditObject } from './event.ts';
import type { AuditedRequest, AuditLog, AuditMetrics, ClientInfo, DownloadEvent, WriteEvent } from './ports.ts';
import { Checkpointer, type ChainStatus, type Checkpoint, type CheckpointKey } from './checkpoint.ts';
import { describeObject } from './objects.ts';
import { AuditStore, type AuditStorePort, type StoreOptions } from './store.ts';
import { RemoteAuditStore } from './remote.ts';
import { AuditWriter, type AuditStatus, type WriterOptions } from './writer.ts';
import { AuditJournal } from './journal.ts';

/** The audit as one request sees it (attached to its context by buildGateway). */
export interface RequestAudit {
  store: AuditStorePort;
  client: ClientInfo;
  /** The audit's wall clock (not the graph's read-time clock). */
  now(): number;
  /** A value completed as Node type `type` (from `isTypeOf`): one of the objects handed out. Cheap: once per value. */
  saw(type: string, value: unknown): void;
  /** Record the objects seen: one view event each, recorded together. Once per response. */
  recordViews(): void;
  /** A download event, after the bytes went out. */
  download(e: DownloadEvent): void;
  /** A write, whatever its outcome. */
  write(e: WriteEvent): void;
  /** The chain verified now, with its checkpoints and `extra` ones (Audit.verify). */
  verify(extra?: readonly Checkpoint[]): Promise<ChainStatus>;
  /** The public key that verifies this gateway's checkpoints, or null without checkpoints. */
  readonly checkpointKey: string | null;
}

export interface AuditOptions {
  store: AuditStorePort;
  writer: AuditWriter;
  /** Signs checkpoints of the chain's head; without one no checkpoints are made. */
  checkpoints?: { key: CheckpointKey; checkpointer: Checkpointer };
  /** The writer's journal, closed last (what it still holds is replayed at the next start). */
  journal?: AuditJournal;
}

/**
 * Descriptions of canonical objects, by the object: the sources' cache hands the same objects
 * to request after request, so each is described once while it is cached. Canonical objects
 * are never changed once built (a newer version is a new object).
 */
const described = new WeakMap<object, AuditObject | null>();
function describeCached(type: string, value: object): AuditObject | null {
  let o = described.get(value);
  if (o === undefined) {
    o = describeObject(type, value);
    described.set(value, o);
  }
  return o;
}

export class Audit {
  readonly store: AuditStorePort;
  readonly writer: AuditWriter;

  private readonly checkpoints: AuditOptions['checkpoints'];
  private readonly journal: AuditJournal | undefined;

  constructor(opts: AuditOptions) {
    this.store = opts.store;
    this.writer = opts.writer;
    this.checkpoints = opts.checkpoints;
    this.journal = opts.journal;
    this.checkpoints?.checkpointer.start();
  }

  /** The public key that verifies this gateway's checkpoints (SPKI PEM), or null without checkpoints. */
  get checkpointKey(): string | null {
    return this.checkpoints?.key.publicKeyPem ?? null;
  }

  /**
   * The chain verified end to end while the gateway serves (on the store's thread), with every
   * checkpoint: the stored ones and `extra` (checkpoints exported earlier, to catch a tail cut
   * off together with the checkpoints stored beside it). One verification at a time: callers
   * arriving while one runs without `extra` share it.
   */
  verify(extra: readonly Checkpoint[] = []): Promise<ChainStatus> {
    const keys = this.checkpoints ? [this.checkpoints.key.publicKeyPem] : [];
    if (extra.length > 0) return this.store.verify(keys, extra);
    this.verifying ??= this.store.verify(keys).finally(() => {
      this.verifying = null;
    });
    return this.verifying;
  }
  private verifying: Promise<ChainStatus> | null = null;

  /** The per-request part, for the request `ctx` coming from `client`. */
  forRequest(client: ClientInfo, ctx: AuditedRequest): RequestAudit {
    const objects = new Map<string, AuditObject>();
    // A value completed in twenty places is looked at once.
    const values = new WeakSet<object>();
    return {
      store: this.store,
      client,
      now: () => this.writer.now(),
      saw: (type, value) => {
        if (typeof value !== 'object' || value === null || values.has(value)) return;
        values.add(value);
        const o = describeCached(type, value);
        if (o && !objects.has(o.id)) objects.set(o.id, o);
      },
      recordViews: () => {
        if (objects.size === 0) return;
        this.writer.record({ action: 'view', ...this.actor(ctx, client), objects: [...objects.values()] });
        objects.clear();
      },
      download: (e) => this.download(ctx, client, e),
      write: (e) => this.recordWrite({ ...this.actor(ctx, client) }, e),
      verify: (extra) => this.verify(extra),
      checkpointKey: this.checkpointKey,
    };
  }

  private actor(ctx: AuditedRequest, client: ClientInfo) {
    const p = ctx.principal;
    return {
      principalId: p?.id ?? null,
      email: p?.email ?? null,
      org: p?.org ?? null,
      ip: client.ip,
      userAgent: client.userAgent,
      requestId: ctx.requestId,
    };
  }

  /**
   * A download event, after the bytes went out. The object is described from the request's
   * loaders, which already hold it (the download checked visibility through them), so this
   * asks no source; it runs off the response and close() waits for it.
   */
  private download(ctx: AuditedRequest, client: ClientInfo, e: DownloadEvent): void {
    const actor = this.actor(ctx, client);
    this.writer.track(
      (async () => {
        const id = decodeId(e.id);
        let o: AuditObject | null = null;
        if (id?.kind === 'Asset') o = describeObject('Asset', await ctx.loaders.asset[id.system].load(id.nativeId));
        else if (id?.kind === 'Document') o = describeObject('Document', await ctx.loaders.document.load(id.nodeId));
        const base =
          o ??
          ({
            id: e.id,
            type: e.kind === 'asset' ? 'Asset' : 'Document',
            system: id?.kind === 'Asset' ? id.system : 'OTCS',
            nativeId: id?.kind === 'Asset' ? id.nativeId : id?.kind === 'Document' ? id.nodeId : e.id,
            version: null,
            campaign: null,
          } as AuditObject);
        this.writer.record({
          action: 'download',
          ...actor,
          // The version downloaded, not the current one (a document link names its version).
          objects: [e.version !== undefined ? { ...base, version: String(e.version) } : base],
          rendition: e.rendition ?? null,
        });
      })(),
    );
  }

  /** Health, write lag and buffer depth, for /readyz and /metrics (see AuditWriter.status). */
  /**
   * A write event for `actor` (a request's reader, or the client an inbound webhook or a
   * resumed job acts for).
   */
  recordWrite(
    actor: {
      principalId: string | null;
      email?: string | null;
      org?: string | null;
      ip?: string | null;
      userAgent?: string | null;
      requestId?: string | null;
    },
    e: WriteEvent,
  ): void {
    const o = e.object;
    this.writer.record({
      action: 'write',
      principalId: actor.principalId,
      email: actor.email ?? null,
      org: actor.org ?? null,
      ip: actor.ip ?? null,
      userAgent: actor.userAgent ?? null,
      requestId: actor.requestId ?? null,
      objects: o ? [o] : [],
      detail: JSON.stringify({
        operation: e.operation,
        outcome: e.outcome,
        idempotencyKey: e.idempotencyKey,
        ...(e.error ? { error: e.error } : {}),
      }),
    });
  }

  status(): AuditStatus {
    return this.writer.status();
  }

  /** Write what is buffered (waiting up to `deadlineMs` for a failing store), then close the store. */
  async close(deadlineMs?: number): Promise<void> {
    await this.writer.close(deadlineMs);
    // A last checkpoint of the head as the gateway leaves it.
    await this.checkpoints?.checkpointer.close();
    await this.store.close();
    this.journal?.close();
  }
}

/** Configuration of createAudit (the gateway config's `audit` plus the logger and metrics). */
export interface CreateAuditOptions extends Omit<WriterOptions, 'log' | 'metrics' | 'onWritten' | 'probe'>, StoreOptions {
  /** Run the store in a worker thread (default), so database and hashing work stays off the gateway's thread. */
  inWorker?: boolean;
  /** Checkpoints of the chain's head, signed with `key`, every `intervalMs` and every `everyEvents` events written. */
  checkpoints?: { key: CheckpointKey; intervalMs: number; everyEvents: number };
  /**
   * The journal's directory (journal.ts): every record is written there before its response
   * goes out, and what a killed process left is written to the store at the next start.
   * Without one, a crash loses the buffered events.
   */
  journalDir?: string;
  /** A journal already opened and locked (the gateway takes it while checking its start); wins over `journalDir`. */
  journal?: AuditJournal;
  /** The store to write to (the gateway's, on the storage thread it shares with the flows); default one of its own. */
  store?: AuditStorePort;
}

/**
 * Build the audit: the store starts opening (and migrating) now, in the background; events
 * buffer meanwhile, and the writer is not ok (so /readyz is 503) until the store has been reached.
 */
export function createAudit(opts: CreateAuditOptions, log: AuditLog, metrics?: AuditMetrics): Audit {
  const storeOpts: StoreOptions = {
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    ...(opts.dir ? { dir: opts.dir } : {}),
    ...(opts.schema ? { schema: opts.schema } : {}),
    ...(opts.migrate !== undefined ? { migrate: opts.migrate } : {}),
    onError: (e) => log.warn('audit database connection error', { error: e.message }),
  };
  const local = new AuditStore(storeOpts);
  const store: AuditStorePort = opts.store ?? (opts.inWorker === false ? local : new RemoteAuditStore(storeOpts, local.location));
  const cp = opts.checkpoints;
  const checkpointer = cp
    ? new Checkpointer(store, cp.key, {
        intervalMs: cp.intervalMs,
        everyEvents: cp.everyEvents,
        log,
        ...(opts.now ? { now: opts.now } : {}),
      })
    : undefined;
  let journal = opts.journal;
  if (!journal && opts.journalDir) {
    journal = new AuditJournal(opts.journalDir);
    journal.lock();
  }
  const writer = new AuditWriter(store, {
    ...(journal ? { journal } : {}),
    bufferMax: opts.bufferMax,
    batchMs: opts.batchMs,
    batchSize: opts.batchSize,
    log,
    ...(metrics ? { metrics } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.maxBackoffMs ? { maxBackoffMs: opts.maxBackoffMs } : {}),
    ...(opts.readyLagMs !== undefined ? { readyLagMs: opts.readyLagMs } : {}),
    ...(opts.readyBufferFraction !== undefined ? { readyBufferFraction: opts.readyBufferFraction } : {}),
    ...(checkpointer ? { onWritten: (n: number) => checkpointer.written(n) } : {}),
    // Migrations run at start-up, not at the first event; until they did, the writer is not ok and retries.
    probe: async () => {
      try {
        await store.open();
      } catch (e) {
        throw new Error(`${store.location}: ${(e as Error).message}`);
      }
      log.info('audit store ready', { store: store.location });
    },
  });
  if (journal) {
    const left = journal.recover();
    if (left.records.length || left.gaps.length) {
      log.warn('audit journal: a previous run stopped before storing these; writing them now (the store skips any it has)', {
        records: left.records.length,
        gaps: left.gaps.length,
      });
      writer.replay(left.records, left.gaps);
    }
    // Re-journaled by the writer: the previous run's files can go.
    journal.recovered();
  }
  return new Audit({
    store,
    writer,
    ...(cp && checkpointer ? { checkpoints: { key: cp.key, checkpointer } } : {}),
    ...(journal ? { journal } : {}),
  });
}

export { AuditStore } from './store.ts';
export { AuditWriter } from './writer.ts';
export type { AuditConcern, AuditStatus } from './writer.ts';
