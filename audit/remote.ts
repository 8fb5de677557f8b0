/**
 * The audit store in a worker thread (worker.ts), behind the same interface as the store. Calls
 * are messages; a worker that dies fails the calls in flight (the writer keeps their events
 * buffered and retries) and is started again on the next call.
 */
import { Worker } from 'node:worker_threads';
import type { AuditFilter, AuditRecord, EventPosition, StoredEvent } from './event.ts';
import { sign } from './chain.ts';
import type { ChainStatus, Checkpoint } from './checkpoint.ts';
import { streamPages, type AppendOptions, type AuditStorePort, type CheckpointPage, type EventPage, type StoreOptions } from './store.ts';
import type { Call, Reply, StoreMethod } from './worker.ts';

export class RemoteAuditStore implements AuditStorePort {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    private readonly opts: StoreOptions,
    readonly location: string,
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const { onError, ...data } = this.opts;
    // The worker is TypeScript like the rest: its entry registers tsx, then loads worker.ts.
    const w = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: data });
    // The worker's lifetime follows the store's, not the event loop's.
    w.unref();
    w.on('message', (m: Reply) => {
      if ('log' in m) {
        onError?.(new Error(m.log));
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new Error(m.message));
    });
    const fail = (e: Error) => {
      if (this.worker === w) this.worker = null;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the audit store's thread stopped (${code})`)));
    this.worker = w;
    return w;
  }

  private call<T>(method: StoreMethod, ...args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the audit store is closed'));
    const w = this.start();
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, method, args } satisfies Call);
    });
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
    const w = this.worker;
    if (w) await this.call('close').catch(() => undefined);
    this.closed = true;
    if (w) await w.terminate();
  }
}
