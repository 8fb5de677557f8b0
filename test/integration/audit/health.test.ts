/**
 * Audit health that tells the truth, on the gateway as `startGateway` builds it from the
 * configuration (PostgreSQL, a schema of each test's own): a locked audit table makes /readyz
 * 503 within 2 s (the write lag grows while a write waits) and 200 again within 2 s of its
 * release, with the lag and the buffer's depth in /metrics; a store unreachable at start-up is
 * 503 from the first /readyz, and 200 within 2 s of the store coming up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../../gateway/config.ts';
import { demoIssuer } from '../../../gateway/demo-issuer.ts';
import { createLogger } from '../../../gateway/log.ts';
import { startGateway, type RunningGateway } from '../../../gateway/main.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/start.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { PG_URL, postgresBackend, postgresReachable, type Backend } from '../../helpers/audit-backends.ts';
import { TEST_AS_OF, testWorld } from '../../helpers/world.ts';

const postgresUp = await postgresReachable();
const CAMPAIGNS = '{ campaigns(first: 10) { nodes { id name } } }';

interface Readiness {
  status: number;
  body: { status: string; audit?: { ok: boolean; concerns: string[]; buffered: number; lagMs: number; dropped: number } };
}

const readiness = async (url: string): Promise<Readiness> => {
  const r = await fetch(`${url}/readyz`);
  return { status: r.status, body: (await r.json()) as Readiness['body'] };
};

/** Poll /readyz every 50 ms until `wanted` answers; how long it took and the answer. */
async function until(url: string, wanted: number, withinMs: number): Promise<{ ms: number; last: Readiness }> {
  const started = Date.now();
  for (;;) {
    const last = await readiness(url);
    if (last.status === wanted) return { ms: Date.now() - started, last };
    if (Date.now() - started > withinMs) return { ms: Infinity, last };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A gauge of /metrics. */
const gauge = (metrics: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);

describe('audit health in /readyz, on PostgreSQL', { skip: !postgresUp && 'PostgreSQL is not reachable at 127.0.0.1:5432' }, () => {
  let sims: RunningSimulators;
  let dataDir: string;
  before(async () => {
    sims = await startSimulators(testWorld(), demoMapping());
    dataDir = await mkdtemp(join(tmpdir(), 'atrium-audit-health-'));
  });
  after(async () => {
    await sims?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const start = (backend: Backend, env: Record<string, string> = {}): Promise<RunningGateway> =>
    startGateway(
      loadConfig({
        ATRIUM_DATA_DIR: dataDir,
        ATRIUM_AS_OF: TEST_AS_OF,
        OTCS_URL: sims.urls.otcs,
        ICONIK_URL: sims.urls.iconik,
        NETX_URL: sims.urls.netx,
        OTMM_URL: sims.urls.otmm,
        ...backend.env,
        ...env,
      }),
      createLogger('silent'),
      { port: 0 },
    );

  test('a locked audit table: 503 within 2 s, 200 within 2 s of its release, lag and depth in /metrics', { timeout: 60_000 }, async (t) => {
    const backend = postgresBackend();
    const running = await start(backend);
    const locker = new pg.Client({ connectionString: PG_URL });
    await locker.connect();
    let traffic = true;
    t.after(async () => {
      traffic = false;
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await running.close();
      await backend.cleanup();
    });
    assert.equal((await until(running.url, 200, 10_000)).last.status, 200, 'ready before the lock');
    const marketing = testWorld()
      .demoUsers()
      .find((u) => u.roles.includes('marketing'));
    assert.ok(marketing);
    const token = await (await demoIssuer(dataDir)).sign(marketing);
    const workers = Array.from({ length: 4 }, async () => {
      while (traffic) {
        const r = await fetch(`${running.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: CAMPAIGNS }),
        });
        assert.equal(r.status, 200, 'reads go on');
        await r.arrayBuffer();
        await new Promise((res) => setTimeout(res, 20));
      }
    });

    await new Promise((r) => setTimeout(r, 500));
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${backend.table} IN ACCESS EXCLUSIVE MODE`);
    const locked = await until(running.url, 503, 5000);
    assert.ok(locked.ms <= 2000, `503 ${locked.ms} ms after the lock: ${JSON.stringify(locked.last.body)}`);
    assert.equal(locked.last.body.status, 'degraded');
    assert.ok(locked.last.body.audit?.concerns.includes('lagging'), JSON.stringify(locked.last.body.audit));
    assert.equal(locked.last.body.audit?.dropped, 0, 'degraded before anything is dropped');
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    assert.ok(gauge(metrics, 'atrium_audit_lag_seconds') > 1, metrics);
    assert.ok(gauge(metrics, 'atrium_audit_buffered') > 0, metrics);
    assert.equal(gauge(metrics, 'atrium_audit_ok'), 0);

    await locker.query('COMMIT');
    const released = await until(running.url, 200, 5000);
    assert.ok(released.ms <= 2000, `200 ${released.ms} ms after the release: ${JSON.stringify(released.last.body)}`);
    traffic = false;
    await Promise.all(workers);
    t.diagnostic(`503 ${locked.ms} ms after the lock, 200 ${released.ms} ms after its release`);
  });

  test('a store unreachable at start-up: the gateway starts, 503 from the first /readyz, 200 within 2 s of the store coming up', async (t) => {
    const backend = postgresBackend();
    // A port nothing listens on, until the test puts a proxy to PostgreSQL there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const url = new URL(PG_URL);
    url.port = String(port);
    const running = await start(backend, { DATABASE_URL: url.toString() });
    let proxy: Server | null = null;
    const sockets = new Set<Socket>();
    t.after(async () => {
      await running.close();
      for (const s of sockets) s.destroy();
      if (proxy) await new Promise<void>((r) => (proxy as Server).close(() => r()));
      await backend.cleanup();
    });

    const first = await readiness(running.url);
    assert.equal(first.status, 503, JSON.stringify(first.body));
    assert.equal(first.body.status, 'degraded');
    assert.deepEqual(first.body.audit?.concerns, ['unreached']);

    proxy = createServer((client) => {
      const upstream = connect(Number(new URL(PG_URL).port), '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => (proxy as Server).listen(port, '127.0.0.1', () => r()));
    const up = await until(running.url, 200, 5000);
    assert.ok(up.ms <= 2000, `200 ${up.ms} ms after the store came up: ${JSON.stringify(up.last.body)}`);
    t.diagnostic(`200 ${up.ms} ms after the store came up`);
  });
});
