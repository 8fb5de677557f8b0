/**
 * The HTTP core every connector uses: timeouts, bounded retries with exponential backoff and
 * full jitter for idempotent reads only, held to a retry budget; Retry-After honoured across
 * requests (nothing is sent to the source before the time it gave); the caller's deadline
 * (call-context.ts) aborts the request in flight and every retry after it; credentials
 * attached and renewed once on 401; every failure mapped to a typed UpstreamError.
 *
 * A request body may be a stream (uploads): it is sent as it is read (`duplex: 'half'`),
 * under its own timeout (`uploadTimeoutMs`, since sending it takes as long as the bytes
 * take), and it is never sent twice: not retried, and not replayed after a 401 (its bytes
 * are gone; the credential is dropped so the next request signs in again).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { System } from '../model.ts';
import type { CredentialCache } from './auth.ts';
import { callSignal } from './call-context.ts';
import { UpstreamError, kindForStatus } from './errors.ts';
import { queryString, type QueryValue } from './path.ts';
import { RetryBudget } from './retry-budget.ts';

export interface HttpOptions<C = unknown> {
  system: System;
  /** Base URL including any fixed path prefix (e.g. `https://cs.example.com/otcs/cs.exe`). */
  baseUrl: string;
  /** Per-attempt timeout covering the response head and, for parsed bodies, the body. Default 5000. */
  timeoutMs?: number;
  /**
   * The same for a request whose body is a stream: it covers sending the body too, so it is
   * longer than a read's. Default 120000.
   */
  uploadTimeoutMs?: number;
  /** Retries after the first attempt, for idempotent requests. Default 2. */
  retries?: number;
  /** Backoff base and cap in ms. Defaults 100 and 2000. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Longest Retry-After we are willing to wait; longer ones fail at once as RATE_LIMITED. Default 5000. */
  maxRetryAfterMs?: number;
  /**
   * Longest a Retry-After keeps every request from the source, in ms (a bogus header cannot
   * block a source for hours). Default 300000.
   */
  maxRetryAfterGateMs?: number;
  /** Retries as a fraction of requests (a retry budget shared by every request of this client). Default 0.1. */
  retryBudgetRatio?: number;
  auth?: AuthHooks<C>;
  /** Injected for tests. */
  fetch?: typeof fetch;
  /** Observes every attempt (for metrics). */
  onAttempt?: (info: { system: System; method: string; status: number | 'error'; ms: number }) => void;
}

export interface AuthHooks<C> {
  cache: CredentialCache<C>;
  /** Headers that carry the credential. */
  headers(credential: C): Record<string, string>;
  /** Called with every successful response (e.g. to pick up a rotated ticket). */
  onResponse?(headers: Headers, credential: C): void;
}

export type Expect = 'json' | 'text' | 'bytes' | 'stream' | 'none';

