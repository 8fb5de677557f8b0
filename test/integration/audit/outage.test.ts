/**
 * A real PostgreSQL outage: the store reaches the database through a TCP proxy the test cuts
 * and restores. Events recorded meanwhile stay buffered, the writer reports itself failing,
 * nothing crashes on the dropped connections, and everything is written once it is back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AuditStore } from '../../../audit/store.ts';
import { AuditWriter } from '../../../audit/writer.ts';
import { verifyChain } from '../../../audit/chain.ts';
import { createLogger } from '../../../gateway/log.ts';
import { postgresBackend, postgresReachable } from '../../helpers/audit-backends.ts';

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored on the same port. */
async function proxy(port = 0): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  let server: Server;
  const sockets = new Set<Socket>();
  const listen = (p: number) =>
    new Promise<number>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(5432, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => s.destroy());
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(p, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const bound = await listen(port);
  return {
    port: bound,
    async cut() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async restore() {
      await listen(bound);
    },
  };
}

test(
  'PostgreSQL goes away and comes back: events are buffered, then all written, in one chain',
  { skip: !(await postgresReachable()) && 'PostgreSQL is not reachable at 127.0.0.1:5432' },
  async () => {
    const backend = postgresBackend();
    const p = await proxy();
    const url = `postgres://postgres@127.0.0.1:${p.port}/test`;
    const store = new AuditStore({ ...backend.store, databaseUrl: url });
    const writer = new AuditWriter(store, { bufferMax: 1000, batchMs: 20, batchSize: 50, log: createLogger('silent'), maxBackoffMs: 50 });
    try {
      await store.open();
      for (let i = 0; i < 30; i++)
        writer.record({
          action: 'view',
          objects: [{ id: `before-${i}`, type: 'Asset', system: 'NETX', nativeId: String(i), version: null, campaign: null }],
        });
      await writer.flush();
      await p.cut();
      for (let i = 0; i < 40; i++)
        writer.record({
          action: 'view',
          objects: [{ id: `during-${i}`, type: 'Asset', system: 'NETX', nativeId: String(i), version: null, campaign: null }],
        });
      await assert.rejects(writer.flush(), /unreachable/);
      assert.equal(writer.status().ok, false);
      assert.equal(writer.status().buffered, 40);
      await p.restore();
      // The timer retries on its own; wait for it rather than flushing by hand.
      for (let i = 0; i < 100 && !(writer.status().ok && writer.status().buffered === 0); i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(writer.status(), { ok: true, concerns: [], buffered: 0, lagMs: 0, dropped: 0, written: 70 });
      assert.equal(await store.count(), 70);
      assert.deepEqual(await verifyChain(store.records()), { ok: true, count: 70, events: 70 });
    } finally {
      await writer.close(1000);
      await store.close();
      await p.cut().catch(() => undefined);
      await backend.cleanup();
    }
  },
);
