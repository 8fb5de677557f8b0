/**
 * The outbox's store on PGlite in memory: an append records its new events and the feed's cursor
 * together or not at all, and drops events it has seen; fan-out gives each event to the active
 * subscriptions that asked for its type and may see its object; deliveries of one object to one
 * subscription are claimed in order, a later one waiting until the earlier is delivered, failed
 * or dead; a replay makes a dead delivery due again with a new horizon.
 */
import { after, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedDatabase, type DatabaseOptions } from '../../../../storage/database.ts';
import { OutboxStore, type NewSubscription } from '../../../../flows/outbox/store.ts';
import type { ChangeEvent } from '../../../../flows/outbox/events.ts';
import { assetId, documentId } from '../../../../access/ids.ts';
import { postgresBackend, postgresReachable } from '../../../helpers/audit-backends.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (ms = 0) => new Date(T0 + ms).toISOString();

function event(over: Partial<ChangeEvent> & { id: string }): ChangeEvent {
  return {
    type: 'document.approved',
    source: 'OTCS',
    objectId: documentId('1001'),
    objectType: 'Document',
    campaign: 'CMP-1',
    account: 'ACC-1',
    time: at(),
    data: { before: { status: 'IN_REVIEW' }, after: { status: 'APPROVED' } },
    ...over,
  };
}

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const sub = (over: Partial<NewSubscription> = {}): NewSubscription => ({
  ownerId: 'admin@atrium.example',
  owner: { kind: 'person', grants: ['admin'] },
  ownerName: 'admin@atrium.example',
  url: 'http://127.0.0.1:9/hook',
  events: ['document.approved', 'asset.approved'],
  description: '',
  secret: SECRET,
  ...over,
});

