/**
 * Cache leaks (issue 5, Acceptance): partners of different companies querying the same campaigns
 * and searches concurrently, in many interleavings, cold and warm, never see each other's scope;
 * partners of one company and region share cache hits, other companies never do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoUser } from '../../simulators/demo/world.ts';
import type { Stack } from '../helpers/stack.ts';
import {
  ask,
  assets,
  campaigns,
  docsOfWorkspace,
  expectedHits,
  gid,
  label,
  rng,
  seenAssets,
  seenCampaigns,
  seenDocuments,
  shuffle,
  startReaderStack,
  user,
  type CampaignRow,
} from '../helpers/security.ts';

const anna = user('anna@northwind.example');
const ben = user('ben@northwind.example');
const kenji = user('kenji@sakura-media.example');
const lucia = user('lucia@andes-digital.example');
const leo = user('leo@lumen-agency.example');
const PARTNERS = [anna, kenji, lucia, leo];

let stack: Stack;
before(async () => {
  // A long TTL: a warm cache stays warm for the whole file.
  stack = await startReaderStack({ cacheTtlMs: 600_000 });
});
after(() => stack.close());

// ------------------------------------------------------------------ the queries, each with its normal form

type Normal = unknown;
interface Probe {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** The answer reduced to what visibility decides (sorted ids, totals). */
  normal(data: Record<string, unknown>): Normal;
  /** What the oracle says this reader gets; null when only "a subset of the reader's scope, as alone" can be said. */
  expected(u: DemoUser): Normal | null;
  /** Every id in an answer, to check it against the reader's scope. */
  ids(n: Normal): string[];
}

const CONN = 'totalCount nodes { id }';
interface IdConn {
  totalCount: number;
  nodes: { id: string }[];
}
const conn = (c: IdConn) => ({ totalCount: c.totalCount, ids: c.nodes.map((n) => n.id).sort() });
const idsOf = (ids: string[]) => ({ totalCount: ids.length, ids: [...ids].sort() });

/** One campaign's content as a reader sees it. */
function campaignContent(u: DemoUser, r: CampaignRow) {
  return {
    id: gid.campaign(r),
    documents: idsOf(docsOfWorkspace(seenDocuments(u), r.demo.workspaceId).map(gid.document)),
    assets: idsOf(
      seenAssets(u)
        .filter((a) => a.demo.campaignCode === r.demo.code)
        .map((a) => gid.asset(a.demo)),
    ),
  };
}
type Content = ReturnType<typeof campaignContent>;
const contentIds = (c: Content) => [c.id, ...c.documents.ids, ...c.assets.ids];

