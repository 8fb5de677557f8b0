/**
 * Reviews and publishing (flows/writeback/reviews.ts, publish.ts) on PGlite in memory with fake
 * connectors: a review files each asset's preview once and starts one process, even when sent
 * again or resumed after a failure; its decision is written to every asset's approval and an
 * approval record is filed, once; a document matching a rule is published as one asset, a later
 * version replaces its original, the same version again changes nothing.
 */
import { after, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedDatabase } from '../../../../storage/database.ts';
import { FlowStore } from '../../../../flows/store.ts';
import { JobRunner } from '../../../../flows/jobs.ts';
import { registerReviews, reviewIdOf, type ReviewDeps } from '../../../../flows/writeback/reviews.ts';
import { publishConsumer, publishFields, publishJob, publishKey, ruleFor, type PublishRule } from '../../../../flows/writeback/publish.ts';
import { SyncStore } from '../../../../flows/writeback/sync-store.ts';
import type { StoredEvent } from '../../../../flows/outbox/store.ts';
import { assetId, documentId } from '../../../../access/ids.ts';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import type { Asset, Document } from '../../../../sources/model.ts';
import type { DamFieldValues, PublishFields, ReviewDraft } from '../../../../sources/ports.ts';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const quiet = { info: () => undefined, warn: () => undefined };
const db = sharedDatabase({});
after(() => db.close());
const body = (text = 'x') =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode(text));
      c.close();
    },
  });

const doc = (over: Partial<Document> = {}): Document => ({
  source: { system: 'OTCS', nativeId: '5001' },
  name: 'Product Sheet - Aurora Laptops (en-US).pdf',
  mimeType: 'application/pdf',
  size: 100,
  version: 1,
  status: 'RELEASED',
  classification: 'PUBLIC',
  metadata: { campaignCode: 'CMP-1', productLine: 'Laptops', region: 'EMEA', territories: ['EMEA'] },
  workspaceId: '2000',
  parentId: '2000',
  createdAt: '2026-11-01T00:00:00Z',
  modifiedAt: '2026-11-02T00:00:00Z',
  ...over,
});

let clock = NOW;
const runnerOf = () => new JobRunner(new FlowStore({ db }), { log: quiet, now: () => clock, backoffMs: () => 1000 });
const drain = async (r: JobRunner) => {
  for (let i = 0; i < 4; i++) await r.sweep();
};

beforeEach(async () => {
  clock = NOW;
  await (
    await db()
  )
    .exec('DELETE FROM flow_jobs; DELETE FROM asset_reviews; DELETE FROM publications; DELETE FROM asset_sync;')
    .catch(() => undefined);
});

describe('publishing (pure parts)', () => {
  it('rules: classification, status, name and owner; the first that matches wins', () => {
    const rules: PublishRule[] = [
      { system: 'NETX', namePattern: 'product sheet|brochure', owner: 'campaign', container: '5' },
      { system: 'ICONIK', classifications: ['INTERNAL'] },
    ];
    assert.equal(ruleFor(rules, doc())?.system, 'NETX');
    assert.equal(ruleFor(rules, doc({ classification: 'CONFIDENTIAL' })), null);
    assert.equal(ruleFor(rules, doc({ status: 'DRAFT' })), null);
    assert.equal(ruleFor(rules, doc({ name: 'Sales FAQ.pdf' })), null);
    assert.equal(ruleFor(rules, doc({ metadata: { accountId: 'ACC-1' } })), null, 'an account workspace');
    assert.equal(ruleFor(rules, doc({ name: 'Notes.pdf', classification: 'INTERNAL' }))?.system, 'ICONIK');
  });

  it('fields: the canonical metadata, approved, titled by the document', () => {
    assert.deepEqual(publishFields(doc()), {
      title: 'Product Sheet - Aurora Laptops (en-US).pdf',
      approval: 'APPROVED',
      campaignCode: 'CMP-1',
      productLine: 'Laptops',
      region: 'EMEA',
      territories: ['EMEA'],
    });
  });
});

