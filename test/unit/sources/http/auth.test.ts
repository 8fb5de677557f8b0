import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialCache } from '../../../../sources/http/auth.ts';

test('concurrent callers share one login', async () => {
  let n = 0;
  const cache = credentialCache(async () => {
    await new Promise((r) => setTimeout(r, 10));
    return `t${++n}`;
  });
  const got = await Promise.all(Array.from({ length: 20 }, () => cache.get()));
  assert.deepEqual(new Set(got), new Set(['t1']));
  assert.equal(cache.logins, 1);
});

test('invalidating a stale credential logs in once more; a newer one is kept', async () => {
  let n = 0;
  const cache = credentialCache(async () => `t${++n}`);
  const t1 = await cache.get();
  cache.invalidate(t1);
  cache.invalidate(t1);
  const again = await Promise.all([cache.get(), cache.get()]);
  assert.deepEqual(again, ['t2', 't2']);
  cache.invalidate(t1); // stale: someone already renewed
  assert.equal(await cache.get(), 't2');
  assert.equal(cache.logins, 2);
});

test('a failed login is not cached', async () => {
  let fail = true;
  const cache = credentialCache(async () => {
    if (fail) throw new Error('down');
    return 'ok';
  });
  await assert.rejects(cache.get(), /down/);
  fail = false;
  assert.equal(await cache.get(), 'ok');
});
