/**
 * The audit store on the storage thread (storage/worker.ts), behind the same interface as the
 * store. Calls are messages; a thread that dies fails the calls in flight (the writer keeps their
 * events buffered and retries) and is started again on the next call. The thread is the
 * caller's when given (one thread and one database for every store: the gateway's), else one of
 * its own.
 */
import { fileURLToPath } from 'node:url';
import { StorageWorker } from '../storage/remote.ts';
import type { AuditFilter, AuditRecord, EventPosition, StoredEvent } from './event.ts';
import { sign } from './chain.ts';
import type { ChainStatus, Checkpoint } from './checkpoint.ts';
import { streamPages, type AppendOptions, type AuditStorePort, type CheckpointPage, type EventPage, type StoreOptions } from './store.ts';

/** How the storage thread makes the audit store. */
export const AUDIT_SERVICE = { module: fileURLToPath(new URL('./store.ts', import.meta.url)), className: 'AuditStore' };

export class RemoteAuditStore implements AuditStorePort {
  private readonly worker: StorageWorker;
  private readonly own: boolean;
  private closed = false;

  constructor(
    opts: StoreOptions,
    readonly location: string,
    worker?: StorageWorker,
  ) {
    this.own = !worker;
    this.worker = worker ?? new StorageWorker(opts, { audit: AUDIT_SERVICE });
  }

  private call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the audit store is closed'));
    return this.worker.call<T>('audit', method, ...args);
  }

  open(): Promise<unknown> {
    return this.call('open');
  }
  exists(): Promise<boolean> {
    return this.call('exists');
  }
  /** Objects are described here, on the gateway's thread, where their descriptions are remembered (chain.ts `describe`). */
  append(records: readonly AuditRecord[], opts: AppendOptions = {}): Promise<number> {
    return this.call('appendSigned', records.map(sign), opts);
  }
  list(filter: AuditFilter, first: number, before?: EventPosition): Promise<EventPage> {
    return this.call('list', filter, first, before);
  }
  count(filter: AuditFilter = {}): Promise<number> {
    return this.call('count', filter);
  }
  pageAfter(filter: AuditFilter, after: EventPosition, batch: number): Promise<StoredEvent[]> {
    return this.call('pageAfter', filter, after, batch);
  }
  stream(filter: AuditFilter = {}, batch = 500): AsyncGenerator<StoredEvent> {
    return streamPages(this, filter, batch);
  }
  forObject(objectId: string, limit = 5000): Promise<StoredEvent[]> {
    return this.call('forObject', objectId, limit);
  }
  downloadsByCompany(from: string): Promise<{ company: string | null; count: number }[]> {
    return this.call('downloadsByCompany', from);
  }
  head(): Promise<{ seq: number; hash: string } | null> {
    return this.call('head');
  }
  appendCheckpoint(c: Checkpoint): Promise<void> {
    return this.call('appendCheckpoint', c);
  }
  checkpoints(first: number, after = 0): Promise<CheckpointPage> {
    return this.call('checkpoints', first, after);
  }
  /** Runs on the store's thread: a long verification never holds up the gateway's requests. */
  verify(publicKeys: readonly string[], extra: readonly Checkpoint[] = []): Promise<ChainStatus> {
    return this.call('verify', publicKeys, extra);
  }
  ping(): Promise<void> {
    return this.call('ping');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.own) await this.worker.close();
    else await this.call('close').catch(() => undefined);
    this.closed = true;
  }
}