describe('publishing (the job)', () => {
  function fakeNetx() {
    const assets = new Map<string, { key: string; version: number; fields: PublishFields; bytes: string }>();
    const calls: string[] = [];
    let failNext = false;
    const dam = {
      system: 'NETX',
      async findPublished(key: string) {
        return [...assets].find(([, a]) => a.key === key)?.[0] ?? null;
      },
      async publish(key: string, file: { body: ReadableStream<Uint8Array> }, fields: PublishFields) {
        const bytes = await new Response(file.body).text();
        if (failNext) {
          failNext = false;
          // The asset landed, the answer was lost.
          assets.set(String(100 + assets.size), { key, version: 1, fields, bytes });
          throw new UpstreamError('NETX', 'UNAVAILABLE', 'NetX is unavailable');
        }
        const id = String(100 + assets.size);
        assets.set(id, { key, version: 1, fields, bytes });
        calls.push(`publish ${key}`);
        return id;
      },
      async replaceOriginal(id: string, file: { body: ReadableStream<Uint8Array> }, fields: PublishFields) {
        const a = assets.get(id);
        if (!a) throw new UpstreamError('NETX', 'NOT_FOUND', 'no asset');
        assets.set(id, { ...a, version: a.version + 1, fields, bytes: await new Response(file.body).text() });
        calls.push(`replace ${id}`);
      },
    };
    return { dam, assets, calls, failOnce: () => (failNext = true) };
  }

  it('one asset per document: created, then its original replaced by a later version; the same version again does nothing', async () => {
    const netx = fakeNetx();
    let current = doc();
    const store = new SyncStore({ db });
    const deps = {
      ecm: {
        getDocuments: async () => [current],
        openContent: async (_id: string, v?: number) => ({ body: body(`v${v}`), mimeType: 'application/pdf', size: 2 }),
      },
      dams: { NETX: netx.dam as never },
      store,
      now: () => clock,
    };
    const runner = runnerOf();
    const kind = runner.register(publishJob(deps));
    const consumer = publishConsumer(runner, kind, deps, [{ system: 'NETX', namePattern: 'product sheet' }]);
    const event = (id: string): StoredEvent => ({
      seq: 1,
      feed: 'otcs',
      id,
      type: 'document.version.released',
      source: 'OTCS',
      objectId: documentId('5001'),
      objectType: 'Document',
      campaign: 'CMP-1',
      account: null,
      time: '2026-12-02T10:00:00Z',
      data: {},
    });
    await consumer.handle([event('e1')]);
    await drain(runner);
    assert.deepEqual(netx.calls, ['publish otcs:5001']);
    assert.equal(netx.assets.get('100')?.bytes, 'v1');
    assert.equal(netx.assets.get('100')?.fields.campaignCode, 'CMP-1');
    current = doc({ version: 2 });
    await consumer.handle([event('e2'), event('e2-again')]);
    await drain(runner);
    assert.deepEqual(netx.calls, ['publish otcs:5001', 'replace 100']);
    assert.equal(netx.assets.size, 1, 'one asset, not two');
    assert.equal(netx.assets.get('100')?.bytes, 'v2');
    const again = await runner.execute(kind, 'someone', 'k', { document: '5001', version: 2, system: 'NETX' });
    assert.equal(again.result.action, 'UNCHANGED');
    assert.equal(netx.calls.length, 2);
  });

  it('an answer lost after the asset landed: the retry finds it by its key and replaces, never a second asset', async () => {
    const netx = fakeNetx();
    const deps = {
      ecm: { getDocuments: async () => [doc()], openContent: async () => ({ body: body('v1'), mimeType: 'application/pdf' }) },
      dams: { NETX: netx.dam as never },
      store: new SyncStore({ db }),
      now: () => clock,
    };
    const runner = runnerOf();
    const kind = runner.register(publishJob(deps));
    netx.failOnce();
    const input = { document: '5001', version: 1, system: 'NETX' as const };
    await runner.enqueue(kind, 'atrium:publish', publishKey(input), input);
    await drain(runner);
    clock += 2000;
    await drain(runner);
    assert.equal(netx.assets.size, 1);
    assert.deepEqual(netx.calls, ['replace 100']);
  });
});

