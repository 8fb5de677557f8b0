import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { AuditStore } from '../../../audit/store.ts';
import { migrate, MIGRATIONS } from '../../../storage/migrations.ts';
import { main as verify } from '../../../scripts/audit-verify.ts';
import { hashRecord, sign, verifyChain, GENESIS } from '../../../audit/chain.ts';
import { checkpointKey } from '../../../audit/checkpoint.ts';
import { blankRecord, type AuditObject, type AuditRecord } from '../../../audit/event.ts';
import { pgliteBackend, postgresBackend, postgresReachable, type Backend } from '../../helpers/audit-backends.ts';

const DOC: AuditObject = { id: 'RG9jdW1lbnQ6MTIz', type: 'Document', system: 'OTCS', nativeId: '123', version: '2', campaign: 'CMP-1' };
const ASSET: AuditObject = {
  id: 'QXNzZXQ6TkVUWDo3',
  type: 'Asset',
  system: 'NETX',
  nativeId: '7',
  version: '2026-10-01T10:00:00.000Z',
  campaign: 'CMP-2',
};
const ev = (over: Partial<AuditRecord> = {}): AuditRecord => ({
  ...blankRecord(randomUUID(), new Date().toISOString(), 'view'),
  email: 'anna@northwind.example',
  org: 'ACC-1001',
  objects: [DOC],
  ...over,
});

