/**
 * Errors typed at the edge (issue 24), over the whole stack: input past the limits of
 * resolvers/input.ts is BAD_USER_INPUT (an id that cannot be ours NOT_FOUND) before any upstream
 * request; a reader's search text matches literally in every source; and an audit store that
 * refuses connections is AUDIT_UNAVAILABLE, its cause logged and never returned.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStack, type Stack } from '../../helpers/stack.ts';
import { testWorld } from '../../helpers/world.ts';
import { assetId, campaignId, documentId } from '../../../access/ids.ts';
import { buildGateway, type Gateway } from '../../../gateway/server.ts';
import { createLogger } from '../../../gateway/log.ts';
import { demoDirectory } from '../../../gateway/demo-users.ts';
import { Audit, AuditWriter } from '../../../audit/index.ts';
import type { AuditStorePort } from '../../../audit/store.ts';
import type { Principal } from '../../../access/principal.ts';

const world = testWorld();
type GqlError = { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };
type Answer = { status: number; body: { data?: Record<string, unknown> | null; errors?: GqlError[] } };

const cursor = (state: unknown) => Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
const offsetAfter = (n: number) => Buffer.from(`o:${n}`, 'utf8').toString('base64url');
const codes = (a: Answer) => (a.body.errors ?? []).map((e) => e.extensions?.code);

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack.close());

describe('input past the limits is refused before any upstream request', () => {
  beforeEach(async () => {
    // Nothing cached, nothing counted: a request that reached a source would show.
    stack.sources.cache.clear();
    await stack.resetUpstreams();
  });

  /** `query` answers with exactly one error of `code`, and no simulator served a request for it. */
  async function refused(query: string, variables: Record<string, unknown>, code: string): Promise<Answer> {
    const r = (await stack.query(query, variables)) as Answer;
    assert.deepEqual(codes(r), [code], JSON.stringify(r.body.errors));
    assert.doesNotMatch(JSON.stringify(r.body.errors), /unavailable/i);
    assert.deepEqual(await stack.upstreamCounts(), { otcs: 0, iconik: 0, netx: 0, otmm: 0 }, 'no upstream request');
    return r;
  }

  const SEARCH =
    'query($q: String, $filter: ContentFilter, $after: String) { search(query: $q, filter: $filter, after: $after) { totalCount } }';

  test('a 10 kB search text is BAD_USER_INPUT', async () => {
    await refused(SEARCH, { q: 'a'.repeat(10_000) }, 'BAD_USER_INPUT');
  });

  test('search text with a control character is BAD_USER_INPUT', async () => {
    await refused(SEARCH, { q: 'brief\u0000' }, 'BAD_USER_INPUT');
  });

  test('a 20 kB campaign code in a search filter is BAD_USER_INPUT', async () => {
    await refused(SEARCH, { filter: { campaignCodes: ['C'.repeat(20_000)] } }, 'BAD_USER_INPUT');
  });

  test('a filter list of 101 values is BAD_USER_INPUT', async () => {
    await refused(SEARCH, { filter: { channels: Array.from({ length: 101 }, (_, i) => `c${i}`) } }, 'BAD_USER_INPUT');
  });

  test('a forged search cursor is BAD_USER_INPUT', async () => {
    await refused(SEARCH, { after: cursor({ ICONIK: [999_999, 1_000_000] }) }, 'BAD_USER_INPUT');
    await refused(SEARCH, { after: cursor({ OTCS: [20_000, 1_000_000], NETX: [20_000, 1_000_000] }) }, 'BAD_USER_INPUT');
  });

  test('a 20 kB campaign text filter is BAD_USER_INPUT', async () => {
    await refused('query($t: String) { campaigns(filter: { text: $t }) { totalCount } }', { t: 'x'.repeat(20_000) }, 'BAD_USER_INPUT');
    await refused('query($t: String) { accounts(filter: { text: $t }) { totalCount } }', { t: 'x'.repeat(20_000) }, 'BAD_USER_INPUT');
  });

  test('an offset cursor of 999,999,999 is BAD_USER_INPUT, not page 200,000,001', async () => {
    await refused('query($a: String) { campaigns(after: $a) { totalCount } }', { a: offsetAfter(999_999_999) }, 'BAD_USER_INPUT');
    await refused('query($a: String) { accounts(after: $a) { totalCount } }', { a: offsetAfter(10_000) }, 'BAD_USER_INPUT');
  });

  test('a nested list checks its cursor and filter before asking for its items', async () => {
    const c = world.campaign(0);
    const r = (await stack.query(
      'query($id: ID!, $a: String, $f: ContentFilter) { campaign(id: $id) { name documents(after: $a) { totalCount } assets(filter: $f) { totalCount } } }',
      { id: c.code, a: offsetAfter(999_999_999), f: { campaignCodes: ['C'.repeat(20_000)] } },
    )) as Answer;
    assert.deepEqual(codes(r).sort(), ['BAD_USER_INPUT', 'BAD_USER_INPUT']);
    assert.equal((r.body.data?.campaign as { name: string }).name, c.name, 'the campaign itself answers');
    const counts = await stack.upstreamCounts();
    assert.deepEqual([counts.iconik, counts.netx, counts.otmm], [0, 0, 0], 'no DAM was asked for the refused assets');
  });

  test('an id that cannot be ours is NOT_FOUND without asking a source', async () => {
    await refused('query($id: ID!) { campaign(id: $id) { name } }', { id: 'C'.repeat(20_000) }, 'NOT_FOUND');
    await refused('query($id: ID!) { campaign(id: $id) { name } }', { id: campaignId('C'.repeat(300)) }, 'NOT_FOUND');
    await refused('query($id: ID!) { account(id: $id) { name } }', { id: 'ACC-1001\u0000' }, 'NOT_FOUND');
    await refused('query($id: ID!) { asset(id: $id) { title } }', { id: assetId('ICONIK', 'x'.repeat(300)) }, 'NOT_FOUND');
    await refused('query($id: ID!) { node(id: $id) { id } }', { id: assetId('NETX', '1\u0007') }, 'NOT_FOUND');
  });

  for (const system of ['OTCS', 'ICONIK', 'NETX', 'OTMM'] as const) {
    test(`search(query: "*") on ${system} finds only names with a literal *, not everything`, async () => {
      const everything = (await stack.query(SEARCH, { filter: { systems: [system] } })) as Answer;
      assert.ok((everything.body.data?.search as { totalCount: number }).totalCount > 0, 'the source has items');
      const literal =
        system === 'OTCS'
          ? [...world.documents()].filter((d) => d.name.includes('*')).length
          : [...world.assets(system)].filter((a) => a.title.includes('*')).length;
      const r = (await stack.query(SEARCH, { q: '*', filter: { systems: [system] } })) as Answer;
      assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
      assert.equal((r.body.data?.search as { totalCount: number }).totalCount, literal);
    });
  }
});

