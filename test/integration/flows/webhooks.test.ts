/**
 * Content events out, over real HTTP with the gateway as `npm start` wires it (gateway/main.ts:
 * the outbox on the storage thread, the dispatcher, the subscriptions in the graph), and local
 * receivers on 127.0.0.1 (demo mode allows loopback):
 * - an admin subscribes; an event appended through the gateway's OutboxPort reaches the receiver
 *   once, as a CloudEvent whose Standard Webhooks signature verifies with the secret shown once;
 * - a receiver answering 500 twice, then 200, gets the same webhook-id three times, and
 *   webhookDeliveries shows the three attempts;
 * - a receiver down past the retry horizon leaves the delivery dead; replayWebhookDelivery
 *   delivers it once the receiver is back;
 * - bad subscriptions are refused with BAD_USER_INPUT and nothing is stored; people and clients
 *   without the right manage nothing, and nobody sees another's subscription (admins see all).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentId } from '../../../access/ids.ts';
import { loadConfig } from '../../../gateway/config.ts';
import { demoIssuer } from '../../../gateway/demo-issuer.ts';
import { createLogger } from '../../../gateway/log.ts';
import { startGateway, type RunningGateway } from '../../../gateway/main.ts';
import { createVerifier } from '../../../flows/inbound/standard-webhooks.ts';
import type { ChangeEvent } from '../../../flows/outbox/events.ts';
import { preferPostgres } from '../../helpers/audit-backends.ts';
import { TEST_AS_OF, testWorld } from '../../helpers/world.ts';

const world = testWorld();
let gw: RunningGateway;
let dataDir: string;
let cleanupDb: () => Promise<void> = async () => undefined;
const tokens: Record<string, string> = {};

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 that answers with the statuses given, in turn (200 once they run out). */
async function receiver(statuses: number[] = []) {
  const got: Received[] = [];
  const queue = [...statuses];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = queue.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    got,
    port,
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((r) => server.close(() => r())),
    /** Listen again on the same port (a receiver back up). */
    reopen: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', r)),
  };
}

type GqlError = { message: string; extensions?: { code?: string } };
async function gql<T = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T | null; errors?: GqlError[] };
}

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, withinMs = 10_000): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CREATE = `mutation($input: CreateWebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) { secret subscription { id url events description state owner createdAt } }
}`;
const DELIVERIES = `query($s: ID!, $status: WebhookDeliveryState) {
  webhookDeliveries(subscription: $s, status: $status, first: 10) {
    totalCount nodes { id eventId eventType subject state attemptCount createdAt attempts { at statusCode latencyMs error } }
  }
}`;
interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  subject: string;
  state: string;
  attemptCount: number;
  createdAt: string;
  attempts: { at: string; statusCode: number | null; latencyMs: number; error: string | null }[];
}

async function subscribe(url: string, events = ['document.approved'], token = tokens.admin as string) {
  const r = await gql<{ createWebhookSubscription: { secret: string; subscription: { id: string } } }>(token, CREATE, {
    input: { url, events, description: 'test receiver' },
  });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data?.createWebhookSubscription as { secret: string; subscription: { id: string } };
}
const unsubscribe = (id: string) => gql(tokens.admin as string, 'mutation($id: ID!) { deleteWebhookSubscription(id: $id) }', { id });
const deliveries = async (id: string, status?: string) =>
  (
    await gql<{ webhookDeliveries: { nodes: DeliveryView[] } }>(tokens.admin as string, DELIVERIES, {
      s: id,
      ...(status ? { status } : {}),
    })
  ).data?.webhookDeliveries.nodes ?? [];

