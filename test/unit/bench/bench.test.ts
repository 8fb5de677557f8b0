import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { failureOf, runLoad } from '../../../bench/load.ts';
import { percentile, summarize } from '../../../bench/stats.ts';
import { perRequest, upstreamDelta } from '../../../bench/upstream.ts';

test('percentiles use the nearest rank', () => {
  const ten = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
  assert.equal(percentile(ten, 50), 5, 'half of ten values are ≤ 5');
  assert.equal(percentile(ten, 95), 10);
  assert.equal(percentile(ten, 10), 1);
  assert.equal(percentile(ten, 100), 10);
  const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(hundred, 99), 99, 'p99 of 1..100 is 99, not the maximum');
  assert.equal(percentile(hundred, 50), 50);
  assert.equal(percentile([42], 99), 42);
  assert.equal(percentile([], 50), null);
  assert.throws(() => percentile(ten, 0), RangeError);
  assert.deepEqual(ten, [10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 'the input is not reordered');
});

test('a summary counts successes per second of wall time', () => {
  const s = summarize([10, 20, 30, 40], 1, 2000);
  assert.equal(s.requests, 4);
  assert.equal(s.errors, 1);
  assert.equal(s.rps, 2);
  assert.equal(s.p50, 20);
  assert.equal(s.p99, 40);
  assert.equal(summarize([], 0, 0).rps, 0);
});

test('upstream deltas sum over the simulators and survive a reset in between', () => {
  const before = { otcs: 10, iconik: 5, netx: 0, otmm: 7 };
  assert.equal(upstreamDelta(before, { otcs: 13, iconik: 5, netx: 2, otmm: 8 }), 6);
  assert.equal(upstreamDelta(before, { otcs: 4, iconik: 5, netx: 0, otmm: 7 }), 4, 'a counter below its start was reset: all of it is new');
  assert.equal(upstreamDelta({}, { otcs: 3, iconik: 1 }), 4, 'a simulator first seen now counts from zero');
  assert.equal(perRequest(24, 8), 3);
  assert.equal(perRequest(5, 0), null);
});

test('GraphQL failures: status, errors beside data, bad JSON', () => {
  assert.equal(failureOf(200, '{"data":{"a":1}}'), null);
  assert.match(failureOf(200, '{"errors":[{"message":"boom"}],"data":null}') ?? '', /boom/);
  assert.equal(failureOf(200, '{"data":{"title":"\\"errors\\" in a title"}}'), null, 'the word in data is not an error');
  assert.match(failureOf(502, 'bad gateway') ?? '', /HTTP 502/);
  assert.match(failureOf(200, '{"errors": [') ?? '', /invalid JSON/);
});

test('the load generator stops at its request budget and counts failures', async () => {
  let served = 0;
  const server = createServer((req, res) => {
    served++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(served % 4 === 0 ? '{"errors":[{"message":"every fourth fails"}]}' : '{"data":{"ok":true}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const workers = new Set<number>();
    const r = await runLoad({
      url,
      concurrency: 4,
      durationMs: 60_000,
      maxRequests: 40,
      body: (_n, w) => {
        workers.add(w);
        return { query: '{ ok }' };
      },
    });
    assert.equal(served, 40, 'exactly the budget was sent');
    assert.equal(r.latencies.length + r.errors, 40);
    assert.equal(r.errors, 10);
    assert.match(r.errorSamples[0] ?? '', /every fourth fails/);
    assert.equal(workers.size, 4, 'every worker sent requests');
  } finally {
    server.close();
  }
});

test('the load generator targets loopback only', async () => {
  await assert.rejects(
    runLoad({ url: 'http://example.com/graphql', concurrency: 1, durationMs: 10, body: () => ({ query: '{ a }' }) }),
    /loopback only/,
  );
});
