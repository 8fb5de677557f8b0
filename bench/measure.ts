/**
 * One measurement: a scenario against one running system, with the simulators' counters read
 * around it and the system's peak RSS over it.
 */
import { Agent } from 'node:http';
import { failureOf, post, runLoad, type GraphQLBody } from './load.ts';
import type { Child } from './proc.ts';
import { requestOf, type RequestFn, type Scenario, type SystemName } from './scenarios.ts';
import { summarize } from './stats.ts';
import type { Row } from './table.ts';
import { perRequest, resetAll, settle, snapshot, upstreamDelta } from './upstream.ts';

/** The system under measurement and what the measurement needs to know about the run. */
export interface Target {
  system: SystemName;
  scale: number;
  latencyMs: number;
  /** The simulators' roots (for /__sim). */
  roots: string[];
  /** `authorization` header by demo user email (empty: send none). */
  tokens: Record<string, string>;
  /** How long to wait for the upstream traffic a measurement caused to end. */
  settleMs: number;
}

/** The headers of a request read as `email`. */
export function readerHeaders(t: Target, email: string): Record<string, string> {
  const token = t.tokens[email];
  return token ? { authorization: token } : {};
}

/** A row for a scenario a system did not run. */
export function emptyRow(s: Scenario, t: Target, status: Row['status'], note: string, label = s.title): Row {
  return {
    scenario: s.id,
    mode: s.mode,
    label,
    scale: t.scale,
    floorMs: s.levels * t.latencyMs,
    system: t.system,
    status,
    note,
    concurrency: s.concurrency,
    requests: 0,
    errors: 0,
    rps: null,
    p50: null,
    p95: null,
    p99: null,
    upstreamPerRequest: null,
    peakRssBytes: null,
  };
}

/** Send one request and time it; the failure message or null. */
export async function once(
  url: string,
  body: GraphQLBody,
  headers: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ ms: number; failure: string | null }> {
  const agent = new Agent({ keepAlive: false });
  const t0 = performance.now();
  try {
    const res = await post(new URL(url), agent, JSON.stringify(body), headers, AbortSignal.timeout(timeoutMs));
    return { ms: performance.now() - t0, failure: failureOf(res.status, res.text) };
  } catch (e) {
    return { ms: performance.now() - t0, failure: (e as Error).message };
  } finally {
    agent.destroy();
  }
}

/** Atrium's audit counters from /metrics, or null for a system without them (auditing off, peers). */
export async function auditCounters(graphqlUrl: string): Promise<{ written: number; dropped: number; buffered: number } | null> {
  try {
    const res = await fetch(new URL('/metrics', graphqlUrl));
    if (!res.ok) return null;
    const text = await res.text();
    if (!/^atrium_audit_ok /m.test(text)) return null;
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    return {
      written: value(/^atrium_audit_events_total\{outcome="written"\} (\d+)/m),
      dropped: value(/^atrium_audit_dropped (\d+)/m),
      buffered: value(/^atrium_audit_buffered (\d+)/m),
    };
  } catch {
    return null;
  }
}

/**
 * Poll the audit counters until nothing is buffered (or `maxMs` passed): the counters then,
 * how long it took, and whether it drained. Null for a system without an audit.
 */
