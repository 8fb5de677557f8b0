import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack.ts';
import { testWorld } from '../../helpers/world.ts';

const world = testWorld();
let stack: Stack;
const TIMEOUT = 800;

before(async () => {
  stack = await startStack({ timeoutMs: TIMEOUT, retries: 1 });
  await stack.query('{ sources { system ok } }');
});
after(() => stack.close());

const Q = `query($id: ID!) { campaign(id: $id) { name documents(first: 5) { totalCount nodes { name } } assets(first: 100) { totalCount missingSources nodes { source { system } } } } }`;

for (const mode of ['down', 'slow'] as const) {
  test(`with NetX ${mode}, the campaign still answers with documents and the other DAMs, and an error names NetX`, async () => {
    stack.sources.cache.clear();
    await fetch(`${stack.sims.roots.netx}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        mode === 'down' ? { clear: true, faults: [{ down: true }] } : { clear: true, faults: [{ latencyMs: TIMEOUT * 5 }] },
      ),
    });
    const c = world.campaign(0);
    const t0 = Date.now();
    const { status, body } = await stack.query<{
      campaign: {
        name: string;
        documents: { totalCount: number };
        assets: { missingSources: string[]; nodes: { source: { system: string } }[] };
      };
    }>(Q, { id: c.code });
    const ms = Date.now() - t0;
    await fetch(`${stack.sims.roots.netx}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clear: true }),
    });
    assert.equal(status, 200);
    assert.equal(body.data?.campaign.name, c.name);
    assert.ok((body.data?.campaign.documents.totalCount ?? 0) > 0);
    assert.deepEqual(body.data?.campaign.assets.missingSources, ['NETX']);
    const systems = new Set(body.data?.campaign.assets.nodes.map((n) => n.source.system));
    assert.ok(systems.has('ICONIK') && systems.has('OTMM') && !systems.has('NETX'), [...systems].join());
    const err = body.errors?.find((e) => e.extensions?.code === 'UPSTREAM_UNAVAILABLE');
    assert.equal(err?.extensions?.source, 'NETX');
    assert.deepEqual(err?.path, ['campaign', 'assets']);
    assert.doesNotMatch(JSON.stringify(body.errors), /127\.0\.0\.1|apiToken|http:/);
    assert.ok(ms < TIMEOUT * 3, `answered in ${ms} ms`);
  });
}

test('sources reports the failing source while it is down', async () => {
  await fetch(`${stack.sims.roots.netx}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clear: true, faults: [{ down: true }] }),
  });
  const { body } = await stack.query<{ sources: { system: string; ok: boolean; message: string | null }[] }>(
    '{ sources { system ok message } }',
  );
  await fetch(`${stack.sims.roots.netx}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clear: true }),
  });
  const byName = Object.fromEntries(body.data?.sources.map((s) => [s.system, s]) ?? []);
  assert.equal(byName.NETX?.ok, false);
  assert.equal(byName.NETX?.message, 'unavailable');
  assert.equal(byName.OTCS?.ok, true);
  // Its circuit may have opened while it was down: one probe after the half-open wait closes it.
  let status = 0;
  for (const t0 = Date.now(); Date.now() - t0 < 2000 && status !== 200; await new Promise((r) => setTimeout(r, 100)))
    status = (await fetch(`${stack.url}/readyz`)).status;
  assert.equal(status, 200, 'ready again within 2 s of NetX being back');
});
