import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPgliteDir, checkPostgres, withoutCredentials } from '../../../storage/db.ts';
import { checkStore } from '../../../audit/store.ts';

test('a PGlite folder held by another live process is refused, naming the process; a free one is ok', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atrium-dbcheck-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = join(dir, 'audit');
  assert.deepEqual(checkPgliteDir(store), { ok: true });
  // The test runner is alive and is not this process.
  await writeFile(`${store}.lock`, String(process.ppid));
  const held = checkPgliteDir(store);
  assert.ok(!held.ok && held.reachable, JSON.stringify(held));
  assert.match(held.problem, new RegExp(`in use by process ${process.ppid}`));
  const named = await checkStore({ dir: store });
  assert.ok(!named.ok);
  assert.match(named.problem, new RegExp(`^audit store pglite:${store}: `));
  // A lock left by a process that ended is no obstacle.
  await writeFile(`${store}.lock`, '999999999');
  assert.deepEqual(checkPgliteDir(store), { ok: true });
});

test('a PostgreSQL nobody answers for is unreachable (may heal), not refused', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const check = await checkPostgres(`postgres://atrium:hunter2@127.0.0.1:${port}/atrium`, { timeoutMs: 2000 });
  assert.ok(!check.ok);
  assert.equal(check.reachable, false);
  assert.match(check.problem, /ECONNREFUSED/);
  assert.doesNotMatch(check.problem, /hunter2/);
});

test('withoutCredentials takes the URL and its password (as written and decoded) out of a message', () => {
  const url = 'postgres://atrium:p%40ss@db:5432/atrium';
  assert.equal(withoutCredentials(`cannot reach ${url}: p@ss and p%40ss`, url), 'cannot reach <DATABASE_URL>: *** and ***');
});
