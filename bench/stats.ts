/** Throughput and latency percentiles of one measurement. */
export interface Summary {
  requests: number;
  errors: number;
  /** Successful requests per second of wall time. */
  rps: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/**
 * The p-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest value such that
 * at least p% of the values are less than or equal to it. Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.max(0, rank - 1)] as number;
}

/** Throughput and percentiles of a run's latencies. */
export function summarize(latencies: readonly number[], errors: number, elapsedMs: number): Summary {
  return {
    requests: latencies.length,
    errors,
    rps: elapsedMs > 0 ? (latencies.length * 1000) / elapsedMs : 0,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
  };
}
