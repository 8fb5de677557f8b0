/**
 * The DAM simulators' changes over time (issue 15): `/__sim/assets` edits and creates are
 * served by the vendor reads with a new modify date, refused when malformed, forgotten on
 * reset; iconik delivers webhooks to registered URLs, unsigned with their static headers, and
 * marks a registration FAILING after failed deliveries.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { createIconikSimulator } from '../../../simulators/iconik/simulator.ts';
import { createNetxSimulator } from '../../../simulators/netx/simulator.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { createIconikClient } from '../../../sources/iconik/client.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { createNetxClient } from '../../../sources/netx/client.ts';
import { simReset, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('DAM simulator changes (NetX)', () => {
  let sim: Simulator;
  let url: string;
  before(async () => {
    sim = createNetxSimulator(world, mapping);
    url = await sim.listen(0);
  });
  after(() => sim.close());

  it('an edit is served by the vendor API with a new modify date; reset forgets it', async () => {
    const client = createNetxClient({ baseUrl: url, apiToken: DEMO_CREDENTIALS.netx.apiToken, mapping, backoffBaseMs: 5 });
    const a = [...world.assets('NETX')][3] as { nativeId: string; title: string; modifiedAt: string };
    const before = Date.now();
    const res = await post(`${url}/__sim/assets/${a.nativeId}`, {
      title: 'Recut',
      approval: 'APPROVED',
      rights: { validUntil: '2031-01-01T00:00:00Z' },
    });
    assert.equal(res.status, 200);
    const [got] = await client.getAssets([a.nativeId]);
    assert.equal(got?.title, 'Recut');
    assert.equal(got?.approval, 'APPROVED');
    assert.equal(got?.rights.validUntil, '2031-01-01T00:00:00.000Z');
    assert.ok(Date.parse(got?.modifiedAt ?? '') >= before - 1000);
    const found = await client.findAssets({ modifiedSince: new Date(before - 1000).toISOString() }, { first: 10 });
    assert.deepEqual(
      found.items.map((x) => x.source.nativeId),
      [a.nativeId],
    );
    await simReset(url);
    assert.equal((await client.getAssets([a.nativeId]))[0]?.title, a.title);
  });

  it('a created asset has an id of its own and is found; malformed edits are 400, unknown ids 404', async () => {
    const client = createNetxClient({ baseUrl: url, apiToken: DEMO_CREDENTIALS.netx.apiToken, mapping, backoffBaseMs: 5 });
    const res = await post(`${url}/__sim/assets`, { title: 'Brand new', approval: 'PENDING' });
    assert.equal(res.status, 201);
    const { id } = (await res.json()) as { id: string };
    assert.equal(world.assetById('NETX', id), null, 'not a world id');
    assert.equal((await client.getAssets([id]))[0]?.title, 'Brand new');
    assert.equal((await post(`${url}/__sim/assets/${id}`, { approval: 'MAYBE' })).status, 400);
    assert.equal((await post(`${url}/__sim/assets/${id}`, { rights: { validUntil: 'soon' } })).status, 400);
    assert.equal((await post(`${url}/__sim/assets/999999999`, { title: 'x' })).status, 404);
  });
});

describe('iconik webhook delivery', () => {
  let sim: Simulator;
  let url: string;
  let receiver: Server;
  let target: string;
  let status = 204;
  const got: { headers: Record<string, unknown>; body: Record<string, unknown> }[] = [];
  before(async () => {
    sim = createIconikSimulator(world, mapping, { webhooks: { attempts: 2, retryDelayMs: 10, failuresToFail: 2 } });
    url = await sim.listen(0);
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await new Promise<void>((r) => receiver.close(() => r()));
    await sim.close();
  });
  const waitFor = async (n: number) => {
    for (let i = 0; i < 200 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(got.length >= n, `${n} deliveries`);
  };

  it('a registration through the vendor API gets the SEEN envelope, its static headers, no signature', async () => {
    const headers = {
      'App-ID': DEMO_CREDENTIALS.iconik.appId,
      'Auth-Token': DEMO_CREDENTIALS.iconik.authToken,
      'content-type': 'application/json',
    };
    const reg = await fetch(`${url}/API/notifications/v1/webhooks/`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ url: target, event_type: 'assets', status: 'ENABLED', headers: { 'x-hook': 'abc' } }),
    });
    assert.equal(reg.status, 201);
    const a = [...world.assets('ICONIK')][2] as { nativeId: string };
    await post(`${url}/__sim/assets/${a.nativeId}`, { title: 'Pushed' });
    await waitFor(1);
    const [d] = got;
    assert.equal(d?.headers['x-hook'], 'abc');
    assert.equal(d?.headers['webhook-signature'], undefined);
    assert.deepEqual(Object.keys(d?.body ?? {}).sort(), [
      'data',
      'event_type',
      'object_id',
      'operation',
      'realm',
      'request_id',
      'system_domain_id',
      'user_id',
    ]);
    assert.deepEqual([d?.body.event_type, d?.body.realm, d?.body.operation, d?.body.object_id], ['assets', 'entity', 'update', a.nativeId]);
    assert.equal((d?.body.data as { title: string }).title, 'Pushed');
    const client = createIconikClient({
      baseUrl: `${url}/API`,
      appId: DEMO_CREDENTIALS.iconik.appId,
      authToken: DEMO_CREDENTIALS.iconik.authToken,
      mapping,
    });
    assert.equal((await client.getAssets([a.nativeId]))[0]?.title, 'Pushed', 'the change is served');
  });

  it('failed deliveries are retried, then the registration turns FAILING with its last error', async () => {
    status = 500;
    got.length = 0;
    const a = [...world.assets('ICONIK')][4] as { nativeId: string };
    await post(`${url}/__sim/assets/${a.nativeId}`, { title: 'one' });
    await waitFor(2);
    await post(`${url}/__sim/assets/${a.nativeId}`, { title: 'two' });
    await waitFor(4);
    await new Promise((r) => setTimeout(r, 50));
    const log = (await (await fetch(`${url}/__sim/deliveries`)).json()) as { status: number; attempt: number }[];
    assert.deepEqual(
      log.slice(-4).map((x) => [x.status, x.attempt]),
      [
        [500, 1],
        [500, 2],
        [500, 1],
        [500, 2],
      ],
    );
    const hooks = (await (
      await fetch(`${url}/API/notifications/v1/webhooks/`, {
        headers: { 'App-ID': DEMO_CREDENTIALS.iconik.appId, 'Auth-Token': DEMO_CREDENTIALS.iconik.authToken },
      })
    ).json()) as { objects: { status: string; last_error: string | null; first_failed_at: string | null }[] };
    assert.equal(hooks.objects[0]?.status, 'FAILING');
    assert.equal(hooks.objects[0]?.last_error, 'HTTP 500');
    assert.ok(hooks.objects[0]?.first_failed_at);
  });
});
