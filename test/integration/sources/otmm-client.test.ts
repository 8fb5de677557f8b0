/**
 * Contract tests of the OTMM connector against its simulator over real HTTP: session renewal,
 * retries and typed errors, path safety, batching (one upstream request per call), pushed-down
 * filters compared with the world's ground truth, paging, facets, renditions and changes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import { UpstreamError, type UpstreamErrorKind } from '../../../sources/http/errors.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { Asset, CanonicalFilter } from '../../../sources/model.ts';
import type { DamSource } from '../../../sources/ports.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { createOtmmClient, otmmChangeCursor, type OtmmClientOptions } from '../../../sources/otmm/client.ts';
import { createOtmmSimulator, type OtmmSimOptions } from '../../../simulators/otmm/simulator.ts';
import { expectedRights, iso, simFaults, simRequests, simReset, simStats, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const ALL: DemoAsset[] = [...world.assets('OTMM')];
const NOW = new Date(world.asOf + 12 * 3600_000).toISOString();
const SEARCH = 'POST /otmmapi/v6/search/text';
const LOGIN = 'POST /otmmapi/v6/sessions';
const HOSTILE = ['../x', '1?a=b', '%2F', '#x', 'http://evil/x', 'a\r\nb', '..'];

async function startSim(opts?: OtmmSimOptions): Promise<{ sim: Simulator; base: string }> {
  const sim = createOtmmSimulator(world, mapping, opts);
  return { sim, base: await sim.listen(0) };
}
const client = (base: string, extra: Partial<OtmmClientOptions> = {}): DamSource =>
  createOtmmClient({ baseUrl: base, ...DEMO_CREDENTIALS.otmm, mapping, timeoutMs: 2000, backoffBaseMs: 10, ...extra });

async function rejectsWith(p: Promise<unknown>, kind: UpstreamErrorKind): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UpstreamError, `an UpstreamError, got ${String(e)}`);
    assert.equal(e.kind, kind);
    assert.equal(e.system, 'OTMM');
    return true;
  });
}

/** The CanonicalFilter semantics of model.ts, evaluated on the world's ground truth. */
function matches(a: DemoAsset, f: CanonicalFilter): boolean {
  const within = <T>(list: readonly T[] | undefined, v: T | undefined) => list === undefined || (v !== undefined && list.includes(v));
  if (f.campaignCodes || f.accountIds) {
    const owner =
      (a.campaignCode !== undefined && !!f.campaignCodes?.includes(a.campaignCode)) ||
      (a.accountId !== undefined && !!f.accountIds?.includes(a.accountId));
    if (!owner) return false;
  }
  if (!within(f.approvals, a.approval) || !within(f.rightsStatuses, a.rights.status) || !within(f.kinds, a.kind)) return false;
  if (!within(f.locales, a.locale) || !within(f.productLines, a.productLine) || !within(f.regions, a.region)) return false;
  if (f.channels && !a.rights.channels.some((c) => f.channels?.includes(c))) return false;
  if (f.territories && !a.rights.territories.some((t) => t === 'WORLD' || f.territories?.includes(t))) return false;
  const from = a.rights.validFrom ? Date.parse(a.rights.validFrom) : undefined;
  const until = a.rights.validUntil ? Date.parse(a.rights.validUntil) : undefined;
  if (f.validAt) {
    const t = Date.parse(f.validAt);
    if ((from !== undefined && from > t) || (until !== undefined && until <= t)) return false;
  }
  if (f.validUntilBetween) {
    const { from: lo, to: hi } = f.validUntilBetween;
    if (until === undefined || (lo && until < Date.parse(lo)) || (hi && until >= Date.parse(hi))) return false;
  }
  if (
    f.text &&
    !f.text
      .toLowerCase()
      .split(/\s+/)
      .every((t) => `${a.title} ${a.description}`.toLowerCase().includes(t))
  )
    return false;
  if (f.modifiedSince && Date.parse(a.modifiedAt) < Date.parse(f.modifiedSince)) return false;
  return true;
}

async function findAll(src: DamSource, filter: CanonicalFilter, first = 50): Promise<{ items: Asset[]; totals: number[] }> {
  const items: Asset[] = [];
  const totals: number[] = [];
  let after: string | undefined;
  do {
    const page = await src.findAssets(filter, { first, ...(after ? { after } : {}) });
    items.push(...page.items);
    totals.push(page.total);
    after = page.next;
  } while (after);
  return { items, totals };
}