async function auditDrained(
  graphqlUrl: string,
  maxMs: number,
): Promise<{ written: number; dropped: number; drained: boolean; ms: number } | null> {
  const t0 = Date.now();
  for (;;) {
    const c = await auditCounters(graphqlUrl);
    if (!c) return null;
    if (c.buffered === 0 || Date.now() - t0 >= maxMs)
      return { written: c.written, dropped: c.dropped, drained: c.buffered === 0, ms: Date.now() - t0 };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Fixed-duration load of one scenario; a failing check request makes an error row instead. */
export async function measureLoad(
  s: Scenario,
  t: Target,
  child: Child<{ url: string }>,
  durationMs: number,
  label = s.title,
): Promise<Row> {
  const request = requestOf(s, t.system);
  if (!request) return emptyRow(s, t, 'n/a', 'cannot express this query', label);
  // A check request first: a system that cannot answer is reported, not measured. It gets
  // three tries, since the first request of a fresh world may outlast a system's deadline.
  let failure: string | null = null;
  let firstFailure = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    failure = (await once(child.info.url, request(0, 0), readerHeaders(t, s.reader(0)))).failure;
    if (!failure) break;
    firstFailure ||= failure;
  }
  if (failure) return emptyRow(s, t, 'error', failure.slice(0, 160), label);
  // The window starts with the audit trail drained (the check request's events, and any backlog
  // of the measurement before, are written outside it) and ends when what the load recorded is.
  const auditBefore = await auditDrained(child.info.url, t.settleMs);
  await resetAll(t.roots);
  const before = await snapshot(t.roots);
  child.resetPeak();
  const load = await runLoad({
    url: child.info.url,
    concurrency: s.concurrency,
    durationMs,
    graceMs: t.settleMs,
    body: request,
    headers: (w) => readerHeaders(t, s.reader(w)),
  });
  const auditAfter = auditBefore ? await auditDrained(child.info.url, t.settleMs) : null;
  const upstream = upstreamDelta(before, await settle(t.roots, t.settleMs));
  const peak = child.peakRss();
  const sum = summarize(load.latencies, load.errors, load.elapsedMs);
  const audit =
    auditBefore && auditAfter
      ? {
          written: auditAfter.written - auditBefore.written,
          dropped: auditAfter.dropped - auditBefore.dropped,
          drainMs: auditAfter.ms,
          drained: auditBefore.drained && auditAfter.drained,
        }
      : undefined;
  return {
    ...(audit ? { audit } : {}),
    ...emptyRow(
      s,
      t,
      'ok',
      load.errorSamples[0] ?? (firstFailure ? `check request failed first: ${firstFailure.slice(0, 120)}` : ''),
      label,
    ),
    requests: sum.requests,
    errors: sum.errors,
    rps: sum.rps,
    p50: sum.p50,
    p95: sum.p95,
    p99: sum.p99,
    upstreamPerRequest: perRequest(upstream, sum.requests + sum.errors),
    peakRssBytes: peak,
  };
}

/** The first two requests of one fresh process. */
export interface ColdSample {
  coldMs: number;
  warmMs: number;
  coldUpstream: number;
  warmUpstream: number;
  peakRss: number;
  failure: string | null;
}

/** In a freshly started process: the first request (cold) and the same request again (warm). */
export async function coldSample(s: Scenario, t: Target, child: Child<{ url: string }>): Promise<ColdSample> {
  const request = requestOf(s, t.system) as RequestFn;
  await resetAll(t.roots);
  const s0 = await snapshot(t.roots);
  const headers = readerHeaders(t, s.reader(0));
  const cold = await once(child.info.url, request(0, 0), headers);
  const s1 = await snapshot(t.roots);
  const warm = await once(child.info.url, request(0, 0), headers);
  const s2 = await snapshot(t.roots);
  return {
    coldMs: cold.ms,
    warmMs: warm.ms,
    coldUpstream: upstreamDelta(s0, s1),
    warmUpstream: upstreamDelta(s1, s2),
    peakRss: child.peakRss(),
    failure: cold.failure ?? warm.failure,
  };
}

/** The cold and warm rows from the samples of N fresh processes. */
export function coldRows(s: Scenario, t: Target, samples: ColdSample[]): Row[] {
  const ok = samples.filter((x) => !x.failure);
  const failed = samples.length - ok.length;
  const row = (phase: 'cold' | 'warm'): Row => {
    const label = `${s.title.split(',')[0]}, ${phase}`;
    if (ok.length === 0) return emptyRow(s, t, 'error', samples[0]?.failure?.slice(0, 160) ?? 'no sample', label);
    const lat = ok.map((x) => (phase === 'cold' ? x.coldMs : x.warmMs));
    const up = ok.reduce((n, x) => n + (phase === 'cold' ? x.coldUpstream : x.warmUpstream), 0);
    const sum = summarize(
      lat,
      failed,
      lat.reduce((a, b) => a + b, 0),
    );
    return {
      ...emptyRow(s, t, 'ok', '', label),
      // Only cold requests pay the logins, so the warm floor is the plain campaign list's.
      floorMs: (phase === 'cold' ? s.levels : s.levels - 1) * t.latencyMs,
      requests: sum.requests,
      errors: sum.errors,
      rps: sum.rps,
      p50: sum.p50,
      p95: sum.p95,
      p99: sum.p99,
      upstreamPerRequest: perRequest(up, ok.length),
      peakRssBytes: Math.max(...ok.map((x) => x.peakRss)),
    };
  };
  return [row('cold'), row('warm')];
}
