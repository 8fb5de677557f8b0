import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { RemoteAuditStore } from '../../../audit/remote.ts';
import { AuditStore } from '../../../audit/store.ts';
import { verifyChain } from '../../../audit/chain.ts';
import { blankRecord, type AuditRecord } from '../../../audit/event.ts';

/** A response that handed out `ids`. */
const rec = (...ids: string[]): AuditRecord => ({
  ...blankRecord(randomUUID(), new Date().toISOString(), 'view'),
  email: 'anna@northwind.example',
  org: 'ACC-1001',
  objects: ids.map((id) => ({ id, type: 'Document', system: 'OTCS', nativeId: '123', version: '2', campaign: 'CMP-1' })),
});

test('the store in a worker thread appends, reads, streams and chains like the store itself', async () => {
  assert.ok(isMainThread);
  const dir = await mkdtemp(join(tmpdir(), 'atrium-remote-'));
  const remote = new RemoteAuditStore({ dir }, `pglite:${dir}`);
  try {
    await remote.open();
    assert.equal(
      await remote.append(Array.from({ length: 50 }, (_, i) => rec(...Array.from({ length: 5 }, (_, j) => `obj-${(i * 5 + j) % 7}`)))),
      250,
    );
    assert.equal(await remote.append([rec('obj-x')]), 1);
    assert.equal(await remote.count(), 251);
    assert.equal(await remote.count({ object: 'obj-3' }), 36);
    const page = await remote.list({}, 10);
    assert.equal(page.items.length, 10);
    assert.equal(page.items[0]?.objectId, 'obj-x', 'newest first');
    let streamed = 0;
    for await (const e of remote.stream({}, 100)) streamed += e.seq > 0 ? 1 : 0;
    assert.equal(streamed, 251);
    await assert.rejects(
      remote.count({ from: 'not a date' }),
      /invalid input syntax|timestamp/i,
      'database errors cross the thread as rejections',
    );
  } finally {
    await remote.close();
  }
  // The data is really on disk, readable by the in-process store once the worker let go of it.
  const local = new AuditStore({ dir, migrate: false });
  assert.equal(await local.count(), 251);
  assert.deepEqual(await verifyChain(local.records()), { ok: true, count: 51, events: 251 });
  await local.close();
  await assert.rejects(remote.count(), /closed/);
  await rm(dir, { recursive: true, force: true });
});
