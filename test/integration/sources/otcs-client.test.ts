/**
 * The Content Server client against its simulator over real HTTP: ticket renewal, retries and
 * typed errors, path safety, request counts (batching), and canonical round trips against the
 * demo world.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { createWorld, type DemoDocument, type DemoWorld } from '../../../simulators/demo/world.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { CanonicalFilter, Document } from '../../../sources/model.ts';
import { createOtcsClient, type OtcsClientOptions } from '../../../sources/otcs/client.ts';
import type { EcmSource } from '../../../sources/ports.ts';
import { createOtcsSimulator, type OtcsSimulator } from '../../../simulators/otcs/simulator.ts';
import { iso, simFaults, simRequests, simReset, simStats, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const docs = [...world.documents()];
const CGI = '/otcs/cs.exe';
const AUTH = `POST ${CGI}/api/v1/auth`;
const LIST = `POST ${CGI}/api/v2/nodes/list`;
const SEARCH = `POST ${CGI}/api/v2/search`;

/** The canonical metadata a document should read back as (dates in canonical ISO form). */
function expectedMetadata(d: DemoDocument): Record<string, unknown> {
  const m: Record<string, unknown> = { ...d.metadata };
  for (const k of ['validFrom', 'validUntil'] as const) if (d.metadata[k]) m[k] = iso(d.metadata[k]);
  return m;
}

function assertMatchesWorld(got: Document | null | undefined, d: DemoDocument) {
  assert.ok(got, `document ${d.nodeId} read back`);
  assert.equal(got.source.nativeId, String(d.nodeId));
  assert.equal(got.name, d.name);
  assert.equal(got.classification, d.classification);
  assert.equal(got.status, d.status);
  assert.equal(got.mimeType, d.mimeType);
  assert.equal(got.size, d.size);
  assert.equal(got.version, d.versions.length);
  assert.equal(got.workspaceId, String(d.workspaceId));
  assert.equal(got.parentId, String(d.parentId));
  assert.equal(got.modifiedAt, iso(d.modifiedAt));
  assert.deepEqual(got.metadata, expectedMetadata(d));
}

async function setup(w: DemoWorld = world, simOpts = {}, clientOpts: Partial<OtcsClientOptions> = {}) {
  const sim = createOtcsSimulator(w, mapping, simOpts);
  const base = await sim.listen(0);
  const client = createOtcsClient({ baseUrl: base + CGI, ...DEMO_CREDENTIALS.otcs, mapping, backoffBaseMs: 5, ...clientOpts });
  return { sim, base, client };
}

const byRoute = async (base: string, key: string) => (await simStats(base)).byRoute[key] ?? 0;
const kindOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    assert.ok(e instanceof UpstreamError, `typed error, got ${String(e)}`);
    return e.kind;
  }
};

