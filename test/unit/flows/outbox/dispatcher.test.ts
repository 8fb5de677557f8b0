/**
 * The dispatcher over the real store (PGlite in memory), a fake receiver and an injected clock:
 * a delivery is a CloudEvent signed with Standard Webhooks headers that verify, with the same
 * `webhook-id` on every attempt; 5xx, 408, 429, 3xx and no answer are retried with backoff (and
 * after `Retry-After` when the receiver asks), other 4xx fail at once, 410 also pauses the
 * subscription; past the retry horizon a delivery is dead, and a replay delivers it.
 */
import { after, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedDatabase } from '../../../../storage/database.ts';
import { OutboxStore } from '../../../../flows/outbox/store.ts';
import { Dispatcher } from '../../../../flows/outbox/dispatcher.ts';
import { WebhookSendError, type WebhookRequest, type WebhookResponse } from '../../../../flows/outbound/post.ts';
import { createVerifier } from '../../../../flows/inbound/standard-webhooks.ts';
import { documentId } from '../../../../access/ids.ts';
import type { ChangeEvent } from '../../../../flows/outbox/events.ts';

const db = sharedDatabase({});
const store = new OutboxStore({ db });
after(() => db.close());

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const T0 = Date.parse('2026-03-01T10:00:00Z');
let t = T0;
const quiet = { info: () => undefined, warn: () => undefined };

type Answer = WebhookResponse | WebhookSendError;
let answers: Answer[] = [];
let sent: WebhookRequest[] = [];

function dispatcher(over: { horizonMs?: number } = {}) {
  return new Dispatcher({
    store,
    guard: { demo: true, allow: [] },
    log: quiet,
    now: () => t,
    random: () => 1,
    retry: { minMs: 1000, maxMs: 8000, horizonMs: over.horizonMs ?? 60_000 },
    post: async (req) => {
      sent.push(req);
      const a = answers.shift() ?? { status: 200, retryAfter: null };
      if (a instanceof WebhookSendError) throw a;
      return a;
    },
  });
}

const event = (id: string, over: Partial<ChangeEvent> = {}): ChangeEvent => ({
  id,
  type: 'document.approved',
  source: 'OTCS',
  objectId: documentId('42'),
  objectType: 'Document',
  campaign: 'CMP-1',
  account: null,
  time: '2026-03-01T09:59:00.000Z',
  data: { before: { status: 'IN_REVIEW' }, after: { status: 'APPROVED' } },
  ...over,
});

let subId = '';
beforeEach(async () => {
  await (await db()).exec('DELETE FROM webhook_subscriptions; DELETE FROM outbox_events;');
  t = T0;
  answers = [];
  sent = [];
  subId = (
    await store.createSubscription(
      {
        ownerId: 'admin',
        owner: { kind: 'person', grants: ['admin'] },
        ownerName: 'admin',
        url: 'http://127.0.0.1:9/hook',
        events: ['document.approved'],
        description: '',
        secret: SECRET,
      },
      new Date(t).toISOString(),
    )
  ).id;
});

const log = async () => (await store.deliveries(subId, null, 10, 0)).items;

