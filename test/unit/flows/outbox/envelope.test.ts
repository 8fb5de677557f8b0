/**
 * What a delivery sends and when it is tried again, as pure functions: the webhook id of an
 * event id (valid for Standard Webhooks, reversible, bounded), signatures with several secrets
 * during a rotation, the backoff's jitter band and cap, and `Retry-After` in both forms.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryHeaders, webhookId } from '../../../../flows/outbox/envelope.ts';
import { backoffMs, DEFAULT_RETRY, outcomeOf, retryAfterMs } from '../../../../flows/outbox/retry.ts';
import { createVerifier, formatSecret } from '../../../../flows/inbound/standard-webhooks.ts';

describe('envelope', () => {
  it('the webhook id is the event id made valid for Standard Webhooks, and reversible', () => {
    for (const id of ['otcs:document.approved:123:4', 'iconik:asset.rights.changed:a b/ü%:2026-01-01T00:00:00.000Z']) {
      const w = webhookId(id);
      assert.match(w, /^[\x21-\x2d\x2f-\x7e]+$/, 'printable, no "." and no space');
      assert.equal(decodeURIComponent(w), id);
    }
    const long = webhookId('é'.repeat(200));
    assert.match(long, /^evt_[A-Za-z0-9_-]{43}$/, 'too long once encoded: hashed');
    assert.equal(long, webhookId('é'.repeat(200)), 'stable');
  });

  it('signs with every secret given, each verifying alone', () => {
    const a = formatSecret(Buffer.alloc(32, 1));
    const b = formatSecret(Buffer.alloc(32, 2));
    const headers = deliveryHeaders([a, b], 'e.1', 1_700_000_000, '{"x":1}');
    assert.equal(headers['webhook-signature']?.split(' ').length, 2);
    for (const s of [a, b])
      assert.equal(createVerifier({ secrets: s, now: () => 1_700_000_000_000 }).verify(headers, '{"x":1}').outcome, 'ok');
    assert.throws(() => deliveryHeaders([], 'e', 1, ''), /needs a secret/);
  });
});

describe('retry', () => {
  const policy = { minMs: 1000, maxMs: 10_000, horizonMs: 60_000 };
  it('backs off exponentially, between half and all of each step, up to the cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 50].map((n) => backoffMs(n, policy, () => 1)),
      [1000, 2000, 4000, 8000, 10_000, 10_000],
    );
    assert.deepEqual(
      [1, 2, 3].map((n) => backoffMs(n, policy, () => 0)),
      [500, 1000, 2000],
    );
    assert.equal(DEFAULT_RETRY.horizonMs, 24 * 3_600_000, 'retried for 24 h by default');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs('Sun, 01 Mar 2026 10:01:00 GMT', now), 60_000);
    assert.equal(retryAfterMs('soon', now), null);
    assert.equal(retryAfterMs(null, now), null);
  });

  it('decides each outcome', () => {
    const r = (status: number, retryAfter: string | null = null) => ({ response: { status, retryAfter } });
    const at = (ms: number) => new Date(ms).toISOString();
    assert.deepEqual(outcomeOf(r(201), 1, 0, 10, policy), { state: 'delivered' });
    assert.deepEqual(outcomeOf(r(404), 1, 0, 10, policy), { state: 'failed' });
    assert.deepEqual(outcomeOf(r(410), 1, 0, 10, policy), { state: 'failed', pauseSubscription: true });
    assert.deepEqual(outcomeOf(r(503, '30'), 1, 0, 10, policy), { state: 'pending', nextAt: at(30_010) });
    assert.deepEqual(outcomeOf(r(429, '0'), 1, 0, 10, policy), { state: 'pending', nextAt: at(1_010) }, 'never at once');
    assert.deepEqual(
      outcomeOf(r(500), 2, 0, 10, policy, () => 1),
      { state: 'pending', nextAt: at(2_010) },
    );
    assert.deepEqual(outcomeOf({ failure: 'timeout', message: 't' }, 9, 0, 60_000, policy), { state: 'dead' });
    assert.deepEqual(outcomeOf(r(404), 9, 0, 60_000, policy), { state: 'failed' }, 'a refusal is failed, not dead');
    // A Retry-After of years is held to the end of the retry window.
    assert.deepEqual(outcomeOf(r(503, '9999999999'), 1, 0, 10, policy), { state: 'pending', nextAt: at(60_000) });
  });
});
