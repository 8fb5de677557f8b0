/**
 * The storage thread. PGlite is a WASM PostgreSQL that runs on the thread that calls it, and
 * hashing and serialising thousands of audit events a second is real work too: here the shared
 * database and the stores over it (the audit store, the flows' store) run beside the gateway,
 * on another core. Which stores run here is the caller's choice: each is named with the module
 * and class that make it (constructed with the thread's options and the shared database), so
 * storage imports none of them. The main thread talks to them through StorageWorker (remote.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sharedDatabase, type DatabaseOptions } from './database.ts';

/** A store this thread runs: `new (await import(module))[className]({ ...options, db })`. */
export interface ServiceSpec {
  module: string;
  className: string;
}

export interface WorkerData {
  options: DatabaseOptions;
  services: Record<string, ServiceSpec>;
}

export interface Call {
  id: number;
  service: string;
  method: string;
  args: unknown[];
}
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string } | { log: string };

const port = parentPort;
if (port) {
  const data = workerData as WorkerData;
  const onError = (e: Error) => port.postMessage({ log: e.message } satisfies Reply);
  const db = sharedDatabase({ ...data.options, onError });
  const services = new Map<string, Promise<Record<string, unknown>>>();
  const service = (name: string): Promise<Record<string, unknown>> => {
    let s = services.get(name);
    if (!s) {
      const spec = data.services[name];
      if (!spec) return Promise.reject(new Error(`no store "${name}" on the storage thread`));
      s = import(spec.module).then((m: Record<string, new (o: unknown) => Record<string, unknown>>) => {
        const Ctor = m[spec.className];
        if (!Ctor) throw new Error(`${spec.module} has no ${spec.className}`);
        return new Ctor({ ...data.options, onError, db });
      });
      services.set(name, s);
    }
    return s;
  };
  port.on('message', (call: Call) => {
    const run = async (): Promise<unknown> => {
      if (call.service === '' && call.method === 'close') {
        for (const s of services.values()) await ((await s).close as () => Promise<void>)?.call(await s);
        await db.close();
        return null;
      }
      const target = await service(call.service);
      const fn = target[call.method];
      if (typeof fn !== 'function') throw new Error(`store "${call.service}" has no method ${call.method}`);
      const value = await (fn as (...a: unknown[]) => Promise<unknown>).apply(target, call.args);
      // `open` resolves to the database handle, which stays on this thread.
      return call.method === 'open' ? null : value;
    };
    run().then(
      (value) => port.postMessage({ id: call.id, ok: true, value } satisfies Reply),
      (e: unknown) => port.postMessage({ id: call.id, ok: false, message: e instanceof Error ? e.message : String(e) } satisfies Reply),
    );
  });
}
