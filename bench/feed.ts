/**
 * The change feed under a stream of changes (issue 15): changes are made in the simulators at
 * an even rate across the four sources (Content Server: a legal hold put on a document; iconik,
 * NetX, OTMM: an asset's title edited), and a subscriber on loopback receives the events as
 * signed webhooks. Counted: every change must arrive exactly once (no loss: each change's
 * object delivered; no duplicate: no event id delivered twice), and the feed's lag must be at
 * most the poll interval + 1 s at p99, per source. The lag is measured on the bench's own clock,
 * from the moment it made a change to the moment the delivery arrived: that bounds the feed's lag
 * (change → appended to the outbox) from above, and does not depend on the source's clock
 * precision. The gateway's own figure (source time → appended, `/metrics`) is reported beside it:
 * Content Server dates its changes to the whole second, so its figure carries up to 1 s of
 * rounding. Quick: 200 changes over 30 s; full: 1,000 over 5 min.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assetId, documentId } from '../access/ids.ts';
import type { Child } from './proc.ts';
import { percentile } from './stats.ts';
import { benchWorld } from './world.ts';

export interface FeedReport {
  changes: number;
  durationMs: number;
  intervalMs: number;
  delivered: number;
  missing: number;
  duplicates: number;
  /** Change made → delivery received, ms. */
  endToEnd: { p50: number | null; p99: number | null };
  /** Change made → delivery received, p99 per source (feed), ms: what the lag check holds to. */
  deliveredP99: Record<string, number | null>;
  /** The feed's own lag per feed (source time → appended), p99 in ms, from /metrics. */
  lagP99: Record<string, number | null>;
  pass: boolean;
  checks: string[];
}

interface Change {
  at: number;
  feed: 'otcs' | 'iconik' | 'netx' | 'otmm';
  type: 'document.hold.changed' | 'asset.updated';
  subject: string;
  send: () => Promise<void>;
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
}

/** The changes, round-robin over the sources: holds on documents without one; title edits on assets (each asset at most once). */
function plan(roots: Record<'otcs' | 'iconik' | 'netx' | 'otmm', string>, n: number, scale: number): Omit<Change, 'at'>[] {
  const w = benchWorld(scale);
  const docs = [...w.documents()].filter((d) => d.holdIds.length === 0);
  const queues: Omit<Change, 'at'>[][] = [
    docs.map((d) => ({
      feed: 'otcs' as const,
      type: 'document.hold.changed' as const,
      subject: documentId(String(d.nodeId)),
      send: () => post(`${roots.otcs}/__sim/otcs/documents/${d.nodeId}/holds`, { holdId: 14, action: 'apply' }),
    })),
    ...(['ICONIK', 'NETX', 'OTMM'] as const).map((system) =>
      [...w.assets(system)].map((a, i) => ({
        feed: system.toLowerCase() as 'iconik' | 'netx' | 'otmm',
        type: 'asset.updated' as const,
        subject: assetId(system, a.nativeId),
        send: () => post(`${roots[system.toLowerCase() as 'iconik']}/__sim/assets/${a.nativeId}`, { title: `Bench edit ${i} ${a.title}` }),
      })),
    ),
  ];
  const out: Omit<Change, 'at'>[] = [];
  for (let i = 0; out.length < n; i++) {
    if (queues.every((q) => q.length === 0)) break;
    const q = queues[i % queues.length] as Omit<Change, 'at'>[];
    const next = q.shift();
    if (next) out.push(next);
  }
  return out;
}