const searches = async (base: string) => (await simStats(base)).byRoute[SEARCH] ?? 0;
const logins = async (base: string) => (await simStats(base)).byRoute[LOGIN] ?? 0;

describe('OTMM client: reads against the world', () => {
  let sim: Simulator;
  let base: string;
  let src: DamSource;
  before(async () => {
    ({ sim, base } = await startSim());
    src = client(base);
    await src.ping();
  });
  after(() => sim.close());

  test("round trip: canonical fields equal the world's", async () => {
    const sample = [0, 1, 3, 8, 11, 13, 42, 57, 120, 199].map((i) => ALL[i] as DemoAsset);
    const got = await src.getAssets(sample.map((a) => a.nativeId));
    sample.forEach((w, i) => {
      const a = got[i] as Asset;
      assert.ok(a, `asset ${w.index} found`);
      assert.equal(a.source.system, 'OTMM');
      assert.equal(a.source.nativeId, w.nativeId);
      assert.equal(a.title, w.title);
      assert.equal(a.kind, w.kind);
      assert.equal(a.mimeType, w.mimeType);
      assert.equal(a.approval, w.approval);
      assert.deepEqual(a.rights, expectedRights(w));
      assert.equal(a.campaignCode, w.campaignCode);
      assert.equal(a.accountId, w.accountId);
      assert.equal(a.locale, w.locale);
      assert.equal(a.variantOf, w.variantOf);
      assert.equal(a.metadata.productLine, w.productLine);
      assert.equal(a.metadata.region, w.region);
      assert.deepEqual(a.renditions.map((r) => r.kind).sort(), w.renditions.map((r) => r.kind).sort());
      assert.equal(a.createdAt, iso(w.createdAt));
      assert.equal(a.modifiedAt, iso(w.modifiedAt));
      assert.match(a.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });
    assert.ok(sample.some((w) => w.variantOf) && sample.some((w) => !w.variantOf), 'sample has masters and variants');
    assert.ok(
      sample.some((w) => w.rights.licenceId),
      'sample has a licence',
    );
  });

  test('getAssets(100 ids) is exactly one upstream request, in key order with null for missing', async () => {
    await simReset(base);
    const ids = ALL.slice(0, 97).map((a) => a.nativeId);
    const unknown = `${(ALL[0] as DemoAsset).nativeId.slice(0, 28)}ffffffffffff`;
    const keys = [unknown, ...ids.slice().reverse(), 'not-an-id', (ALL[3] as DemoAsset).nativeId];
    assert.equal(keys.length, 100);
    const got = await src.getAssets(keys);
    assert.equal(got.length, keys.length);
    assert.equal(got[0], null);
    assert.equal(got[98], null);
    keys.forEach((k, i) => {
      if (i !== 0 && i !== 98) assert.equal(got[i]?.source.nativeId, k);
    });
    const stats = await simStats(base);
    assert.deepEqual(stats.byRoute, { [SEARCH]: 1 });
  });

  test('getAssets with only invalid ids makes no upstream request', async () => {
    await simReset(base);
    assert.deepEqual(await src.getAssets(['nope', '']), [null, null]);
    assert.equal((await simStats(base)).total, 0);
  });

  test('findAssets for 20 campaign codes is one request and returns exactly their assets', async () => {
    await simReset(base);
    const codes = [
      ...[...world.campaigns()].map((c) => c.code),
      ...Array.from({ length: 10 }, (_, i) => `CMP-1999-${String(i).padStart(3, '0')}`),
    ];
    assert.equal(codes.length, 20);
    const page = await src.findAssets({ campaignCodes: codes }, { first: 200 });
    assert.deepEqual((await simStats(base)).byRoute, { [SEARCH]: 1 });
    assert.equal(page.total, ALL.length);
    assert.deepEqual(
      page.items.map((a) => a.source.nativeId),
      ALL.map((a) => a.nativeId),
    );
  });

  test("pushed-down filters return exactly the world's matching set", async () => {
    const asOf = new Date(world.asOf).toISOString();
    const in90 = new Date(world.asOf + 90 * 86_400_000).toISOString();
    const filters: CanonicalFilter[] = [
      { approvals: ['APPROVED'], territories: ['APAC'], channels: ['partner'], validAt: NOW, locales: ['de-DE'] },
      { approvals: ['APPROVED'], territories: ['APAC'], channels: ['partner'], validAt: NOW },
      { locales: ['de-DE', 'ja-JP'], kinds: ['DOCUMENT'] },
      { kinds: ['IMAGE'], regions: ['EMEA'] },
      { rightsStatuses: ['EXPIRED', 'RESTRICTED'] },
      { validUntilBetween: { from: asOf, to: in90 } },
      { validUntilBetween: { to: asOf } },
      { productLines: ['Aurora Laptops'], campaignCodes: ['CMP-2026-001', 'CMP-2026-004'], accountIds: ['ACC-NOPE'] },
      { text: 'print insert', channels: ['print'] },
      { modifiedSince: new Date(world.asOf - 120 * 86_400_000).toISOString() },
    ];
    for (const filter of filters) {
      const expected = ALL.filter((a) => matches(a, filter)).map((a) => a.nativeId);
      assert.ok(expected.length > 0 && expected.length < ALL.length, `selective: ${JSON.stringify(filter)}`);
      const { items, totals } = await findAll(src, filter);
      assert.deepEqual(
        items.map((a) => a.source.nativeId),
        expected,
        JSON.stringify(filter),
      );
      assert.ok(
        totals.every((t) => t === expected.length),
        'total is the whole match count',
      );
    }
  });

  test('a filter nothing can match makes no request', async () => {
    await simReset(base);
    for (const filter of [{ campaignCodes: [] }, { kinds: [] }, { approvals: [] }] as CanonicalFilter[]) {
      assert.deepEqual(await src.findAssets(filter, { first: 10 }), { items: [], total: 0 });
    }
    assert.equal((await simStats(base)).total, 0);
    assert.deepEqual((await src.findAssets({ kinds: ['VIDEO'] }, { first: 10 })).items, []);
  });

  test('paging through findAssets yields each asset once and count == total', async () => {
    await simReset(base);
    const { items, totals } = await findAll(src, {}, 23);
    const ids = items.map((a) => a.source.nativeId);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(ids.length, totals[0]);
    assert.equal(ids.length, ALL.length);
    assert.equal(await searches(base), Math.ceil(ALL.length / 23));
    await rejectsWith(src.findAssets({}, { first: 10, after: 'garbage' }), 'BAD_REQUEST');
  });

  test("facets map to canonical fields with the world's counts", async () => {
    const filter: CanonicalFilter = { locales: ['fr-FR'] };
    const page = await src.findAssets(filter, { first: 1 }, { facets: true });
    const expected = ALL.filter((a) => matches(a, filter));
    const counts = (key: (a: DemoAsset) => string | undefined) => {
      const m: Record<string, number> = {};
      for (const a of expected) m[key(a) as string] = (m[key(a) as string] ?? 0) + 1;
      return m;
    };
    const facet = (field: string) =>
      Object.fromEntries(page.facets?.find((f) => f.field === field)?.values.map((v) => [v.value, v.count]) ?? []);
    assert.deepEqual(
      facet('approval'),
      counts((a) => a.approval),
    );
    assert.deepEqual(
      facet('rightsStatus'),
      counts((a) => a.rights.status),
    );
    assert.deepEqual(
      facet('campaignCode'),
      counts((a) => a.campaignCode),
    );
    assert.deepEqual(facet('locale'), { 'fr-FR': expected.length });
    assert.deepEqual(
      facet('kind'),
      counts((a) => a.kind),
    );
    assert.equal((await src.findAssets(filter, { first: 1 })).facets, undefined, 'no facets unless asked');
  });

  test('openRendition streams real bytes; ORIGINAL is the master content', async () => {
    const image = ALL[0] as DemoAsset;
    const thumb = await src.openRendition(image.nativeId, 'THUMBNAIL');
    assert.equal(thumb.mimeType, 'image/png');
    const png = Buffer.from(await new Response(thumb.body).arrayBuffer());
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(thumb.size, png.length);
    const pdfAsset = ALL.find((a) => a.mimeType === 'application/pdf') as DemoAsset;
    const original = await src.openRendition(pdfAsset.nativeId, 'ORIGINAL');
    assert.equal(original.mimeType, 'application/pdf');
    assert.equal(original.fileName, pdfAsset.fileName);
    assert.equal(
      Buffer.from(await new Response(original.body).arrayBuffer())
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );
    await rejectsWith(src.openRendition(pdfAsset.nativeId, 'WEB'), 'NOT_FOUND');
    await rejectsWith(src.openRendition('0'.repeat(40), 'THUMBNAIL'), 'NOT_FOUND');
  });

  test('openRendition returns before a slow body has arrived (no buffering)', async () => {
    await simReset(base);
    await simFaults(base, { route: 'GET /otmmapi/v6/renditions/:content_id', slowBodyMs: 600 });
    const t0 = Date.now();
    const content = await src.openRendition((ALL[0] as DemoAsset).nativeId, 'PREVIEW');
    const opened = Date.now() - t0;
    const bytes = Buffer.from(await new Response(content.body).arrayBuffer());
    const done = Date.now() - t0;
    assert.ok(opened < 400, `opened after ${opened} ms`);
    assert.ok(done >= 500, `body took ${done} ms`);
    assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
    await simReset(base);
  });

  test('hostile ids never reach the upstream or change the requested path', async () => {
    await simReset(base);
    assert.deepEqual(
      await src.getAssets(HOSTILE),
      HOSTILE.map(() => null),
    );
    for (const id of HOSTILE) await rejectsWith(src.openRendition(id, 'THUMBNAIL'), 'NOT_FOUND');
    assert.equal((await simStats(base)).total, 0);
  });

  test('hostile content ids from the upstream stay one encoded path segment', async () => {
    const image = (ALL[0] as DemoAsset).nativeId;
    for (const hostile of HOSTILE) {
      // An upstream (or a proxy) answering with a hostile content id and URL.
      const rewrite: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        if (!String(input).includes(`/assets/${image}?`)) return res;
        const body = (await res.json()) as {
          asset_resource: { asset: { rendition_content: Record<string, { id: string; url: string }> } };
        };
        body.asset_resource.asset.rendition_content.thumbnail_content = { id: hostile, url: 'http://evil/x' };
        return new Response(JSON.stringify(body), { status: res.status, headers: { 'content-type': 'application/json' } });
      };
      await simReset(base);
      const evil = client(base, { fetch: rewrite });
      await assert.rejects(evil.openRendition(image, 'THUMBNAIL'), (e: unknown) => e instanceof UpstreamError && e.kind === 'NOT_FOUND');
      const paths = (await simRequests(base)).map((r) => r.rawPath.split('?')[0] as string);
      for (const p of paths)
        assert.match(p, /^\/otmmapi\/v6\/(sessions|assets\/[0-9a-f]{40}|renditions\/[^/]+)$/, `requested ${JSON.stringify(p)}`);
      const rendition = paths.find((p) => p.startsWith('/otmmapi/v6/renditions/'));
      if (hostile === '..') assert.equal(rendition, undefined, 'a dot-segment id is refused before any request');
      else assert.equal(decodeURIComponent(rendition?.slice('/otmmapi/v6/renditions/'.length) ?? ''), hostile);
    }
  });

  test('changesSince polls the last-updated date and resumes from its cursor', async () => {
    const since = new Date(world.asOf - 60 * 86_400_000);
    const recent = client(base, { now: () => since.getTime() });
    const first = await recent.changesSince();
    const expected = ALL.filter((a) => Date.parse(a.modifiedAt) >= since.getTime());
    assert.ok(expected.length > 0 && expected.length < ALL.length);
    assert.deepEqual(first.changes.map((c) => c.nativeId).sort(), expected.map((a) => a.nativeId).sort());
    assert.ok(first.changes.every((c, i, l) => c.kind === 'asset' && (i === 0 || (l[i - 1] as { at: string }).at <= c.at)));
    assert.deepEqual(
      first.changes.map((c) => c.operation).sort(),
      expected.map((a) => (Date.parse(a.createdAt) >= since.getTime() ? 'create' : 'update')).sort(),
    );
    assert.deepEqual((await recent.changesSince(first.cursor)).changes, [], 'nothing new since the cursor');
    const resumed = await src.changesSince(otmmChangeCursor(since));
    assert.equal(resumed.changes.length, expected.length);
    await rejectsWith(src.changesSince('garbage'), 'BAD_REQUEST');
  });
});