/**
 * An audit store that answers nothing or, while `down`, refuses like an unreachable database.
 * Its reads of events and checkpoints are counted (not its writes: the writer records views off the
 * request, at its own time).
 */
function fakeStore() {
  const state = { down: false, reads: 0 };
  const answer = <T>(value: T): Promise<T> =>
    // What a driver says when the database is gone: its address (and credentials) must never reach a client.
    state.down
      ? Promise.reject(new Error('connect ECONNREFUSED 10.9.8.7:5432 (postgres://atrium:s3cret@db.internal/audit)'))
      : Promise.resolve(value);
  const call = <T>(value: T): Promise<T> => {
    state.reads++;
    return answer(value);
  };
  const store: AuditStorePort = {
    location: 'postgres://atrium:s3cret@db.internal/audit',
    open: () => answer(undefined),
    exists: () => answer(true),
    append: (records) => answer(records.length),
    list: () => call({ items: [], hasNext: false }),
    count: () => call(0),
    pageAfter: () => call([]),
    stream: async function* () {
      yield* await call([]);
    },
    forObject: () => call([]),
    downloadsByCompany: () => call([]),
    head: () => call(null),
    appendCheckpoint: () => call(undefined),
    checkpoints: () => call({ items: [], hasNext: false, total: 0 }),
    verify: () => Promise.reject(new Error('not used')),
    ping: () => answer(undefined),
    close: () => Promise.resolve(),
  };
  return Object.assign(state, { store });
}

