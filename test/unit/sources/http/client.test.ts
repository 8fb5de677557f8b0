import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator, type Simulator } from '../../../../simulators/framework/server.ts';
import { createHttpClient, retryAfterMs } from '../../../../sources/http/client.ts';
import { credentialCache } from '../../../../sources/http/auth.ts';
import { withCallSignal } from '../../../../sources/http/call-context.ts';
import { UpstreamError, type UpstreamErrorKind } from '../../../../sources/http/errors.ts';
import { simFaults, simReset, simStats } from '../../../helpers/world.ts';

let sim: Simulator;
let url = '';
let validToken = 'tok-1';

before(async () => {
  sim = createSimulator({ name: 'TEST' });
  sim.route('GET', '/items/:id', (req) =>
    req.headers['x-token'] === validToken ? { body: { id: req.params.id } } : { status: 401, body: { error: 'no' } },
  );
  sim.route('POST', '/write', () => ({ body: { ok: true } }));
  sim.route('GET', '/open', () => ({ body: { open: true } }));
  url = await sim.listen(0);
});
after(() => sim.close());
beforeEach(() => simReset(url));

const kindOf = async (p: Promise<unknown>): Promise<UpstreamErrorKind | 'ok'> => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof UpstreamError, `not typed: ${String(e)}`);
    assert.doesNotMatch(e.message, /127\.0\.0\.1|http:/, 'no URL in the message');
    return e.kind;
  }
};

const client = (extra: Partial<Parameters<typeof createHttpClient>[0]> = {}) =>
  createHttpClient({ system: 'NETX', baseUrl: url, timeoutMs: 300, retries: 2, backoffBaseMs: 5, backoffMaxMs: 20, ...extra });

test('idempotent reads are retried within the budget, then fail typed', async () => {
  await simFaults(url, { route: 'GET /open', errorStatus: 503 });
  assert.equal(await kindOf(client().request({ path: '/open' })), 'UNAVAILABLE');
  assert.equal((await simStats(url)).byRoute['GET /open'], 3);
});

test('a transient 5xx heals within the budget', async () => {
  await simFaults(url, { route: 'GET /open', errorStatus: 502, times: 2 });
  const res = await client().request<{ open: boolean }>({ path: '/open' });
  assert.equal(res.body.open, true);
});

test('writes are never retried', async () => {
  await simFaults(url, { route: 'POST /write', errorStatus: 503 });
  assert.equal(await kindOf(client().request({ method: 'POST', path: '/write' })), 'UNAVAILABLE');
  assert.equal((await simStats(url)).byRoute['POST /write'], 1);
});

test('429 waits for Retry-After; one too long fails at once as RATE_LIMITED', async () => {
  await simFaults(url, { route: 'GET /open', errorStatus: 429, retryAfter: 0.3, times: 1 });
  const t0 = Date.now();
  await client({ timeoutMs: 2000 }).request({ path: '/open' });
  assert.ok(Date.now() - t0 >= 290, `waited ${Date.now() - t0} ms`);
  await simFaults(url, { route: 'GET /open', errorStatus: 429, retryAfter: 60 });
  const t1 = Date.now();
  assert.equal(await kindOf(client().request({ path: '/open' })), 'RATE_LIMITED');
  assert.ok(Date.now() - t1 < 1000);
  assert.equal(retryAfterMs('2'), 2000);
  assert.ok((retryAfterMs(new Date(Date.now() + 5000).toUTCString()) ?? 0) > 3000);
});

