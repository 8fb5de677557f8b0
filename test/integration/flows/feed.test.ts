/**
 * The change feed end to end against the four simulators over real HTTP: changes made through
 * the vendor APIs and the `/__sim/` helpers (a document approved, a version added, a retention
 * classification, a legal hold, a licence's expiry moved, a workspace and a document created;
 * assets updated, created, approved and re-righted in iconik, NetX and OTMM) arrive as exactly
 * the expected canonical events, once each, within one poll interval plus slack; a feed
 * restarted from its stored cursors appends nothing again; iconik pushes webhooks whose events
 * carry the same ids as the polled ones; a failing source delays only its own feed.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assetId, documentId, workspaceId } from '../../../access/ids.ts';
import { createDamFeed } from '../../../flows/feed/dam.ts';
import { iconikWebhookEvents } from '../../../flows/feed/iconik-webhook.ts';
import { createOtcsFeed } from '../../../flows/feed/otcs.ts';
import { ChangeFeed } from '../../../flows/feed/runner.ts';
import type { FeedSource } from '../../../flows/feed/source.ts';
import type { ChangeEvent, OutboxPort } from '../../../flows/outbox/events.ts';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { LICENCE_OFFSETS } from '../../../simulators/demo/world.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/start.ts';
import { createIconikClient } from '../../../sources/iconik/client.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { DamSystem } from '../../../sources/model.ts';
import { createNetxClient } from '../../../sources/netx/client.ts';
import { createOtcsClient } from '../../../sources/otcs/client.ts';
import { createOtmmClient } from '../../../sources/otmm/client.ts';
import type { DamSource } from '../../../sources/ports.ts';
import { simFaults, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const INTERVAL = 300;
const SLACK = 2500;

/** The outbox as the feed sees it: events deduped on id, cursor stored with them; counts ids offered twice. */
class MemoryOutbox implements OutboxPort {
  readonly events: (ChangeEvent & { appendedAt: number })[] = [];
  readonly ids = new Set<string>();
  readonly cursors = new Map<string, string>();
  offeredTwice = 0;
  async append(feed: string, events: readonly ChangeEvent[], cursor: string) {
    let appended = 0;
    for (const e of events) {
      assert.ok(e.id.length <= 200, `event id too long: ${e.id}`);
      if (this.ids.has(e.id)) {
        this.offeredTwice++;
        continue;
      }
      this.ids.add(e.id);
      this.events.push({ ...e, appendedAt: Date.now() });
      appended++;
    }
    this.cursors.set(feed, cursor);
    return { appended };
  }
  async cursor(feed: string) {
    return this.cursors.get(feed) ?? null;
  }
}

let sims: RunningSimulators;
let outbox: MemoryOutbox;
let feed: ChangeFeed;
let hooks: Server;
let hookUrl: string;
const delivered: unknown[] = [];
const otcs = () =>
  createOtcsClient({
    baseUrl: sims.urls.otcs,
    username: DEMO_CREDENTIALS.otcs.username,
    password: DEMO_CREDENTIALS.otcs.password,
    mapping,
    backoffBaseMs: 5,
  });
let ecm: ReturnType<typeof otcs>;
let dams: Record<DamSystem, DamSource>;

function sources(): FeedSource[] {
  return [
    createOtcsFeed(ecm, { overlapMs: 60_000, dams: Object.values(dams) }),
    ...Object.values(dams).map((d) => createDamFeed(d, { overlapMs: 60_000 })),
  ];
}
const newFeed = () => new ChangeFeed({ outbox, sources: sources(), defaultIntervalMs: INTERVAL, maxBackoffMs: 1000 });

async function waitFor<T>(what: string, fn: () => T | undefined, ms = INTERVAL + SLACK): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const find = (type: string, objectId: string) => outbox.events.filter((e) => e.type === type && e.objectId === objectId);
/** Wait until `n` events of that type on that object arrived (within interval + slack of the call). */
const arrives = (type: string, objectId: string, n = 1) =>
  waitFor(`${n} × ${type} on ${Buffer.from(objectId, 'base64url').toString()}`, () => {
    const got = find(type, objectId);
    return got.length >= n ? got : undefined;
  });