export async function measureFeed(opts: {
  start: (env: Record<string, string>) => Promise<Child<{ url: string }>>;
  roots: Record<'otcs' | 'iconik' | 'netx' | 'otmm', string>;
  adminToken: () => Promise<string>;
  quick: boolean;
  log: (msg: string) => void;
}): Promise<FeedReport> {
  const intervalMs = 1000;
  const n = opts.quick ? 200 : 1000;
  const durationMs = opts.quick ? 30_000 : 300_000;
  const received: { at: number; id: string; type: string; subject: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const ce = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; type: string; subject: string };
        received.push({ at: Date.now(), id: ce.id, type: ce.type.replace(/^com\.atrium\./, ''), subject: ce.subject });
      } catch {
        // counted as nothing
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const child = await opts.start({ FEED_ENABLED: 'true', FEED_INTERVAL_MS: String(intervalMs), WEBHOOK_DISPATCH_INTERVAL_MS: '200' });
  try {
    const url = child.info.url.replace(/\/graphql$/, '');
    const token = await opts.adminToken();
    const sub = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: token },
      body: JSON.stringify({
        query: 'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { secret } }',
        variables: { i: { url: hook, events: ['document.hold.changed', 'asset.updated'], description: 'bench' } },
      }),
    });
    const subBody = (await sub.json()) as { errors?: { message: string }[] };
    if (subBody.errors) throw new Error(`subscribing failed: ${subBody.errors[0]?.message}`);
    // Let every feed make its first poll (a feed notices changes from its start on).
    await new Promise((r) => setTimeout(r, 2 * intervalMs + 500));
    const changes = plan(opts.roots, n, 1);
    opts.log(`feed: ${changes.length} changes over ${durationMs / 1000} s, poll interval ${intervalMs} ms`);
    const made: Change[] = [];
    const t0 = Date.now();
    for (let i = 0; i < changes.length; i++) {
      const due = t0 + (i * durationMs) / changes.length;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const c = changes[i] as Omit<Change, 'at'>;
      const at = Date.now();
      await c.send();
      made.push({ ...c, at });
    }
    // Settle: the last changes' polls and deliveries.
    const expected = new Map(made.map((c) => [`${c.type} ${c.subject}`, c]));
    const until = Date.now() + 5 * intervalMs + 10_000;
    const have = () => new Set(received.map((r) => `${r.type} ${r.subject}`));
    while (Date.now() < until && [...expected.keys()].some((k) => !have().has(k))) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2 * intervalMs)); // anything delivered twice shows up by now
    const ours = received.filter((r) => expected.has(`${r.type} ${r.subject}`));
    const seenIds = new Map<string, number>();
    for (const r of ours) seenIds.set(r.id, (seenIds.get(r.id) ?? 0) + 1);
    const duplicates = [...seenIds.values()].filter((v) => v > 1).length;
    const firstAt = new Map<string, number>();
    for (const r of ours) if (!firstAt.has(`${r.type} ${r.subject}`)) firstAt.set(`${r.type} ${r.subject}`, r.at);
    const missing = [...expected.keys()].filter((k) => !firstAt.has(k)).length;
    const e2e = [...expected.entries()].flatMap(([k, c]) => (firstAt.has(k) ? [(firstAt.get(k) as number) - c.at] : []));
    const deliveredP99: Record<string, number | null> = {};
    for (const feed of ['otcs', 'iconik', 'netx', 'otmm'] as const) {
      const own = [...expected.entries()].flatMap(([k, c]) =>
        c.feed === feed && firstAt.has(k) ? [(firstAt.get(k) as number) - c.at] : [],
      );
      deliveredP99[feed] = percentile(own, 99);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const lagP99: Record<string, number | null> = {};
    for (const feed of ['otcs', 'iconik', 'netx', 'otmm']) {
      const m = new RegExp(`^atrium_feed_lag_p99_seconds\\{feed="${feed}"\\} ([0-9.e+-]+)$`, 'm').exec(metrics);
      lagP99[feed] = m ? Math.round(Number(m[1]) * 1000) : null;
    }
    const checks: string[] = [];
    const lossless = missing === 0 && duplicates === 0;
    checks.push(
      `${lossless ? 'PASS' : 'FAIL'}: feed: ${made.length} changes, ${firstAt.size} delivered, ${missing} missing, ${duplicates} event ids delivered twice`,
    );
    const bound = intervalMs + 1000;
    const lagOk = Object.values(deliveredP99).every((v) => v !== null && v <= bound);
    const list = (r: Record<string, number | null>) =>
      Object.entries(r)
        .map(([f, v]) => `${f} ${v === null ? 'n/a' : Math.round(v)} ms`)
        .join(', ');
    checks.push(
      `${lagOk ? 'PASS' : 'FAIL'}: feed lag p99 (change made → delivered, the bench's clock) ≤ ${bound} ms: ${list(deliveredP99)}` +
        ` (the gateway's own, source time → outbox: ${list(lagP99)})`,
    );
    return {
      changes: made.length,
      durationMs,
      intervalMs,
      delivered: firstAt.size,
      missing,
      duplicates,
      endToEnd: { p50: percentile(e2e, 50), p99: percentile(e2e, 99) },
      deliveredP99,
      lagP99,
      pass: lossless && lagOk,
      checks,
    };
  } finally {
    await child.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
