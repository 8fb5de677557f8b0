/**
 * The demo CRM simulator over real HTTP: the status calls Atrium makes back (auth, validation,
 * idempotency, what is served afterwards), the webhooks it pushes (signed with Standard
 * Webhooks, verified here by the gateway's own verifier), and the shared control surface.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createVerifier, formatSecret, sign } from '../../../flows/inbound/standard-webhooks.ts';
import { parseCrmEvent } from '../../../flows/inbound/crm-events.ts';
import { createCrmSimulator, DEMO_CRM_TOKEN, type CrmSimulator, type SentWebhook } from '../../../simulators/crm/simulator.ts';
import { signatureOf } from '../../../simulators/crm/signing.ts';
import type { RecordedStatus, StatusCall } from '../../../simulators/crm/wire.ts';
import { startSimulators } from '../../../simulators/start.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { simFaults, simRequests, simReset, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const account = world.account(0);
const campaign = world.campaign(0);
const SECRET = formatSecret(randomBytes(32));
const NOW_S = 1_795_000_000;

/** A receiver standing in for Atrium's /hooks/crm: records what arrives, answers what it is told. */
interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}
let received: Received[] = [];
let reply: { status: number; body: string; headers?: Record<string, string> } = { status: 202, body: '{"accepted":true}' };
let receiver: Server;
let hookUrl: string;