async function control(root: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${root}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  assert.ok(res.ok, `${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bytes = (text: string) => new Blob([text]).stream();

before(async () => {
  sims = await startSimulators(world, mapping);
  ecm = otcs();
  const common = { mapping, backoffBaseMs: 5 };
  dams = {
    ICONIK: createIconikClient({
      ...common,
      baseUrl: sims.urls.iconik,
      appId: DEMO_CREDENTIALS.iconik.appId,
      authToken: DEMO_CREDENTIALS.iconik.authToken,
    }),
    NETX: createNetxClient({ ...common, baseUrl: sims.urls.netx, apiToken: DEMO_CREDENTIALS.netx.apiToken }),
    OTMM: createOtmmClient({
      ...common,
      baseUrl: sims.urls.otmm,
      username: DEMO_CREDENTIALS.otmm.username,
      password: DEMO_CREDENTIALS.otmm.password,
    }),
  };
  hooks = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      delivered.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', () => r()));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks/iconik`;
  await control(sims.roots.iconik, '/__sim/webhooks', { url: hookUrl, headers: { 'x-atrium-hook': 'static-secret' } });
  outbox = new MemoryOutbox();
  feed = newFeed();
  feed.start();
  // Every feed has stored its first cursor (its origin) before anything changes.
  await waitFor('first cursors', () => (outbox.cursors.size === 4 ? true : undefined));
});
after(async () => {
  await feed?.stop();
  await new Promise<void>((r) => hooks?.close(() => r()));
  await sims?.close();
});

describe('change feed: Content Server', () => {
  const docs = [...world.documents()].filter((d) => d.metadata.validUntil === undefined && d.metadata.rightsStatus === undefined);
  const pending = docs.find((d) => d.workflow.some((s) => s.decision === 'PENDING') && d.metadata.campaignCode);
  const versioned = docs.find((d) => d !== pending && d.metadata.campaignCode && d.holdIds.length === 0);
  const classified = docs.find((d) => d !== pending && d !== versioned && d.record?.rmClassificationId !== 41310);
  const held = docs.find((d) => ![pending, versioned, classified].includes(d) && !d.holdIds.includes(14) && d.metadata.accountId);

  it('a document approved by its reviewer: one document.approved with its campaign', async () => {
    assert.ok(pending);
    await control(sims.roots.otcs, `/__sim/otcs/documents/${pending.nodeId}/approval`, { decision: 'APPROVED', comment: 'ok' });
    const [e] = await arrives('document.approved', documentId(String(pending.nodeId)));
    assert.equal(e?.campaign, pending.metadata.campaignCode);
    assert.equal(e?.source, 'OTCS');
    assert.equal((e?.data.after as { decision: string }).decision, 'APPROVED');
  });

  it('a version added through the API: one document.version.released, before and after', async () => {
    assert.ok(versioned);
    await ecm.addVersion(String(versioned.nodeId), { fileName: 'v-next.txt', mimeType: 'text/plain', size: 4, body: bytes('next') });
    const [e] = await arrives('document.version.released', documentId(String(versioned.nodeId)));
    const next = versioned.versions.length + 1;
    assert.deepEqual(e?.data.before, { version: next - 1 });
    assert.equal((e?.data.after as { version: number }).version, next);
  });

  it('a retention classification: one document.retention.changed with the new schedule', async () => {
    assert.ok(classified);
    await ecm.classify(String(classified.nodeId), 'Marketing / Campaigns');
    const [e] = await arrives('document.retention.changed', documentId(String(classified.nodeId)));
    assert.equal((e?.data.after as { classification: string }).classification, 'Marketing / Campaigns');
  });

  it('a legal hold put on and released: two document.hold.changed, with the account', async () => {
    assert.ok(held);
    await control(sims.roots.otcs, `/__sim/otcs/documents/${held.nodeId}/holds`, { holdId: 14, action: 'apply' });
    const [on] = await arrives('document.hold.changed', documentId(String(held.nodeId)));
    assert.equal((on?.data.after as { action: string }).action, 'applied');
    assert.equal(on?.account, held.metadata.accountId);
    await sleep(1100); // audit dates are whole seconds: a second row in the same second is the same row
    await control(sims.roots.otcs, `/__sim/otcs/documents/${held.nodeId}/holds`, { holdId: 14, action: 'release' });
    const both = await arrives('document.hold.changed', documentId(String(held.nodeId)), 2);
    assert.equal((both[1]?.data.after as { action: string }).action, 'removed');
  });

  it("a licence's expiry moved into the past: asset.rights.changed for every asset citing it, in every DAM", async () => {
    const licence = world.campaign(0).workspaceId + LICENCE_OFFSETS.stock;
    const citing = [...world.assets()].filter((a) => a.rights.licenceId === String(licence));
    assert.ok(new Set(citing.map((a) => a.system)).size === 3, 'the licence is cited in all three DAMs');
    const past = new Date(Date.now() - 86_400_000).toISOString();
    await control(sims.roots.otcs, `/__sim/otcs/documents/${licence}/licence`, { validUntil: past });
    for (const a of citing) {
      const [e] = await arrives('asset.rights.changed', assetId(a.system, a.nativeId));
      assert.equal(e?.campaign, a.campaignCode);
      assert.equal((e?.data.after as { licence: { validUntil: string } }).licence.validUntil, past.replace(/\.\d{3}Z$/, '.000Z'));
    }
  });

  it('a workspace and a document created through the API: workspace.created and document.created', async () => {
    const ws = await ecm.createWorkspace({
      kind: 'account',
      businessObject: { system: 'SFDC', type: 'Account', id: 'ACC-FEED-1' },
      account: { id: 'ACC-FEED-1', name: 'Feedco', kind: 'CUSTOMER', region: 'EMEA' },
    });
    const [w] = await arrives('workspace.created', workspaceId(ws.source.nativeId));
    assert.equal(w?.account, 'ACC-FEED-1');
    const [folder] = await ecm.folders(ws.source.nativeId);
    assert.ok(folder);
    const doc = await ecm.uploadDocument({
      folderId: folder.id,
      fileName: 'Brief.txt',
      mimeType: 'text/plain',
      body: bytes('brief'),
      accountId: 'ACC-FEED-1',
    });
    const [d] = await arrives('document.created', documentId(doc.source.nativeId));
    assert.equal(d?.account, 'ACC-FEED-1');
  });
});