describe('the audit reads type their errors', () => {
  let server: Server;
  let gateway: Gateway;
  let audit: Audit;
  let url: string;
  const logged: { msg: string; error?: string }[] = [];
  const fake = fakeStore();
  const admin = demoDirectory(world)('admin@atrium.example') as Principal;

  before(async () => {
    const log = createLogger('warn', {}, (line) => logged.push(JSON.parse(line) as { msg: string; error?: string }));
    const writer = new AuditWriter(fake.store, { bufferMax: 1000, batchMs: 50, batchSize: 100, log, maxBackoffMs: 50 });
    audit = new Audit({ store: fake.store, writer });
    server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    gateway = buildGateway({ sources: stack.sources, log, publicUrl: url, introspection: false, audit, principal: () => admin });
    await gateway.start();
    server.on('request', (req, res) => void gateway.handle(req, res));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await gateway.stop();
    fake.down = false;
    await audit.close(1000);
  });
  beforeEach(() => {
    fake.down = false;
    fake.reads = 0;
    logged.length = 0;
  });

  async function ask(query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as Answer['body'] };
  }

  /** No error names the database, its address or the driver's words. */
  const leaksNothing = (r: Answer) => assert.doesNotMatch(JSON.stringify(r.body), /postgres|ECONNREFUSED|10\.9\.8\.7|s3cret|db\.internal/);

  const EVENTS = 'query($f: AuditEventFilter) { auditEvents(filter: $f) { totalCount nodes { id } } }';

  test('a NUL in an auditEvents filter is BAD_USER_INPUT, and the store is not asked', async () => {
    for (const f of [
      { user: 'anna@northwind.example\u0000' },
      { company: '\u0000' },
      { object: 'x\u0000' },
      { campaign: 'C'.repeat(20_000) },
    ]) {
      const r = await ask(EVENTS, { f });
      assert.deepEqual(codes(r), ['BAD_USER_INPUT'], JSON.stringify(f));
    }
    assert.equal(fake.reads, 0, 'the store was not asked');
  });

  test('auditEvents while the store refuses connections is AUDIT_UNAVAILABLE, the cause logged', async () => {
    fake.down = true;
    const r = await ask(EVENTS, { f: { user: 'anna@northwind.example' } });
    assert.deepEqual(codes(r), ['AUDIT_UNAVAILABLE']);
    assert.deepEqual(r.body.errors?.[0]?.path, ['auditEvents']);
    leaksNothing(r);
    assert.ok(
      logged.some((l) => l.msg === 'audit events could not be read' && /ECONNREFUSED/.test(l.error ?? '')),
      JSON.stringify(logged),
    );
  });

  test("a document's auditTrail is AUDIT_UNAVAILABLE while the store is down; the document still answers", async () => {
    const d = [...world.documents()][0];
    assert.ok(d);
    fake.down = true;
    const r = await ask('query($id: ID!) { document(id: $id) { name auditTrail { action } } }', { id: documentId(String(d.nodeId)) });
    assert.deepEqual(codes(r), ['AUDIT_UNAVAILABLE']);
    assert.deepEqual(r.body.errors?.[0]?.path, ['document', 'auditTrail']);
    assert.deepEqual(r.body.data?.document, { name: d.name, auditTrail: null });
    leaksNothing(r);
    assert.ok(logged.some((l) => l.msg === 'audit trail could not be read'));
  });

  test('complianceOverview.downloadsByCompany is AUDIT_UNAVAILABLE while the store is down; the overview still answers', async () => {
    fake.down = true;
    const r = await ask('{ complianceOverview { downloadsByCompany { company count } } }');
    assert.deepEqual(codes(r), ['AUDIT_UNAVAILABLE']);
    assert.deepEqual(r.body.errors?.[0]?.path, ['complianceOverview', 'downloadsByCompany']);
    // Not nulled up to the (non-null) overview: its figures from the sources still answer beside it.
    assert.deepEqual(r.body.data, { complianceOverview: { downloadsByCompany: [] } });
    leaksNothing(r);
  });

  test('auditCheckpoints while the store is down is AUDIT_UNAVAILABLE', async () => {
    fake.down = true;
    const r = await ask('{ auditCheckpoints { totalCount } }');
    assert.deepEqual(codes(r), ['AUDIT_UNAVAILABLE']);
    leaksNothing(r);
  });
});
