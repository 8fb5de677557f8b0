/**
 * The audit store's thread. PGlite is a WASM Postgres that runs on the thread that calls it,
 * and hashing and serialising thousands of events a second is real work too: here it runs
 * beside the gateway, on another core, instead of between its requests. The main thread talks
 * to it through RemoteAuditStore (remote.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AuditStore, type StoreOptions } from './store.ts';

export type StoreMethod =
  | 'open'
  | 'exists'
  | 'append'
  | 'appendSigned'
  | 'list'
  | 'count'
  | 'pageAfter'
  | 'forObject'
  | 'downloadsByCompany'
  | 'head'
  | 'appendCheckpoint'
  | 'checkpoints'
  | 'verify'
  | 'ping'
  | 'close';
export interface Call {
  id: number;
  method: StoreMethod;
  args: unknown[];
}
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string } | { log: string };

const port = parentPort;
if (port) {
  const opts = workerData as StoreOptions;
  const store = new AuditStore({ ...opts, onError: (e) => port.postMessage({ log: e.message } satisfies Reply) });
  port.on('message', (call: Call) => {
    const run = async (): Promise<unknown> => {
      const fn = store[call.method] as (...a: unknown[]) => Promise<unknown>;
      const value = await fn.apply(store, call.args);
      // `open` resolves to the database handle, which stays on this thread.
      return call.method === 'open' ? null : value;
    };
    run().then(
      (value) => port.postMessage({ id: call.id, ok: true, value } satisfies Reply),
      (e: unknown) => port.postMessage({ id: call.id, ok: false, message: e instanceof Error ? e.message : String(e) } satisfies Reply),
    );
  });
}