describe('OTCS client: authentication', () => {
  let s: { sim: OtcsSimulator; base: string; client: EcmSource };
  before(async () => {
    s = await setup();
  });
  after(() => s.sim.close());

  it('logs in once, then renews an expired ticket once and retries the call', async () => {
    await s.client.ping();
    await s.client.getDocuments([String(docs[0]?.nodeId)]);
    assert.equal(await byRoute(s.base, AUTH), 1, 'one login for two calls');
    s.sim.expireTickets();
    const [doc] = await s.client.getDocuments([String(docs[1]?.nodeId)]);
    assert.equal(doc?.source.nativeId, String(docs[1]?.nodeId));
    assert.equal(await byRoute(s.base, AUTH), 2);
    assert.equal(await byRoute(s.base, LIST), 3, 'the refused call was retried once');
  });

  it('20 concurrent calls on an expired ticket cause exactly one re-login', async () => {
    await s.client.ping();
    const before = await byRoute(s.base, AUTH);
    s.sim.expireTickets();
    const results = await Promise.all(docs.slice(0, 20).map((d) => s.client.getDocuments([String(d.nodeId)])));
    assert.equal(results.filter(([d]) => d !== null).length, 20);
    assert.equal(await byRoute(s.base, AUTH), before + 1);
  });

  it('keeps its session alive with rotated tickets, and logs in again after the TTL', async () => {
    const short = await setup(world, { ticketTtlMs: 250 });
    try {
      // Six calls 100 ms apart outlive the first ticket: only picking up rotated ones avoids a re-login.
      for (let i = 0; i < 6; i++) {
        await short.client.ping();
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(await byRoute(short.base, AUTH), 1);
      await new Promise((r) => setTimeout(r, 350));
      await short.client.ping();
      assert.equal(await byRoute(short.base, AUTH), 2);
    } finally {
      await short.sim.close();
    }
  });

  it('reports bad credentials as UNAUTHENTICATED', async () => {
    const bad = createOtcsClient({ baseUrl: s.base + CGI, username: 'otadmin', password: 'nope', mapping });
    assert.equal(await kindOf(bad.ping()), 'UNAUTHENTICATED');
  });
});

describe('OTCS client: failures become typed errors', () => {
  let s: { sim: OtcsSimulator; base: string; client: EcmSource };
  const id = String(docs[3]?.nodeId);
  before(async () => {
    s = await setup(world, {}, { retries: 2, timeoutMs: 300 });
    await s.client.ping();
  });
  after(() => s.sim.close());
  beforeEach(() => simReset(s.base));

  it('retries 5xx within its budget, then UNAVAILABLE', async () => {
    await simFaults(s.base, { route: LIST, errorStatus: 503 });
    assert.equal(await kindOf(s.client.getDocuments([id])), 'UNAVAILABLE');
    assert.equal(await byRoute(s.base, LIST), 3, 'first attempt + 2 retries');
    await simFaults(s.base, { route: LIST, errorStatus: 502, times: 1 });
    const [doc] = await s.client.getDocuments([id]);
    assert.equal(doc?.source.nativeId, id);
  });

  it('honours Retry-After on 429', async () => {
    await simFaults(s.base, { route: LIST, errorStatus: 429, retryAfter: 0.3, times: 1 });
    const t0 = Date.now();
    const [doc] = await s.client.getDocuments([id]);
    assert.equal(doc?.source.nativeId, id);
    assert.ok(Date.now() - t0 >= 280, 'waited as asked');
  });

  it('turns malformed and truncated bodies into typed errors', async () => {
    await simFaults(s.base, { route: LIST, malformed: true });
    assert.equal(await kindOf(s.client.getDocuments([id])), 'MALFORMED');
    await simFaults(s.base, { route: LIST, truncate: true });
    assert.equal(await kindOf(s.client.getDocuments([id])), 'UNAVAILABLE');
  });

  it('turns valid JSON of the wrong shape into MALFORMED', async () => {
    const shapes = [{ results: [{ data: {} }] }, { results: [{ data: { properties: { id: 'x', type: 144 } } }] }, { results: 'nope' }, []];
    for (const body of shapes) {
      const fake: typeof fetch = async (input) => {
        const url = String(input);
        if (url.endsWith('/api/v1/auth')) return new Response(JSON.stringify({ ticket: 't' }), { status: 200 });
        return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      };
      const c = createOtcsClient({ baseUrl: 'http://cs.invalid/otcs/cs.exe', ...DEMO_CREDENTIALS.otcs, mapping, fetch: fake });
      assert.equal(await kindOf(c.getDocuments(['10000010'])), 'MALFORMED', JSON.stringify(body));
    }
  });

  it('times out slow answers as UNAVAILABLE', async () => {
    await simFaults(s.base, { route: LIST, latencyMs: 600 });
    const t0 = Date.now();
    assert.equal(await kindOf(s.client.getDocuments([id])), 'UNAVAILABLE');
    assert.ok(Date.now() - t0 < 1500);
  });

  it('maps a missing node to NOT_FOUND', async () => {
    assert.equal(await kindOf(s.client.getVersions('999')), 'NOT_FOUND');
  });
});

describe('OTCS client: paths and request counts', () => {
  let s: { sim: OtcsSimulator; base: string; client: EcmSource };
  before(async () => {
    s = await setup();
    await s.client.ping();
  });
  after(() => s.sim.close());
  beforeEach(() => simReset(s.base));

  it('never lets a hostile id change the requested path', async () => {
    const hostile = ['../x', '1?a=b', '%2F', '#x', 'http://evil/x', 'a\r\nb', '..', '10000010/../2000', ' 10000010', '1e3'];
    for (const h of hostile) {
      assert.deepEqual(await s.client.getDocuments([h]), [null]);
      for (const call of [
        s.client.getVersions(h),
        s.client.openContent(h),
        s.client.getAudit(h),
        s.client.getHolds(h),
        s.client.getRetention(h),
        s.client.getApprovals(h),
      ]) {
        assert.equal(await kindOf(call), 'NOT_FOUND', h);
      }
    }
    const id = String(docs[0]?.nodeId);
    await s.client.getVersions(id);
    const log = await simRequests(s.base);
    assert.deepEqual(
      log.map((r) => r.rawPath),
      [`${CGI}/api/v2/nodes/${id}/versions`],
    );
  });

  it('reads 100 documents with exactly one request, in key order with nulls', async () => {
    const ids = docs.slice(0, 98).map((d) => String(d.nodeId));
    const keys = [...ids.slice(0, 50), '999', '../x', ...ids.slice(50)].reverse();
    const got = await s.client.getDocuments(keys);
    const stats = await simStats(s.base);
    assert.equal(stats.total, 1);
    assert.equal(stats.byRoute[LIST], 1);
    assert.equal(got.length, 100);
    keys.forEach((k, i) => assert.equal(got[i]?.source.nativeId ?? null, ids.includes(k) ? k : null));
  });

  it('returns null for containers and makes no request when no id is valid', async () => {
    const [folder, ws] = await s.client.getDocuments([String(world.campaign(0).workspaceId + 1), String(world.campaign(0).workspaceId)]);
    assert.equal(folder, null);
    assert.equal(ws, null);
    await simReset(s.base);
    assert.deepEqual(await s.client.getDocuments(['x', '']), [null, null]);
    assert.equal((await simStats(s.base)).total, 0);
  });

  it('downloads the retention-schedule table once for many records, not once per record', async () => {
    const records = docs
      .filter((d) => d.record)
      .slice(0, 6)
      .map((d) => String(d.nodeId));
    assert.ok(records.length >= 2, 'the world has records');
    // A client of its own, so no earlier test has fetched the table yet.
    const own = await setup();
    try {
      const got = await Promise.all(records.map((id) => own.client.getRetention(id)));
      assert.ok(got.every((r) => r?.schedule));
      for (const id of records) await own.client.getRetention(id);
      const log = await simRequests(own.base);
      assert.equal(log.filter((r) => r.rawPath.includes('/api/v2/rsis')).length, 1);
      assert.equal(log.filter((r) => r.rawPath.includes('/rmclassifications')).length, records.length * 2);
    } finally {
      await own.sim.close();
    }
  });

  it('finds documents of 10 workspaces with one request', async () => {
    const wsIds = [...world.workspaces()].slice(0, 10).map((w) => String(w.nodeId));
    const page = await s.client.findDocuments({ workspaceIds: wsIds }, { first: 20 });
    const stats = await simStats(s.base);
    assert.equal(stats.total, 1);
    assert.equal(stats.byRoute[SEARCH], 1);
    assert.equal(page.total, docs.filter((d) => wsIds.includes(String(d.workspaceId))).length);
  });
});

describe('OTCS client: canonical round trip against the world', () => {
  let s: { sim: OtcsSimulator; base: string; client: EcmSource };
  before(async () => {
    s = await setup();
  });
  after(() => s.sim.close());

  it('reads documents back with the world values', async () => {
    const sample = docs.filter((_, i) => i % 9 === 0);
    const got = await s.client.getDocuments(sample.map((d) => String(d.nodeId)));
    sample.forEach((d, i) => assertMatchesWorld(got[i], d));
  });

  it('search hits map to the same canonical documents', async () => {
    const licences = docs.filter((d) => d.kind === 'licence' && d.workspaceId === world.campaign(2).workspaceId);
    const page = await s.client.findDocuments(
      { workspaceIds: [String(world.campaign(2).workspaceId)], channels: ['print'] },
      { first: 50 },
    );
    const expected = docs.filter((d) => d.workspaceId === world.campaign(2).workspaceId && d.metadata.channels?.includes('print'));
    assert.ok(licences.length > 0 && expected.length > 0);
    assert.equal(page.total, expected.length);
    for (const d of expected)
      assertMatchesWorld(
        page.items.find((x) => x.source.nativeId === String(d.nodeId)),
        d,
      );
  });

  it('versions, content, approvals, retention, holds and audit match the world', async () => {
    const d = docs.find((x) => x.versions.length > 1 && x.record && x.workflow.length > 1 && x.mimeType === 'application/pdf');
    const held = docs.find((x) => x.holdIds.length > 0);
    assert.ok(d && held);
    const id = String(d.nodeId);
    const versions = await s.client.getVersions(id);
    assert.deepEqual(
      versions.map((v) => [v.number, v.fileName, v.size, v.createdAt]),
      d.versions.map((v) => [v.number, v.fileName, v.size, iso(v.createdAt)]),
    );
    const content = await s.client.openContent(id, 1);
    const bytes = Buffer.from(await new Response(content.body).arrayBuffer());
    assert.equal(content.mimeType, d.mimeType);
    assert.equal(content.size, bytes.length);
    assert.equal(content.fileName, d.versions[0]?.fileName);
    assert.ok(bytes.subarray(0, 5).equals(Buffer.from('%PDF-')));
    const approvals = await s.client.getApprovals(id);
    assert.deepEqual(
      approvals.map((a) => [a.step, a.decision, a.actor, a.at, a.comment]),
      d.workflow.map((a) => [a.step, a.decision, a.actor, iso(a.at), a.comment]),
    );
    const retention = await s.client.getRetention(id);
    assert.deepEqual(retention, {
      classification: d.record?.classification,
      fileNumber: d.record?.fileNumber,
      schedule: d.record?.schedule,
      scheduleTitle: d.record?.scheduleTitle,
      recordDate: iso(d.record?.recordDate),
      dispositionDate: iso(d.record?.dispositionDate),
      disposition: d.record?.disposition,
      status: d.record?.status,
    });
    const noRecord = docs.find((x) => !x.record);
    assert.equal(await s.client.getRetention(String(noRecord?.nodeId)), null);
    const holds = await s.client.getHolds(String(held.nodeId));
    assert.deepEqual(
      holds.map((h) => h.id),
      held.holdIds.map(String),
    );
    assert.equal(holds[0]?.name, world.holds().find((h) => h.id === held.holdIds[0])?.name);
    const audit = await s.client.getAudit(id);
    assert.deepEqual(
      audit.map((a) => [a.action, a.at, a.actor]),
      d.audit.map((e) => [e.eventName, iso(e.at), world.userById(e.userId)?.email ?? 'Admin']),
    );
  });

  it('pages audit trails longer than one page', async () => {
    const d = docs.find((x) => x.audit.length >= 3);
    assert.ok(d);
    const small = await setup(world, { maxPageSize: 2 });
    try {
      const audit = await small.client.getAudit(String(d.nodeId));
      assert.equal(audit.length, d.audit.length);
      assert.equal(new Set(audit.map((a) => a.id)).size, d.audit.length);
    } finally {
      await small.sim.close();
    }
  });

  it('accepts the audit results-as-list variant', async () => {
    const d = docs[7] as DemoDocument;
    const alt = await setup(world, { auditResultsAsList: true });
    try {
      assert.equal((await alt.client.getAudit(String(d.nodeId))).length, d.audit.length);
    } finally {
      await alt.sim.close();
    }
  });
});

describe('OTCS client: filters pushed down', () => {
  let s: { sim: OtcsSimulator; base: string; client: EcmSource };
  before(async () => {
    s = await setup();
  });
  after(() => s.sim.close());

  async function all(filter: CanonicalFilter, first: number): Promise<{ ids: string[]; total: number; requests: number }> {
    await simReset(s.base);
    const ids: string[] = [];
    let after: string | undefined;
    let total = -1;
    for (let guard = 0; guard < 200; guard++) {
      const page = await s.client.findDocuments(filter, { first, ...(after ? { after } : {}), sort: { field: 'name', direction: 'asc' } });
      total = page.total;
      ids.push(...page.items.map((d) => d.source.nativeId));
      if (!page.next) break;
      after = page.next;
    }
    return { ids, total, requests: (await simStats(s.base)).byRoute[SEARCH] ?? 0 };
  }
  const expectIds = (pred: (d: DemoDocument) => boolean) =>
    docs
      .filter(pred)
      .map((d) => String(d.nodeId))
      .sort();

  it('classifications + statuses: exactly the world set, each once, across pages', async () => {
    const { ids, total, requests } = await all({ classifications: ['PUBLIC', 'PARTNER'], statuses: ['RELEASED'] }, 9);
    const expected = expectIds((d) => (d.classification === 'PUBLIC' || d.classification === 'PARTNER') && d.status === 'RELEASED');
    assert.equal(total, expected.length);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), expected);
    assert.equal(requests, Math.ceil(expected.length / 9));
  });

  it('campaign codes, accounts, regions, product lines, locales', async () => {
    const c = world.campaign(3);
    const a = world.account(1);
    assert.deepEqual(
      (await all({ campaignCodes: [c.code], locales: ['de-DE', 'ja-JP'] }, 50)).ids.sort(),
      expectIds((d) => d.metadata.campaignCode === c.code && ['de-DE', 'ja-JP'].includes(d.metadata.locale ?? '')),
    );
    assert.deepEqual(
      (await all({ accountIds: [a.id] }, 50)).ids.sort(),
      expectIds((d) => d.metadata.accountId === a.id),
    );
    assert.deepEqual(
      (await all({ regions: ['APAC'], productLines: ['Helix Wearables'] }, 100)).ids.sort(),
      expectIds((d) => d.metadata.region === 'APAC' && d.metadata.productLine === 'Helix Wearables'),
    );
  });

  it('territories with WORLD semantics, validAt, validUntilBetween, rights statuses', async () => {
    const now = '2026-11-22T00:00:00Z';
    const t = Date.parse(now);
    const terr = await all({ territories: ['APAC'] }, 100);
    assert.deepEqual(
      terr.ids.sort(),
      expectIds((d) => (d.metadata.territories ?? []).some((x) => x === 'APAC' || x === 'WORLD')),
    );
    const valid = await all({ validAt: now, classifications: ['CONFIDENTIAL'] }, 100);
    assert.deepEqual(
      valid.ids.sort(),
      expectIds(
        (d) =>
          d.classification === 'CONFIDENTIAL' &&
          (!d.metadata.validFrom || Date.parse(d.metadata.validFrom) <= t) &&
          (!d.metadata.validUntil || Date.parse(d.metadata.validUntil) > t),
      ),
    );
    const ending = await all({ validUntilBetween: { from: now, to: '2027-02-01T00:00:00Z' } }, 100);
    const expectedEnding = expectIds(
      (d) =>
        Boolean(d.metadata.validUntil) &&
        Date.parse(d.metadata.validUntil as string) >= t &&
        Date.parse(d.metadata.validUntil as string) < Date.parse('2027-02-01T00:00:00Z'),
    );
    assert.ok(expectedEnding.length > 0);
    assert.deepEqual(ending.ids.sort(), expectedEnding);
    assert.deepEqual(
      (await all({ rightsStatuses: ['EXPIRED'] }, 100)).ids.sort(),
      expectIds((d) => d.metadata.rightsStatus === 'EXPIRED'),
    );
  });

  it('text and modifiedSince', async () => {
    assert.deepEqual(
      (await all({ text: 'partner playbook' }, 100)).ids.sort(),
      expectIds((d) => ['partner', 'playbook'].every((w) => `${d.name} ${d.description}`.toLowerCase().includes(w))),
    );
    const since = '2026-11-01T00:00:00Z';
    assert.deepEqual(
      (await all({ modifiedSince: since }, 100)).ids.sort(),
      expectIds((d) => Date.parse(d.modifiedAt) >= Date.parse(since)),
    );
  });

  it('quotes values so they cannot rewrite the query, and skips the request for empty lists', async () => {
    assert.equal((await all({ campaignCodes: ['x" OR OTSubType:144 OR "'] }, 10)).total, 0);
    assert.equal((await all({ text: '") OR (OTSubType:144' }, 10)).total, 0);
    const empty = await all({ classifications: [] }, 10);
    assert.equal(empty.total, 0);
    assert.equal(empty.requests, 0);
    assert.equal((await all({ workspaceIds: ['../x'] }, 10)).requests, 0);
  });

  it('resumes at an absolute offset and returns facets on request', async () => {
    const filter: CanonicalFilter = { statuses: ['RELEASED'] };
    const whole = await s.client.findDocuments(filter, { first: 40, sort: { field: 'date', direction: 'desc' } });
    const tail = await s.client.findDocuments(filter, { first: 5, offset: 7, sort: { field: 'date', direction: 'desc' } });
    assert.deepEqual(
      tail.items.map((d) => d.source.nativeId),
      whole.items.slice(7, 12).map((d) => d.source.nativeId),
    );
    const faceted = await s.client.findDocuments(filter, { first: 1 }, { facets: true });
    const cls = faceted.facets?.find((f) => f.field === 'classification');
    assert.equal(
      cls?.values.find((v) => v.value === 'PUBLIC')?.count,
      docs.filter((d) => d.status === 'RELEASED' && d.classification === 'PUBLIC').length,
    );
  });
});

describe('OTCS client: changesSince', () => {
  it('reports documents modified after the client started, then nothing new', async () => {
    const future = createWorld({ seed: 42, scale: 1, asOf: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) });
    const s = await setup(future);
    try {
      const startedAt = Date.now();
      const first = await s.client.changesSince();
      const expected = [...future.documents()].filter((d) => Date.parse(d.modifiedAt) > startedAt - 1000).map((d) => String(d.nodeId));
      assert.ok(expected.length > 0);
      assert.deepEqual(first.changes.map((c) => c.nativeId).sort(), expected.sort());
      assert.ok(first.changes.every((c) => c.kind === 'document' && c.system === 'OTCS'));
      const second = await s.client.changesSince(first.cursor);
      assert.deepEqual(second.changes, []);
      assert.equal(await kindOf(s.client.changesSince('not-a-cursor')), 'BAD_REQUEST');
    } finally {
      await s.sim.close();
    }
  });
});
