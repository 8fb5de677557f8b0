/**
 * Per-source resilience, between the readers and the connectors:
 * - a circuit breaker per source (cockatiel): when at least `minimumCalls` calls in the last
 *   `windowMs` were made and half or more failed, calls fail at once without reaching the
 *   source; after `halfOpenAfterMs` one call is let through as a probe, and its outcome closes
 *   or reopens the circuit;
 * - one deadline's wait per request per source (`RequestBudget`): each call has the source's
 *   deadline, and a source that failed (or timed out) once in a request fails that request's
 *   later calls at once, so a dead or slow source costs a request one deadline, not one per
 *   level (a healthy source is never cut short by how many calls a report makes of it);
 * - the deadline aborts the call (`withCallSignal`): the connector's request in flight and its
 *   retries stop when the answer goes out without them;
 * - health from real reads: a source is failing while its circuit is not closed, or when its
 *   last real read failed (for `failingForMs`, unless a later read succeeded); a ping that
 *   succeeds does not hide a read that failed in the last `READ_FAILURE_HOLD_MS` (a Content
 *   Server whose ping answers while every read is malformed is not healthy), but clears an older
 *   one (a quiet gateway whose source came back is ready again without waiting for traffic).
 * Only the source's own trouble counts against it (unavailable, rate limited, malformed,
 * credentials refused); not-found, forbidden and bad-request answers are answers.
 */
import { BrokenCircuitError, CircuitState, circuitBreaker, handleWhen, SamplingBreaker, type CircuitBreakerPolicy } from 'cockatiel';
import { withCallSignal } from '../sources/http/call-context.ts';
import { UpstreamError } from '../sources/http/errors.ts';
import type { System } from '../sources/model.ts';

/** Failures that say the source is in trouble (not an answer about what was asked). */
export function isSourceFailure(e: unknown): e is UpstreamError {
  return (
    e instanceof UpstreamError &&
    (e.kind === 'UNAVAILABLE' || e.kind === 'RATE_LIMITED' || e.kind === 'MALFORMED' || e.kind === 'UNAUTHENTICATED')
  );
}

export interface BreakerOptions {
  /** Fraction of failed calls in the window that opens the circuit. Default 0.5. */
  threshold?: number;
  /** The window, in ms. Default 10000. */
  windowMs?: number;
  /** Calls in the window before the circuit may open. Default 5. */
  minimumCalls?: number;
  /** How long an open circuit stays open before one probe is let through, in ms. Default 1000. */
  halfOpenAfterMs?: number;
}

export interface GuardOptions {
  /** A request's time for one source, all its calls to it together, in ms. */
  deadlineMs: number;
  breaker?: BreakerOptions;
  /** How long a failed real read keeps its source failing unless a later one succeeds, in ms. Default 30000. */
  failingForMs?: number;
  now?: () => number;
}

export type CircuitName = 'closed' | 'open' | 'half-open';

export interface SourceStatusRecord {
  system: System;
  ok: boolean;
  /** The circuit breaker's state. */
  circuit: CircuitName;
  /** Whether cached data past its freshness answered for it lately (within `failingForMs`). */
  stale: boolean;
  latencyMs?: number;
  checkedAt?: string;
  message?: string;
}

/** Publicly safe reason of a failure (no URL, body or credential). */
function publicReason(e: unknown): string {
  if (e instanceof UpstreamError) {
    switch (e.kind) {
      case 'UNAVAILABLE':
        return e.message.endsWith('circuit open') ? 'circuit open' : 'unavailable';
      case 'RATE_LIMITED':
        return 'rate limited';
      case 'MALFORMED':
        return 'malformed response';
      case 'UNAUTHENTICATED':
        return 'credentials refused';
      default:
        return 'error';
    }
  }
  return 'error';
}

/** A read failure younger than this is not cleared by a ping that succeeds, in ms. */
export const READ_FAILURE_HOLD_MS = 1500;

/**
 * One request's dealings with each source: a source that failed (or timed out) in this request
 * fails its later calls at once. Also collects which sources answered from stale cache, and how
 * stale, and which the request went without.
 */
export class RequestBudget {
  private readonly failed = new Map<System, UpstreamError>();
  /** Per source, the age in ms of the oldest stale data this request was served. */
  readonly stale = new Map<System, number>();
  /** Sources whose data this request went without (a read failed and no stale data stood in). */
  readonly missing = new Set<System>();

  fail(system: System, e: UpstreamError): void {
    if (!this.failed.has(system)) this.failed.set(system, e);
  }

  failure(system: System): UpstreamError | undefined {
    return this.failed.get(system);
  }

  noteMissing(system: System): void {
    this.missing.add(system);
  }

  noteStale(system: System, ageMs: number): void {
    this.stale.set(system, Math.max(ageMs, this.stale.get(system) ?? 0));
  }
}

interface Health {
  /** When cached data past its freshness last answered for this source. */
  staleAt?: number;
  latencyMs?: number;
  checkedAt?: number;
  /** The last real read's failure, and when (cleared by a later success). */
  readFailure?: { at: number; message: string };
  /** The last ping's outcome. */
  pingFailure?: string;
}

