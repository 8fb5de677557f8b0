import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack.ts';
import { testWorld } from '../../helpers/world.ts';
import { assetId } from '../../../access/ids.ts';

const world = testWorld();
let stack: Stack;

before(async () => {
  stack = await startStack();
  // Log in to every source once, so the counts below are the reads alone.
  await stack.query('{ sources { system ok } }');
});
after(() => stack.close());
beforeEach(async () => {
  stack.sources.cache.clear();
  await stack.resetUpstreams();
});

const CAMPAIGN_PAGE = `query($id: ID!) {
  campaign(id: $id) {
    id name code status productLine regions startDate endDate openToAllPartners
    workspace { name type team { email role } }
    documents(first: 20) { totalCount nodes { id name classification status version } }
    assets(first: 20) { totalCount missingSources nodes { id title kind source { system nativeId } renditions { kind url mimeType } rights { status validUntil territories channels licence { name } } } }
    accounts { name kind }
  }
}`;

test("a campaign page returns the demo world's data", async () => {
  const c = world.campaign(0);
  const tree = world.tree(c.workspaceId);
  const { status, body } = await stack.query<{ campaign: Record<string, never> }>(CAMPAIGN_PAGE, { id: c.code });
  assert.equal(status, 200);
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  const got = body.data?.campaign as unknown as {
    name: string;
    code: string;
    status: string;
    regions: string[];
    workspace: { name: string; team: { email: string }[] };
    documents: { totalCount: number; nodes: { name: string }[] };
    assets: {
      totalCount: number;
      nodes: { source: { system: string; nativeId: string }; renditions: { url: string }[]; rights: { status: string } }[];
    };
    accounts: { name: string }[];
  };
  assert.equal(got.name, c.name);
  assert.equal(got.status, c.status);
  assert.deepEqual(got.regions, c.regions);
  assert.equal(got.workspace.name, tree?.workspace.name);
  assert.deepEqual(got.workspace.team.map((m) => m.email).sort(), tree?.workspace.team.map((m) => m.email).sort());
  assert.equal(got.documents.totalCount, tree?.documents.length);
  assert.equal(got.documents.nodes.length, 20);
  assert.ok(got.documents.nodes.every((d) => tree?.documents.some((x) => x.name === d.name)));
  const worldAssets = [...world.assets()].filter((a) => a.campaignCode === c.code);
  assert.equal(got.assets.totalCount, worldAssets.length);
  assert.equal(got.assets.nodes.length, 20);
  for (const a of got.assets.nodes) {
    assert.ok(worldAssets.some((w) => w.nativeId === a.source.nativeId && w.system === a.source.system));
    assert.ok(a.renditions.length >= 2 && a.renditions.every((r) => r.url.startsWith(stack.url)));
    assert.ok(a.rights.status);
  }
  assert.ok(got.accounts.length > 0);
});

test("effective rights narrow the DAM's by the ECM licence", async () => {
  const a = [...world.assets()].find((x) => x.rightsCase === 'licence-expired' && x.approval === 'APPROVED');
  assert.ok(a);
  const { body } = await stack.query<{ asset: { rights: { status: string; licence: { name: string } } } }>(
    'query($id: ID!) { asset(id: $id) { rights { status licence { name } } } }',
    { id: assetId(a.system, a.nativeId) },
  );
  assert.equal(a.rights.status, 'CLEARED', 'the DAM says cleared');
  assert.equal(body.data?.asset.rights.status, 'EXPIRED', 'the expired licence wins');
  assert.match(body.data?.asset.rights.licence.name ?? '', /Talent Release/);
});

const LIST = (n: number) =>
  `{ campaigns(first: ${n}) { nodes { workspace { name } documents(first: 10) { totalCount nodes { name } } assets(first: 10) { nodes { title renditions { kind url } rights { status validUntil } } } } } }`;

test('the campaign list costs at most one request per source per level, whatever the page size', async () => {
  const counts = [];
  for (const n of [5, 20, 50]) {
    stack.sources.cache.clear();
    await stack.resetUpstreams();
    const { body } = await stack.query<{ campaigns: { nodes: unknown[] } }>(LIST(n));
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    assert.equal(body.data?.campaigns.nodes.length, Math.min(n, world.counts.campaigns));
    counts.push(await stack.upstreamCounts());
  }
  for (const c of counts) {
    // Levels: campaigns; workspace + documents + assets; licences of rights.
    assert.ok(c.otcs <= 3, `OTCS ${c.otcs}`);
    assert.ok(c.iconik <= 1 && c.netx <= 1 && c.otmm <= 1, JSON.stringify(c));
  }
  assert.deepEqual(counts[0], counts[2], 'the same for 5 and 50');
});

test('101 aliased asset reads cost one upstream request', async () => {
  const ids = [...world.assets('NETX')].slice(0, 101).map((a) => assetId('NETX', a.nativeId));
  const q = `{ ${ids.map((id, i) => `a${i}: asset(id: "${id}") { title }`).join(' ')} }`;
  const { body } = await stack.query<Record<string, { title: string }>>(q);
  assert.equal(body.errors, undefined, JSON.stringify(body.errors?.slice(0, 2)));
  assert.equal(Object.keys(body.data ?? {}).length, 101);
  const c = await stack.upstreamCounts();
  assert.equal(c.netx, 1);
  assert.equal(c.otcs + c.iconik + c.otmm, 0);
});

