/**
 * The fault suite: each upstream source × each fault the simulators can play (down, 3 s
 * latency, malformed and truncated bodies, 500 at 50 %, 429 with Retry-After), for an admin and
 * a partner, on a campaign page and a search. Every answer keeps the healthy sources' data; the
 * failing source's data is either served from cache and marked stale (`extensions.stale`) or
 * absent with an UPSTREAM_UNAVAILABLE error naming it; no answer waits longer than one deadline
 * (plus the gateway's own time on a busy machine); and while the source's circuit is open it
 * receives no more than the breaker's probes.
 *
 * Each case runs on a gateway of its own (fresh breakers and cache) over shared simulators,
 * warmed by one healthy round first, as a running gateway would be.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { assetId, campaignId } from '../../../access/ids.ts';
import { createSigner } from '../../../access/links.ts';
import type { Principal } from '../../../access/principal.ts';
import type { Sources } from '../../../access/sources.ts';
import { loadConfig } from '../../../gateway/config.ts';
import { createLogger } from '../../../gateway/log.ts';
import { buildGateway, type Gateway } from '../../../gateway/server.ts';
import { buildSources } from '../../../gateway/sources.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/start.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { System } from '../../../sources/model.ts';
import { AT, principalOf, seenAssets, user } from '../../helpers/security.ts';
import { testWorld } from '../../helpers/world.ts';

const DEADLINE = 800;
const HALF_OPEN = 1000;
/** What the gateway itself may add to a deadline on a busy 2-core machine. */
const SLACK = 1200;
const world = testWorld();
const READERS = { admin: user('admin@atrium.example'), partner: user('anna@northwind.example') };
// A campaign the partner sees, with documents and assets in every DAM.
const CAMPAIGN = [...world.campaigns()].find((c) => c.status === 'ACTIVE' && (c.openToAllPartners || c.audience.includes('ACC-1001')));
assert.ok(CAMPAIGN, 'the test world has an active campaign the partner sees');
const SYSTEMS: System[] = ['OTCS', 'ICONIK', 'NETX', 'OTMM'];
const FAULTS: Record<string, Record<string, unknown>> = {
  down: { down: true },
  'latency 3 s': { latencyMs: 3000 },
  malformed: { malformed: true },
  truncated: { truncate: true },
  '500 at 50 %': { errorStatus: 500, errorRate: 0.5 },
  '429 with Retry-After': { errorStatus: 429, retryAfter: 30 },
};

const PAGE = `query($id: ID!) { campaign(id: $id) {
  id name
  documents(first: 100) { nodes { id } }
  assets(first: 100) { nodes { id source { system } rights { verified } renditions { kind url } } }
} }`;
const SEARCH = `{ search(first: 50) { totalCount facets { field values { value count } } nodes { ... on Document { id } ... on Asset { id } } } }`;

interface Answer {
  status: number;
  ms: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string; source?: string } }[];
    extensions?: { stale?: { source: string; ageSeconds: number }[] };
  };
}

/** What of an answer each source contributed: a comparable fingerprint per system. */
function bySystem(query: 'page' | 'search', body: Answer['body']): Record<System, string> {
  const out = Object.fromEntries(SYSTEMS.map((s) => [s, ''])) as Record<System, string>;
  if (query === 'page') {
    const c = body.data?.campaign as
      | { documents: { nodes: { id: string }[] } | null; assets: { nodes: { id: string; source: { system: System } }[] } | null }
      | null
      | undefined;
    if (!c) return out;
    out.OTCS = `campaign;${(c.documents?.nodes ?? []).map((n) => n.id).join(',')}`;
    for (const s of SYSTEMS.slice(1))
      out[s] = (c.assets?.nodes ?? [])
        .filter((n) => n.source.system === s)
        .map((n) => n.id)
        .join(',');
    return out;
  }
  const facets = (body.data?.search as { facets: { field: string; values: { value: string; count: number }[] }[] } | null)?.facets ?? [];
  for (const v of facets.find((f) => f.field === 'system')?.values ?? []) out[v.value as System] = String(v.count);
  return out;
}

/** Whether `got` is part of `want`: fewer hits of the same ids, or a smaller count. */
function within(got: string, want: string): boolean {
  if (got === '' || got === want) return true;
  if (/^\d+$/.test(got) && /^\d+$/.test(want)) return Number(got) <= Number(want);
  const all = new Set(want.split(/[;,]/));
  return got.split(/[;,]/).every((x) => all.has(x));
}

let sims: RunningSimulators;
const roots = (): Record<System, string> => ({
  OTCS: sims.roots.otcs,
  ICONIK: sims.roots.iconik,
  NETX: sims.roots.netx,
  OTMM: sims.roots.otmm,
});
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const served = async (root: string) => ((await (await fetch(`${root}/__sim/stats`)).json()) as { total: number }).total;

interface CaseGateway {
  url: string;
  ask(reader: keyof typeof READERS, query: 'page' | 'search'): Promise<Answer>;
  sources: Sources;
  close(): Promise<void>;
}