test('timeouts, resets, truncated and malformed bodies are typed errors', async () => {
  await simFaults(url, { route: 'GET /open', latencyMs: 1000 });
  assert.equal(await kindOf(client({ retries: 0 }).request({ path: '/open' })), 'UNAVAILABLE');
  await simFaults(url, { clear: true, faults: [{ route: 'GET /open', down: true }] });
  assert.equal(await kindOf(client({ retries: 0 }).request({ path: '/open' })), 'UNAVAILABLE');
  await simFaults(url, { clear: true, faults: [{ route: 'GET /open', truncate: true }] });
  assert.equal(await kindOf(client({ retries: 0 }).request({ path: '/open' })), 'UNAVAILABLE');
  await simFaults(url, { clear: true, faults: [{ route: 'GET /open', malformed: true }] });
  assert.equal(await kindOf(client({ retries: 0 }).request({ path: '/open' })), 'MALFORMED');
  await simFaults(url, { clear: true, faults: [{ route: 'GET /open', slowBodyMs: 1500 }] });
  assert.equal(await kindOf(client({ retries: 0 }).request({ path: '/open' })), 'UNAVAILABLE');
});

test('an expired credential is renewed once for all concurrent callers', async () => {
  let logins = 0;
  const cache = credentialCache(async () => {
    logins++;
    return validToken;
  });
  const c = client({ auth: { cache, headers: (t: string) => ({ 'x-token': t }) } });
  await c.request({ path: '/items/1' });
  validToken = 'tok-2'; // the upstream expires the old one
  let n = 0;
  const renewing = credentialCache(async () => (++n === 1 ? 'tok-1' : validToken));
  const c2 = client({ auth: { cache: renewing, headers: (t: string) => ({ 'x-token': t }) } });
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => c2.request<{ id: string }>({ path: `/items/${i}` })));
  assert.equal(results.length, 20);
  assert.equal(n, 2, 'one login, then exactly one renewal');
  assert.equal(logins, 1);
});

test('refused credentials become UNAUTHENTICATED after one renewal', async () => {
  const cache = credentialCache(async () => 'wrong');
  const c = client({ auth: { cache, headers: (t: string) => ({ 'x-token': t }) } });
  assert.equal(await kindOf(c.request({ path: '/items/1' })), 'UNAUTHENTICATED');
  assert.equal(cache.logins, 2);
});

test('Retry-After holds every request of the source until the time it gave, without calling it', async () => {
  const c = client({ timeoutMs: 2000 });
  await simFaults(url, { route: 'GET /open', errorStatus: 429, retryAfter: 60, times: 1 });
  assert.equal(await kindOf(c.request({ path: '/open' })), 'RATE_LIMITED');
  await simReset(url);
  const t0 = Date.now();
  const held = await Promise.all(Array.from({ length: 10 }, () => kindOf(c.request({ path: '/open' }))));
  assert.deepEqual(new Set(held), new Set(['RATE_LIMITED']));
  assert.ok(Date.now() - t0 < 500, 'held requests fail at once, they do not wait');
  assert.equal((await simStats(url)).total, 0, 'the source was not called before the time it gave');
  assert.equal(await kindOf(client().request({ path: '/open' })), 'ok', 'another client (another gateway) is not held');
});

test('retries are held to a budget of a tenth of the requests', async () => {
  await simFaults(url, { route: 'GET /open', errorStatus: 503 });
  const c = client({ retries: 2 });
  for (let i = 0; i < 100; i++) await kindOf(c.request({ path: '/open' }));
  const sent = (await simStats(url)).byRoute['GET /open'] ?? 0;
  // 100 requests; retries at most 10 saved up + 10 % of 100.
  assert.ok(sent >= 100 && sent <= 100 + 10 + 10, `sent ${sent}`);
});

test("a caller's deadline aborts the request in flight and every retry after it", async () => {
  await simFaults(url, { route: 'GET /open', latencyMs: 1500 });
  const deadline = AbortSignal.timeout(150);
  const t0 = Date.now();
  const c = client({ timeoutMs: 1000, retries: 2 });
  assert.equal(await kindOf(withCallSignal(deadline, () => c.request({ path: '/open' }))), 'UNAVAILABLE');
  assert.ok(Date.now() - t0 < 600, `ended at the deadline (${Date.now() - t0} ms)`);
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal((await simStats(url)).byRoute['GET /open'], 1, 'no retry after the deadline');
});