export interface RequestSpec {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Already-encoded path (build it with `pathOf`). */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** A stream is sent as it is read and never sent twice (no retry, no replay after a 401). */
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
  /** Reads that use POST (batch reads, search, JSON-RPC) set this; defaults to GET/HEAD only. */
  idempotent?: boolean;
  expect?: Expect;
  /** Skip credentials (the login call itself). */
  anonymous?: boolean;
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Parse Retry-After (seconds or HTTP date) into ms. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

const isStream = (body: RequestSpec['body']): body is ReadableStream<Uint8Array> =>
  typeof ReadableStream !== 'undefined' && body instanceof ReadableStream;

export interface HttpClient {
  readonly system: System;
  request<T = unknown>(spec: RequestSpec): Promise<HttpResponse<T>>;
}

export function createHttpClient<C>(opts: HttpOptions<C>): HttpClient {
  const system = opts.system;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 5000;
  const uploadTimeoutMs = opts.uploadTimeoutMs ?? 120_000;
  const retries = opts.retries ?? 2;
  const backoffBase = opts.backoffBaseMs ?? 100;
  const backoffMax = opts.backoffMaxMs ?? 2000;
  const maxRetryAfter = opts.maxRetryAfterMs ?? 5000;
  const maxGate = opts.maxRetryAfterGateMs ?? 300_000;
  const budget = new RetryBudget(opts.retryBudgetRatio ?? 0.1);
  const doFetch = opts.fetch ?? fetch;
  /** No request goes out before this instant (epoch ms): the last Retry-After the source gave. */
  let notBefore = 0;
  /** Errors of requests held back by `notBefore`: they fail at once, never wait (the caller may have stale data). */
  const gated = new WeakSet<UpstreamError>();

  async function attempt<T>(spec: RequestSpec, credential: C | undefined): Promise<HttpResponse<T>> {
    const method = spec.method ?? 'GET';
    if (!spec.path.startsWith('/')) throw new UpstreamError(system, 'BAD_REQUEST', 'invalid request path');
    const wait = notBefore - Date.now();
    if (wait > 0) {
      const held = new UpstreamError(system, 'RATE_LIMITED', 'waiting for the time the source gave (Retry-After)', undefined, wait);
      gated.add(held);
      throw held;
    }
    const url = base + spec.path + (spec.query ? queryString(spec.query) : '');
    const headers: Record<string, string> = { accept: 'application/json', ...(spec.headers ?? {}) };
    if (credential !== undefined && opts.auth) Object.assign(headers, opts.auth.headers(credential));
    const ctrl = new AbortController();
    const streamed = isStream(spec.body);
    const timer = setTimeout(() => ctrl.abort(), streamed ? uploadTimeoutMs : timeoutMs);
    const outer = callSignal();
    const signal = outer ? AbortSignal.any([ctrl.signal, outer]) : ctrl.signal;
    const started = Date.now();
    const expect = spec.expect ?? 'json';
    let res: Response;
    try {
      // A streamed body goes out with `redirect: 'error'` and no window: otherwise fetch clones the
      // request for a possible redirect, teeing the body, and the unread branch holds every byte.
      // A redirect answer to an upload fails as a connection error (it could not be followed anyway).
      const init: RequestInit = streamed
        ? { method, headers, body: spec.body, signal, redirect: 'error', window: null, duplex: 'half' }
        : { method, headers, body: spec.body as string | Uint8Array | undefined, signal, redirect: 'manual' };
      res = await doFetch(url, init);
    } catch {
      clearTimeout(timer);
      opts.onAttempt?.({ system, method, status: 'error', ms: Date.now() - started });
      throw new UpstreamError(
        system,
        'UNAVAILABLE',
        outer?.aborted ? 'deadline exceeded' : ctrl.signal.aborted ? 'timed out' : 'connection failed',
      );
    }
    opts.onAttempt?.({ system, method, status: res.status, ms: Date.now() - started });
    if (res.status >= 300) {
      clearTimeout(timer);
      await res.body?.cancel().catch(() => undefined);
      const kind = res.status < 400 ? 'BAD_REQUEST' : kindForStatus(res.status);
      const after = retryAfterMs(res.headers.get('retry-after'));
      // The source said when to come back: nobody asks it before then (429, or 503 with the header).
      if (after !== undefined && (res.status === 429 || res.status === 503))
        notBefore = Math.max(notBefore, Date.now() + Math.min(after, maxGate));
      throw new UpstreamError(system, kind, `HTTP ${res.status}`, res.status, after);
    }
    if (credential !== undefined) opts.auth?.onResponse?.(res.headers, credential);
    if (expect === 'stream') {
      clearTimeout(timer); // the head arrived in time; the body streams at its own pace
      return { status: res.status, headers: res.headers, body: res.body as T };
    }
    try {
      if (expect === 'none') {
        await res.body?.cancel();
        return { status: res.status, headers: res.headers, body: undefined as T };
      }
      if (expect === 'bytes') return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) as T };
      const text = await res.text();
      if (expect === 'text') return { status: res.status, headers: res.headers, body: text as T };
      try {
        return { status: res.status, headers: res.headers, body: JSON.parse(text) as T };
      } catch {
        throw new UpstreamError(system, 'MALFORMED', 'response is not valid JSON', res.status);
      }
    } catch (e) {
      if (e instanceof UpstreamError) throw e;
      throw new UpstreamError(
        system,
        'UNAVAILABLE',
        outer?.aborted ? 'deadline exceeded' : ctrl.signal.aborted ? 'timed out reading the response' : 'response interrupted',
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async function withAuth<T>(spec: RequestSpec): Promise<HttpResponse<T>> {
    if (!opts.auth || spec.anonymous) return attempt<T>(spec, undefined);
    const credential = await opts.auth.cache.get();
    try {
      return await attempt<T>(spec, credential);
    } catch (e) {
      if (!(e instanceof UpstreamError) || e.kind !== 'UNAUTHENTICATED') throw e;
      // Expired or revoked: renew once (shared with every concurrent caller) and try again.
      opts.auth.cache.invalidate(credential);
      // A streamed body was consumed by the refused attempt: it cannot be sent again.
      if (isStream(spec.body))
        throw new UpstreamError(system, 'UNAUTHENTICATED', 'credentials refused; the upload was not stored', e.status);
      const fresh = await opts.auth.cache.get();
      return attempt<T>(spec, fresh);
    }
  }

  return {
    system,
    async request<T>(spec: RequestSpec): Promise<HttpResponse<T>> {
      const idempotent =
        !isStream(spec.body) && (spec.idempotent ?? (spec.method === undefined || spec.method === 'GET' || spec.method === 'HEAD'));
      const outer = callSignal();
      budget.deposit();
      for (let n = 0; ; n++) {
        try {
          return await withAuth<T>(spec);
        } catch (e) {
          if (!(e instanceof UpstreamError)) throw new UpstreamError(system, 'UNAVAILABLE', 'request failed');
          // After the caller's deadline nothing is retried: its answer has gone out without this.
          if (!idempotent || !e.retryable || n >= retries || outer?.aborted || gated.has(e)) throw e;
          let delay = Math.random() * Math.min(backoffMax, backoffBase * 2 ** n);
          if (e.kind === 'RATE_LIMITED' && e.retryAfterMs !== undefined) {
            if (e.retryAfterMs > maxRetryAfter) throw e;
            delay = e.retryAfterMs;
          }
          if (!budget.withdraw()) throw e;
          try {
            await sleep(delay, undefined, outer ? { signal: outer } : {});
          } catch {
            throw new UpstreamError(system, 'UNAVAILABLE', 'deadline exceeded');
          }
        }
      }
    },
  };
}
