/** The flows' store on the storage thread (storage/worker.ts), behind the same interface as the store. */
import { fileURLToPath } from 'node:url';
import type { StorageWorker } from '../storage/remote.ts';
import type { FlowStorePort, Job, NewJob } from './store.ts';

/** How the storage thread makes the flows' store. */
export const FLOW_SERVICE = { module: fileURLToPath(new URL('./store.ts', import.meta.url)), className: 'FlowStore' };

export class RemoteFlowStore implements FlowStorePort {
  constructor(private readonly worker: StorageWorker) {}

  private call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.worker.call<T>('flows', method, ...args);
  }
  claim(job: NewJob, leaseUntil: string, now: string): Promise<{ job: Job; created: boolean }> {
    return this.call('claim', job, leaseUntil, now);
  }
  enqueue(job: NewJob, now: string): Promise<{ job: Job; created: boolean }> {
    return this.call('enqueue', job, now);
  }
  lease(id: string, leaseUntil: string, now: string): Promise<Job | null> {
    return this.call('lease', id, leaseUntil, now);
  }
  step(id: string, name: string, value: unknown, now: string): Promise<void> {
    return this.call('step', id, name, value, now);
  }
  forget(id: string, names: string[], now: string): Promise<void> {
    return this.call('forget', id, names, now);
  }
  finish(id: string, result: unknown, now: string): Promise<void> {
    return this.call('finish', id, result, now);
  }
  retryLater(id: string, error: string, nextAt: string, now: string): Promise<void> {
    return this.call('retryLater', id, error, nextAt, now);
  }
  fail(id: string, error: string, now: string): Promise<void> {
    return this.call('fail', id, error, now);
  }
  due(limit: number, leaseUntil: string, now: string): Promise<Job[]> {
    return this.call('due', limit, leaseUntil, now);
  }
  get(id: string): Promise<Job | null> {
    return this.call('get', id);
  }
  /** The thread is its owner's to close. */
  async close(): Promise<void> {}
}
