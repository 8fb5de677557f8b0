/**
 * `npm run bench [-- --quick] [--latency N] [--duration MS] [--concurrency N] [--systems a,b] [--no-writes] [--no-feed] [--no-writeback] [--scales 1,10]`
 *
 * Runs every scenario against Atrium and its two peers (a naive Apollo Server and Hive
 * Gateway over the same simulators), one system at a time, each in its own process; prints
 * one table and writes it as JSON to bench/results/. See bench/README.md for how to read it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { coldRows, coldSample, emptyRow, measureLoad, type ColdSample, type Target } from './measure.ts';
import { ROOT, startChild, type Child } from './proc.ts';
import {
  ADMIN,
  buildScenarios,
  DEFAULT_SYSTEMS,
  PARTNER,
  PARTNERS,
  requestOf,
  SYSTEMS,
  type Scenario,
  type SystemName,
} from './scenarios.ts';
import { preAuthenticate, systemSpec, type SimInfo } from './systems.ts';
import { renderTable, type Row } from './table.ts';
import { mintTokens } from './tokens.ts';
import { benchWorld, worldFacts } from './world.ts';
import { measureWrites, renderWrites, type WriteReport } from './writes.ts';
import { measureFeed, type FeedReport } from './feed.ts';
import { measureWriteback, type WritebackReport } from './writeback.ts';
import { demoIssuer } from '../gateway/demo-issuer.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    latency: { type: 'string', default: '20' },
    duration: { type: 'string' },
    concurrency: { type: 'string', default: '10' },
    systems: { type: 'string', default: DEFAULT_SYSTEMS.join(',') },
    'no-writes': { type: 'boolean', default: false },
    'no-feed': { type: 'boolean', default: false },
    'no-writeback': { type: 'boolean', default: false },
    scales: { type: 'string' },
  },
});

const latencyMs = Number(args.latency);
const quick = args.quick === true;
const plan = {
  durationMs: Number(args.duration ?? (quick ? 2000 : 8000)),
  coldRuns: quick ? 2 : 5,
  settleMs: quick ? 3000 : 15_000,
  scales: typeof args.scales === 'string' ? args.scales.split(',').map(Number) : quick ? [1, 10] : [1, 10, 100],
  concurrency: Number(args.concurrency),
};
const systems = String(args.systems)
  .split(',')
  .filter((s): s is SystemName => (SYSTEMS as readonly string[]).includes(s));
for (const [name, v] of Object.entries({ latency: latencyMs, duration: plan.durationMs, concurrency: plan.concurrency })) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
}

/** Which scenarios run at which scale: all at scale 1, growth at every scale. */
function scenarioIds(scale: number): string[] {
  return scale === 1
    ? ['cold-warm', 'campaign-list', 'campaign-page', 'partner-search', 'aliased-assets', 'readers-50', 'growth']
    : ['growth'];
}

const BENCH = join(ROOT, 'bench');
const started = Date.now();
const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);

/**
 * Hive Gateway's dependencies live in bench/peers/hive with their own package.json and lock, so
 * the product never depends on them (and their own copy of graphql never meets the product's:
 * the naive peer runs on the product's Apollo Server and graphql).
 */
function ensurePeerDependencies(): void {
  const dir = join(BENCH, 'peers', 'hive');
  if (existsSync(join(dir, 'node_modules', '@graphql-hive', 'gateway'))) return;
  log('bench/peers/hive/node_modules is missing: installing the pinned peer dependencies (npm ci --prefix bench/peers/hive)');
  const r = spawnSync('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci --prefix bench/peers/hive failed');
}