/** Per-source breakers, deadlines, health and call counting. */
export class SourceGuard {
  private readonly breakers = new Map<System, CircuitBreakerPolicy>();
  private readonly health = new Map<System, Health>();
  private readonly listeners: ((system: System, ok: boolean, ms: number) => void)[] = [];
  readonly calls: Record<string, number> = {};
  private readonly now: () => number;

  constructor(private readonly opts: GuardOptions) {
    this.now = opts.now ?? Date.now;
  }

  get deadlineMs(): number {
    return this.opts.deadlineMs;
  }

  /** A budget for one request. */
  budget(): RequestBudget {
    return new RequestBudget();
  }

  /** Observe every source call that reached the source (metrics). */
  subscribe(listener: (system: System, ok: boolean, ms: number) => void): void {
    this.listeners.push(listener);
  }

  private breaker(system: System): CircuitBreakerPolicy {
    let b = this.breakers.get(system);
    if (!b) {
      const o = this.opts.breaker ?? {};
      const windowMs = o.windowMs ?? 10_000;
      b = circuitBreaker(handleWhen(isSourceFailure), {
        halfOpenAfter: o.halfOpenAfterMs ?? 1000,
        breaker: new SamplingBreaker({
          threshold: o.threshold ?? 0.5,
          duration: windowMs,
          minimumRps: (o.minimumCalls ?? 5) / (windowMs / 1000),
        }),
      });
      this.breakers.set(system, b);
    }
    return b;
  }

  /**
   * Run one call to `system` under its breaker and the request's deadline (`budget`; without
   * one, a whole deadline). Rejects with the call's error, or with an UNAVAILABLE UpstreamError
   * when the circuit is open or the deadline passed. `kind` says whether this is a real read or
   * a ping, for health. Never swallows errors.
   */
  async run<T>(system: System, fn: () => Promise<T>, budget?: RequestBudget, kind: 'read' | 'ping' = 'read'): Promise<T> {
    const earlier = budget?.failure(system);
    if (earlier) throw earlier;
    const remaining = this.opts.deadlineMs;
    const started = this.now();
    let reached = false;
    const ctrl = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    try {
      const v = await this.breaker(system).execute(() => {
        reached = true;
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            ctrl.abort();
            reject(new UpstreamError(system, 'UNAVAILABLE', 'deadline exceeded'));
          }, remaining);
        });
        return Promise.race([withCallSignal(ctrl.signal, fn), deadline]);
      });
      this.record(system, kind, true, this.now() - started);
      return v;
    } catch (e) {
      if (e instanceof BrokenCircuitError) throw this.failed(system, budget, new UpstreamError(system, 'UNAVAILABLE', 'circuit open'));
      if (reached) this.record(system, kind, !isSourceFailure(e), this.now() - started, isSourceFailure(e) ? publicReason(e) : undefined);
      if (isSourceFailure(e)) this.failed(system, budget, e);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private failed(system: System, budget: RequestBudget | undefined, e: UpstreamError): UpstreamError {
    budget?.fail(system, e);
    return e;
  }

  private record(system: System, kind: 'read' | 'ping', ok: boolean, ms: number, message?: string): void {
    this.calls[system] = (this.calls[system] ?? 0) + 1;
    const h = this.health.get(system) ?? {};
    const at = this.now();
    h.latencyMs = ms;
    h.checkedAt = at;
    if (kind === 'ping') {
      h.pingFailure = ok ? undefined : (message ?? 'error');
      if (ok && h.readFailure && at - h.readFailure.at >= READ_FAILURE_HOLD_MS) h.readFailure = undefined;
    } else if (ok) h.readFailure = undefined;
    else h.readFailure = { at, message: message ?? 'error' };
    this.health.set(system, h);
    for (const l of this.listeners) l(system, ok, ms);
  }

  /** Cached data past its freshness answered for `system` (it failed). */
  noteStale(system: System): void {
    const h = this.health.get(system) ?? {};
    h.staleAt = this.now();
    this.health.set(system, h);
  }

  /** The circuit's state. */
  circuit(system: System): CircuitName {
    const s = this.breakers.get(system)?.state ?? CircuitState.Closed;
    return s === CircuitState.Closed ? 'closed' : s === CircuitState.HalfOpen ? 'half-open' : 'open';
  }

  /** A source's status now (unknown sources count as ok until first used). */
  get(system: System): SourceStatusRecord {
    const h = this.health.get(system) ?? {};
    const circuit = this.circuit(system);
    const within = this.opts.failingForMs ?? 30_000;
    const readFailing = h.readFailure && this.now() - h.readFailure.at < within ? h.readFailure.message : undefined;
    const message = circuit !== 'closed' ? `circuit ${circuit}` : (readFailing ?? h.pingFailure);
    return {
      system,
      ok: message === undefined,
      circuit,
      stale: h.staleAt !== undefined && this.now() - h.staleAt < within,
      ...(h.latencyMs !== undefined ? { latencyMs: h.latencyMs } : {}),
      ...(h.checkedAt !== undefined ? { checkedAt: new Date(h.checkedAt).toISOString() } : {}),
      ...(message ? { message } : {}),
    };
  }
}