/** A gateway of its own (fresh breakers and cache) over the shared simulators. */
async function caseGateway(cacheTtlMs: number, deadlineMs = DEADLINE): Promise<CaseGateway> {
  const config = loadConfig({
    OTCS_URL: sims.urls.otcs,
    ICONIK_URL: sims.urls.iconik,
    NETX_URL: sims.urls.netx,
    OTMM_URL: sims.urls.otmm,
    UPSTREAM_TIMEOUT_MS: String(deadlineMs),
    UPSTREAM_RETRIES: '1',
  });
  const sources = buildSources(config, demoMapping(), { cacheTtlMs, breaker: { halfOpenAfterMs: HALF_OPEN } });
  const byEmail = new Map<string, Principal>(Object.values(READERS).map((u) => [u.email, principalOf(u)]));
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const gateway: Gateway = buildGateway({
    sources,
    log: createLogger('silent'),
    publicUrl: url,
    introspection: false,
    signer: createSigner(randomBytes(32), url),
    now: () => AT,
    principal: (req) => byEmail.get(req.headers.authorization?.slice(3) ?? '') ?? null,
  });
  await gateway.start();
  server.on('request', (req, res) => void gateway.handle(req, res));
  return {
    url,
    sources,
    async ask(reader, query) {
      const t0 = Date.now();
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `As ${READERS[reader].email}` },
        body: JSON.stringify(query === 'page' ? { query: PAGE, variables: { id: campaignId(CAMPAIGN?.code ?? '') } } : { query: SEARCH }),
      });
      const body = (await res.json()) as Answer['body'];
      return { status: res.status, ms: Date.now() - t0, body };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await gateway.stop();
    },
  };
}

before(async () => {
  sims = await startSimulators(world, demoMapping());
  // The simulators build their search indexes on first use: warm them under a generous deadline.
  const warm = await caseGateway(30_000, 20_000);
  for (const reader of ['admin', 'partner'] as const) for (const query of ['page', 'search'] as const) await warm.ask(reader, query);
  await warm.close();
});
after(() => sims.close());

/**
 * `stale`: every cached read is already past its freshness (a 1 ms TTL) but kept for the stale
 * window, so the failing source's reads fall back to it. `cold`: the cache is emptied after the
 * healthy round, so there is nothing to fall back to and the source's data is absent, named.
 */
const CASES: [fault: string, cache: 'stale' | 'cold'][] = [
  ...Object.keys(FAULTS).map((f) => [f, 'stale'] as [string, 'stale']),
  ['down', 'cold'],
  ['500 at 50 %', 'cold'],
];

for (const failing of SYSTEMS) {
  describe(`${failing} failing`, () => {
    for (const [fault, cache] of CASES) {
      const spec = FAULTS[fault];
      it(`${fault}, ${cache} cache: healthy sources answer, ${failing} is stale-marked or named, within a deadline; an open circuit sends only probes`, async () => {
        await Promise.all(Object.values(roots()).map((r) => post(`${r}/__sim/reset`, {})));
        const gw = await caseGateway(cache === 'stale' ? 1 : 30_000);
        try {
          const baseline = new Map<string, Record<System, string>>();
          for (const reader of ['admin', 'partner'] as const)
            for (const query of ['page', 'search'] as const) {
              const a = await gw.ask(reader, query);
              assert.deepEqual([a.status, a.body.errors], [200, undefined], `${reader} ${query} before the fault`);
              baseline.set(`${reader} ${query}`, bySystem(query, a.body));
            }
          await post(`${roots()[failing]}/__sim/faults`, { clear: true, faults: [spec] });
          if (cache === 'cold') gw.sources.cache.clear();
          for (let round = 0; round < 3; round++)
            for (const reader of ['admin', 'partner'] as const)
              for (const query of ['page', 'search'] as const) {
                const what = `${fault} on ${failing}, ${reader} ${query}, round ${round + 1}`;
                const a = await gw.ask(reader, query);
                assert.equal(a.status, 200, what);
                assert.ok(a.ms <= DEADLINE + SLACK, `${what}: ${a.ms} ms`);
                const others = (a.body.errors ?? []).filter(
                  (e) => !(e.extensions?.code === 'UPSTREAM_UNAVAILABLE' && e.extensions.source === failing),
                );
                assert.deepEqual(others, [], `${what}: only errors naming ${failing}`);
                const got = bySystem(query, a.body);
                const want = baseline.get(`${reader} ${query}`) as Record<System, string>;
                const named = (a.body.errors ?? []).length > 0;
                const stale = (a.body.extensions?.stale ?? []).some((x) => x.source === failing);
                // Campaigns and accounts are Content Server's own records, and a partner's view of DAM assets
                // depends on them (owners, licences): with nothing cached, those go too, fail closed, and are named.
                const dependsOnFailing = failing === 'OTCS' && cache === 'cold' && (reader === 'partner' || query === 'page');
                for (const s of SYSTEMS.filter((x) => x !== failing)) {
                  if (dependsOnFailing && named)
                    assert.ok(within(got[s], want[s]), `${what}: ${s}'s data is what the reader sees, or less`);
                  else assert.equal(got[s], want[s], `${what}: ${s}'s data is all there`);
                }
                if (fault !== '500 at 50 %') assert.ok(named || stale, `${what}: ${failing} fails every read, so the answer says so`);
                if (got[failing] !== want[failing]) assert.ok(named, `${what}: ${failing}'s data is missing, and no error names it`);
                if (stale) assert.equal(got[failing], want[failing], `${what}: stale data is the cached answer`);
              }
          if (gw.sources.guard.circuit(failing) === 'open') {
            const root = roots()[failing];
            const before = await served(root);
            const t0 = Date.now();
            for (let i = 0; i < 6; i++) await gw.ask(i % 2 ? 'admin' : 'partner', i % 3 ? 'page' : 'search');
            const elapsed = Date.now() - t0;
            const reached = (await served(root)) - before;
            assert.ok(
              reached <= Math.ceil(elapsed / HALF_OPEN) + 1,
              `${failing} was sent ${reached} requests in ${elapsed} ms while its circuit was open`,
            );
          }
        } finally {
          await post(`${roots()[failing]}/__sim/faults`, { clear: true });
          await gw.close();
        }
      });
    }
  });
}