const suite = (name: Backend['name'], make: () => Promise<Backend> | Backend, skip: () => Promise<string | false>) =>
  describe(`audit store on ${name}`, async () => {
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
      const rows = (await db.query<{ version: number }>(`SELECT version FROM ${b.table.replace('audit_records', 'atrium_migrations')}`))
        .rows;
      assert.deepEqual(
        rows.map((r) => Number(r.version)),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
    });

    test('appends link into one chain that verifies; a retried batch is not written twice', async () => {
      const batch = [ev(), ev({ action: 'download', rendition: 'ORIGINAL' }), ev({ email: 'ben@northwind.example' })];
      assert.equal(await store.append(batch), 3);
      assert.equal(await store.append(batch, { retry: true }), 0, 'a retry of a batch that landed: skipped');
      assert.equal(await store.append([ev()]), 1);
      const all = [];
      for await (const e of store.stream({}, 2)) all.push(e);
      assert.equal(all.length, 4);
      assert.deepEqual(
        all.map((e) => e.seq),
        [1, 2, 3, 4],
      );
      assert.equal(all[0]?.prevHash, GENESIS);
      assert.equal(all[1]?.prevHash, all[0]?.hash);
      assert.deepEqual(await verifyChain(store.records()), { ok: true, count: 4, events: 4 });
    });

    test('a response of many objects is one record; readers see one event per object, in order', async () => {
      const response = ev({
        email: 'carl@contoso.example',
        org: 'ACC-2002',
        objects: [ASSET, DOC, { ...ASSET, id: 'QXNzZXQ6TkVUWDo4', nativeId: '8' }],
      });
      assert.equal(await store.append([response]), 3);
      const events = (await store.list({ user: 'carl@contoso.example' }, 10)).items;
      assert.deepEqual(
        events.map((e) => [e.id, e.seq, e.n, e.objectId, e.campaign]),
        [
          [`${response.id}:3`, 5, 3, 'QXNzZXQ6TkVUWDo4', 'CMP-2'],
          [`${response.id}:2`, 5, 2, DOC.id, 'CMP-1'],
          [`${response.id}:1`, 5, 1, ASSET.id, 'CMP-2'],
        ],
      );
      assert.ok(events.every((e) => e.hash === events[0]?.hash && e.requestId === response.requestId && e.org === 'ACC-2002'));
      // Paging inside a record.
      const p1 = await store.list({ user: 'carl@contoso.example' }, 2);
      assert.equal(p1.hasNext, true);
      const p2 = await store.list({ user: 'carl@contoso.example' }, 2, p1.items[1]);
      assert.deepEqual(
        p2.items.map((e) => e.n),
        [1],
      );
      assert.equal(p2.hasNext, false);
      // Filters reach inside records: by object (any of its records) and by campaign.
      assert.deepEqual(
        (await store.forObject(ASSET.id)).map((e) => [e.seq, e.n]),
        [[5, 1]],
      );
      assert.equal(await store.count({ campaign: 'CMP-2' }), 2);
      assert.equal(await store.count({ campaign: 'CMP-2', company: 'ACC-2002', object: ASSET.id }), 1);
      const streamed = [];
      for await (const e of store.stream({ user: 'carl@contoso.example' }, 2)) streamed.push(e.n);
      assert.deepEqual(streamed, [1, 2, 3], 'streamed oldest first across page boundaries inside a record');
      // The catalog describes each object once, however often it is read.
      assert.equal(await store.append([ev({ objects: [DOC, ASSET] }), ev({ objects: [ASSET] })]), 3);
      const db = await store.open();
      const catalog = (
        await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${b.table.replace('audit_records', 'audit_objects')}`)
      ).rows[0]?.n;
      assert.equal(Number(catalog), 3);
      const sets = (
        await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${b.table.replace('audit_records', 'audit_object_sets')}`)
      ).rows[0]?.n;
      assert.equal(
        Number(sets),
        4,
        'one set per distinct ordered list: [DOC] (from the first appends), the response of three, [DOC, ASSET], [ASSET]',
      );
      assert.equal(await store.append([ev({ objects: [DOC, ASSET] })]), 2);
      assert.equal(
        Number(
          (await db.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${b.table.replace('audit_records', 'audit_object_sets')}`))
            .rows[0]?.n,
        ),
        4,
        'a list seen before is not stored again',
      );
      assert.deepEqual(await verifyChain(store.records(2)), { ok: true, count: 8, events: 12 });
    });

    test('filters, counts and pages newest first', async () => {
      assert.equal(await store.count({ user: 'ANNA@northwind.example' }), 8);
      assert.equal(await store.count({ action: 'download' }), 1);
      assert.equal(await store.count({ company: 'ACC-1001', campaign: 'CMP-1', object: 'RG9jdW1lbnQ6MTIz' }), 6);
      assert.equal(await store.count({ from: new Date(Date.now() + 60_000).toISOString() }), 0);
      const p1 = await store.list({ company: 'ACC-1001' }, 3);
      assert.deepEqual(
        p1.items.map((e) => [e.seq, e.n]),
        [
          [8, 2],
          [8, 1],
          [7, 1],
        ],
      );
      assert.equal(p1.hasNext, true);
      const p2 = await store.list({ company: 'ACC-1001' }, 3, { seq: 3, n: 1 });
      assert.deepEqual(
        p2.items.map((e) => e.seq),
        [2, 1],
      );
      assert.equal(p2.hasNext, false);
      assert.deepEqual(await store.downloadsByCompany(new Date(Date.now() - 60_000).toISOString()), [{ company: 'ACC-1001', count: 1 }]);
    });

    test('the database refuses updates, deletes and truncation, of records, object sets and the object catalog', async () => {
      const db = await store.open();
      const objects = b.table.replace('audit_records', 'audit_objects');
      await assert.rejects(db.query(`UPDATE ${b.table} SET email = 'x' WHERE seq = 1`), /append-only/);
      await assert.rejects(db.query(`DELETE FROM ${b.table} WHERE seq = 1`), /append-only/);
      await assert.rejects(db.exec(`TRUNCATE ${b.table}`), /append-only/);
      await assert.rejects(db.query(`UPDATE ${objects} SET version = 'x'`), /append-only/);
      await assert.rejects(db.query(`DELETE FROM ${objects}`), /append-only/);
      await assert.rejects(db.exec(`TRUNCATE ${objects}`), /append-only/);
      const sets = b.table.replace('audit_records', 'audit_object_sets');
      await assert.rejects(db.query(`UPDATE ${sets} SET object_keys = '{}'`), /append-only/);
      await assert.rejects(db.query(`DELETE FROM ${sets}`), /append-only/);
      assert.equal(await store.count(), 12);
    });

    test('two gateway processes on one database still make one linear chain', async () => {
      // PGlite is single-process; the question only arises on PostgreSQL.
      if (b.name !== 'postgres') return;
      const other = new AuditStore(b.store);
      try {
        const before = await store.count();
        // New objects in every batch: both processes add to the catalog at once.
        const fresh = (i: number): AuditObject => ({ ...ASSET, id: `QXNzZXQ6TkVUWDo${i}`, nativeId: String(100 + i) });
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).append([ev({ objects: [fresh(i), fresh(i + 1), DOC] }), ev()])),
        );
        assert.equal(await store.count(), before + 80);
        const r = await verifyChain(store.records());
        assert.ok(r.ok);
        assert.equal(r.events, before + 80);
      } finally {
        await other.close();
      }
    });

    test('an object description altered behind the trigger breaks the chain at the first record holding it', async () => {
      const db = await store.open();
      const objects = b.table.replace('audit_records', 'audit_objects');
      await db.exec(
        `ALTER TABLE ${objects} DISABLE TRIGGER audit_objects_no_change; UPDATE ${objects} SET version = '1' WHERE native_id = '7'; ALTER TABLE ${objects} ENABLE TRIGGER audit_objects_no_change`,
      );
      const r = await verifyChain(store.records());
      assert.ok(!r.ok);
      assert.equal(r.break.seq, 5, 'the first record that handed out the asset');
      assert.equal(r.break.field, 'hash');
      await db.exec(
        `ALTER TABLE ${objects} DISABLE TRIGGER audit_objects_no_change; UPDATE ${objects} SET version = '2026-10-01T10:00:00.000Z' WHERE native_id = '7'; ALTER TABLE ${objects} ENABLE TRIGGER audit_objects_no_change`,
      );
      assert.equal((await verifyChain(store.records())).ok, true, 'restored');
    });

    test('a store of the first schema (one row per event) is carried over with its hashes and goes on from its tail', async () => {
      const schema = `legacy_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const legacy = new AuditStore({ ...b.store, schema, migrate: false });
      try {
        const db = await legacy.open();
        // The first schema as a release that had only migration 1 left it, with events it hashed.
        await db.exec(
          `CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".atrium_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
        );
        await db.exec((MIGRATIONS[0] as (typeof MIGRATIONS)[number]).sql(schema));
        await db.query(`INSERT INTO "${schema}".atrium_migrations (version, name) VALUES (1, 'v1')`);
        const old = [
          ev({ objects: [DOC] }),
          ev({ action: 'download', rendition: 'ORIGINAL', objects: [ASSET] }),
          { ...ev({ action: 'gap', detail: '{"dropped":2}' }), email: null, org: null, objects: [] },
        ];
        let prev = GENESIS;
        for (const [i, r] of old.entries()) {
          const hash = hashRecord(sign(r), i + 1, prev, 1);
          const o = r.objects[0];
          await db.query(
            `INSERT INTO "${schema}".audit_events (seq, id, at, action, principal_id, email, org, ip, user_agent, object_id, object_type, system, native_id, version, rendition, campaign, request_id, detail, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
            [
              i + 1,
              r.id,
              r.at,
              r.action,
              r.principalId,
              r.email,
              r.org,
              r.ip,
              r.userAgent,
              o?.id ?? null,
              o?.type ?? null,
              o?.system ?? null,
              o?.nativeId ?? null,
              o?.version ?? null,
              r.rendition,
              o?.campaign ?? null,
              r.requestId,
              r.detail,
              prev,
              hash,
            ],
          );
          prev = hash;
        }
        if (b.name === 'postgres') {
          // audit:verify does not migrate: it says the store must be migrated first, rather than "OK 0 events".
          const lines: string[] = [];
          assert.equal(await verify([], { DATABASE_URL: b.env.DATABASE_URL, AUDIT_SCHEMA: schema }, (l) => lines.push(l)), 2);
          assert.match(lines.join('\n'), /^ERROR the audit store .* predates this version's tables: start the gateway once/);
        }
        assert.deepEqual(await migrate(db, schema), [2, 3, 4, 5, 6, 7, 8]);
        assert.deepEqual(await verifyChain(legacy.records()), { ok: true, count: 3, events: 3 });
        const events = (await legacy.list({}, 10)).items;
        assert.deepEqual(
          events.map((e) => [e.seq, e.id, e.action, e.objectId, e.rendition]),
          [
            [3, old[2]?.id, 'gap', null, null],
            [2, old[1]?.id, 'download', ASSET.id, 'ORIGINAL'],
            [1, old[0]?.id, 'view', DOC.id, null],
          ],
        );
        assert.equal(await legacy.count({ campaign: 'CMP-2' }), 1);
        assert.equal(await legacy.append([ev({ objects: [DOC, ASSET] })]), 2);
        assert.deepEqual(await verifyChain(legacy.records()), { ok: true, count: 4, events: 5 }, 'new records link to the carried tail');
      } finally {
        const db = await legacy.open();
        await db.exec(`DROP SCHEMA "${schema}" CASCADE`);
        await legacy.close();
      }
    });

    test('checkpoints: signed heads kept append-only; verification finds a forged one and a tail cut off', async () => {
      const newKey = () => checkpointKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      const key = newKey();
      const db = await store.open();
      const checkpoints = b.table.replace('audit_records', 'audit_checkpoints');
      const first = await store.head();
      assert.ok(first);
      const c1 = key.sign(first, new Date().toISOString());
      await store.appendCheckpoint(c1);
      await store.append([ev(), ev({ objects: [ASSET, DOC] })]);
      const head = await store.head();
      assert.ok(head && head.seq === first.seq + 2);
      const c2 = key.sign(head, new Date().toISOString());
      await store.appendCheckpoint(c2);

      const page = await store.checkpoints(1);
      assert.deepEqual([page.items.map(({ id: _id, ...c }) => c), page.hasNext, page.total], [[c1], true, 2]);
      const rest = await store.checkpoints(10, page.items[0]?.id);
      assert.deepEqual([rest.items.map(({ id: _id, ...c }) => c), rest.hasNext], [[c2], false]);
      await assert.rejects(db.query(`UPDATE ${checkpoints} SET hash = 'x'`), /append-only/);
      await assert.rejects(db.query(`DELETE FROM ${checkpoints}`), /append-only/);
      await assert.rejects(db.exec(`TRUNCATE ${checkpoints}`), /append-only/);

      const good = await store.verify([key.publicKeyPem]);
      assert.deepEqual([good.ok, good.checkpoints, good.failures, good.head, good.latest], [true, 2, [], head, c2]);
      const otherKey = await store.verify([newKey().publicKeyPem]);
      assert.deepEqual(
        otherKey.failures.map((f) => f.problem),
        ['signature', 'signature'],
        'checkpoints a key we do not trust signed count for nothing',
      );
      const forged = await store.verify([key.publicKeyPem], [{ ...c2, hash: 'f'.repeat(64) }]);
      assert.deepEqual(
        forged.failures.map((f) => f.problem),
        ['signature'],
      );

      // Cut the last two records off behind the trigger: the chain alone still verifies.
      await db.exec(
        `ALTER TABLE ${b.table} DISABLE TRIGGER audit_records_no_change; DELETE FROM ${b.table} WHERE seq > ${first.seq}; ALTER TABLE ${b.table} ENABLE TRIGGER audit_records_no_change`,
      );
      assert.equal((await verifyChain(store.records())).ok, true, 'a cut-off tail leaves a valid chain');
      const cut = await store.verify([key.publicKeyPem]);
      assert.equal(cut.ok, false);
      assert.deepEqual(cut.failures, [{ checkpoint: c2, problem: 'truncated', found: `ends at ${first.seq}` }]);
      // Cut off together with its stored checkpoint, the tail is still found against an exported copy.
      await db.exec(
        `ALTER TABLE ${checkpoints} DISABLE TRIGGER audit_checkpoints_no_change; DELETE FROM ${checkpoints} WHERE seq > ${first.seq}; ALTER TABLE ${checkpoints} ENABLE TRIGGER audit_checkpoints_no_change`,
      );
      assert.equal((await store.verify([key.publicKeyPem])).ok, true);
      const withExport = await store.verify([key.publicKeyPem], [c1, c2]);
      assert.deepEqual(
        withExport.failures.map((f) => [f.problem, f.checkpoint.seq]),
        [['truncated', head.seq]],
      );
    });

    test('a row altered behind the trigger breaks the chain at that row', async () => {
      const db = await store.open();
      await db.exec(
        `ALTER TABLE ${b.table} DISABLE TRIGGER audit_records_no_change; UPDATE ${b.table} SET email = 'mallory@example.com' WHERE seq = 2; ALTER TABLE ${b.table} ENABLE TRIGGER audit_records_no_change`,
      );
      const r = await verifyChain(store.records());
      assert.equal(r.ok, false);
      assert.ok(!r.ok);
      assert.equal(r.count, 1, 'the first row still verifies');
      assert.equal(r.break.seq, 2);
      assert.equal(r.break.field, 'hash');
      let row;
      for await (const e of store.records()) if (e.seq === 2) row = e;
      assert.equal(r.break.recordId, row?.id);
      assert.equal(r.break.actual, row?.hash);
      assert.notEqual(r.break.expected, r.break.actual);
    });
  });

// One in-memory PGlite: opening one costs seconds.
suite(
  'pglite',
  () => pgliteBackend(true),
  async () => false,
);
suite('postgres', postgresBackend, async () => ((await postgresReachable()) ? false : 'PostgreSQL is not reachable at 127.0.0.1:5432'));
