/**
 * The main thread's end of the storage thread (worker.ts): one thread, one database, any number
 * of stores; a call is a message naming the store, the method and its arguments. A thread that
 * dies fails the calls in flight (callers keep what they were writing and retry) and is started
 * again on the next call.
 */
import { Worker } from 'node:worker_threads';
import type { DatabaseOptions } from './database.ts';
import type { Call, Reply, ServiceSpec, WorkerData } from './worker.ts';

export class StorageWorker {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    private readonly options: DatabaseOptions,
    private readonly services: Record<string, ServiceSpec>,
  ) {}

  private start(): Worker {
    if (this.worker) return this.worker;
    const { onError, ...options } = this.options;
    const data: WorkerData = { options, services: this.services };
    // The worker is TypeScript like the rest: its entry registers tsx, then loads worker.ts.
    const w = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: data });
    // The worker's lifetime follows the stores', not the event loop's.
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
    w.on('exit', (code) => fail(new Error(`the storage thread stopped (${code})`)));
    this.worker = w;
    return w;
  }

  /** Call `method` of the store named `service` on the storage thread. */
  call<T>(service: string, method: string, ...args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the storage thread is closed'));
    const w = this.start();
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, service, method, args } satisfies Call);
    });
  }

  /** Close every store and the database, then end the thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    const w = this.worker;
    if (w) await this.call('', 'close').catch(() => undefined);
    this.closed = true;
    if (w) await w.terminate();
  }
}