let n = 0;
const event = (over: Partial<ChangeEvent> = {}): ChangeEvent => {
  n++;
  return {
    id: `otcs:document.approved:${7000 + n}:1`,
    type: 'document.approved',
    source: 'OTCS',
    objectId: documentId(String(7000 + n)),
    objectType: 'Document',
    campaign: 'CMP-2026-001',
    account: null,
    time: new Date().toISOString(),
    data: { before: { status: 'IN_REVIEW' }, after: { status: 'APPROVED' } },
    ...over,
  };
};

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'atrium-webhooks-'));
  // PostgreSQL when it is here (the outbox's SQL on the server database), else PGlite.
  const { env: db, cleanup } = await preferPostgres();
  cleanupDb = cleanup;
  const config = loadConfig({
    ...db,
    ATRIUM_DATA_DIR: dataDir,
    ATRIUM_AS_OF: TEST_AS_OF,
    // No simulators: nothing here reads a source.
    OTCS_URL: 'http://127.0.0.1:9/otcs/cs.exe',
    ICONIK_URL: 'http://127.0.0.1:9/API',
    NETX_URL: 'http://127.0.0.1:9',
    OTMM_URL: 'http://127.0.0.1:9',
    AUDIT_BATCH_MS: '20',
    WEBHOOK_DISPATCH_INTERVAL_MS: '50',
    WEBHOOK_BACKOFF_MIN_MS: '50',
    WEBHOOK_BACKOFF_MAX_MS: '200',
    WEBHOOK_RETRY_HORIZON_S: '1',
    WEBHOOK_TIMEOUT_MS: '2000',
  });
  gw = await startGateway(config, createLogger(process.env.TEST_LOG ? 'info' : 'silent'), { port: 0 });
  const issuer = await demoIssuer(dataDir);
  const users = world.demoUsers();
  const user = (role: string) => users.find((u) => u.roles.includes(role as never)) as (typeof users)[number];
  tokens.admin = await issuer.sign(user('admin'));
  tokens.marketing = await issuer.sign(user('marketing'));
  tokens.partner = await issuer.sign(user('partner'));
  tokens.hooks = await issuer.signClient('hooks-admin');
  tokens.crm = await issuer.signClient('crm');
});
after(async () => {
  await gw?.close();
  await cleanupDb();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('webhook delivery', () => {
  it('an appended event reaches the subscriber once, as a CloudEvent whose signature verifies', async () => {
    const rx = await receiver();
    const { secret, subscription } = await subscribe(rx.url);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    const e = event();
    assert.deepEqual(await gw.outbox.append('otcs', [e], 'cursor-1'), { appended: 1 });
    assert.equal(await gw.outbox.cursor('otcs'), 'cursor-1');
    await eventually('the delivery', async () => rx.got.length === 1);
    const [msg] = rx.got as [Received];
    const verified = createVerifier({ secrets: secret }).verify(msg.headers as Record<string, string>, msg.body);
    assert.equal(verified.outcome, 'ok', JSON.stringify(verified));
    assert.equal(decodeURIComponent(msg.headers['webhook-id'] as string), e.id);
    assert.match(msg.headers['content-type'] ?? '', /^application\/cloudevents\+json/);
    const body = JSON.parse(msg.body) as Record<string, unknown>;
    assert.deepEqual(
      [body.specversion, body.id, body.type, body.source, body.subject],
      ['1.0', e.id, 'com.atrium.document.approved', '/atrium/otcs', e.objectId],
    );
    // The same event appended again (an overlapping poll) is not delivered again.
    assert.deepEqual(await gw.outbox.append('otcs', [e], 'cursor-2'), { appended: 0 });
    const [d] = await eventually('the log', async () => {
      const list = await deliveries(subscription.id);
      return list[0]?.state === 'DELIVERED' && list;
    });
    assert.deepEqual(
      [d?.eventId, d?.eventType, d?.subject, d?.attemptCount, d?.attempts.map((a) => a.statusCode)],
      [e.id, 'document.approved', e.objectId, 1, [200]],
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.got.length, 1, 'delivered once');
    await unsubscribe(subscription.id);
    await rx.close();
  });

  it('a receiver answering 500 twice then 200 gets the same webhook-id three times; the log shows three attempts', async () => {
    const rx = await receiver([500, 500, 200]);
    const { subscription } = await subscribe(rx.url);
    await gw.outbox.append('otcs', [event()], 'cursor-3');
    const [d] = await eventually('delivered', async () => {
      const list = await deliveries(subscription.id);
      return list[0]?.state === 'DELIVERED' && list;
    });
    assert.equal(rx.got.length, 3);
    assert.equal(new Set(rx.got.map((m) => m.headers['webhook-id'])).size, 1, 'the same webhook-id on every attempt');
    assert.deepEqual(
      d?.attempts.map((a) => [a.statusCode, a.error]),
      [
        [500, 'HTTP 500'],
        [500, 'HTTP 500'],
        [200, null],
      ],
    );
    assert.ok(d?.attempts.every((a) => a.latencyMs >= 0 && !Number.isNaN(Date.parse(a.at))));
    await unsubscribe(subscription.id);
    await rx.close();
  });

  it('a receiver down past the retry horizon leaves the delivery dead; a replay delivers it once it is back', async () => {
    const rx = await receiver();
    await rx.close();
    const { subscription } = await subscribe(rx.url);
    await gw.outbox.append('otcs', [event()], 'cursor-4');
    const [dead] = await eventually(
      'dead',
      async () => {
        const list = await deliveries(subscription.id, 'DEAD');
        return list.length === 1 && list;
      },
      15_000,
    );
    assert.ok((dead?.attemptCount ?? 0) >= 2, 'retried before giving up');
    assert.ok(dead?.attempts.every((a) => a.statusCode === null && a.error === 'connection refused'));
    const last = dead?.attempts.at(-1);
    const span = Date.parse(last?.at as string) + (last?.latencyMs ?? 0) - Date.parse(dead?.createdAt as string);
    assert.ok(span >= 1000, `retried for at least the horizon (${span} ms)`);
    await rx.reopen();
    const replay = await gql<{ replayWebhookDelivery: { state: string } }>(
      tokens.admin as string,
      'mutation($id: ID!) { replayWebhookDelivery(id: $id) { state } }',
      { id: dead?.id },
    );
    assert.equal(replay.data?.replayWebhookDelivery.state, 'PENDING', JSON.stringify(replay.errors));
    await eventually('delivered after the replay', async () => rx.got.length === 1);
    const [d] = await eventually('logged', async () => {
      const list = await deliveries(subscription.id);
      return list[0]?.state === 'DELIVERED' && list;
    });
    assert.equal(d?.attempts.at(-1)?.statusCode, 200);
    const again = await gql(tokens.admin as string, 'mutation($id: ID!) { replayWebhookDelivery(id: $id) { state } }', { id: dead?.id });
    assert.equal(again.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', 'a delivered one is not replayed');
    await unsubscribe(subscription.id);
    await rx.close();
  });
});

describe('managing subscriptions', () => {
  const list = async (token: string) =>
    (await gql<{ webhookSubscriptions: { id: string }[] }>(token, '{ webhookSubscriptions { id } }')).data?.webhookSubscriptions ?? [];

  it('bad subscriptions are refused with BAD_USER_INPUT and store nothing', async () => {
    const before = (await list(tokens.admin as string)).length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ url: 'http://10.0.0.1/hook', events: ['document.approved'] }, /private address/],
      [{ url: 'http://169.254.169.254/latest', events: ['document.approved'] }, /link-local/],
      [{ url: 'file:///etc/passwd', events: ['document.approved'] }, /http or https/],
      [{ url: `https://example.com/${'a'.repeat(10 * 1024)}`, events: ['document.approved'] }, /at most 2048 characters/],
      [{ url: 'https://user:pw@example.com/', events: ['document.approved'] }, /user name or password/],
      [{ url: 'https://example.com/hook', events: ['document.deleted'] }, /unknown event type "document.deleted"/],
      [{ url: 'https://example.com/hook', events: [] }, /at least one event type/],
      [{ url: 'https://example.com/hook', events: ['document.approved'], description: 'x'.repeat(501) }, /description.*at most 500/],
    ];
    for (const [input, why] of cases) {
      const r = await gql(tokens.admin as string, CREATE, { input });
      assert.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', `${JSON.stringify(input).slice(0, 80)}: ${JSON.stringify(r.errors)}`);
      assert.match(r.errors?.[0]?.message ?? '', why);
    }
    assert.equal((await list(tokens.admin as string)).length, before, 'nothing stored');
  });

  it('only admins and webhooks:admin clients manage; each sees its own, admins see all', async () => {
    // People without the admin role manage none (a client without webhooks:admin is refused too: test/unit/access/policy/webhooks.test.ts;
    // every demo client holds the scope).
    for (const who of ['marketing', 'partner']) {
      const r = await gql(tokens[who] as string, CREATE, { input: { url: 'http://127.0.0.1:9/x', events: ['document.approved'] } });
      assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN', who);
      const l = await gql(tokens[who] as string, '{ webhookSubscriptions { id } }');
      assert.equal(l.errors?.[0]?.extensions?.code, 'FORBIDDEN', who);
    }
    // hooks-admin holds webhooks:admin and no read scope: it may manage, but could receive no content event.
    const refused = await gql(tokens.hooks as string, CREATE, { input: { url: 'http://127.0.0.1:9/x', events: ['asset.approved'] } });
    assert.equal(refused.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.match(refused.errors?.[0]?.message ?? '', /would never be delivered: a client without assets:read/);
    const mine = await subscribe('http://127.0.0.1:9/admin', ['asset.rights.changed']);
    assert.deepEqual(await list(tokens.hooks as string), [], "a client does not see an admin's subscription");
    const peek = await gql(tokens.hooks as string, DELIVERIES, { s: mine.subscription.id });
    assert.equal(peek.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    const pause = await gql(tokens.hooks as string, 'mutation($id: ID!) { pauseWebhookSubscription(id: $id) { state } }', {
      id: mine.subscription.id,
    });
    assert.equal(pause.errors?.[0]?.extensions?.code, 'NOT_FOUND');
    // Its owner pauses, resumes, rotates and deletes it.
    const paused = await gql<{ pauseWebhookSubscription: { state: string } }>(
      tokens.admin as string,
      'mutation($id: ID!) { pauseWebhookSubscription(id: $id) { state } }',
      { id: mine.subscription.id },
    );
    assert.equal(paused.data?.pauseWebhookSubscription.state, 'PAUSED');
    const resumed = await gql<{ resumeWebhookSubscription: { state: string } }>(
      tokens.admin as string,
      'mutation($id: ID!) { resumeWebhookSubscription(id: $id) { state } }',
      { id: mine.subscription.id },
    );
    assert.equal(resumed.data?.resumeWebhookSubscription.state, 'ACTIVE');
    const rotated = await gql<{ rotateWebhookSecret: { secret: string; subscription: { id: string } } }>(
      tokens.admin as string,
      'mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret subscription { id } } }',
      { id: mine.subscription.id },
    );
    assert.match(rotated.data?.rotateWebhookSecret.secret ?? '', /^whsec_/);
    assert.notEqual(rotated.data?.rotateWebhookSecret.secret, mine.secret);
    assert.deepEqual((await unsubscribe(mine.subscription.id)).data, { deleteWebhookSubscription: true });
    assert.equal(
      (await list(tokens.admin as string)).some((s) => s.id === mine.subscription.id),
      false,
    );
    // Every change is audited with its outcome, the refusals too.
    await new Promise((r) => setTimeout(r, 200)); // the audit's batch (AUDIT_BATCH_MS=20) written
    const audited = await gql<{ auditEvents: { nodes: { actor: string; detail: string }[] } }>(
      tokens.admin as string,
      '{ auditEvents(first: 100, filter: { action: WRITE }) { nodes { actor detail } } }',
    );
    const writes = (audited.data?.auditEvents.nodes ?? []).map(
      (n) => JSON.parse(n.detail) as { operation: string; outcome: string; idempotencyKey: string | null },
    );
    assert.deepEqual(
      writes
        .filter((w) => w.idempotencyKey === mine.subscription.id)
        .map((w) => `${w.operation} ${w.outcome}`)
        .reverse(),
      [
        'createWebhookSubscription done',
        'pauseWebhookSubscription invalid',
        'pauseWebhookSubscription done',
        'resumeWebhookSubscription done',
        'rotateWebhookSecret done',
        'deleteWebhookSubscription done',
      ],
    );
    assert.ok(writes.some((w) => w.operation === 'createWebhookSubscription' && w.outcome === 'forbidden'));
    assert.ok(writes.some((w) => w.operation === 'createWebhookSubscription' && w.outcome === 'invalid'));
  });
});
