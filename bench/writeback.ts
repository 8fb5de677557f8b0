/**
 * Rights write-back under a stream of licence changes (issue 16): rounds of changes to every
 * licence document in the Content Server simulator (its expiry moved into the past, then into the
 * future again, alternately), each cited by assets in the three DAMs. Atrium's feed notices each
 * change, and its write-back writes the licence's terms into every citing asset's DAM-side rights
 * fields (and takes it out of, or puts it back into, its distribution containers). Measured per
 * asset: the licence changed (the bench's clock) → Atrium recorded the asset's write-back done
 * (`Asset.sync.lastWrittenAt`, the gateway's clock, same machine), p50/p99. Quick: 2 rounds
 * (~200 asset write-backs); full: 5 rounds (~500).
 */
import { assetId } from '../access/ids.ts';
import type { Child } from './proc.ts';
import { percentile } from './stats.ts';
import { benchWorld } from './world.ts';

export interface WritebackReport {
  rounds: number;
  licences: number;
  /** Asset write-backs expected (assets citing a changed licence, per round). */
  expected: number;
  done: number;
  missing: number;
  intervalMs: number;
  lag: { p50: number | null; p99: number | null; max: number | null };
  pass: boolean;
  checks: string[];
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
}

export async function measureWriteback(opts: {
  start: (env: Record<string, string>) => Promise<Child<{ url: string }>>;
  roots: Record<'otcs' | 'iconik' | 'netx' | 'otmm', string>;
  adminToken: () => Promise<string>;
  quick: boolean;
  log: (msg: string) => void;
}): Promise<WritebackReport> {
  const intervalMs = 1000;
  const rounds = opts.quick ? 2 : 5;
  const w = benchWorld(1);
  const citing = new Map<string, string[]>();
  for (const a of w.assets()) {
    if (!a.rights.licenceId) continue;
    citing.set(a.rights.licenceId, [...(citing.get(a.rights.licenceId) ?? []), assetId(a.system, a.nativeId)]);
  }
  const licences = [...citing.keys()];
  const child = await opts.start({ FEED_ENABLED: 'true', FEED_INTERVAL_MS: String(intervalMs) });
  const lags: number[] = [];
  let expected = 0;
  let missing = 0;
  try {
    const url = child.info.url.replace(/\/graphql$/, '');
    const token = await opts.adminToken();
    const syncOf = async (ids: string[]): Promise<Map<string, number>> => {
      const query = `{ ${ids.map((id, i) => `a${i}: asset(id: ${JSON.stringify(id)}) { sync { lastWrittenAt } }`).join(' ')} }`;
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: token },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { data?: Record<string, { sync: { lastWrittenAt: string | null } | null } | null> };
      const out = new Map<string, number>();
      ids.forEach((id, i) => {
        const at = body.data?.[`a${i}`]?.sync?.lastWrittenAt;
        if (at) out.set(id, Date.parse(at));
      });
      return out;
    };
    // Let every feed make its first poll (a feed notices changes from its start on).
    await new Promise((r) => setTimeout(r, 2 * intervalMs + 500));
    opts.log(
      `write-back: ${rounds} rounds of ${licences.length} licence changes (${[...citing.values()].flat().length} citing assets each)`,
    );
    for (let round = 0; round < rounds; round++) {
      // Alternately: expired a day ago (assets restricted, out of distribution), then renewed for a year.
      const day = 86_400_000;
      const validUntil = new Date(
        round % 2 === 0 ? Date.now() - day - round * 3_600_000 : Date.now() + 365 * day + round * 3_600_000,
      ).toISOString();
      const changedAt = new Map<string, number>();
      const spreadMs = opts.quick ? 5000 : 10_000;
      const t0 = Date.now();
      for (let i = 0; i < licences.length; i++) {
        const wait = t0 + (i * spreadMs) / licences.length - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const lic = licences[i] as string;
        const at = Date.now();
        await post(`${opts.roots.otcs}/__sim/otcs/documents/${lic}/licence`, { validUntil });
        for (const a of citing.get(lic) ?? []) changedAt.set(a, at);
      }
      expected += changedAt.size;
      const until = Date.now() + 60_000;
      const done = new Map<string, number>();
      while (Date.now() < until && done.size < changedAt.size) {
        await new Promise((r) => setTimeout(r, 500));
        const left = [...changedAt.keys()].filter((a) => !done.has(a));
        for (let i = 0; i < left.length; i += 50) {
          const got = await syncOf(left.slice(i, i + 50));
          for (const [a, at] of got) if (at >= (changedAt.get(a) as number)) done.set(a, at - (changedAt.get(a) as number));
        }
      }
      lags.push(...done.values());
      missing += changedAt.size - done.size;
      opts.log(`write-back: round ${round + 1}: ${done.size} of ${changedAt.size} assets written back`);
    }
  } finally {
    await child.stop();
  }
  const bound = intervalMs + 2000;
  const p99 = percentile(lags, 99);
  const checks = [
    `${missing === 0 ? 'PASS' : 'FAIL'}: write-back: ${expected} asset write-backs expected, ${lags.length} done, ${missing} missing`,
    `${p99 !== null && p99 <= bound ? 'PASS' : 'FAIL'}: write-back lag p99 (licence changed → asset written back) ≤ poll interval + 2 s (${bound} ms): ${p99 ?? 'n/a'} ms`,
  ];
  return {
    rounds,
    licences: licences.length,
    expected,
    done: lags.length,
    missing,
    intervalMs,
    lag: { p50: percentile(lags, 50), p99, max: lags.length ? Math.max(...lags) : null },
    pass: missing === 0 && p99 !== null && p99 <= bound,
    checks,
  };
}