describe('change feed: DAMs', () => {
  for (const system of ['ICONIK', 'NETX', 'OTMM'] as const) {
    const root = () => sims.roots[system.toLowerCase() as 'iconik' | 'netx' | 'otmm'];
    it(`${system}: an edit, a new asset, its approval and its rights arrive as asset.* events, once each`, async () => {
      const edited = [...world.assets(system)].find((a) => a.approval === 'PENDING' && a.campaignCode);
      assert.ok(edited);
      await control(root(), `/__sim/assets/${edited.nativeId}`, { title: `${edited.title} (recut)` });
      const [u] = await arrives('asset.updated', assetId(system, edited.nativeId));
      assert.equal(u?.campaign, edited.campaignCode);
      assert.equal((u?.data.after as { title: string }).title, `${edited.title} (recut)`);

      const created = (await control(root(), '/__sim/assets', {
        title: `New ${system} cut`,
        approval: 'PENDING',
        template: edited.nativeId,
      })) as { id: string };
      const id = assetId(system, created.id);
      await arrives('asset.created', id);
      await sleep(1100);
      await control(root(), `/__sim/assets/${created.id}`, { approval: 'APPROVED' });
      const [approved] = await arrives('asset.approved', id);
      assert.deepEqual(approved?.data, { before: { approval: 'PENDING' }, after: { approval: 'APPROVED' } });
      await sleep(1100);
      await control(root(), `/__sim/assets/${created.id}`, { rights: { validUntil: '2030-01-01T00:00:00Z' } });
      await arrives('asset.rights.changed', id);
      await arrives('asset.updated', id, 2);
      assert.deepEqual(
        outbox.events.filter((e) => e.objectId === id).map((e) => e.type),
        ['asset.created', 'asset.updated', 'asset.approved', 'asset.updated', 'asset.rights.changed'],
      );
      assert.deepEqual(
        outbox.events.filter((e) => e.objectId === assetId(system, edited.nativeId)).map((e) => e.type),
        ['asset.updated'],
      );
    });
  }

  it('iconik delivered its webhooks unsigned with the static header; their events carry the polled ids', async () => {
    const payloads = await waitFor('iconik deliveries', () => (delivered.length >= 4 ? delivered : undefined));
    const fromHooks = payloads.flatMap((p) => {
      const d = p as { headers: Record<string, string>; body: unknown };
      assert.equal(d.headers['x-atrium-hook'], 'static-secret');
      assert.equal(d.headers['webhook-signature'], undefined);
      return iconikWebhookEvents(d.body);
    });
    assert.ok(fromHooks.length >= 4);
    for (const e of fromHooks) assert.ok(outbox.ids.has(e.id), `${e.type} ${e.id} was also polled`);
  });
});

