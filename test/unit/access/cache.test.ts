import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamCache, ttlBound } from '../../../access/cache.ts';

test('identical concurrent loads run once; results are then cached', async () => {
  let now = 1_000_000;
  const cache = new UpstreamCache({ ttlMs: 1000, now: () => now });
  let calls = 0;
  const load = async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 20));
    return { v: 1 };
  };
  const got = await Promise.all(Array.from({ length: 10 }, () => cache.getOrLoad('k', load)));
  assert.equal(calls, 1);
  assert.equal(new Set(got).size, 1);
  await cache.getOrLoad('k', load);
  assert.equal(calls, 1, 'cached');
  now += 1001;
  await cache.getOrLoad('k', load);
  assert.equal(calls, 2, 'expired after the TTL');
});

test('errors are not cached', async () => {
  const cache = new UpstreamCache();
  let n = 0;
  await assert.rejects(
    cache.getOrLoad('k', async () => {
      n++;
      throw new Error('down');
    }),
  );
  assert.equal(
    await cache.getOrLoad('k', async () => {
      n++;
      return 'ok';
    }),
    'ok',
  );
  assert.equal(n, 2);
});

test('batch reads fetch only missing keys, once, in one call, answering in key order', async () => {
  const cache = new UpstreamCache();
  const batches: string[][] = [];
  const loadMany = async (ids: string[]) => {
    batches.push(ids);
    await new Promise((r) => setTimeout(r, 10));
    return ids.map((id) => (id === 'missing' ? null : { id }));
  };
  const [a, b] = await Promise.all([
    cache.getMany('p', ['1', '2', '3'], loadMany),
    cache.getMany('p', ['3', '2', '4', 'missing'], loadMany),
  ]);
  assert.deepEqual(a, [{ id: '1' }, { id: '2' }, { id: '3' }]);
  assert.deepEqual(b, [{ id: '3' }, { id: '2' }, { id: '4' }, null]);
  assert.deepEqual(
    batches,
    [
      ['1', '2', '3'],
      ['4', 'missing'],
    ],
    'the second request joined the in-flight keys',
  );
  await cache.getMany('p', ['1', '4', 'missing'], loadMany);
  assert.equal(batches.length, 2, 'all cached, nulls included');
});

test('an entry never outlives the earliest rights boundary in it', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const cache = new UpstreamCache({ ttlMs: 60_000, now: () => now });
  const value = { items: [{ rights: { validUntil: '2026-01-01T00:00:05Z' } }, { rights: { validFrom: '2026-01-01T00:00:30Z' } }] };
  assert.equal(ttlBound(value, now), 5000);
  let n = 0;
  await cache.getOrLoad('k', async () => {
    n++;
    return value;
  });
  now += 4000;
  await cache.getOrLoad('k', async () => {
    n++;
    return value;
  });
  assert.equal(n, 1);
  now += 1001;
  await cache.getOrLoad('k', async () => {
    n++;
    return value;
  });
  assert.equal(n, 2, 'refetched once the first asset expired');
  assert.equal(ttlBound({ validUntil: '2000-01-01T00:00:00Z' }, now), Infinity, 'past boundaries do not bound');
});
