/**
 * A gateway killed (SIGKILL) between accepting an event and delivering it delivers it after a
 * restart (issue 15's acceptance): gateway/main.ts runs as a child process on PostgreSQL (PGlite
 * is one process's, so a feed in this process could not share it); the event is appended to the
 * outbox as a feed in another replica would; the receiver holds the first POST without answering
 * and the child is killed with it in flight; a second gateway sends it again once the dead one's
 * lease has run out, with the same webhook-id, and the log records exactly one 2xx.
 * Skipped, visibly, where no PostgreSQL answers.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentId } from '../../../access/ids.ts';
import { demoIssuer } from '../../../gateway/demo-issuer.ts';
import { OutboxStore } from '../../../flows/outbox/store.ts';
import { postgresBackend, postgresReachable } from '../../helpers/audit-backends.ts';
import { TEST_AS_OF, testWorld } from '../../helpers/world.ts';

const postgresUp = await postgresReachable();
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** gateway/main.ts as a child; its URL once it logged `gateway listening`. */
function gatewayChild(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start within 60 s:\n${stderr}`)), 60_000);
    const look = () => {
      const m = /"msg":"gateway listening","url":"([^"]+)"/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    child.stderr.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited:\n${stderr}`));
    });
  });
  return { child, url, exited };
}

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, withinMs = 30_000): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a gateway killed mid-delivery', { skip: postgresUp ? false : 'PostgreSQL is not reachable' }, () => {
  const pg = postgresBackend();
  const children: ReturnType<typeof gatewayChild>[] = [];
  let dataDir = '';
  after(async () => {
    for (const c of children) {
      c.child.kill('SIGKILL');
      await c.exited;
    }
    await pg.cleanup();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('delivers the event after a restart, with the same webhook-id and exactly one 2xx recorded', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'atrium-webhooks-crash-'));
    // The receiver holds the first POST (in flight when the gateway dies) and answers 200 after.
    const got: IncomingHttpHeaders[] = [];
    const held: ServerResponse[] = [];
    const rx = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        got.push(req.headers);
        if (got.length === 1) held.push(res);
        else res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => rx.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(rx.address() as AddressInfo).port}/hook`;
    const env = {
      ...pg.env,
      ATRIUM_DATA_DIR: dataDir,
      ATRIUM_AS_OF: TEST_AS_OF,
      GATEWAY_PORT: '0',
      // No simulators: nothing here reads a source.
      OTCS_URL: 'http://127.0.0.1:9/otcs/cs.exe',
      ICONIK_URL: 'http://127.0.0.1:9/API',
      NETX_URL: 'http://127.0.0.1:9',
      OTMM_URL: 'http://127.0.0.1:9',
      WEBHOOK_DISPATCH_INTERVAL_MS: '100',
      // An attempt's deadline of 1 s: a dead gateway's lease runs out 7 s after its claim.
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_BACKOFF_MIN_MS: '100',
      WEBHOOK_BACKOFF_MAX_MS: '500',
    };
    const first = gatewayChild(env);
    children.push(first);
    const url = await first.url;
    const issuer = await demoIssuer(dataDir);
    const admin = testWorld()
      .demoUsers()
      .find((u) => u.roles.includes('admin'));
    assert.ok(admin);
    const token = await issuer.sign(admin);
    const gql = async (u: string, query: string, variables: Record<string, unknown> = {}) =>
      (await (
        await fetch(`${u}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    const created = await gql(
      url,
      'mutation($i: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $i) { subscription { id } } }',
      { i: { url: hook, events: ['document.approved'] } },
    );
    assert.equal(created.errors, undefined, JSON.stringify(created.errors));
    const subId = (created.data?.createWebhookSubscription as { subscription: { id: string } }).subscription.id;

    // Accepted: a feed (here, in this process) records the event in the shared outbox.
    const feed = new OutboxStore({ databaseUrl: pg.env.DATABASE_URL, schema: pg.env.AUDIT_SCHEMA });
    const event = {
      id: 'otcs:document.approved:9001:2',
      type: 'document.approved' as const,
      source: 'OTCS' as const,
      objectId: documentId('9001'),
      objectType: 'Document' as const,
      campaign: null,
      account: null,
      time: new Date().toISOString(),
      data: {},
    };
    assert.deepEqual(await feed.append('otcs', [event], 'c1', new Date().toISOString()), { appended: 1 });
    await feed.close();

    await eventually('the first POST in flight', async () => got.length === 1);
    first.child.kill('SIGKILL');
    await first.exited;
    for (const r of held) r.destroy();

    const second = gatewayChild(env);
    children.push(second);
    const url2 = await second.url;
    await eventually('sent again by the restarted gateway', async () => got.length >= 2);
    assert.equal(got[1]?.['webhook-id'], got[0]?.['webhook-id'], 'the same webhook-id');
    const log = await eventually('the delivery log', async () => {
      const r = await gql(url2, 'query($s: ID!) { webhookDeliveries(subscription: $s) { nodes { state attempts { statusCode } } } }', {
        s: subId,
      });
      const nodes = (r.data?.webhookDeliveries as { nodes: { state: string; attempts: { statusCode: number | null }[] }[] })?.nodes;
      return nodes?.[0]?.state === 'DELIVERED' && nodes;
    });
    assert.equal(log.length, 1);
    assert.deepEqual(
      log[0]?.attempts.map((a) => a.statusCode),
      [200],
      'the killed attempt left no record; exactly one 2xx',
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(got.length, 2, 'not sent a third time');
    second.child.kill('SIGTERM');
    await second.exited;
    rx.closeAllConnections();
    await new Promise<void>((r) => rx.close(() => r()));
  });
});