describe('fields that join two sources, with Content Server down', () => {
  // An asset the partner sees, whose rights come from a licence: both readers are shown it while Content Server is up.
  const asset = seenAssets(READERS.partner)
    .map((r) => r.demo)
    .find((a) => a.system === 'ICONIK' && a.rights.licenceId && a.campaignCode);
  assert.ok(asset, 'an iconik asset the partner sees, with a licence and a campaign');
  const QUERY = `query($id: ID!) {
    asset(id: $id) { id title renditions { kind url } rights { verified validUntil licence { id } } campaign { id } variants { id } }
    sources { system ok circuit stale }
  }`;
  const ask = async (gw: CaseGateway, reader: keyof typeof READERS) => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `As ${READERS[reader].email}` },
      body: JSON.stringify({ query: QUERY, variables: { id: assetId('ICONIK', asset?.nativeId ?? '') } }),
    });
    return (await res.json()) as {
      data: {
        asset: {
          title: string;
          renditions: { url: string | null }[];
          rights: { verified: boolean; licence: { id: string } | null };
          campaign: unknown;
        } | null;
        sources: { system: string; stale: boolean }[];
      };
      errors?: { extensions?: { code?: string; source?: string } }[];
      extensions?: { stale?: { source: string }[] };
    };
  };

  it('nothing cached: the asset keeps its DAM data and links, its rights say unverified, OTCS fields are null and named; partners do not see it', async () => {
    const gw = await caseGateway(30_000);
    try {
      const before = await ask(gw, 'admin');
      assert.equal(before.data.asset?.rights.verified, true);
      assert.ok((await ask(gw, 'partner')).data.asset, 'the partner sees it while Content Server is up');
      await post(`${sims.roots.otcs}/__sim/faults`, { clear: true, faults: [{ down: true }] });
      gw.sources.cache.clear();
      const a = await ask(gw, 'admin');
      assert.equal(a.data.asset?.title, before.data.asset?.title, 'the DAM data stands');
      assert.ok(a.data.asset?.renditions.length && a.data.asset.renditions.every((r) => r.url), 'every rendition has its link');
      assert.deepEqual([a.data.asset?.rights.verified, a.data.asset?.rights.licence, a.data.asset?.campaign], [false, null, null]);
      assert.ok(
        (a.errors ?? []).length > 0 &&
          (a.errors ?? []).every((e) => e.extensions?.code === 'UPSTREAM_UNAVAILABLE' && e.extensions.source === 'OTCS'),
        JSON.stringify(a.errors),
      );
      const p = await ask(gw, 'partner');
      assert.equal(p.data.asset, null, 'fail closed for the partner');
      assert.ok(
        (p.errors ?? []).some((e) => e.extensions?.source === 'OTCS'),
        'and the answer says why',
      );
    } finally {
      await post(`${sims.roots.otcs}/__sim/faults`, { clear: true });
      await gw.close();
    }
  });

  it('cached a moment ago: the licence answers from the cache, the partner still sees the asset, marked stale, and Query.sources says so', async () => {
    const gw = await caseGateway(1);
    try {
      await ask(gw, 'partner');
      await post(`${sims.roots.otcs}/__sim/faults`, { clear: true, faults: [{ down: true }] });
      const p = await ask(gw, 'partner');
      assert.ok(p.data.asset, 'the partner still sees it');
      assert.equal(p.data.asset.rights.verified, true, 'the stale licence verifies the rights');
      assert.ok(
        p.extensions?.stale?.some((s) => s.source === 'OTCS'),
        JSON.stringify(p.extensions),
      );
      // Root fields run side by side: ask for the sources' status once the stale answer was given.
      const again = await ask(gw, 'partner');
      assert.equal(again.data.sources.find((s) => s.system === 'OTCS')?.stale, true);
    } finally {
      await post(`${sims.roots.otcs}/__sim/faults`, { clear: true });
      await gw.close();
    }
  });
});
