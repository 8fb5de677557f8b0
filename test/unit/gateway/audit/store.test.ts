import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { AuditStore } from '../../../../gateway/audit/store.ts';
import { migrate } from '../../../../gateway/audit/migrations.ts';
import { verifyChain, GENESIS } from '../../../../gateway/audit/chain.ts';
import { blankEvent, type AuditEvent } from '../../../../gateway/audit/event.ts';
import { pgliteBackend, postgresBackend, postgresReachable, type Backend } from '../../../integration/audit/backends.ts';

const ev = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  ...blankEvent(randomUUID(), new Date().toISOString(), 'view'), email: 'anna@northwind.example', org: 'ACC-1001', objectId: 'RG9jdW1lbnQ6MTIz', objectType: 'Document', system: 'OTCS', nativeId: '123', version: '2', campaign: 'CMP-1', ...over,
});

const suite = (name: Backend['name'], make: () => Promise<Backend> | Backend, skip: () => Promise<string | false>) => describe(`audit store on ${name}`, async () => {
  const why = await skip();
  let b: Backend;
  let store: AuditStore;
  before(async () => {
    if (why) return;
    b = await make();
    store = new AuditStore(b.store);
    await store.open();
  });
  after(async () => {
    if (why) return;
    await store.close();
    await b.cleanup();
  });
  const test = (title: string, fn: () => Promise<void>) => it(title, { skip: why || false }, fn);

  test('migrations are recorded and applied once', async () => {
    const db = await store.open();
    assert.deepEqual(await migrate(db, b.store.schema ?? 'public'), []);
    const rows = (await db.query<{ version: number }>(`SELECT version FROM ${b.table.replace('audit_events', 'atrium_migrations')}`)).rows;
    assert.deepEqual(rows.map((r) => Number(r.version)), [1]);
  });

  test('appends link into one chain that verifies; a retried batch is not written twice', async () => {
    const batch = [ev(), ev({ action: 'download', rendition: 'ORIGINAL' }), ev({ email: 'ben@northwind.example' })];
    assert.equal(await store.append(batch), 3);
    assert.equal(await store.append(batch), 0, 'same ids: skipped');
    assert.equal(await store.append([ev()]), 1);
    const all = [];
    for await (const e of store.stream({}, 2)) all.push(e);
    assert.equal(all.length, 4);
    assert.deepEqual(all.map((e) => e.seq), [1, 2, 3, 4]);
    assert.equal(all[0]?.prevHash, GENESIS);
    assert.equal(all[1]?.prevHash, all[0]?.hash);
    assert.deepEqual(await verifyChain(store.stream()), { ok: true, count: 4 });
  });

  test('filters, counts and pages newest first', async () => {
    assert.equal(await store.count({ user: 'ANNA@northwind.example' }), 3);
    assert.equal(await store.count({ action: 'download' }), 1);
    assert.equal(await store.count({ company: 'ACC-1001', campaign: 'CMP-1', object: 'RG9jdW1lbnQ6MTIz' }), 4);
    assert.equal(await store.count({ from: new Date(Date.now() + 60_000).toISOString() }), 0);
    const p1 = await store.list({}, 3);
    assert.deepEqual(p1.items.map((e) => e.seq), [4, 3, 2]);
    assert.equal(p1.hasNext, true);
    const p2 = await store.list({}, 3, 2);
    assert.deepEqual(p2.items.map((e) => e.seq), [1]);
    assert.equal(p2.hasNext, false);
    assert.deepEqual(await store.downloadsByCompany(new Date(Date.now() - 60_000).toISOString()), [{ company: 'ACC-1001', count: 1 }]);
  });

  test('the database refuses updates, deletes and truncation', async () => {
    const db = await store.open();
    await assert.rejects(db.query(`UPDATE ${b.table} SET email = 'x' WHERE seq = 1`), /append-only/);
    await assert.rejects(db.query(`DELETE FROM ${b.table} WHERE seq = 1`), /append-only/);
    await assert.rejects(db.exec(`TRUNCATE ${b.table}`), /append-only/);
    assert.equal(await store.count(), 4);
  });

  test('two gateway processes on one database still make one linear chain', async () => {
    // PGlite is single-process; the question only arises on PostgreSQL.
    if (b.name !== 'postgres') return;
    const other = new AuditStore(b.store);
    try {
      const before = await store.count();
      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).append([ev(), ev()])));
      assert.equal(await store.count(), before + 40);
      assert.deepEqual(await verifyChain(store.stream()), { ok: true, count: before + 40 });
    } finally {
      await other.close();
    }
  });

  test('a row altered behind the trigger breaks the chain at that row', async () => {
    const db = await store.open();
    await db.exec(`ALTER TABLE ${b.table} DISABLE TRIGGER audit_events_no_change; UPDATE ${b.table} SET email = 'mallory@example.com' WHERE seq = 2; ALTER TABLE ${b.table} ENABLE TRIGGER audit_events_no_change`);
    const r = await verifyChain(store.stream());
    assert.equal(r.ok, false);
    assert.ok(!r.ok);
    assert.equal(r.count, 1, 'the first row still verifies');
    assert.equal(r.break.seq, 2);
    assert.equal(r.break.field, 'hash');
    let row;
    for await (const e of store.stream()) if (e.seq === 2) row = e;
    assert.equal(r.break.eventId, row?.id);
    assert.equal(r.break.actual, row?.hash);
    assert.notEqual(r.break.expected, r.break.actual);
  });
});

// One in-memory PGlite: opening one costs seconds.
suite('pglite', () => pgliteBackend(true), async () => false);
suite('postgres', postgresBackend, async () => ((await postgresReachable()) ? false : 'PostgreSQL is not reachable at 127.0.0.1:5432'));
