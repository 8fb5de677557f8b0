/**
 * A small, bounded HTTP load generator for GraphQL over loopback: a fixed number of workers,
 * each sending its next request as soon as the previous one answered, until a duration or a
 * request budget is spent. It stops by itself: no new request starts after the deadline, and
 * requests still running `graceMs` after it are aborted and counted as errors.
 */
import { setMaxListeners } from 'node:events';
import { Agent, request } from 'node:http';

/** One GraphQL request body (query and variables). */
export interface GraphQLBody {
  query: string;
  variables?: Record<string, unknown>;
}

/** How much load, against what, for how long. */
export interface LoadOptions {
  /** The GraphQL endpoint; must be on loopback. */
  url: string;
  concurrency: number;
  /** Stop starting requests after this long. */
  durationMs: number;
  /** Stop after this many requests in total (whichever comes first). */
  maxRequests?: number;
  /** The body of the n-th request (0-based, across workers) sent by `worker`. */
  body(n: number, worker: number): GraphQLBody;
  /** Extra headers of `worker`'s requests (its reader's bearer token). */
  headers?: (worker: number) => Record<string, string>;
  /** How long requests may run past the deadline before they are aborted. Default 10 s. */
  graceMs?: number;
}

/** What a load run observed. */
export interface LoadResult {
  /** Latency of every successful request, in ms, in completion order. */
  latencies: number[];
  /** Requests that failed: transport errors, non-200 statuses, or GraphQL `errors`. */
  errors: number;
  /** The first few error messages, for the report. */
  errorSamples: string[];
  /** Wall time from the first request to the last answer, in ms. */
  elapsedMs: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** POST one GraphQL request; resolves with status and body text. */
export function post(
  url: URL,
  agent: Agent,
  payload: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        signal,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Whether a GraphQL answer succeeded: HTTP 200 and no top-level `errors`. */
export function failureOf(status: number, text: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
  // A cheap check first: parsing every large answer would cost the generator CPU the systems need.
  if (!text.includes('"errors"')) return null;
  try {
    const body = JSON.parse(text) as { errors?: { message?: string }[] };
    return body.errors?.length ? `GraphQL: ${body.errors[0]?.message ?? 'error'}` : null;
  } catch {
    return `invalid JSON: ${text.slice(0, 120)}`;
  }
}

/** Run the load; never throws for request failures (they are counted). */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const url = new URL(opts.url);
  if (!LOOPBACK.has(url.hostname)) throw new Error(`load generation targets loopback only (got ${url.hostname})`);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const abort = new AbortController();
  // Every in-flight request listens on the one signal.
  setMaxListeners(opts.concurrency + 10, abort.signal);
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let sent = 0;
  const max = opts.maxRequests ?? Number.POSITIVE_INFINITY;
  const started = performance.now();
  const deadline = started + opts.durationMs;
  const hardStop = setTimeout(() => abort.abort(), opts.durationMs + (opts.graceMs ?? 10_000));
  const fail = (msg: string) => {
    errors++;
    if (errorSamples.length < 3) errorSamples.push(msg);
  };
  const worker = async (w: number) => {
    while (sent < max && performance.now() < deadline && !abort.signal.aborted) {
      const n = sent++;
      const payload = JSON.stringify(opts.body(n, w));
      const t0 = performance.now();
      try {
        const res = await post(url, agent, payload, opts.headers?.(w) ?? {}, abort.signal);
        const failure = failureOf(res.status, res.text);
        if (failure) fail(failure);
        else latencies.push(performance.now() - t0);
      } catch (e) {
        fail((e as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, w) => worker(w)));
  clearTimeout(hardStop);
  agent.destroy();
  return { latencies, errors, errorSamples, elapsedMs: performance.now() - started };
}