test('ten concurrent identical queries cost no more upstream requests than one', async () => {
  await stack.query(LIST(20));
  const single = await stack.upstreamCounts();
  stack.sources.cache.clear();
  await stack.resetUpstreams();
  const results = await Promise.all(Array.from({ length: 10 }, () => stack.query(LIST(20))));
  assert.ok(results.every((r) => r.status === 200 && !r.body.errors));
  const ten = await stack.upstreamCounts();
  for (const k of ['otcs', 'iconik', 'netx', 'otmm'] as const) assert.ok(ten[k] <= single[k], `${k}: ${ten[k]} > ${single[k]}`);
});

test('search pages through documents and assets of every source exactly once', async () => {
  const seen = new Set<string>();
  let after: string | null = null;
  let total = -1;
  let pages = 0;
  do {
    const res: Awaited<ReturnType<Stack['query']>> = await stack.query(
      `query($after: String) { search(query: "Aurora", sort: NAME, first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } facets { field values { value count } } nodes { __typename ... on Document { id } ... on Asset { id } } } }`,
      { after },
    );
    assert.equal(res.body.errors, undefined, JSON.stringify(res.body.errors));
    const s = (
      res.body.data as { search: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { id: string }[] } }
    ).search;
    total = s.totalCount;
    for (const n of s.nodes) {
      assert.ok(!seen.has(n.id), `duplicate ${n.id}`);
      seen.add(n.id);
    }
    after = s.pageInfo.hasNextPage ? s.pageInfo.endCursor : null;
    pages++;
  } while (after && pages < 200);
  assert.ok(total > 50, `total ${total}`);
  assert.equal(seen.size, total);
});

test('limits refuse abusive queries before any upstream call', async () => {
  const deep = `{ campaigns { nodes { ${'accounts { campaigns { '.repeat(6)} name ${'} } '.repeat(6)} } } }`;
  const aliases = `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: viewer { email }`).join(' ')} }`;
  const costly = `{ campaigns(first: 100) { nodes { documents(first: 100) { nodes { versions { number } approvals { status } } } } } }`;
  for (const q of [deep, aliases, costly]) {
    const r = await stack.query(q);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COMPLEX');
  }
  const c = await stack.upstreamCounts();
  assert.equal(c.otcs + c.iconik + c.netx + c.otmm, 0);
});

test('bad input gets a typed error; an unknown id is NOT_FOUND', async () => {
  const r = await stack.query('{ campaigns(first: 1000) { totalCount } }');
  assert.equal(r.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  const nf = await stack.query('{ asset(id: "nope") { title } document(id: "Zm9v") { name } }');
  assert.deepEqual(
    nf.body.errors?.map((e) => e.extensions?.code),
    ['NOT_FOUND', 'NOT_FOUND'],
  );
});

test('health, readiness and metrics endpoints', async () => {
  assert.equal((await fetch(`${stack.url}/healthz`)).status, 200);
  const ready = await fetch(`${stack.url}/readyz`);
  assert.equal(ready.status, 200);
  const text = JSON.stringify(await ready.json());
  assert.doesNotMatch(text, /127\.0\.0\.1|token|password/i, 'no upstream URL or secret');
  await stack.query('{ viewer { email } }');
  const metrics = await (await fetch(`${stack.url}/metrics`)).text();
  assert.match(metrics, /^atrium_graphql_operations_total\{type="query",outcome="ok"\} \d+$/m);
  assert.match(metrics, /^atrium_upstream_calls_total\{system="OTCS",outcome="ok"\} \d+$/m);
  assert.match(metrics, /^atrium_cache_hits \d+$/m);
});

test('CSRF prevention: a simple (form) request is refused before execution', async () => {
  const res = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'query={viewer{email}}',
  });
  assert.equal(res.status, 400);
  const get = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ viewer { email } }')}`);
  assert.equal(get.status, 400, 'GET without a preflight-forcing header is refused too');
  const ok = await fetch(`${stack.url}/graphql?query=${encodeURIComponent('{ viewer { email } }')}`, {
    headers: { 'apollo-require-preflight': 'true' },
  });
  assert.equal(ok.status, 200);
});

test('answers are never stored in shared caches', async () => {
  const res = await fetch(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ viewer { email } }' }),
  });
  assert.equal(res.headers.get('cache-control'), 'private, no-store');
  assert.ok(res.headers.get('x-request-id'));
});

test('campaigns of every account cost one listing, not one per account', async () => {
  const { body } = await stack.query<{ accounts: { nodes: { id: string; kind: string; campaigns: { code: string }[] }[] } }>(
    '{ accounts(first: 20) { nodes { id kind campaigns { code } } } }',
  );
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  const nodes = body.data?.accounts.nodes ?? [];
  assert.equal(nodes.length, world.counts.accounts);
  for (const n of nodes) {
    const account = world.accountById(accountIdOf(n.id));
    assert.ok(account);
    const expected = [...world.campaigns()]
      .filter((c) => c.audience.includes(account.id) || (account.kind === 'PARTNER' && c.openToAllPartners))
      .map((c) => c.code)
      .sort();
    assert.deepEqual(n.campaigns.map((c) => c.code).sort(), expected, account.id);
  }
  const c = await stack.upstreamCounts();
  assert.ok(c.otcs <= 2, `OTCS ${c.otcs}: the accounts listing and one campaign listing`);
});

const accountIdOf = (globalId: string) =>
  Buffer.from(globalId, 'base64url')
    .toString('utf8')
    .replace(/^Account:/, '');
