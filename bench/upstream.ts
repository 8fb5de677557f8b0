/**
 * Upstream request counting: the simulators' `/__sim/stats` totals, summed over the four, and
 * the arithmetic that turns two snapshots into upstream requests per client request.
 */

/** Requests served by each simulator (by root URL) at one instant. */
export type Snapshot = Record<string, number>;

/** GET a simulator's control surface, retrying while it is too busy to accept (after an overload). */
async function control(url: string, init?: RequestInit): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) })).json();
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

/** Read every simulator's total. */
export async function snapshot(roots: readonly string[]): Promise<Snapshot> {
  const totals = await Promise.all(roots.map(async (r) => ((await control(`${r}/__sim/stats`)) as { total: number }).total));
  return Object.fromEntries(roots.map((r, i) => [r, totals[i] as number]));
}

/** The simulators' summed `busyMs`: the time they spent answering, from each request's arrival to its last byte. */
export async function busy(roots: readonly string[]): Promise<number> {
  const all = await Promise.all(roots.map(async (r) => ((await control(`${r}/__sim/stats`)) as { busyMs?: number }).busyMs ?? 0));
  return all.reduce((a, b) => a + b, 0);
}

/**
 * Wait until the simulators stop serving: a system that fell behind keeps calling upstream
 * after its clients gave up, and that work belongs to the measurement that caused it (and must
 * not spill into the next). Returns the last snapshot; gives up after `maxMs`.
 */
export async function settle(roots: readonly string[], maxMs: number, quietMs = 400): Promise<Snapshot> {
  const deadline = Date.now() + maxMs;
  let last = await snapshot(roots);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, quietMs));
    const next = await snapshot(roots);
    if (upstreamDelta(last, next) === 0) return next;
    last = next;
  }
  return last;
}

/** Clear every simulator's stats (and request log); latency settings stay. */
export async function resetAll(roots: readonly string[]): Promise<void> {
  await Promise.all(roots.map((r) => control(`${r}/__sim/reset`, { method: 'POST' })));
}

/**
 * Upstream requests served between two snapshots, summed over the simulators. A counter that
 * went down was reset in between; then `after` alone is what was served since.
 */
export function upstreamDelta(before: Snapshot, after: Snapshot): number {
  let sum = 0;
  for (const [root, n] of Object.entries(after)) {
    const b = before[root] ?? 0;
    sum += n >= b ? n - b : n;
  }
  return sum;
}

/** Upstream requests per completed client request; null when no request completed. */
export function perRequest(upstream: number, clientRequests: number): number | null {
  return clientRequests > 0 ? upstream / clientRequests : null;
}
