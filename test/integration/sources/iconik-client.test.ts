/**
 * The iconik connector against its simulator over real HTTP: auth renewal, retries and
 * typed errors, path safety, one request per call, round trip to the canonical model,
 * pushed-down filters, paging, facets, downloads and the change feed.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';
import { createIconikClient, type IconikClientOptions } from '../../../sources/iconik/client.ts';
import { createIconikSimulator } from '../../../simulators/iconik/simulator.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { Asset, CanonicalFilter, Territory } from '../../../sources/model.ts';
import type { DamSource } from '../../../sources/ports.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { expectedRights, iso, simFaults, simRequests, simReset, simStats, testWorld, TEST_AS_OF } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const creds = DEMO_CREDENTIALS.iconik;
const assets = [...world.assets('ICONIK')];
const SEARCH = 'POST /API/search/v1/search/';
const LOGIN = 'POST /API/auth/v1/auth/simple/login/';

let sim: Simulator;
let root = '';
let client: DamSource;

const make = (o: Partial<IconikClientOptions> = {}): DamSource =>
  createIconikClient({ baseUrl: `${root}/API`, appId: creds.appId, authToken: creds.authToken, mapping, backoffBaseMs: 5, ...o });
const kindOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UpstreamError, `not an UpstreamError: ${String(e)}`);
    return e.kind;
  }
  return 'resolved';
};
const nativeIds = (list: readonly (Asset | DemoAsset)[]) => new Set(list.map((a) => ('source' in a ? a.source.nativeId : a.nativeId)));

before(async () => {
  sim = createIconikSimulator(world, mapping, { tokenTtlMs: 500 });
  root = await sim.listen(0);
  client = make();
  // The simulator generates rendition bytes (for their sizes) on first use; warm it so
  // timing-sensitive tests measure the client, not the first generation.
  await client.findAssets({}, { first: 500 });
});
after(() => sim.close());
afterEach(() => simReset(root));

describe('iconik client: auth', () => {
  it('re-logs in exactly once when the token expires under 20 concurrent calls', async () => {
    const c = make({ authToken: undefined, email: creds.email, password: creds.password });
    assert.equal((await c.getAssets([assets[0]?.nativeId ?? ''])).length, 1);
    await new Promise((r) => setTimeout(r, 550));
    const results = await Promise.all(assets.slice(0, 20).map((a) => c.getAssets([a.nativeId])));
    assert.ok(results.every((r) => r[0] !== null));
    assert.equal((await simStats(root)).byRoute[LOGIN], 2);
  });

  it('a refused token is UNAUTHENTICATED; ping checks the token', async () => {
    assert.equal(await kindOf(make({ authToken: 'wrong' }).ping()), 'UNAUTHENTICATED');
    const h = await client.ping();
    assert.equal(h.ok, true);
    // The refused static token is tried twice (one renewal attempt), the good one once.
    assert.equal((await simStats(root)).byRoute['GET /API/auth/v1/auth/token/'], 3);
  });
});

describe('iconik client: failures', () => {
  const ids = [assets[0]?.nativeId ?? ''];

  it('retries 5xx within the budget, then UNAVAILABLE', async () => {
    await simFaults(root, { route: SEARCH, errorStatus: 503 });
    assert.equal(await kindOf(client.getAssets(ids)), 'UNAVAILABLE');
    assert.equal((await simStats(root)).byRoute[SEARCH], 3);
    await simReset(root);
    await simFaults(root, { route: SEARCH, errorStatus: 502, times: 2 });
    assert.notEqual((await client.getAssets(ids))[0], null);
  });

  it('honours Retry-After on 429', async () => {
    await simFaults(root, { route: SEARCH, errorStatus: 429, retryAfter: 1, times: 1 });
    const started = Date.now();
    assert.notEqual((await client.getAssets(ids))[0], null);
    assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
  });

  it('malformed and truncated bodies become typed errors', async () => {
    await simFaults(root, { route: SEARCH, malformed: true });
    assert.equal(await kindOf(client.getAssets(ids)), 'MALFORMED');
    await simFaults(root, { route: SEARCH, truncate: true });
    assert.equal(await kindOf(client.getAssets(ids)), 'UNAVAILABLE');
  });

  it('valid JSON of the wrong shape is MALFORMED, never a crash', async () => {
    const bodies: unknown[] = [
      { objects: 'x' },
      { objects: [{ id: 'not-a-uuid', title: 't' }], total: 1 },
      { objects: [{ id: assets[0]?.nativeId, title: 't', date_created: 'yesterday' }], total: 1 },
      { objects: [{ id: assets[0]?.nativeId, title: 't', date_created: '2026-01-01T00:00:00Z', proxies: {} }], total: 1 },
      [],
    ];
    for (const body of bodies) {
      const fake: typeof fetch = async () =>
        new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      assert.equal(await kindOf(make({ fetch: fake }).getAssets(ids)), 'MALFORMED', JSON.stringify(body));
    }
  });

  it('a timeout is UNAVAILABLE', async () => {
    await simFaults(root, { route: SEARCH, latencyMs: 400 });
    assert.equal(await kindOf(make({ timeoutMs: 100, retries: 0 }).getAssets(ids)), 'UNAVAILABLE');
  });

  it('hostile ids never reach or change an upstream path', async () => {
    const hostile = ['../x', '1?a=b', '%2F', '#x', 'http://evil/x', 'a\r\nb', '..'];
    assert.deepEqual(
      await client.getAssets(hostile),
      hostile.map(() => null),
    );
    for (const id of hostile) assert.equal(await kindOf(client.openRendition(id, 'THUMBNAIL')), 'NOT_FOUND');
    assert.equal((await simStats(root)).total, 0);
    const good = assets[2]?.nativeId ?? '';
    const content = await client.openRendition(good, 'THUMBNAIL');
    await content.body.cancel();
    const paths = (await simRequests(root)).map((r) => r.rawPath.split('?')[0] ?? '');
    assert.deepEqual(paths.slice(0, 1), [`/API/files/v1/assets/${good}/proxies/`]);
    for (const r of await simRequests(root)) assert.notEqual(r.route, null, r.rawPath);
  });
});

describe('iconik client: one request per call', () => {
  it('getAssets(100 ids) is one upstream request, in key order, null for missing', async () => {
    const keys = [...assets.slice(0, 98).map((a) => a.nativeId), '00000000-0000-4000-8000-000000000000', 'bad id'];
    const got = await client.getAssets(keys);
    assert.equal((await simStats(root)).total, 1);
    assert.equal(got.length, 100);
    assert.deepEqual(
      got.slice(0, 98).map((a) => a?.source.nativeId),
      keys.slice(0, 98),
    );
    assert.deepEqual(got.slice(98), [null, null]);
  });

  it('findAssets for 20 campaign codes is one request', async () => {
    const codes = [...world.campaigns()].map((c) => c.code);
    const twenty = [...codes, ...Array.from({ length: 20 - codes.length }, (_, i) => `CMP-2099-${900 + i}`)];
    const page = await client.findAssets({ campaignCodes: twenty }, { first: 500 });
    assert.equal((await simStats(root)).total, 1);
    assert.deepEqual(nativeIds(page.items), nativeIds(assets.filter((a) => a.campaignCode)));
  });
});

describe('iconik client: canonical round trip', () => {
  it('maps title, kind, approval, rights, joins, locale and renditions as the world has them', async () => {
    const sample = assets.filter((_, i) => i % 7 === 0);
    const got = await client.getAssets(sample.map((a) => a.nativeId));
    sample.forEach((w, i) => {
      const a = got[i];
      assert.ok(a, w.nativeId);
      assert.equal(a.title, w.title);
      assert.equal(a.kind, w.kind);
      assert.equal(a.mimeType, w.mimeType);
      assert.equal(a.approval, w.approval);
      assert.deepEqual(a.rights, expectedRights(w));
      assert.equal(a.campaignCode, w.campaignCode);
      assert.equal(a.accountId, w.accountId);
      assert.equal(a.locale, w.locale);
      assert.equal(a.metadata.region, w.region);
      assert.equal(a.metadata.productLine, w.productLine);
      assert.deepEqual(
        a.renditions.map((r) => [r.kind, r.mimeType, r.width, r.height]),
        w.renditions.map((r) => [
          r.kind,
          r.mimeType,
          r.kind === 'ORIGINAL' ? undefined : r.width,
          r.kind === 'ORIGINAL' ? undefined : r.height,
        ]),
      );
      assert.equal(a.createdAt, iso(w.createdAt));
      assert.equal(a.modifiedAt, iso(w.modifiedAt));
    });
  });
});

describe('iconik client: pushed-down filters, paging, facets', () => {
  const now = `${TEST_AS_OF}T12:34:56.789Z`;
  const inForce = (a: DemoAsset, t: string) =>
    (!a.rights.validFrom || a.rights.validFrom <= t) && (!a.rights.validUntil || a.rights.validUntil >= t);
  const anyTerritory = (a: DemoAsset, ts: Territory[]) => a.rights.territories.some((t) => t === 'WORLD' || ts.includes(t));
  const all = async (filter: CanonicalFilter): Promise<Asset[]> => (await client.findAssets(filter, { first: 500 })).items;

  const cases: [string, CanonicalFilter, (a: DemoAsset) => boolean][] = [
    [
      'partner view: APPROVED + EMEA + partner + in force now',
      { approvals: ['APPROVED'], territories: ['EMEA'], channels: ['partner'], validAt: now },
      (a) =>
        a.approval === 'APPROVED' &&
        anyTerritory(a, ['EMEA']) &&
        a.rights.channels.includes('partner') &&
        inForce(a, new Date(now).toISOString()),
    ],
    [
      'campaign or account',
      { campaignCodes: ['CMP-2026-002'], accountIds: ['ACC-1003'] },
      (a) => a.campaignCode === 'CMP-2026-002' || a.accountId === 'ACC-1003',
    ],
    ['kinds', { kinds: ['AUDIO'] }, (a) => a.kind === 'AUDIO'],
    [
      'rights statuses and regions',
      { rightsStatuses: ['EXPIRED', 'RESTRICTED'], regions: ['NA'] },
      (a) => ['EXPIRED', 'RESTRICTED'].includes(a.rights.status) && a.region === 'NA',
    ],
    ['product lines', { productLines: ['Corporate'] }, (a) => a.productLine === 'Corporate'],
    [
      'expiring within 90 days',
      { validUntilBetween: { from: now, to: '2027-02-20T00:00:00.000Z' } },
      (a) => !!a.rights.validUntil && a.rights.validUntil >= now && Date.parse(a.rights.validUntil) <= Date.parse('2027-02-20T00:00:00Z'),
    ],
    ['text', { text: 'testimonial' }, (a) => `${a.title} ${a.description}`.toLowerCase().includes('testimonial')],
    [
      'modified since',
      { modifiedSince: '2026-10-01T00:00:00.000Z' },
      (a) => Date.parse(a.modifiedAt) >= Date.parse('2026-10-01T00:00:00Z'),
    ],
    ['locales (none carry one in iconik)', { locales: ['de-DE'] }, (a) => a.locale === 'de-DE'],
  ];
  for (const [name, filter, pred] of cases) {
    it(`returns exactly the world's matching set: ${name}`, async () => {
      const expected = assets.filter(pred);
      const got = await all(filter);
      assert.deepEqual(nativeIds(got), nativeIds(expected));
      assert.equal(got.length, expected.length);
    });
  }

  it('the partner filter is not vacuous', async () => {
    const got = await all(cases[0]?.[1] ?? {});
    assert.ok(got.length > 10 && got.length < assets.length - 10, String(got.length));
  });

  it('pages through every asset once; count equals total; name order holds', async () => {
    const seen: Asset[] = [];
    let after: string | undefined;
    let total = -1;
    let requests = 0;
    do {
      const page = await client.findAssets({}, { first: 17, ...(after ? { after } : {}), sort: { field: 'name', direction: 'asc' } });
      total = page.total;
      seen.push(...page.items);
      after = page.next;
      requests++;
    } while (after);
    assert.equal(total, assets.length);
    assert.equal(seen.length, total);
    assert.equal(nativeIds(seen).size, total);
    assert.equal(requests, Math.ceil(total / 17));
    const titles = seen.map((a) => a.title);
    assert.deepEqual(
      titles,
      [...titles].sort((x, y) => x.localeCompare(y, 'en')),
    );
  });

  it('an offset past the end is the end of the results, with the total and facets, not a failure', async () => {
    const end = assets.length;
    // first 20 at offset end: the page whose one page holds [end, end + 20) is past iconik's last page (404 there).
    const page = await client.findAssets({}, { first: 20, offset: end + 20 }, { facets: true });
    assert.deepEqual(page.items, []);
    assert.equal(page.total, end);
    assert.equal(page.next, undefined);
    assert.equal(
      page.facets?.find((f) => f.field === 'kind')?.values.reduce((n, v) => n + v.count, 0),
      end,
    );
    const statuses = (await simRequests(root)).filter((r) => r.route === SEARCH).map((r) => r.status);
    assert.deepEqual(statuses.slice(-2), [404, 200], 'the page past the end, then the first page for the total');
  });

  it('a cursor it did not make is BAD_REQUEST', async () => {
    assert.equal(await kindOf(client.findAssets({}, { first: 5, after: 'garbage!' })), 'BAD_REQUEST');
  });

  it('facets come back in canonical fields and values, counted over the whole match', async () => {
    const page = await client.findAssets({ approvals: ['APPROVED', 'PENDING'] }, { first: 3 }, { facets: true });
    const matching = assets.filter((a) => a.approval !== 'REJECTED');
    const facet = (f: string) => new Map(page.facets?.find((x) => x.field === f)?.values.map((v) => [v.value, v.count]));
    assert.equal(facet('approval').get('PENDING'), matching.filter((a) => a.approval === 'PENDING').length);
    assert.equal(facet('kind').get('VIDEO'), matching.filter((a) => a.kind === 'VIDEO').length);
    assert.equal(facet('territories').get('WORLD'), matching.filter((a) => a.rights.territories.includes('WORLD')).length);
    assert.equal(facet('campaignCode').get('CMP-2026-002'), matching.filter((a) => a.campaignCode === 'CMP-2026-002').length);
    assert.equal(facet('rightsStatus').get('EXPIRED'), matching.filter((a) => a.rights.status === 'EXPIRED').length);
  });
});

describe('iconik client: renditions and changes', () => {
  it('streams a thumbnail (real PNG) and the original (declared size)', async () => {
    const w = assets[4] as DemoAsset;
    const thumb = await client.openRendition(w.nativeId, 'THUMBNAIL');
    assert.ok(thumb.body instanceof ReadableStream);
    assert.equal(thumb.mimeType, 'image/png');
    const bytes = Buffer.from(await new Response(thumb.body).arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.equal(thumb.size, bytes.length);
    const original = await client.openRendition(w.nativeId, 'ORIGINAL');
    assert.equal(original.mimeType, w.mimeType);
    assert.equal(original.fileName, w.fileName);
    assert.equal((await new Response(original.body).arrayBuffer()).byteLength, original.size);
    assert.equal(await kindOf(client.openRendition(w.nativeId, 'WEB')), 'NOT_FOUND');
  });

  it('polls changes by date_modified, then continues from the cursor', async () => {
    const since = '2026-10-15T00:00:00.000Z';
    const c = make({ clock: () => Date.parse(since) });
    const first = await c.changesSince();
    const expected = assets.filter((a) => Date.parse(a.modifiedAt) > Date.parse(since));
    assert.ok(expected.length > 0);
    assert.deepEqual(new Set(first.changes.map((x) => x.nativeId)), nativeIds(expected));
    assert.ok(first.changes.every((x) => x.system === 'ICONIK' && x.kind === 'asset' && x.operation === 'update'));
    const again = await c.changesSince(first.cursor);
    assert.deepEqual(again.changes, []);
  });
});