describe('change feed: exactly once, across restarts and failures', () => {
  it('nothing was offered twice or duplicated, and the lag is within the poll interval plus slack', () => {
    assert.equal(outbox.offeredTwice, 0, 'the cursor keys keep re-read changes out');
    assert.equal(new Set(outbox.events.map((e) => e.id)).size, outbox.events.length);
    const expected: Record<string, number> = {
      'document.approved': 1,
      'document.version.released': 1,
      'document.retention.changed': 1,
      'document.hold.changed': 2,
      'workspace.created': 1,
      'document.created': 1,
      'asset.created': 3,
      'asset.approved': 3,
      'asset.updated': 9,
    };
    const counts: Record<string, number> = {};
    for (const e of outbox.events) counts[e.type] = (counts[e.type] ?? 0) + 1;
    const licenceAssets = [...world.assets()].filter(
      (a) => a.rights.licenceId === String(world.campaign(0).workspaceId + LICENCE_OFFSETS.stock),
    );
    assert.deepEqual(counts, { ...expected, 'asset.rights.changed': 3 + licenceAssets.length });
    for (const s of feed.stats()) {
      assert.equal(s.consecutiveFailures, 0, `${s.feed}: ${JSON.stringify(s.lastError)}`);
      if (s.lag.p99Ms !== null) assert.ok(s.lag.p99Ms <= INTERVAL + SLACK, `${s.feed} lag p99 ${s.lag.p99Ms} ms`);
    }
  });

  it('a feed restarted from its stored cursors re-reads the overlap and appends nothing', async () => {
    await feed.stop();
    const before = outbox.events.length;
    feed = newFeed();
    await feed.pollOnce();
    await feed.pollOnce();
    assert.equal(outbox.events.length, before);
    assert.equal(outbox.offeredTwice, 0);
    assert.ok(feed.stats().every((s) => s.polls === 2 && s.failures === 0));
  });

  it('a failing source delays only its own feed, and nothing is lost when it is back', async () => {
    await simFaults(sims.roots.netx, { route: '*', down: true });
    feed.start();
    const a = [...world.assets('OTMM')].find((x) => x.approval === 'REJECTED') as { nativeId: string };
    const n = [...world.assets('NETX')].find((x) => x.approval === 'REJECTED') as { nativeId: string };
    await control(sims.roots.netx, `/__sim/assets/${n.nativeId}`, { title: 'changed while NetX is unreachable' });
    await control(sims.roots.otmm, `/__sim/assets/${a.nativeId}`, { title: 'changed while NetX is unreachable' });
    await arrives('asset.updated', assetId('OTMM', a.nativeId));
    await waitFor('a NetX failure', () => (feed.stats().find((s) => s.feed === 'netx')?.failures ? true : undefined));
    assert.equal(find('asset.updated', assetId('NETX', n.nativeId)).length, 0);
    const netxFailure = feed.stats().find((s) => s.feed === 'netx')?.lastError;
    assert.equal(netxFailure?.kind, 'UNAVAILABLE');
    assert.doesNotMatch(netxFailure?.message ?? '', /127\.0\.0\.1|token/i, 'no URL or token in what is logged');
    await simFaults(sims.roots.netx, { clear: true });
    await arrives('asset.updated', assetId('NETX', n.nativeId), 1);
    assert.equal(outbox.offeredTwice, 0);
  });
});