/** The same tests on each database the store runs on (`null`: not reachable here, skipped visibly). */
function suite(name: string, opts: DatabaseOptions | null, cleanup: () => Promise<void> = async () => undefined) {
  describe(name, { skip: opts ? false : `${name} is not reachable` }, () => {
    const db = sharedDatabase(opts ?? {});
    const store = new OutboxStore({ ...opts, db });
    const q = `"${opts?.schema ?? 'public'}"`;
    after(async () => {
      await db.close();
      await cleanup();
    });
    beforeEach(async () => {
      const d = await db();
      await d.exec(`DELETE FROM ${q}.webhook_subscriptions; DELETE FROM ${q}.outbox_events; DELETE FROM ${q}.feed_cursors;`);
    });

    describe('append', () => {
      it('records new events and the cursor together, and drops events already recorded', async () => {
        assert.equal(await store.cursor('otcs'), null);
        assert.deepEqual(await store.append('otcs', [event({ id: 'e1' }), event({ id: 'e2' })], 'c1', at()), { appended: 2 });
        assert.equal(await store.cursor('otcs'), 'c1');
        // Overlapping windows hand in the same changes again: only the new one is recorded.
        assert.deepEqual(await store.append('otcs', [event({ id: 'e2' }), event({ id: 'e3' })], 'c2', at()), { appended: 1 });
        assert.equal(await store.cursor('otcs'), 'c2');
        const n = await (await db()).query<{ n: string }>(`SELECT count(*)::text AS n FROM ${q}.outbox_events`);
        assert.equal(n.rows[0]?.n, '3');
        // An empty batch still moves the cursor.
        assert.deepEqual(await store.append('otcs', [], 'c3', at()), { appended: 0 });
        assert.equal(await store.cursor('otcs'), 'c3');
      });

      it('is atomic: an event the database refuses halfway leaves neither the earlier events nor the cursor', async () => {
        await store.append('otcs', [event({ id: 'e1' })], 'c1', at());
        // PostgreSQL text cannot hold NUL: the second insert fails inside the transaction.
        await assert.rejects(store.append('otcs', [event({ id: 'e2' }), event({ id: 'e3\u0000' })], 'c2', at()));
        assert.equal(await store.cursor('otcs'), 'c1');
        const ids = await (await db()).query<{ id: string }>(`SELECT id FROM ${q}.outbox_events ORDER BY seq`);
        assert.deepEqual(
          ids.rows.map((r) => r.id),
          ['e1'],
        );
      });

      it('refuses a malformed event before writing anything', async () => {
        await assert.rejects(store.append('otcs', [event({ id: 'x'.repeat(201) })], 'c1', at()), /id must be 1-200/);
        await assert.rejects(
          store.append('otcs', [event({ id: 'e', type: 'document.deleted' as never })], 'c1', at()),
          /not an event type/,
        );
        assert.equal(await store.cursor('otcs'), null);
      });
    });

    describe('consumers', () => {
      it('a new consumer starts after the last event; then gets what follows, in order, until it acks past it', async () => {
        await store.append('f', [event({ id: 'before' })], 'c1', at());
        assert.deepEqual(await store.consume('writeback', 10), [], 'what was there before it is not its');
        await store.append('f', [event({ id: 'a' }), event({ id: 'b' })], 'c2', at());
        await store.append('f', [event({ id: 'c' })], 'c3', at());
        const first = await store.consume('writeback', 2);
        assert.deepEqual(
          first.map((e) => e.id),
          ['a', 'b'],
        );
        assert.deepEqual(
          (await store.consume('writeback', 2)).map((e) => e.id),
          ['a', 'b'],
          'not acked: the same again (a crash before the ack hands them over again)',
        );
        await store.ack('writeback', first[1]?.seq as number, at());
        assert.deepEqual(
          (await store.consume('writeback', 10)).map((e) => e.id),
          ['c'],
        );
        await store.ack('writeback', first[0]?.seq as number, at());
        assert.deepEqual(
          (await store.consume('writeback', 10)).map((e) => e.id),
          ['c'],
          'an ack never moves the cursor back',
        );
        // Each consumer has its own cursor.
        assert.deepEqual(await store.consume('bo-status', 10), []);
        await store.append('f', [event({ id: 'd' })], 'c4', at());
        assert.deepEqual(
          (await store.consume('bo-status', 10)).map((e) => e.id),
          ['d'],
        );
      });
    });

    describe('fan-out', () => {
      it('one delivery per active subscription that asked for the type and may see the object', async () => {
        const admin = await store.createSubscription(sub(), at());
        const docsOnly = await store.createSubscription(sub({ events: ['document.approved'] }), at());
        const paused = await store.createSubscription(sub(), at());
        await store.setState(paused.id, 'paused', at());
        // A client without assets:read gets no asset events, whatever it asked for.
        const client = await store.createSubscription(
          sub({ ownerId: 'crm', ownerName: 'crm', owner: { kind: 'client', grants: ['documents:write', 'webhooks:admin'] } }),
          at(),
        );
        const reader = await store.createSubscription(
          sub({ ownerId: 'exstream', ownerName: 'exstream', owner: { kind: 'client', grants: ['assets:read', 'webhooks:admin'] } }),
          at(),
        );
        const asset = (id: string, approvals?: string[]) =>
          event({
            id,
            type: 'asset.approved',
            objectType: 'Asset',
            objectId: assetId('ICONIK', id),
            ...(approvals ? { audience: { approvals } } : {}),
          });
        const doc = (id: string, classification?: string) =>
          event({ id, objectId: documentId(id), ...(classification ? { audience: { classification } } : {}) });
        await store.append(
          'f',
          [
            doc('doc', 'INTERNAL'),
            doc('secret', 'CONFIDENTIAL'),
            doc('unknown-doc'),
            asset('asset', ['IN_REVIEW', 'APPROVED']),
            asset('draft', ['IN_REVIEW']),
            asset('unknown-asset'),
          ],
          'c',
          at(),
        );
        assert.deepEqual(await store.fanOut(10, at()), { events: 6, deliveries: 6 + 3 + 1 + 1 });
        assert.deepEqual(await store.fanOut(10, at()), { events: 0, deliveries: 0 }, 'each event is fanned out once');
        const of = async (id: string) => (await store.deliveries(id, null, 10, 0)).items.map((d) => d.eventId).sort();
        assert.deepEqual(await of(admin.id), ['asset', 'doc', 'draft', 'secret', 'unknown-asset', 'unknown-doc']);
        assert.deepEqual(await of(docsOnly.id), ['doc', 'secret', 'unknown-doc']);
        assert.deepEqual(await of(paused.id), []);
        // Clients, by the facts each event keeps: no confidential document, no draft, nothing unknown.
        assert.deepEqual(await of(client.id), ['doc']);
        assert.deepEqual(await of(reader.id), ['asset']);
      });
    });

    describe('claiming', () => {
      it('orders per subscription and object: a later event waits until the earlier one is delivered, failed or dead', async () => {
        const s = await store.createSubscription(sub(), at());
        const A = documentId('1');
        const B = documentId('2');
        await store.append(
          'f',
          [event({ id: 'a1', objectId: A }), event({ id: 'b1', objectId: B }), event({ id: 'a2', objectId: A })],
          'c',
          at(),
        );
        await store.fanOut(10, at());
        let claimed = await store.claim(10, at(60_000), at());
        assert.deepEqual(claimed.map((c) => c.event.id).sort(), ['a1', 'b1']);
        assert.deepEqual(await store.claim(10, at(60_000), at()), [], 'leased ones are not claimed twice');
        const a1 = claimed.find((c) => c.event.id === 'a1');
        const b1 = claimed.find((c) => c.event.id === 'b1');
        assert.ok(a1 && b1);
        assert.deepEqual(a1.secrets, [SECRET]);
        // a1 failed for now: retried in 10 s; a2 waits for it, though it is due.
        await store.record(
          a1.delivery.id,
          a1.leaseId,
          { at: at(), statusCode: 503, latencyMs: 5, error: 'HTTP 503' },
          { state: 'pending', nextAt: at(10_000) },
          at(),
        );
        await store.record(
          b1.delivery.id,
          b1.leaseId,
          { at: at(), statusCode: 200, latencyMs: 5, error: null },
          { state: 'delivered' },
          at(),
        );
        assert.deepEqual(await store.claim(10, at(60_000), at(5_000)), []);
        claimed = await store.claim(10, at(60_000), at(10_000));
        assert.deepEqual(
          claimed.map((c) => c.event.id),
          ['a1'],
        );
        const again = claimed[0];
        assert.ok(again);
        await store.record(
          again.delivery.id,
          again.leaseId,
          { at: at(), statusCode: null, latencyMs: 10_000, error: 'timeout' },
          { state: 'dead' },
          at(10_000),
        );
        claimed = await store.claim(10, at(60_000), at(10_000));
        assert.deepEqual(
          claimed.map((c) => c.event.id),
          ['a2'],
          'once a1 is dead, a2 goes',
        );
        const log = await store.deliveries(s.id, null, 10, 0);
        assert.deepEqual(
          log.items.map((d) => [d.eventId, d.state, d.attempts, d.attemptLog.map((x) => x.statusCode)]),
          [
            ['a2', 'pending', 0, []],
            ['b1', 'delivered', 1, [200]],
            ['a1', 'dead', 2, [503, null]],
          ],
        );
        assert.equal((await store.deliveries(s.id, 'dead', 10, 0)).total, 1);
      });

      it('dispatchers claiming at once never take the same delivery (FOR UPDATE SKIP LOCKED)', async () => {
        // On PostgreSQL a second store has its own pool, as another gateway would.
        const otherDb = opts?.databaseUrl ? sharedDatabase(opts) : db;
        const other = otherDb === db ? store : new OutboxStore({ ...opts, db: otherDb });
        try {
          await store.createSubscription(sub(), at());
          const events = Array.from({ length: 40 }, (_, i) => event({ id: `e${i}`, objectId: documentId(String(i)) }));
          await store.append('f', events, 'c', at());
          await store.fanOut(100, at());
          const claims = await Promise.all([store, other, store, other, store, other].map((s) => s.claim(10, at(60_000), at())));
          const ids = claims.flat().map((c) => c.delivery.id);
          assert.equal(ids.length, 40, 'every due delivery claimed');
          assert.equal(new Set(ids).size, 40, 'none twice');
        } finally {
          if (otherDb !== db) await otherDb.close();
        }
      });

      it('a dispatcher that lost its lease records nothing; an expired lease is claimed again', async () => {
        await store.createSubscription(sub(), at());
        await store.append('f', [event({ id: 'e1' })], 'c', at());
        await store.fanOut(10, at());
        const [first] = await store.claim(10, at(1_000), at());
        assert.ok(first);
        const [second] = await store.claim(10, at(61_000), at(2_000));
        assert.ok(second, 'the lease ran out: another dispatcher takes it');
        assert.equal(
          await store.record(
            first.delivery.id,
            first.leaseId,
            { at: at(), statusCode: 200, latencyMs: 1, error: null },
            { state: 'delivered' },
            at(2_000),
          ),
          false,
        );
        assert.equal(
          await store.record(
            second.delivery.id,
            second.leaseId,
            { at: at(), statusCode: 200, latencyMs: 1, error: null },
            { state: 'delivered' },
            at(2_000),
          ),
          true,
        );
      });

      it('a paused subscription is not sent to; a rotated secret signs beside the new one until its grace ends', async () => {
        const s = await store.createSubscription(sub(), at());
        await store.append('f', [event({ id: 'e1' })], 'c', at());
        await store.fanOut(10, at());
        await store.setState(s.id, 'paused', at());
        assert.deepEqual(await store.claim(10, at(60_000), at()), []);
        await store.setState(s.id, 'active', at());
        const NEW = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
        await store.rotateSecret(s.id, NEW, at(30_000), at());
        const [c] = await store.claim(10, at(60_000), at());
        assert.deepEqual(c?.secrets, [NEW, SECRET]);
        await store.record(
          c.delivery.id,
          c.leaseId,
          { at: at(), statusCode: 500, latencyMs: 1, error: 'HTTP 500' },
          { state: 'pending', nextAt: at(40_000) },
          at(),
        );
        const [later] = await store.claim(10, at(100_000), at(40_000));
        assert.deepEqual(later?.secrets, [NEW], 'the old secret no longer signs after its grace');
      });

      it('replay makes a failed or dead delivery due again with a new horizon; a pending one is not replayed', async () => {
        const s = await store.createSubscription(sub(), at());
        await store.append('f', [event({ id: 'e1' })], 'c', at());
        await store.fanOut(10, at());
        const [c] = await store.claim(10, at(60_000), at());
        assert.ok(c);
        assert.equal(await store.replay(c.delivery.id, at()), null, 'pending: nothing to replay');
        await store.record(
          c.delivery.id,
          c.leaseId,
          { at: at(), statusCode: 404, latencyMs: 1, error: 'HTTP 404' },
          { state: 'failed' },
          at(),
        );
        const replayed = await store.replay(c.delivery.id, at(3_600_000));
        assert.equal(replayed?.state, 'pending');
        assert.equal(replayed?.windowStart, at(3_600_000));
        const [again] = await store.claim(10, at(3_700_000), at(3_600_000));
        assert.equal(again?.delivery.id, c.delivery.id);
        assert.equal((await store.deliveries(s.id, null, 10, 0)).items[0]?.attempts, 1);
        // Deleting the subscription takes its deliveries and attempts with it.
        assert.equal(await store.deleteSubscription(s.id), true);
        assert.equal(await store.delivery(c.delivery.id), null);
      });
    });
  });
}

const pg = postgresBackend();
suite('PGlite', {});
suite('PostgreSQL', (await postgresReachable()) ? { databaseUrl: pg.env.DATABASE_URL, schema: pg.env.AUDIT_SCHEMA } : null, () =>
  pg.cleanup(),
);