let sim: CrmSimulator;
let url: string;

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/crm`;
  sim = createCrmSimulator(world, { hookSecret: SECRET, hookUrl, now: () => NOW_S * 1000 });
  url = await sim.listen(0);
});
after(async () => {
  await sim.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});
beforeEach(async () => {
  await simReset(url);
  received = [];
  reply = { status: 202, body: '{"accepted":true}' };
});

const call = (over: Partial<StatusCall> = {}): StatusCall => ({
  businessObject: account.businessObject,
  status: 'SIGNED',
  document: { id: 'RG9jdW1lbnQ6MTIzNA', name: 'Master Services Agreement.pdf', version: 2, url: 'https://atrium.example/documents/1234' },
  ...over,
});

async function postStatus(
  body: unknown,
  opts: { token?: string | null; key?: string; contentType?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/json' };
  const token = opts.token === undefined ? DEMO_CRM_TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (opts.key) headers['idempotency-key'] = opts.key;
  const res = await fetch(`${url}/api/status`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}
const statuses = async (query = ''): Promise<RecordedStatus[]> =>
  ((await (await fetch(`${url}/__sim/statuses${query}`)).json()) as { statuses: RecordedStatus[] }).statuses;
const send = async (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${url}/__sim/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('status calls (POST /api/status)', () => {
  it('records an authenticated call on a known business object and serves it back', async () => {
    const r = await postStatus(call());
    assert.equal(r.status, 201);
    assert.deepEqual(r.body, { id: 'STS-000001', receivedAt: new Date(NOW_S * 1000).toISOString() });
    const recorded = await statuses();
    assert.deepEqual(recorded, [{ id: 'STS-000001', receivedAt: new Date(NOW_S * 1000).toISOString(), ...call() }]);
    assert.deepEqual(sim.statuses(), recorded);
    // A campaign (SFDC/Campaign, its CRM id) is a business object too; a url is optional.
    const c = await postStatus(
      call({ businessObject: campaign.businessObject, status: 'APPROVED', document: { id: 'd2', name: 'Brief', version: 1 } }),
    );
    assert.equal(c.status, 201);
    assert.equal((await statuses(`?type=Campaign&id=${campaign.businessObject.id}`)).length, 1);
    assert.equal((await statuses('?type=Account')).length, 1);
  });

  it("serves each document's latest status on the business object afterwards (GET /api/objects/:type/:id)", async () => {
    await postStatus(call({ status: 'APPROVED' }));
    await postStatus(call({ status: 'SIGNED' }));
    await postStatus(call({ status: 'REJECTED', document: { id: 'other', name: 'Proposal', version: 1 } }));
    const res = await fetch(`${url}/api/objects/Account/${account.id}`, { headers: { authorization: `Bearer ${DEMO_CRM_TOKEN}` } });
    assert.equal(res.status, 200);
    const obj = (await res.json()) as { name: string; documents: { document: { id: string }; status: string }[] };
    assert.equal(obj.name, account.name);
    assert.deepEqual(
      obj.documents.map((d) => [d.document.id, d.status]),
      [
        ['RG9jdW1lbnQ6MTIzNA', 'SIGNED'],
        ['other', 'REJECTED'],
      ],
    );
    assert.equal(
      (await fetch(`${url}/api/objects/Account/ACC-0000`, { headers: { authorization: `Bearer ${DEMO_CRM_TOKEN}` } })).status,
      404,
    );
    assert.equal((await fetch(`${url}/api/objects/Account/${account.id}`)).status, 401);
  });

  it('refuses a missing, wrong or differently-schemed token with 401 and records nothing', async () => {
    for (const token of [null, 'wrong', `${DEMO_CRM_TOKEN}x`, DEMO_CRM_TOKEN.slice(0, -1)]) {
      const r = await postStatus(call(), { token });
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
      assert.deepEqual(r.body, { error: 'unauthorized' });
    }
    const basic = await fetch(`${url}/api/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${DEMO_CRM_TOKEN}` },
      body: JSON.stringify(call()),
    });
    assert.equal(basic.status, 401);
    assert.deepEqual(await statuses(), []);
  });

  it('refuses a bad body: 400 not JSON, 422 with every problem named, 404 an unknown business object', async () => {
    assert.equal((await postStatus('{not json')).status, 400);
    assert.equal((await postStatus('a=b', { contentType: 'application/x-www-form-urlencoded' })).status, 400);
    const bad = await postStatus({
      businessObject: { system: 'SFDC', type: 'Account' },
      status: 'DONE',
      document: { id: 'x', name: 'a\u0000b', version: 0, url: 'javascript:alert(1)' },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.problems, [
      'businessObject.id must be a printable string of 1-64 characters',
      'status must be one of APPROVED, SIGNED, ARCHIVED, REJECTED',
      'document.name must be a printable string of 1-255 characters',
      'document.version must be a positive integer',
      'document.url must be an http(s) URL',
    ]);
    assert.ok(!JSON.stringify(bad.body).includes('javascript'));
    const unknown = await postStatus(call({ businessObject: { system: 'SFDC', type: 'Account', id: 'ACC-0000' } }));
    assert.deepEqual([unknown.status, unknown.body], [404, { error: 'unknown business object' }]);
    const otherSystem = await postStatus(call({ businessObject: { ...account.businessObject, system: 'SAP' } }));
    assert.equal(otherSystem.status, 404);
    assert.deepEqual(await statuses(), []);
  });

  it('an Idempotency-Key repeats the first answer and records once; reused with another body it is 409', async () => {
    const first = await postStatus(call(), { key: 'outbox-17' });
    assert.equal(first.status, 201);
    const again = await postStatus(call(), { key: 'outbox-17' });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    const conflict = await postStatus(call({ status: 'ARCHIVED' }), { key: 'outbox-17' });
    assert.equal(conflict.status, 409);
    assert.equal((await statuses()).length, 1);
    assert.equal((await statuses())[0]?.idempotencyKey, 'outbox-17');
  });

  it('logs the raw requests and takes the shared faults', async () => {
    await postStatus(call());
    await simFaults(url, { route: 'POST /api/status', errorStatus: 503, retryAfter: 2, times: 1 });
    const failed = await postStatus(call());
    assert.equal(failed.status, 503);
    assert.equal(failed.headers.get('retry-after'), '2');
    assert.equal((await postStatus(call())).status, 201);
    const log = await simRequests(url);
    assert.deepEqual(
      log.map((e) => [e.method, e.route, e.status]),
      [
        ['POST', 'POST /api/status', 201],
        ['POST', 'POST /api/status', 503],
        ['POST', 'POST /api/status', 201],
      ],
    );
    assert.equal((await statuses()).length, 2, 'the failed call recorded nothing');
  });
});

describe('webhooks pushed (POST /__sim/send)', () => {
  const verifier = createVerifier({ secrets: SECRET, now: () => NOW_S * 1000 });

  it("posts {type, data} signed with Standard Webhooks and returns the target's answer", async () => {
    const data = { id: 'ACC-9001', name: 'Fjord Outfitters', kind: 'CUSTOMER', region: 'EMEA' };
    const r = await send({ type: 'account.created', data });
    assert.equal(r.status, 200);
    assert.deepEqual({ ...r.body, id: typeof r.body.id }, { id: 'string', timestamp: NOW_S, status: 202, body: { accepted: true } });
    assert.equal(received.length, 1);
    const got = received[0]!;
    assert.equal(got.body.toString(), JSON.stringify({ type: 'account.created', data }));
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['webhook-id'], r.body.id);
    assert.match(String(got.headers['webhook-id']), /^msg_[\w-]{24}$/);
    assert.equal(got.headers['webhook-timestamp'], String(NOW_S));
    // The gateway's verifier accepts it, and the body parses into the command.
    assert.deepEqual(verifier.verify(got.headers, got.body), { outcome: 'ok', id: r.body.id, timestamp: NOW_S });
    const parsed = parseCrmEvent(got.body);
    assert.ok(parsed.ok && parsed.event.command.kind === 'upsertWorkspace');
    // Its sent log keeps no secret and no signature.
    const sent = ((await (await fetch(`${url}/__sim/sent`)).json()) as { sent: SentWebhook[] }).sent;
    assert.deepEqual(
      sent.map((s) => ({ ...s, at: typeof s.at })),
      [{ at: 'string', id: r.body.id, timestamp: NOW_S, url: hookUrl, type: 'account.created', status: 202 }],
    );
    assert.ok(!JSON.stringify(sent).includes(SECRET.slice(6)));
    assert.ok(!JSON.stringify(sent).includes(String(got.headers['webhook-signature']).slice(3)));
  });

  it("a repeated delivery keeps its id (the receiver's de-duplication key); the timestamp is per attempt", async () => {
    await send({ type: 'account.updated', data: { id: 'ACC-1001' }, id: 'msg_fixed', timestamp: NOW_S - 10 });
    await send({ type: 'account.updated', data: { id: 'ACC-1001' }, id: 'msg_fixed' });
    assert.deepEqual(
      received.map((r) => [r.headers['webhook-id'], r.headers['webhook-timestamp']]),
      [
        ['msg_fixed', String(NOW_S - 10)],
        ['msg_fixed', String(NOW_S)],
      ],
    );
    assert.ok(received.every((r) => verifier.verify(r.headers, r.body).outcome === 'ok'));
  });

  it('can be made stale, signed with another secret, unsigned, or given any signature and raw body', async () => {
    await send({ type: 'account.created', data: {}, timestamp: NOW_S - 3600 });
    assert.equal(verifier.verify(received[0]!.headers, received[0]!.body).outcome, 'stale');
    await send({ type: 'account.created', data: {}, secret: formatSecret(randomBytes(32)) });
    assert.equal(verifier.verify(received[1]!.headers, received[1]!.body).outcome, 'bad-signature');
    await send({ type: 'account.created', data: {}, signature: null });
    assert.equal(received[2]!.headers['webhook-signature'], undefined);
    assert.equal(verifier.verify(received[2]!.headers, received[2]!.body).outcome, 'malformed');
    await send({ body: '{"type":"account.created","data":{"name":"a\\u0000b"}}', signature: 'v1,garbage', headers: { 'x-extra': '1' } });
    assert.equal(received[3]!.body.toString(), '{"type":"account.created","data":{"name":"a\\u0000b"}}');
    assert.equal(received[3]!.headers['webhook-signature'], 'v1,garbage');
    assert.equal(received[3]!.headers['x-extra'], '1');
  });

  it("returns the target's refusals as they are (status and body), and 502 when it cannot reach it", async () => {
    reply = { status: 401, body: '{"error":"bad signature"}' };
    const refused = await send({ type: 'account.created', data: {} });
    assert.deepEqual([refused.status, refused.body.status, refused.body.body], [200, 401, { error: 'bad signature' }]);
    reply = { status: 422, body: 'unknown event type' };
    assert.equal((await send({ type: 'x', data: {} })).body.body, 'unknown event type');
    // Redirects are a failed delivery, not followed.
    reply = { status: 302, body: '', headers: { location: 'http://127.0.0.1:1/' } };
    assert.equal((await send({ type: 'account.created', data: {} })).body.status, 302);
    assert.equal(received.length, 3);
    const dead = await send({ type: 'account.created', data: {}, url: 'http://127.0.0.1:1/hooks/crm' });
    assert.equal(dead.status, 502);
    assert.match(String(dead.body.error), /^delivery failed: /);
  });

  it('refuses a bad send request with 400, never repeating a secret', async () => {
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [{ type: 'x', url: 'ftp://x' }, /url must be an http\(s\) URL/],
      [{ data: {} }, /type must be a string/],
      [{ type: 'x', timestamp: -1 }, /timestamp/],
      [{ type: 'x', timestamp: 1.5 }, /timestamp/],
      [{ type: 'x', id: '' }, /id must be/],
      [{ type: 'x', secret: 'whsec_c2hvcnQ=' }, /secret must be whsec_/],
      [{ type: 'x', secret: 'plain-password-123' }, /secret must be whsec_/],
      [{ type: 'x', headers: { a: 1 } }, /headers/],
      [{ type: 'x', signature: 7 }, /signature/],
    ];
    for (const [body, reason] of cases) {
      const r = await send(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(String(r.body.error), reason);
      assert.ok(!JSON.stringify(r.body).includes('plain-password') && !JSON.stringify(r.body).includes('c2hvcnQ'));
    }
    const notJson = await fetch(`${url}/__sim/send`, { method: 'POST', body: '{' });
    assert.equal(notJson.status, 400);
    assert.equal(received.length, 0);
  });

  it('an account the CRM pushed is one it knows afterwards (status calls on it are accepted)', async () => {
    const bo = { system: 'SFDC', type: 'Account', id: 'ACC-9001' };
    assert.equal((await postStatus(call({ businessObject: bo }))).status, 404);
    await send({ type: 'account.created', data: { id: 'ACC-9001', name: 'Fjord Outfitters', kind: 'CUSTOMER', region: 'EMEA' } });
    assert.equal((await postStatus(call({ businessObject: bo }))).status, 201);
    // A reset forgets it, with the statuses and the sent log.
    await simReset(url);
    assert.equal((await postStatus(call({ businessObject: bo }))).status, 404);
    assert.deepEqual(await statuses(), []);
    assert.deepEqual(sim.sent(), []);
  });
});

describe('the simulator signs as the spec says, independently of the verifier', () => {
  it("reproduces the spec's test vector", () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = Buffer.from('{"test": 2432232314}');
    assert.equal(signatureOf(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    assert.equal(signatureOf(SECRET, 'm', NOW_S, body), sign(SECRET, 'm', NOW_S, body));
  });
});

describe('started with the others', () => {
  it('startSimulators starts the CRM too, with its control surface, and closes it', async () => {
    const sims = await startSimulators(world, demoMapping(), { crm: { hookSecret: SECRET, hookUrl } });
    try {
      assert.equal(sims.urls.crm, sims.roots.crm);
      assert.equal((await fetch(`${sims.roots.crm}/__sim/stats`)).status, 200);
      const r = await fetch(`${sims.roots.crm}/__sim/send`, {
        method: 'POST',
        body: JSON.stringify({ type: 'case.opened', data: { id: '500X' } }),
      });
      assert.equal(((await r.json()) as { status: number }).status, 202);
      // Signed at the real clock, so a receiver on the real clock accepts it.
      assert.equal(createVerifier({ secrets: SECRET }).verify(received[0]!.headers, received[0]!.body).outcome, 'ok');
    } finally {
      await sims.close();
    }
    await assert.rejects(fetch(`${sims.roots.crm}/__sim/stats`));
  });
});