const LIST: Probe = {
  name: 'campaigns list with documents and assets',
  query: `{ campaigns(first: 100) { totalCount nodes { id documents(first: 100) { ${CONN} } assets(first: 100) { ${CONN} } } } }`,
  normal: (d) => {
    const c = d.campaigns as { totalCount: number; nodes: { id: string; documents: IdConn; assets: IdConn }[] };
    return {
      totalCount: c.totalCount,
      nodes: c.nodes
        .map((n) => ({ id: n.id, documents: conn(n.documents), assets: conn(n.assets) }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    };
  },
  expected: (u) => {
    const rows = seenCampaigns(u);
    return { totalCount: rows.length, nodes: rows.map((r) => campaignContent(u, r)).sort((a, b) => a.id.localeCompare(b.id)) };
  },
  ids: (n) => (n as { nodes: Content[] }).nodes.flatMap(contentIds),
};

/** Campaigns shared with several of the partners, and some with one only. */
const SHARED = ['CMP-2026-001', 'CMP-2026-002', 'CMP-2026-004', 'CMP-2026-006', 'CMP-2026-007', 'CMP-2026-009'].map((code) => {
  const r = campaigns.find((c) => c.demo.code === code);
  if (!r) throw new Error(`no campaign ${code}`);
  return r;
});

const byId = (r: CampaignRow): Probe => ({
  name: `campaign ${r.demo.code} by id with documents and assets`,
  query: `query($id: ID!) { campaign(id: $id) { id documents(first: 100) { ${CONN} } assets(first: 100) { ${CONN} } } }`,
  variables: { id: gid.campaign(r) },
  normal: (d) => {
    const c = d.campaign as { id: string; documents: IdConn; assets: IdConn } | null;
    return c && { id: c.id, documents: conn(c.documents), assets: conn(c.assets) };
  },
  expected: (u) => (seenCampaigns(u).includes(r) ? campaignContent(u, r) : null),
  ids: (n) => (n ? contentIds(n as Content) : []),
});

/** Every asset of the open, all-region campaign by id: the same DAM records, decided per reader (territories differ). */
const OPEN = SHARED[3] as CampaignRow;
const openAssets = assets.filter((a) => a.demo.campaignCode === OPEN.demo.code);
const ASSETS_BY_ID: Probe = {
  name: `every asset of ${OPEN.demo.code} by id`,
  query: `{ ${openAssets.map((a, i) => `a${i}: asset(id: "${gid.asset(a.demo)}") { id }`).join(' ')} }`,
  normal: (d) =>
    Object.values(d)
      .filter((x): x is { id: string } => x !== null)
      .map((x) => x.id)
      .sort(),
  expected: (u) =>
    seenAssets(u)
      .filter((a) => a.demo.campaignCode === OPEN.demo.code)
      .map((a) => gid.asset(a.demo))
      .sort(),
  ids: (n) => n as string[],
};

const search = (q: string): Probe => ({
  name: `search "${q}"`,
  query: `query($q: String) { search(query: $q, first: 100) { totalCount pageInfo { hasNextPage } nodes { ... on Document { id } ... on Asset { id } } } }`,
  variables: { q },
  normal: (d) => {
    const s = d.search as IdConn & { pageInfo: { hasNextPage: boolean } };
    assert.equal(s.pageInfo.hasNextPage, false, 'one page holds it all');
    return conn(s);
  },
  // Search totals and NetX hits are checked against the oracle in matrix.test.ts; here: each reader as alone.
  expected: () => null,
  ids: (n) => (n as { ids: string[] }).ids,
});

const PROBES: Probe[] = [LIST, ...SHARED.map(byId), ASSETS_BY_ID, search('Nimbus'), search('Partner'), search('Aurora')];

// ------------------------------------------------------------------ running them

async function run(u: DemoUser, p: Probe): Promise<Normal> {
  const res = await ask<Record<string, unknown>>(stack, u, p.query, p.variables);
  const errors = (res.body.errors ?? []).filter((e) => e.extensions?.code !== 'NOT_FOUND');
  assert.deepEqual(errors, [], `${u.email} ${p.name}: errors`);
  return p.normal(res.body.data ?? {});
}

/** What each reader gets from each probe alone, on a cold cache: the reference for the storms. */
const alone = new Map<string, Normal>();
const key = (u: DemoUser, p: Probe) => `${u.email}\u0000${p.name}`;

/** Check an answer: the oracle's when it has one, the reader's alone answer always, never an id outside the reader's scope. */
function check(u: DemoUser, p: Probe, got: Normal, what: string): void {
  const scope = new Set(expectedHits(u).concat(seenCampaigns(u).map(gid.campaign)));
  const outside = p
    .ids(got)
    .filter((id) => !scope.has(id))
    .map(label);
  assert.deepEqual(outside, [], `${what}: ${u.email} ${p.name}: ids outside the reader's scope`);
  const want = p.expected(u);
  if (want !== null) assert.deepEqual(got, want, `${what}: ${u.email} ${p.name}: differs from the oracle`);
  if (alone.has(key(u, p)))
    assert.deepEqual(got, alone.get(key(u, p)), `${what}: ${u.email} ${p.name}: differs from what the reader gets alone`);
}

/** Fire `n` (reader, probe) requests in a seeded shuffled order, all in flight together, and check every answer. */
async function storm(seed: number, n: number, what: string, midway?: () => void): Promise<void> {
  const pairs = PARTNERS.flatMap((u) => PROBES.map((p) => ({ u, p })));
  const random = rng(seed);
  const order: { u: DemoUser; p: Probe }[] = [];
  while (order.length < n) order.push(...shuffle(pairs, random));
  order.length = n;
  const answers = await Promise.all(
    order.map(async ({ u, p }, i) => {
      // Stagger starts a little (seeded), so requests overlap at different stages of each other.
      await new Promise((r) => setTimeout(r, Math.floor(random() * 30)));
      if (i === Math.floor(n / 2)) midway?.();
      return { u, p, got: await run(u, p) };
    }),
  );
  for (const { u, p, got } of answers) check(u, p, got, what);
}

describe('partners of different companies on the same campaigns and searches', () => {
  test("the readers' scopes differ on the shared campaigns (else this file could not catch a leak)", () => {
    const lists = PARTNERS.map((u) => JSON.stringify(LIST.expected(u)));
    assert.equal(new Set(lists).size, PARTNERS.length, 'each partner sees different campaigns and content');
    const open = PARTNERS.map((u) => JSON.stringify(ASSETS_BY_ID.expected(u)));
    assert.ok(new Set(open).size >= 3, 'the partners see different assets of the one campaign open to all of them');
    for (const u of PARTNERS) assert.ok(seenCampaigns(u).includes(OPEN), `${u.email} sees ${OPEN.demo.code}`);
    for (const u of PARTNERS) assert.ok(seenCampaigns(u).length > 0 && seenCampaigns(u).length < campaigns.length);
  });

  test("alone, on a cold cache, each reader gets the oracle's answer", async () => {
    for (const u of PARTNERS) {
      for (const p of PROBES) {
        stack.sources.cache.clear();
        const got = await run(u, p);
        check(u, p, got, 'alone');
        alone.set(key(u, p), got);
      }
    }
  });

  test("200 concurrent requests in a shuffled order on a cold cache: every answer is the reader's own", async () => {
    stack.sources.cache.clear();
    await storm(1, 200, 'cold storm');
  });

  test("200 concurrent requests in another order on the now warm cache: every answer is the reader's own", async () => {
    await storm(2, 200, 'warm storm');
  });

  test("200 concurrent requests with the cache dropped halfway through: every answer is the reader's own", async () => {
    await storm(3, 200, 'storm with a cache clear', () => stack.sources.cache.clear());
  });

  test('more interleavings (seeds 4 to 6), 60 requests each, alternately cold and warm', async () => {
    for (const seed of [4, 5, 6]) {
      if (seed % 2 === 0) stack.sources.cache.clear();
      await storm(seed, 60, `storm seed ${seed}`);
    }
  });
});

describe('cache sharing follows the policy scope', () => {
  for (const p of [LIST, ASSETS_BY_ID, search('Nimbus')]) {
    test(`${p.name}: ben's after anna's (same company, same regions) costs no upstream request; kenji's does`, async () => {
      stack.sources.cache.clear();
      await stack.resetUpstreams();
      const annas = await run(anna, p);
      const cold = await stack.upstreamCounts();
      assert.ok(Object.values(cold).reduce((a, b) => a + b, 0) > 0, "anna's cold query reads upstream");

      await stack.resetUpstreams();
      const bens = await run(ben, p);
      assert.deepEqual(await stack.upstreamCounts(), { otcs: 0, iconik: 0, netx: 0, otmm: 0 }, "ben is served from anna's cache entries");
      assert.deepEqual(bens, annas, 'and gets what anna got');

      await stack.resetUpstreams();
      const kenjis = await run(kenji, p);
      const k = await stack.upstreamCounts();
      assert.ok(Object.values(k).reduce((a, b) => a + b, 0) > 0, `kenji (another company) shares nothing with anna: ${JSON.stringify(k)}`);
      assert.notDeepEqual(kenjis, annas, 'and gets his own answer');
      check(kenji, p, kenjis, 'after anna and ben');
    });
  }
});
