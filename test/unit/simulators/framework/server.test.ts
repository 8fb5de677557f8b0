import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulator, type Simulator } from '../../../../simulators/framework/server.ts';
import { simFaults, simRequests, simReset, simStats } from '../../../helpers/world.ts';

let sim: Simulator;
let url = '';
let resets = 0;
before(async () => {
  sim = createSimulator({ name: 'TEST', errorBody: (s) => ({ errors: [`status ${s}`] }), onReset: () => resets++ });
  sim.route('GET', '/a/:id/', (req) => ({ body: { id: req.params.id, q: req.query } }));
  sim.route('POST', '/form', (req) => ({ body: { got: req.body } }));
  url = await sim.listen(0);
});
after(() => sim.close());
beforeEach(() => simReset(url));

test('stats count requests by route; the log keeps raw paths; reset clears both', async () => {
  await fetch(`${url}/a/x%2Fy/?ids=1&ids=2&flag`);
  await fetch(`${url}/a/2/`);
  await fetch(`${url}/nowhere`);
  const stats = await simStats(url);
  assert.equal(stats.total, 3);
  assert.equal(stats.byRoute['GET /a/:id/'], 2);
  const log = await simRequests(url);
  assert.equal(log[0]?.rawPath, '/a/x%2Fy/?ids=1&ids=2&flag');
  assert.equal(log[2]?.status, 404);
  const r = (await (await fetch(`${url}/a/x%2Fy/?ids=1&ids=2&flag`)).json()) as { id: string; q: Record<string, unknown> };
  assert.deepEqual(r, { id: 'x/y', q: { ids: ['1', '2'], flag: '' } });
  const before = resets;
  await simReset(url);
  assert.equal((await simStats(url)).total, 0);
  assert.equal(resets, before + 1);
});

test('form bodies are parsed, repeated keys become lists', async () => {
  const res = await fetch(`${url}/form`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'ids=1&ids=2&body=%7B%22a%22%3A1%7D',
  });
  assert.deepEqual(await res.json(), { got: { ids: ['1', '2'], body: '{"a":1}' } });
  const fd = new FormData();
  fd.append('name', 'x');
  const mp = await fetch(`${url}/form`, { method: 'POST', body: fd });
  assert.deepEqual(await mp.json(), { got: { name: 'x' } });
});

test('faults apply per route, per prefix or everywhere, in the vendor error body, and lift after `times`', async () => {
  await simFaults(url, { faults: [{ route: 'GET /a/:id/', errorStatus: 503, times: 1 }] });
  const first = await fetch(`${url}/a/1/`);
  assert.equal(first.status, 503);
  assert.deepEqual(await first.json(), { errors: ['status 503'] });
  assert.equal((await fetch(`${url}/a/1/`)).status, 200);
  await simFaults(url, { route: '/a', errorStatus: 429, retryAfter: 7 });
  const limited = await fetch(`${url}/a/1/`);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '7');
  assert.equal((await fetch(`${url}/form`, { method: 'POST' })).status, 200, 'other prefixes unaffected');
  await simFaults(url, { clear: true, faults: [{ latencyMs: 150 }] });
  const t0 = Date.now();
  await fetch(`${url}/a/1/`);
  assert.ok(Date.now() - t0 >= 140);
  await simFaults(url, { clear: true, faults: [{ route: '*', down: true }] });
  await assert.rejects(fetch(`${url}/a/1/`));
  await simFaults(url, { clear: true, faults: [{ malformed: true }] });
  await assert.rejects((await fetch(`${url}/a/1/`)).json());
  const bad = await fetch(`${url}/__sim/faults`, { method: 'POST', body: 'not json' });
  assert.equal(bad.status, 400);
});

test('base latency applies to every vendor request but not to the control surface', async () => {
  await simFaults(url, { baseLatencyMs: 120 });
  const t0 = Date.now();
  await fetch(`${url}/a/1/`);
  assert.ok(Date.now() - t0 >= 110);
  const t1 = Date.now();
  await simStats(url);
  assert.ok(Date.now() - t1 < 100);
  await simFaults(url, { baseLatencyMs: 0 });
});