describe('OTMM client: sessions, retries and typed errors', () => {
  let clock = Date.now();
  let sim: Simulator;
  let base: string;
  before(async () => ({ sim, base } = await startSim({ sessionTtlMs: 60_000, now: () => clock })));
  after(() => sim.close());

  test('bad credentials are UNAUTHENTICATED', async () => {
    await rejectsWith(client(base, { password: 'wrong' }).ping(), 'UNAUTHENTICATED');
  });

  test('an expired session is renewed once and the call retried', async () => {
    const src = client(base);
    await src.ping();
    await simReset(base);
    clock += 61_000;
    assert.ok((await src.getAssets([(ALL[0] as DemoAsset).nativeId]))[0]);
    assert.equal(await logins(base), 1);
    assert.deepEqual(
      (await simRequests(base)).map((r) => `${r.route} ${r.status}`),
      [`${SEARCH} 401`, `${LOGIN} 200`, `${SEARCH} 200`],
    );
  });

  test('20 concurrent calls on an expired session share one re-login', async () => {
    const src = client(base);
    await src.ping();
    await simReset(base);
    clock += 61_000;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => src.getAssets([(ALL[i] as DemoAsset).nativeId])));
    assert.ok(results.every((r) => r[0] !== null));
    assert.equal(await logins(base), 1);
    assert.equal(await searches(base), 40, 'each call: one refused, one retried');
  });

  test('5xx is retried within the budget, then UNAVAILABLE', async () => {
    const src = client(base, { retries: 2 });
    await src.ping();
    await simReset(base);
    await simFaults(base, { route: SEARCH, errorStatus: 503 });
    await rejectsWith(src.findAssets({}, { first: 5 }), 'UNAVAILABLE');
    assert.equal(await searches(base), 3);
    await simReset(base);
    await simFaults(base, { route: SEARCH, errorStatus: 502, times: 1 });
    assert.equal((await src.findAssets({}, { first: 5 })).items.length, 5);
    assert.equal(await searches(base), 2);
  });

  test('429 Retry-After is honoured', async () => {
    const src = client(base);
    await src.ping();
    await simReset(base);
    await simFaults(base, { route: SEARCH, errorStatus: 429, retryAfter: 1, times: 1 });
    const t0 = Date.now();
    assert.equal((await src.findAssets({}, { first: 1 })).items.length, 1);
    assert.ok(Date.now() - t0 >= 950, `waited ${Date.now() - t0} ms`);
    assert.equal(await searches(base), 2);
  });

  test('malformed and truncated bodies become typed errors', async () => {
    const src = client(base, { retries: 1 });
    await src.ping();
    await simReset(base);
    await simFaults(base, { route: SEARCH, malformed: true });
    await rejectsWith(src.findAssets({}, { first: 1 }), 'MALFORMED');
    await simReset(base);
    await simFaults(base, { route: SEARCH, truncate: true });
    await rejectsWith(src.findAssets({}, { first: 1 }), 'UNAVAILABLE');
    await simReset(base);
  });

  test('valid JSON of the wrong shape is MALFORMED, never a crash', async () => {
    const bodies: unknown[] = [
      { search_result_resource: {} },
      { search_result_resource: { search_result: { total_hit_count: 1 }, asset_list: [{ name: 'no id' }] } },
      {
        search_result_resource: {
          search_result: { total_hit_count: 1 },
          asset_list: [{ asset_id: 'a', name: 'x', date_imported: 'soon', date_last_updated: 'never' }],
        },
      },
      { search_result_resource: { search_result: { total_hit_count: 'many' }, asset_list: [] } },
      { search_result_resource: { search_result: { total_hit_count: 0, facet_field_response_list: 'x' }, asset_list: [] } },
      [],
    ];
    for (const body of bodies) {
      const fake: typeof fetch = async (input, init) =>
        String(input).endsWith('/sessions') && init?.method === 'POST'
          ? new Response(JSON.stringify({ session_resource: { session: { id: 1 } } }), {
              headers: { 'set-cookie': 'JSESSIONID=A; Path=/' },
            })
          : new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
      await rejectsWith(client('http://otmm.invalid', { fetch: fake }).findAssets({}, { first: 1 }, { facets: true }), 'MALFORMED');
    }
  });

  test('a timeout is UNAVAILABLE', async () => {
    const src = client(base, { timeoutMs: 100, retries: 0 });
    await src.ping();
    await simReset(base);
    await simFaults(base, { route: SEARCH, latencyMs: 400 });
    await rejectsWith(src.findAssets({}, { first: 1 }), 'UNAVAILABLE');
    await simReset(base);
  });

  test('a down server is UNAVAILABLE', async () => {
    const src = client(base, { retries: 1 });
    await simReset(base);
    await simFaults(base, { down: true });
    await rejectsWith(src.ping(), 'UNAVAILABLE');
    await simReset(base);
  });
});