describe('dispatch', () => {
  it('sends a CloudEvent with Standard Webhooks headers that verify', async () => {
    const d = dispatcher();
    await d.port().append('otcs', [event('otcs:document.approved:42:3')], 'cur');
    await d.tick();
    assert.equal(sent.length, 1);
    const req = sent[0] as WebhookRequest;
    const verified = createVerifier({ secrets: SECRET, now: () => t }).verify(req.headers, req.body);
    assert.equal(verified.outcome, 'ok');
    assert.equal(req.headers['webhook-id'], 'otcs:document%2Eapproved:42:3');
    assert.equal(decodeURIComponent(req.headers['webhook-id'] as string), 'otcs:document.approved:42:3');
    assert.equal(req.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
    assert.deepEqual(JSON.parse(req.body), {
      specversion: '1.0',
      id: 'otcs:document.approved:42:3',
      source: '/atrium/otcs',
      type: 'com.atrium.document.approved',
      subject: documentId('42'),
      time: '2026-03-01T09:59:00.000Z',
      datacontenttype: 'application/json',
      data: { objectType: 'Document', campaign: 'CMP-1', account: null, before: { status: 'IN_REVIEW' }, after: { status: 'APPROVED' } },
    });
    const [delivery] = await log();
    assert.equal(delivery?.state, 'delivered');
    assert.deepEqual(
      delivery?.attemptLog.map((a) => [a.statusCode, a.error]),
      [[200, null]],
    );
  });

  it('retries 5xx with doubling backoff, the same webhook-id each time, then delivers', async () => {
    const d = dispatcher();
    answers = [
      { status: 500, retryAfter: null },
      { status: 502, retryAfter: null },
    ];
    await d.port().append('otcs', [event('e1')], 'cur');
    await d.tick();
    let [delivery] = await log();
    assert.equal(delivery?.state, 'pending');
    assert.equal(delivery?.nextAt, new Date(t + 1000).toISOString(), 'first wait: minMs (jitter at its top)');
    t += 999;
    await d.tick();
    assert.equal(sent.length, 1, 'not before it is due');
    t += 1;
    await d.tick();
    [delivery] = await log();
    assert.equal(delivery?.nextAt, new Date(t + 2000).toISOString(), 'then doubled');
    t += 2000;
    await d.tick();
    [delivery] = await log();
    assert.equal(delivery?.state, 'delivered');
    assert.equal(new Set(sent.map((r) => r.headers['webhook-id'])).size, 1);
    assert.deepEqual(
      delivery?.attemptLog.map((a) => a.statusCode),
      [500, 502, 200],
    );
  });

  it('honours Retry-After on 429 and 503 (seconds and HTTP date)', async () => {
    const d = dispatcher({ horizonMs: 600_000 });
    answers = [
      { status: 429, retryAfter: '30' },
      { status: 503, retryAfter: new Date(T0 + 30_000 + 45_000).toUTCString() },
    ];
    await d.port().append('otcs', [event('e1')], 'cur');
    await d.tick();
    assert.equal((await log())[0]?.nextAt, new Date(T0 + 30_000).toISOString());
    t = T0 + 30_000;
    await d.tick();
    assert.equal((await log())[0]?.nextAt, new Date(T0 + 75_000).toISOString());
  });

  it('timeouts, connection errors, 408 and 3xx are retried; other 4xx fail at once; 410 also pauses the subscription', async () => {
    const d = dispatcher();
    answers = [
      new WebhookSendError('timeout', 'no answer within 10000 ms'),
      new WebhookSendError('connection', 'connection refused'),
      { status: 408, retryAfter: null },
      { status: 301, retryAfter: null },
      { status: 400, retryAfter: null },
    ];
    await d.port().append('otcs', [event('e1')], 'cur');
    for (let i = 0; i < 5; i++) {
      await d.tick();
      t += 10_000;
    }
    const [delivery] = await log();
    assert.equal(delivery?.state, 'failed');
    assert.deepEqual(
      delivery?.attemptLog.map((a) => [a.statusCode, a.error]),
      [
        [null, 'no answer within 10000 ms'],
        [null, 'connection refused'],
        [408, 'HTTP 408'],
        [301, 'HTTP 301'],
        [400, 'HTTP 400'],
      ],
    );
    answers = [{ status: 410, retryAfter: null }];
    await d.port().append('otcs', [event('e2', { objectId: documentId('43') })], 'cur');
    await d.tick();
    assert.equal((await store.subscription(subId))?.state, 'paused');
  });

  it('keeps retrying until the horizon, then dead; a replay delivers it', async () => {
    const d = dispatcher({ horizonMs: 60_000 });
    await d.port().append('otcs', [event('e1')], 'cur');
    for (let i = 0; i === 0 || (i < 40 && (await log())[0]?.state === 'pending'); i++) {
      answers = [new WebhookSendError('connection', 'connection refused')];
      await d.tick();
      t += 8_000;
    }
    const [dead] = await log();
    assert.equal(dead?.state, 'dead');
    const attempts = dead?.attemptLog ?? [];
    const span = Date.parse(attempts.at(-1)?.at as string) - Date.parse(attempts[0]?.at as string);
    assert.ok(span >= 60_000, `tried for at least the horizon (${span} ms over ${attempts.length} attempts)`);
    assert.ok(await store.replay(dead.id, new Date(t).toISOString()));
    answers = [];
    await d.tick();
    const [delivered] = await log();
    assert.equal(delivered?.state, 'delivered');
    assert.equal(delivered?.attempts, attempts.length + 1);
  });

  it('a URL the guard refuses is not sent to', async () => {
    const d = new Dispatcher({
      store,
      guard: { demo: false, allow: [] },
      log: quiet,
      now: () => t,
      post: async (req) => {
        sent.push(req);
        return { status: 200, retryAfter: null };
      },
    });
    await d.port().append('otcs', [event('e1')], 'cur');
    await d.tick();
    assert.equal(sent.length, 0);
    const [delivery] = await log();
    assert.equal(delivery?.state, 'pending');
    assert.match(delivery?.attemptLog[0]?.error ?? '', /loopback address is not allowed/);
  });
});