describe('reviews', () => {
  function fakes() {
    const docs = new Map<string, { name: string; folder: string; text: string }>();
    const processes: ReviewDraft[] = [];
    const approvals = new Map<string, string>([
      ['a1', 'PENDING'],
      ['a2', 'PENDING'],
    ]);
    const writes: string[] = [];
    let startFails = 1;
    let status: { state: 'RUNNING' | 'COMPLETED'; decision?: 'APPROVED' | 'REJECTED'; comment?: string } = { state: 'RUNNING' };
    const ecm = {
      async findDocument(folder: string, name: string) {
        const hit = [...docs].find(([, d]) => d.folder === folder && d.name === name);
        return hit ? ({ source: { system: 'OTCS', nativeId: hit[0] } } as Document) : null;
      },
      async uploadDocument(d: { folderId: string; name?: string; body: ReadableStream<Uint8Array> }) {
        const id = String(9000 + docs.size);
        docs.set(id, { name: d.name as string, folder: d.folderId, text: await new Response(d.body).text() });
        return { source: { system: 'OTCS', nativeId: id } } as Document;
      },
      async findReview(key: string) {
        const i = processes.findIndex((p) => p.key === key);
        return i < 0 ? null : { processId: String(700 + i) };
      },
      async startReview(d: ReviewDraft) {
        processes.push(d);
        if (startFails-- > 0) throw new UpstreamError('OTCS', 'UNAVAILABLE', 'Content Server is unavailable');
        return { processId: String(700 + processes.length - 1) };
      },
      async reviewStatus(processId: string) {
        return { processId, ...status, ...(status.decision ? { actor: 'rita', decidedAt: '2026-12-02T11:00:00.000Z' } : {}) };
      },
      getDocuments: async () => [],
    };
    const dam = {
      system: 'ICONIK',
      async openRendition(id: string) {
        return { body: body(`preview of ${id}`), mimeType: 'image/jpeg', size: 12 };
      },
      async getAssets(ids: readonly string[]) {
        return ids.map((id) => ({ approval: approvals.get(id) }) as unknown as Asset);
      },
      async writeFields(id: string, v: DamFieldValues) {
        writes.push(`${id} ${v.approval}`);
        approvals.set(id, v.approval as string);
      },
    };
    return { ecm, dam, docs, processes, approvals, writes, decide: (s: typeof status) => (status = s) };
  }

  it('previews filed once, one process despite a failed start, then the decision written to both assets and recorded', async () => {
    const f = fakes();
    const store = new SyncStore({ db });
    const deps: ReviewDeps = {
      ecm: f.ecm as never,
      dams: { ICONIK: f.dam as never },
      store,
      config: { workflowId: '8100', assetsFormId: 'WorkflowForm_3' },
      now: () => clock,
    };
    const runner = runnerOf();
    const reviews = registerReviews(runner, deps);
    const input = {
      id: reviewIdOf('marketing@atrium.example', 'k1'),
      assets: ['a1', 'a2'].map((n) => ({ id: assetId('ICONIK', n), system: 'ICONIK' as const, nativeId: n, title: `Hero ${n}` })),
      workspaceId: '2000',
      requestedBy: 'marketing@atrium.example',
      note: 'for the launch',
      dueDate: '2026-12-10',
      reviewers: ['rita@atrium.example'],
    };
    await assert.rejects(runner.execute(reviews.request, 'marketing@atrium.example', 'k1', input), /unavailable/);
    // The first start did not answer (and left no process the look finds: it failed before initiating).
    f.processes.length = 0;
    const done = await runner.execute(reviews.request, 'marketing@atrium.example', 'k1', input);
    assert.equal(done.result.state, 'RUNNING');
    assert.equal(done.result.processId, '700');
    assert.equal(f.docs.size, 2, 'each preview filed once');
    assert.equal(f.processes.length, 1);
    assert.deepEqual(f.processes[0]?.documentIds, ['9000', '9001']);
    assert.equal(f.processes[0]?.values?.WorkflowForm_3, 'iconik:a1, iconik:a2');
    assert.equal((await runner.execute(reviews.request, 'marketing@atrium.example', 'k1', input)).replayed, true);

    assert.equal(await reviews.track(quiet), 0, 'still running');
    f.decide({ state: 'COMPLETED', decision: 'REJECTED', comment: 'logo too small' });
    assert.equal(await reviews.track(quiet), 1);
    await drain(runner);
    assert.deepEqual(f.writes.sort(), ['a1 REJECTED', 'a2 REJECTED']);
    const r = await store.review(input.id);
    assert.deepEqual([r?.state, r?.decision, r?.comment, r?.decidedBy], ['DECIDED', 'REJECTED', 'logo too small', 'rita']);
    const record = f.docs.get(r?.recordId as string);
    assert.match(record?.name ?? '', /^Approval record - rv_/);
    assert.equal(JSON.parse(record?.text ?? '{}').comment, 'logo too small');
    assert.equal(await reviews.track(quiet), 0, 'a decided review is not looked at again');
    assert.deepEqual(
      (await store.reviewsOf([assetId('ICONIK', 'a1'), assetId('ICONIK', 'zz')])).map((l) => l.length),
      [1, 0],
    );
  });
});
