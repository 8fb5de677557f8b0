/**
 * Content events end to end, over real HTTP, with the gateway as `npm start` wires it (the change
 * feed polling the simulators, the outbox, the dispatcher, the cache): a receiver subscribed to
 * `document.approved` gets one signed delivery after a document's approval in the Content Server
 * simulator; a licence's expiry moved into the past makes the asset disappear for a partner whose
 * cache is warm, and `asset.rights.changed` is delivered; an approval in an account's workspace
 * is reported to the account's CRM; a client's subscription is sent an approved asset's change,
 * never a draft's. (Timings are printed, not asserted: npm run bench measures.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetId, documentId } from '../../../access/ids.ts';
import { loadConfig } from '../../../gateway/config.ts';
import { demoIssuer } from '../../../gateway/demo-issuer.ts';
import { createLogger } from '../../../gateway/log.ts';
import { startGateway, type RunningGateway } from '../../../gateway/main.ts';
import { createVerifier } from '../../../flows/inbound/standard-webhooks.ts';
import { DEMO_CRM_TOKEN } from '../../../simulators/crm/simulator.ts';
import { LICENCE_OFFSETS } from '../../../simulators/demo/world.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/start.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { TEST_AS_OF, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const POLL_MS = 300;
let sims: RunningSimulators;
let gw: RunningGateway;
let dataDir: string;
let hook: { got: { headers: IncomingHttpHeaders; body: string; at: number }[]; url: string; server: Server };
let secret = '';
const tokens: Record<string, string> = {};

async function gql<T = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T | null; errors?: { message: string }[] };
}

async function control(root: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${root}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(res.ok, `${path}: HTTP ${res.status}`);
  await res.arrayBuffer();
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  withinMs = 20_000,
): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const deliveries = (type: string, subject: string) =>
  hook.got.filter((d) => {
    const ce = JSON.parse(d.body) as { type: string; subject: string };
    return ce.type.endsWith(type) && ce.subject === subject;
  });

before(async () => {
  sims = await startSimulators(world, demoMapping(), {});
  dataDir = await mkdtemp(join(tmpdir(), 'atrium-events-'));
  const got: { headers: IncomingHttpHeaders; body: string; at: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook = { got, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
  const config = loadConfig({
    ATRIUM_DATA_DIR: dataDir,
    ATRIUM_AS_OF: TEST_AS_OF,
    OTCS_URL: sims.urls.otcs,
    ICONIK_URL: sims.urls.iconik,
    NETX_URL: sims.urls.netx,
    OTMM_URL: sims.urls.otmm,
    BO_STATUS_ENDPOINTS: JSON.stringify({ SFDC: { url: `${sims.urls.crm}/api/status`, token: DEMO_CRM_TOKEN } }),
    FEED_INTERVAL_MS: String(POLL_MS),
    WEBHOOK_DISPATCH_INTERVAL_MS: '100',
    ICONIK_WEBHOOK_HEADER: 'X-Hook-Token: iconik-registration-value-1',
  });
  gw = await startGateway(config, createLogger(process.env.TEST_LOG ? 'info' : 'silent'), { port: 0 });
  const issuer = await demoIssuer(dataDir);
  const admin = world.demoUsers().find((u) => u.roles.includes('admin' as never));
  tokens.admin = await issuer.sign(admin as never);
  const created = await gql<{ createWebhookSubscription: { secret: string } }>(
    tokens.admin,
    'mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret subscription { id } } }',
    { input: { url: hook.url, events: ['document.approved', 'asset.rights.changed'], description: 'e2e' } },
  );
  assert.equal(created.errors, undefined, JSON.stringify(created.errors));
  secret = created.data?.createWebhookSubscription.secret as string;
});

after(async () => {
  await gw?.close();
  await new Promise<void>((r) => hook?.server.close(() => r()));
  await sims?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('content events end to end', () => {
  it('a document approved in Content Server: one signed delivery to the subscriber', async () => {
    const doc = [...world.documents()].find(
      (d) => d.workflow.some((s) => s.decision === 'PENDING') && d.metadata.campaignCode && d.metadata.validUntil === undefined,
    );
    assert.ok(doc, 'a document awaiting approval');
    const subject = documentId(String(doc.nodeId));
    // The feed has looked once before the change (its cursor starts at its first poll).
    await eventually('a first poll', () => (gw.feed?.stats().find((f) => f.feed === 'otcs')?.polls ?? 0) > 0);
    const t0 = Date.now();
    await control(sims.roots.otcs, `/__sim/otcs/documents/${doc.nodeId}/approval`, { decision: 'APPROVED' });
    const [d] = await eventually(
      'the delivery',
      () => deliveries('document.approved', subject).length > 0 && deliveries('document.approved', subject),
    );
    console.log(`  document.approved delivered ${(d?.at ?? 0) - t0} ms after the approval (poll interval ${POLL_MS} ms)`);
    const verified = createVerifier({ secrets: secret }).verify(d?.headers as Record<string, string>, d?.body ?? '');
    assert.equal(verified.outcome, 'ok', JSON.stringify(verified));
    await new Promise((r) => setTimeout(r, 3 * POLL_MS));
    assert.equal(deliveries('document.approved', subject).length, 1, 'delivered once');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    assert.match(metrics, /^atrium_feed_lag_p99_seconds\{feed="otcs"\} \d/m, 'the feed lag is exported');
    assert.match(metrics, /^atrium_feed_polls\{feed="netx"\} [1-9]/m);
  });

  it("a licence's expiry moved into the past: the asset is gone for a partner whose cache is warm, and asset.rights.changed is delivered", async () => {
    const licence = world.campaign(0).workspaceId + LICENCE_OFFSETS.stock;
    const citing = [...world.assets()].filter((a) => a.rights.licenceId === String(licence) && a.system !== 'NETX');
    const issuer = await demoIssuer(dataDir);
    const partners = world.demoUsers().filter((u) => u.roles.includes('partner' as never));
    // A partner and a citing asset they see now (read twice: the second answer comes from the warm cache).
    let pick: { token: string; id: string } | null = null;
    for (const u of partners) {
      const token = await issuer.sign(u);
      for (const a of citing) {
        const id = assetId(a.system, a.nativeId);
        const seen = await gql<{ asset: { id: string } | null }>(token, 'query($id: ID!) { asset(id: $id) { id } }', { id });
        if (seen.data?.asset) {
          pick = { token, id };
          break;
        }
      }
      if (pick) break;
    }
    assert.ok(pick, 'a partner sees an asset citing the licence');
    const again = await gql<{ asset: { id: string } | null }>(pick.token, 'query($id: ID!) { asset(id: $id) { id } }', { id: pick.id });
    assert.ok(again.data?.asset, 'seen again, from the cache');
    const past = new Date(Date.parse(TEST_AS_OF) - 86_400_000).toISOString();
    const t0 = Date.now();
    await control(sims.roots.otcs, `/__sim/otcs/documents/${licence}/licence`, { validUntil: past });
    const gone = await eventually('the asset gone for the partner', async () => {
      const r = await gql<{ asset: { id: string } | null }>(pick.token, 'query($id: ID!) { asset(id: $id) { id } }', { id: pick.id });
      return r.data?.asset === null && Date.now();
    });
    console.log(`  the asset was gone ${gone - t0} ms after the licence changed (poll interval ${POLL_MS} ms, cache TTL 30 s)`);
    await eventually('asset.rights.changed', () => deliveries('asset.rights.changed', pick.id).length > 0);
  });

  it("a client's subscription carries only the assets it could read: an approved asset's change, never a draft's", async () => {
    const exstream = await (await demoIssuer(dataDir)).signClient('exstream');
    const got: { path: string; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const subscribe = async (token: string, path: string) => {
        const made = await gql<{ createWebhookSubscription: { subscription: { id: string } } }>(
          token,
          'mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { subscription { id } } }',
          { input: { url: `${root}${path}`, events: ['asset.updated'] } },
        );
        assert.equal(made.errors, undefined, JSON.stringify(made.errors));
        return made.data?.createWebhookSubscription.subscription.id;
      };
      const mine = await subscribe(exstream, '/exstream');
      // An admin's subscription beside it is sent both changes: the draft's event exists, only the client is not sent it.
      await subscribe(tokens.admin as string, '/admin');
      const netx = [...world.assets()].filter((a) => a.system === 'NETX');
      const draft = netx.find((a) => a.approval === 'PENDING');
      const approved = netx.find((a) => a.approval === 'APPROVED');
      assert.ok(draft && approved, 'a draft and an approved NetX asset');
      await eventually('a first netx poll', () => (gw.feed?.stats().find((f) => f.feed === 'netx')?.polls ?? 0) > 0);
      // The draft changes first: by the time the approved one's event is delivered, the draft's has been fanned out.
      await control(sims.roots.netx, `/__sim/assets/${draft.nativeId}`, { title: 'Draft, renamed' });
      await control(sims.roots.netx, `/__sim/assets/${approved.nativeId}`, { title: 'Approved, renamed' });
      const subjects = (path: string) => got.filter((d) => d.path === path).map((d) => (JSON.parse(d.body) as { subject: string }).subject);
      await eventually('both changes delivered to the admin', () => subjects('/admin').includes(assetId('NETX', draft.nativeId)));
      await eventually('the approved asset delivered to the client', () =>
        subjects('/exstream').includes(assetId('NETX', approved.nativeId)),
      );
      const log = await gql<{ webhookDeliveries: { nodes: { subject: string }[] } }>(
        exstream,
        'query($s: ID!) { webhookDeliveries(subscription: $s, first: 50) { nodes { subject } } }',
        { s: mine },
      );
      assert.equal(log.errors, undefined, JSON.stringify(log.errors));
      const logged = (log.data?.webhookDeliveries.nodes ?? []).map((n) => n.subject);
      assert.ok(logged.includes(assetId('NETX', approved.nativeId)));
      assert.ok(!logged.includes(assetId('NETX', draft.nativeId)), 'no delivery of the draft was ever made');
      assert.ok(!subjects('/exstream').includes(assetId('NETX', draft.nativeId)));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("a document approved in an account's workspace is reported to the account's CRM", async () => {
    const doc = [...world.documents()].find(
      (d) =>
        d.workflow.some((s) => s.decision === 'PENDING') &&
        d.metadata.accountId &&
        !d.metadata.campaignCode &&
        d.metadata.validUntil === undefined,
    );
    if (!doc) return assert.fail('the world has a pending document in an account workspace');
    await control(sims.roots.otcs, `/__sim/otcs/documents/${doc.nodeId}/approval`, { decision: 'APPROVED' });
    const status = await eventually('the status call', () =>
      sims.crm.statuses().find((s) => s.document.id === documentId(String(doc.nodeId))),
    );
    assert.equal(status.status, 'APPROVED');
    assert.equal(status.businessObject.id, doc.metadata.accountId);
  });

  it("iconik's webhook: the registration's header is checked, its change is appended once, a wrong header or body is refused", async () => {
    const id = '5de87058-3af6-4249-8000-000000000099';
    const payload = {
      system_domain_id: '86729aec-7ff0-11ef-a5cc-2e53d2c327db',
      event_type: 'assets',
      object_id: id,
      user_id: '8951f88e-7ff0-11ef-b7ae-4664fc99c07f',
      realm: 'entity',
      operation: 'update',
      data: { id, title: 'Hero', date_created: '2026-11-01T10:00:00.000000+00:00', date_modified: '2026-12-01T10:00:05.123000+00:00' },
      request_id: 'e2f3b065cba1b882f0fe8fa6efd6f3fd',
    };
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${gw.url}/hooks/iconik`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const ok = await post({ 'x-hook-token': 'iconik-registration-value-1' }, JSON.stringify(payload));
    assert.deepEqual([ok.status, await ok.json()], [202, { accepted: 1 }]);
    assert.equal(await gw.outbox.cursor('iconik-hook').then((c) => typeof c), 'string');
    const again = await post({ 'x-hook-token': 'iconik-registration-value-1' }, JSON.stringify(payload));
    assert.equal(again.status, 202, 'a redelivery is accepted again (the outbox keeps one event per id)');
    assert.equal((await post({ 'x-hook-token': 'wrong-value-000000' }, JSON.stringify(payload))).status, 401);
    assert.equal((await post({}, JSON.stringify(payload))).status, 401);
    assert.equal((await post({ 'x-hook-token': 'iconik-registration-value-1' }, '{"event_type":1}')).status, 422);
    assert.equal((await post({ 'x-hook-token': 'iconik-registration-value-1' }, 'not json')).status, 400);
  });
});