async function main(): Promise<void> {
  ensurePeerDependencies();
  const work = mkdtempSync(join(tmpdir(), 'atrium-bench-'));
  const rows: Row[] = [];
  const coldUpstream: Record<string, number[]> = {};
  let writes: WriteReport | null = null;
  let feed: FeedReport | null = null;
  let writeback: WritebackReport | null = null;
  // One data directory for Atrium's processes: its demo issuer key signs the readers' tokens.
  const dataDir = join(work, 'atrium-data');
  try {
    const tokens = await mintTokens(dataDir, [ADMIN, PARTNER, ...PARTNERS]);
    let supergraph = '';
    if (systems.includes('hive')) {
      log('composing the Hive Gateway supergraph (mesh compose)');
      supergraph = join(work, 'supergraph.graphql');
      const composed = await startChild<{ supergraph: string }>(
        'mesh compose',
        'bench/peers/hive/compose.ts',
        { BENCH_SUPERGRAPH_OUT: supergraph },
        { timeoutMs: 120_000 },
      ).catch((e: Error) => e);
      if (composed instanceof Error) log(`mesh compose failed; Hive Gateway rows will be errors:\n${composed.message}`);
      else await composed.stop();
    }
    for (const scale of plan.scales) {
      log(`scale ${scale}: starting the simulators (upstream latency ${latencyMs} ms)`);
      const sims = await startChild<SimInfo>('simulators', 'bench/sims.ts', {
        ATRIUM_SCALE: String(scale),
        SIM_LATENCY_MS: String(latencyMs),
      });
      try {
        const facts = worldFacts(benchWorld(scale));
        const all = buildScenarios(facts, { concurrency: plan.concurrency });
        const scenarios = scenarioIds(scale).map((id) => all[id] as Scenario);
        const auth = await preAuthenticate(sims.info);
        for (const system of systems) {
          const target: Target = { system, scale, latencyMs, roots: Object.values(sims.info.roots), tokens, settleMs: plan.settleMs };
          const spec = systemSpec(system, sims.info, auth, supergraph, dataDir);
          const start = () => startChild<{ url: string }>(system, spec.file, spec.env, { timeoutMs: 60_000 });
          for (const s of scenarios.filter((x) => x.mode === 'cold')) {
            log(`scale ${scale}: ${system}: ${s.id} (${plan.coldRuns} fresh processes)`);
            rows.push(...(await coldScenario(s, target, start, coldUpstream)));
          }
          const load = scenarios.filter((x) => x.mode === 'load');
          if (load.length === 0) continue;
          let child: Child<{ url: string }>;
          try {
            child = await start();
          } catch (e) {
            log(`${system} did not start: ${(e as Error).message.split('\n')[0]}`);
            rows.push(
              ...load.map((s) => emptyRow(s, target, 'error', `did not start: ${(e as Error).message.split('\n')[0]}`, labelOf(s, scale))),
            );
            continue;
          }
          try {
            for (const s of load) {
              log(`scale ${scale}: ${system}: ${s.id}`);
              rows.push(await measureLoad(s, target, child, plan.durationMs, labelOf(s, scale)));
            }
            if (system === 'atrium' && scale === 1 && !args['no-writes']) {
              log(`scale ${scale}: ${system}: writes (create + 1 MB upload; a 50 MB upload)`);
              const token = `Bearer ${await (await demoIssuer(dataDir)).signClient('crm')}`;
              writes = await measureWrites({ child, roots: target.roots, token, latencyMs, runs: quick ? 10 : 30, log });
            }
          } finally {
            await child.stop();
          }
          if (system === 'atrium' && scale === 1 && !args['no-feed']) {
            log(`scale ${scale}: ${system}: feed (${quick ? '200 changes over 30 s' : '1,000 changes over 5 min'})`);
            feed = await measureFeed({
              start: (env) => startChild<{ url: string }>(system, spec.file, { ...spec.env, ...env }, { timeoutMs: 60_000 }),
              roots: sims.info.roots,
              adminToken: async () => tokens[ADMIN] as string,
              quick,
              log,
            });
          }
          if (system === 'atrium' && scale === 1 && !args['no-writeback']) {
            log(`scale ${scale}: ${system}: write-back (${quick ? '2 rounds' : '5 rounds'} of licence changes)`);
            writeback = await measureWriteback({
              start: (env) => startChild<{ url: string }>(system, spec.file, { ...spec.env, ...env }, { timeoutMs: 60_000 }),
              roots: sims.info.roots,
              adminToken: async () => tokens[ADMIN] as string,
              quick,
              log,
            });
          }
        }
      } finally {
        await sims.stop();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  report(rows, coldUpstream, writes, feed, writeback);
}

const labelOf = (s: Scenario, scale: number) => (s.id === 'growth' ? `${s.title}, scale ${scale}` : s.title);

async function coldScenario(
  s: Scenario,
  t: Target,
  start: () => Promise<Child<{ url: string }>>,
  coldUpstream: Record<string, number[]>,
): Promise<Row[]> {
  if (!requestOf(s, t.system)) return coldRows(s, t, []).map((r) => ({ ...r, status: 'n/a' as const, note: 'cannot express this query' }));
  const samples: ColdSample[] = [];
  for (let i = 0; i < plan.coldRuns; i++) {
    let child: Child<{ url: string }>;
    try {
      child = await start();
    } catch (e) {
      samples.push({
        coldMs: 0,
        warmMs: 0,
        coldUpstream: 0,
        warmUpstream: 0,
        peakRss: 0,
        failure: `did not start: ${(e as Error).message.split('\n')[0]}`,
      });
      continue;
    }
    try {
      samples.push(await coldSample(s, t, child));
    } finally {
      await child.stop();
    }
  }
  coldUpstream[t.system] = samples.filter((x) => !x.failure).map((x) => x.coldUpstream);
  return coldRows(s, t, samples);
}

/** Sources × levels: the most upstream requests the campaign list may cost (DESIGN.md "Fast"). */
const LIST_BUDGET = 4 * 3;

function report(
  rows: Row[],
  coldUpstream: Record<string, number[]>,
  writes: WriteReport | null,
  feed: FeedReport | null,
  writeback: WritebackReport | null,
): void {
  const order = ['cold-warm', 'campaign-list', 'campaign-page', 'partner-search', 'aliased-assets', 'readers-50', 'growth'];
  // Labels keep the order they were first measured in (cold before warm).
  const labels = [...new Set(rows.map((r) => r.label))];
  const sorted = [...rows].sort(
    (a, b) =>
      order.indexOf(a.scenario) - order.indexOf(b.scenario) ||
      a.scale - b.scale ||
      labels.indexOf(a.label) - labels.indexOf(b.label) ||
      SYSTEMS.indexOf(a.system) - SYSTEMS.indexOf(b.system),
  );
  const steady = rows.find((r) => r.scenario === 'campaign-list' && r.system === 'atrium' && r.status === 'ok');
  const cold = coldUpstream.atrium ?? [];
  const worst = Math.max(steady?.upstreamPerRequest ?? Number.POSITIVE_INFINITY, ...(cold.length ? cold : [Number.POSITIVE_INFINITY]));
  const pass = Number.isFinite(worst) && worst <= LIST_BUDGET;
  const check = {
    name: 'campaign list: Atrium upstream requests per client request <= sources x levels',
    budget: LIST_BUDGET,
    steady: steady?.upstreamPerRequest ?? null,
    coldFirstRequests: cold,
    pass,
  };
  const table = renderTable(sorted);
  process.stdout.write(
    `\nAtrium benchmarks — upstream latency ${latencyMs} ms, ${quick ? 'quick' : 'full'} run, ${plan.durationMs} ms per measurement, concurrency ${plan.concurrency} (readers-50: 50)\n\n${table}\n\n`,
  );
  const coldText = cold.length ? cold.join(', ') : 'n/a';
  const steadyText = check.steady === null ? 'n/a' : check.steady.toFixed(2);
  process.stdout.write(
    `${pass ? 'PASS' : 'FAIL'}: ${check.name} (${LIST_BUDGET}): cold first requests ${coldText}; steady ${steadyText}\n`,
  );
  const audit = auditReport(sorted);
  if (writes) {
    process.stdout.write(
      `\nwrites (atrium, scale 1, one at a time, upstream latency ${latencyMs} ms per request):\n\n${renderWrites(writes, latencyMs)}\n`,
    );
    for (const line of writes.checks) process.stdout.write(`${line}\n`);
  }
  if (feed) {
    process.stdout.write(
      `\nfeed (atrium, scale 1): ${feed.changes} changes over ${feed.durationMs / 1000} s, poll interval ${feed.intervalMs} ms; ` +
        `change → delivery p50 ${feed.endToEnd.p50 ?? 'n/a'} ms, p99 ${feed.endToEnd.p99 ?? 'n/a'} ms\n`,
    );
    for (const line of feed.checks) process.stdout.write(`${line}\n`);
  }
  if (writeback) {
    process.stdout.write(
      `\nwrite-back (atrium, scale 1): ${writeback.rounds} rounds of ${writeback.licences} licence changes, poll interval ${writeback.intervalMs} ms; ` +
        `licence changed → asset written back p50 ${writeback.lag.p50 ?? 'n/a'} ms, p99 ${writeback.lag.p99 ?? 'n/a'} ms, max ${writeback.lag.max ?? 'n/a'} ms\n`,
    );
    for (const line of writeback.checks) process.stdout.write(`${line}\n`);
  }
  const dir = join(BENCH, 'results');
  mkdirSync(dir, { recursive: true });
  const result = {
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    quick,
    latencyMs,
    plan,
    systems,
    machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '' },
    check,
    audit,
    writes,
    feed,
    writeback,
    rows: sorted,
    table,
  };
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`results: bench/results/${stamp}.json (and latest.json); total ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (!pass || !audit.pass || (writes && !writes.pass) || (feed && !feed.pass)) process.exitCode = 1;
}

/**
 * The audit trail's cost and completeness: per load row, Atrium's req/s over atrium-noaudit's
 * (measured side by side in this run), and the check that, while being measured, Atrium
 * dropped no access event, drained its trail within the settle time after the load, and
 * wrote at least one event per request (every scenario's answer holds objects). An audited
 * row without counters fails the check too: it could not be verified.
 */
function auditReport(rows: Row[]): {
  pass: boolean;
  ratios: { label: string; ratio: number; written: number; dropped: number; drainMs: number }[];
} {
  const measured = rows.filter((r) => r.system === 'atrium' && r.status === 'ok' && r.mode === 'load');
  const ratios: { label: string; ratio: number; written: number; dropped: number; drainMs: number }[] = [];
  let pass = true;
  for (const r of measured) {
    const a = r.audit;
    if (!a || a.dropped > 0 || !a.drained || a.written < r.requests) pass = false;
    const off = rows.find((o) => o.system === 'atrium-noaudit' && o.label === r.label && o.scale === r.scale && o.status === 'ok');
    if (a && off?.rps && r.rps !== null)
      ratios.push({ label: r.label, ratio: r.rps / off.rps, written: a.written, dropped: a.dropped, drainMs: a.drainMs });
  }
  if (ratios.length) {
    process.stdout.write('audit trail, req/s with it over without (same run):\n');
    for (const x of ratios)
      process.stdout.write(
        `  ${x.label.padEnd(62)} ${x.ratio.toFixed(2)}  (${x.written} events written, ${x.dropped} dropped, drained ${x.drainMs} ms after the load)\n`,
      );
  }
  // The journal's share of that cost, when atrium-nojournal ran beside atrium (--systems).
  const journal = measured.flatMap((r) => {
    const off = rows.find((o) => o.system === 'atrium-nojournal' && o.label === r.label && o.scale === r.scale && o.status === 'ok');
    return off?.rps && r.rps !== null ? [{ label: r.label, ratio: r.rps / off.rps }] : [];
  });
  if (journal.length) {
    process.stdout.write('audit journal, req/s with it over without (same run):\n');
    for (const x of journal) process.stdout.write(`  ${x.label.padEnd(62)} ${x.ratio.toFixed(2)}\n`);
  }
  if (measured.length) {
    process.stdout.write(
      `${pass ? 'PASS' : 'FAIL'}: audit trail complete under load: none dropped, drained within ${(plan.settleMs / 1000).toFixed(0)} s after each load, at least one event per request (${measured.length} measurements)\n`,
    );
  }
  return { pass, ratios };
}

await main();
