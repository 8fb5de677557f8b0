/** The result rows of a run and the one table printed from them. */
import type { SystemName } from './scenarios.ts';

/** One measurement of one system (or why there is none). */
export interface Row {
  scenario: string;
  /** A fixed-duration load, or the first requests of fresh processes. */
  mode: 'load' | 'cold';
  /** Label shown in the table (scenario title, with the cold/warm phase where it applies). */
  label: string;
  scale: number;
  /** Upstream latency × dependent levels: no system can answer faster. */
  floorMs: number;
  system: SystemName;
  /** `n/a`: the system cannot express the scenario. `error`: it failed its check request. */
  status: 'ok' | 'n/a' | 'error';
  note?: string;
  concurrency: number;
  requests: number;
  errors: number;
  rps: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Upstream requests (all four simulators) per client request sent (successful or not). */
  upstreamPerRequest: number | null;
  peakRssBytes: number | null;
  /**
   * Atrium with auditing on: access events written in the window (from a drained trail to the
   * trail drained again after the load), dropped (buffer full), and how long after the load the
   * trail took to drain. The run fails when any is dropped or the trail did not drain within
   * the settle time, so a fast row can never come from a trail that fell behind.
   */
  audit?: { written: number; dropped: number; drainMs: number; drained: boolean };
}

const ms = (v: number | null) => (v === null ? '—' : v < 10 ? v.toFixed(1) : v.toFixed(0));
const num = (v: number | null, digits = 1) => (v === null ? '—' : v.toFixed(digits));
const mib = (v: number | null) => (v === null ? '—' : `${(v / 1024 / 1024).toFixed(0)} MiB`);

const HEAD = ['scenario', 'scale', 'floor ms', 'system', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'upstream/req', 'peak RSS', 'errors'];
/** Columns aligned right (numbers). */
const RIGHT = new Set([1, 2, 4, 5, 6, 7, 8, 9, 10]);

/** The cells of one row; the scenario, scale and floor only on the first row of a group. */
export function cells(row: Row, first: boolean): string[] {
  const group = first ? [row.label, String(row.scale), String(row.floorMs)] : ['', '', ''];
  if (row.status !== 'ok') return [...group, row.system, row.status === 'n/a' ? 'n/a' : 'error', row.note ?? '', '', '', '', '', ''];
  return [
    ...group,
    row.system,
    num(row.rps),
    ms(row.p50),
    ms(row.p95),
    ms(row.p99),
    num(row.upstreamPerRequest),
    mib(row.peakRssBytes),
    String(row.errors),
  ];
}

/** Render rows (already in display order) as one aligned plain-text table. */
export function renderTable(rows: readonly Row[]): string {
  const body: string[][] = [];
  const separators = new Set<number>();
  let prev = '';
  rows.forEach((row) => {
    const key = `${row.label}|${row.scale}`;
    if (key !== prev && body.length > 0) separators.add(body.length);
    body.push(cells(row, key !== prev));
    prev = key;
  });
  // An error or n/a note spans the numeric columns, so it does not widen them.
  const widths = HEAD.map((h, i) =>
    Math.max(h.length, ...body.filter((r) => !(i === 5 && r[4] === 'error')).map((r) => (r[i] ?? '').length)),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (RIGHT.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(HEAD), rule];
  body.forEach((r, i) => {
    if (separators.has(i)) out.push('');
    out.push(r[4] === 'error' ? line(r.slice(0, 5)) + `  ${r[5] ?? ''}` : line(r));
  });
  return out.join('\n');
}
