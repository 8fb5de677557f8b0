/**
 * What the layer above a connector tells it about the call in progress, without a parameter on
 * every port method: the signal that ends the call (the caller's deadline for this source).
 * The access layer runs each source call inside `withCallSignal`; the HTTP core stops waiting,
 * stops retrying and aborts the request in flight when it fires, so no work for an answer that
 * has already gone out keeps running against the upstream.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const calls = new AsyncLocalStorage<AbortSignal>();

/** Run `fn` (a source call) so that every upstream request it makes ends when `signal` aborts. */
export function withCallSignal<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  return calls.run(signal, fn);
}

/** The signal of the source call in progress, if any. */
export function callSignal(): AbortSignal | undefined {
  return calls.getStore();
}
