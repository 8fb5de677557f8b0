import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamCache, collectTags, listTags, ttlBound } from '../../../access/cache.ts';

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

test('exact invalidation: a change drops the entries that hold the object and the lists it belongs to, nothing else', async () => {
  const cache = new UpstreamCache({ ttlMs: 60_000 });
  const asset = (id: string, campaign: string, licenceId?: string) => ({
    source: { system: 'NETX', nativeId: id },
    campaignCodes: [campaign],
    rights: { status: 'ACTIVE', ...(licenceId ? { licenceId } : {}) },
  });
  const licence = { source: { system: 'OTCS', nativeId: '7001' }, name: 'Licence.pdf' };
  const loads: string[] = [];
  const read = (key: string, value: unknown, tags?: Set<string>) =>
    cache.getOrLoad(
      key,
      async () => {
        loads.push(key);
        return value;
      },
      undefined,
      tags,
    );
  const all = async () => {
    await read('asset-1', asset('1', 'CMP-A', '7001'));
    await read('asset-2', asset('2', 'CMP-B'));
    await read('list-A', { items: [asset('1', 'CMP-A', '7001')] }, listTags('NETX', { campaignCodes: ['CMP-A'] }));
    await read('list-B', { items: [] }, listTags('NETX', { campaignCodes: ['CMP-B'] }));
    await read('list-all', { items: [asset('2', 'CMP-B')] }, listTags('NETX', {}));
    await read('licence', licence);
    await cache.getMany(
      'doc',
      ['7002'],
      async () => [null],
      undefined,
      (id) => `OTCS:${id}`,
    );
  };
  await all();
  assert.equal(cache.size, 7);

  // Asset 1 changed: its entry, the CMP-A list (it is in it) and the unfiltered list go; asset 2, CMP-B stay.
  assert.equal(cache.invalidateTags(['NETX:1', 'campaign:CMP-A', 'list:NETX']), 3);
  loads.length = 0;
  await all();
  assert.deepEqual(loads.sort(), ['asset-1', 'list-A', 'list-all']);

  // The licence changed: the licence and the asset whose rights come from it (and the list holding it).
  assert.equal(cache.invalidateTags(['OTCS:7001']), 3);
  // A document that was not there (a batch read found nothing) is dropped when it appears.
  assert.equal(cache.invalidateTags(['OTCS:7002']), 1);
  assert.equal(cache.size, 3);
});

test('collectTags: objects, licences, workspaces, campaigns and accounts by their shapes', () => {
  const tags = collectTags({
    nodes: [
      { code: 'CMP-1', audience: ['ACC-1'], businessObject: {}, workspaceId: '900' },
      { id: 'ACC-2', kind: 'PARTNER', workspaceId: '901', businessObject: {}, source: { system: 'OTCS', nativeId: '901' } },
      { source: { system: 'ICONIK', nativeId: 'a-1' }, rights: { licenceId: '7' }, campaignCodes: ['CMP-1'], accountIds: ['ACC-3'] },
    ],
  });
  assert.deepEqual(
    [...tags].sort(),
    ['ICONIK:a-1', 'OTCS:7', 'OTCS:900', 'OTCS:901', 'account:ACC-2', 'account:ACC-3', 'campaign:CMP-1'].sort(),
  );
});
