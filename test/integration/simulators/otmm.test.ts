/**
 * The OTMM simulator over real HTTP: sessions and their failure modes, assets and bytes, the
 * search (paging, conditions, facets), collections, folders, lookup domains, wire fidelity
 * against the vendor examples, and every fault of the /__sim control surface.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { createOtmmSimulator, type OtmmSimOptions } from '../../../simulators/otmm/simulator.ts';
import {
  OPERATORS,
  SYSTEM_FIELDS,
  type OtmmAsset,
  type OtmmAssetResource,
  type OtmmCollection,
  type OtmmExceptionBody,
  type OtmmListItem,
  type OtmmLookupDomain,
  type OtmmSearchCondition,
  type OtmmSearchResultResource,
  type OtmmSessionResource,
  type OtmmTokenResource,
} from '../../../sources/otmm/wire.ts';
import { assertSameShape } from '../../helpers/shape.ts';
import { simFaults, simReset, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const F = mapping.otmm.fields;
const ALL: DemoAsset[] = [...world.assets('OTMM')];
const API = '/otmmapi/v6';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/vendor/otmm/${name}`, import.meta.url), 'utf8'));

/** Every root the simulator answers with, typed by the wire module, to read answers in asserts. */
type Body = Partial<
  OtmmSessionResource &
    OtmmTokenResource &
    OtmmExceptionBody &
    OtmmAssetResource &
    OtmmSearchResultResource & {
      collection_resource: { collection: OtmmCollection[] };
      assets_resource: { asset_list: OtmmAsset[] };
      folders_resource: { folder_list: OtmmListItem[] };
      folder_children: { asset_list: OtmmListItem[] };
      lookup_domains_resource: { lookup_domains: OtmmLookupDomain[] };
      lookup_domain_resource: { lookup_domain: OtmmLookupDomain };
    }
>;
/** The value, asserted present. */
function must<T>(v: T | undefined | null, what = 'value'): T {
  assert.ok(v !== undefined && v !== null, `${what} is present`);
  return v;
}

async function start(opts?: OtmmSimOptions): Promise<{ sim: Simulator; base: string }> {
  const sim = createOtmmSimulator(world, mapping, opts);
  return { sim, base: await sim.listen(0) };
}

async function login(base: string, creds: { username: string; password: string } = DEMO_CREDENTIALS.otmm) {
  const res = await fetch(`${base}${API}/sessions`, { method: 'POST', headers: FORM, body: new URLSearchParams(creds) });
  const body = (await res.json()) as Body;
  const cookie = res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const headers: Record<string, string> = res.ok ? { 'x-requested-by': String(must(body.session_resource).session.id), cookie } : {};
  return { res, body, headers };
}

async function search(
  base: string,
  headers: Record<string, string>,
  fields: Record<string, string | number>,
): Promise<{ status: number; body: Body }> {
  const form = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]));
  const res = await fetch(`${base}${API}/search/text`, { method: 'POST', headers: { ...headers, ...FORM }, body: form });
  return { status: res.status, body: (await res.json()) as Body };
}

const conditions = (list: OtmmSearchCondition[]) => JSON.stringify({ search_condition_list: { search_condition: list } });
const scalar = (field: string, op: string, value?: string | string[], extra: Partial<OtmmSearchCondition> = {}): OtmmSearchCondition =>
  ({
    type: 'com.artesia.search.SearchScalarCondition',
    metadata_field_id: field,
    relational_operator_id: op,
    ...(Array.isArray(value) ? { value_list: value } : value === undefined ? {} : { value }),
    ...extra,
  }) as OtmmSearchCondition;

/** Ids of every hit, paging with after/limit until total_hit_count. */
async function allHits(
  base: string,
  headers: Record<string, string>,
  fields: Record<string, string | number>,
  limit = 500,
): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ;) {
    const { status, body } = await search(base, headers, { ...fields, after: offset, limit, load_type: 'system' });
    assert.equal(status, 200, JSON.stringify(body));
    const r = must(body.search_result_resource).search_result;
    ids.push(...r.asset_id_list);
    offset += r.hit_count;
    if (offset >= r.total_hit_count || r.hit_count === 0) return ids;
  }
}
const idsOf = (list: DemoAsset[]) => list.map((a) => a.nativeId);

describe('OTMM simulator: sessions', () => {
  let sim: Simulator;
  let base: string;
  before(async () => ({ sim, base } = await start()));
  after(() => sim.close());

  test('good credentials give session_resource and a session cookie', async () => {
    const { res, body } = await login(base);
    assert.equal(res.status, 200);
    assertSameShape(body, fixture('session_resource.json'), 'session_resource');
    assert.equal(must(body.session_resource).session.login_name, DEMO_CREDENTIALS.otmm.username);
    assert.match(res.headers.getSetCookie()[0] ?? '', /^JSESSIONID=[0-9A-F]+; Path=\/otmmapi; HttpOnly$/);
  });

  test('bad or missing credentials are refused with the exception body', async () => {
    const bad = await login(base, { username: DEMO_CREDENTIALS.otmm.username, password: 'wrong' });
    assert.equal(bad.res.status, 401);
    assert.equal(must(bad.body.exception_body).http_response_code, 401);
    assert.equal(typeof must(bad.body.exception_body).message, 'string');
    const missing = await fetch(`${base}${API}/sessions`, { method: 'POST', headers: FORM, body: 'username=tsuper' });
    assert.equal(missing.status, 400);
  });

  test('API calls need X-Requested-By and the matching session cookie', async () => {
    const { headers } = await login(base);
    const other = await login(base);
    const get = (h: Record<string, string>) => fetch(`${base}${API}/collections`, { headers: h });
    assert.equal((await get(headers)).status, 200);
    assert.equal((await get({ cookie: headers.cookie as string })).status, 401, 'no X-Requested-By');
    assert.equal((await get({ 'x-requested-by': headers['x-requested-by'] as string })).status, 401, 'no cookie');
    assert.equal((await get({ ...headers, cookie: other.headers.cookie as string })).status, 401, 'cookie of another session');
    assert.equal((await get({ ...headers, 'x-requested-by': '12345' })).status, 401, 'unknown session id');
    const body = (await (await get({})).json()) as Body;
    assert.equal(must(body.exception_body).http_response_code, 401);
  });

  test('the cookie requirement can be switched off', async () => {
    const { sim: lax, base: laxBase } = await start({ requireCookie: false });
    try {
      const { headers } = await login(laxBase);
      const res = await fetch(`${laxBase}${API}/collections`, { headers: { 'x-requested-by': headers['x-requested-by'] as string } });
      assert.equal(res.status, 200);
    } finally {
      await lax.close();
    }
  });

  test('GET /sessions returns the current session; DELETE logs out', async () => {
    const { headers, body } = await login(base);
    const current = (await (await fetch(`${base}${API}/sessions`, { headers })).json()) as Body;
    assert.equal(must(current.session_resource).session.id, must(body.session_resource).session.id);
    assert.equal((await fetch(`${base}${API}/sessions`, { method: 'DELETE', headers })).status, 204);
    assert.equal((await fetch(`${base}${API}/collections`, { headers })).status, 401);
  });

  test('OAuth2 password grant gives a bearer token the API accepts', async () => {
    const form = new URLSearchParams({
      grant_type: 'password',
      username: 'tsuper',
      password: DEMO_CREDENTIALS.otmm.password,
      client_id: 'atrium',
      client_secret: 's',
    });
    const res = await fetch(`${base}${API}/sessions/oauth2/token`, { method: 'POST', headers: FORM, body: form });
    const body = (await res.json()) as Body;
    assertSameShape(body, fixture('token_info.json'), 'token_info');
    const token = must(body.token_info).oauth_token.accessToken;
    assert.equal((await fetch(`${base}${API}/collections`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.equal((await fetch(`${base}${API}/collections`, { headers: { authorization: 'Bearer nope' } })).status, 401);
    form.set('password', 'wrong');
    assert.equal((await fetch(`${base}${API}/sessions/oauth2/token`, { method: 'POST', headers: FORM, body: form })).status, 401);
  });

  test('sessions expire after sessionTtlMs of inactivity', async () => {
    let clock = Date.parse('2026-11-22T10:00:00Z');
    const { sim: s, base: b } = await start({ sessionTtlMs: 60_000, now: () => clock });
    try {
      const { headers } = await login(b);
      clock += 50_000;
      assert.equal((await fetch(`${b}${API}/collections`, { headers })).status, 200, 'used within the TTL');
      clock += 50_000;
      assert.equal((await fetch(`${b}${API}/collections`, { headers })).status, 200, 'idle time restarts on use');
      clock += 60_001;
      assert.equal((await fetch(`${b}${API}/collections`, { headers })).status, 401, 'expired');
      assert.equal((await fetch(`${b}${API}/sessions`, { headers })).status, 401, 'and gone');
    } finally {
      await s.close();
    }
  });
});

describe('OTMM simulator: assets, search, containers', () => {
  let sim: Simulator;
  let base: string;
  let headers: Record<string, string>;
  before(async () => {
    ({ sim, base } = await start());
    ({ headers } = await login(base));
  });
  after(() => sim.close());
  const get = async (path: string) => {
    const res = await fetch(`${base}${API}${path}`, { headers });
    return { status: res.status, res, body: res.headers.get('content-type')?.includes('json') ? ((await res.json()) as Body) : undefined };
  };

  test('an asset has the vendor example shape, with mapped metadata fields', async () => {
    const pdf = ALL.find((a) => a.mimeType === 'application/pdf') as DemoAsset;
    const { status, body } = await get(`/assets/${pdf.nativeId}`);
    assert.equal(status, 200);
    assertSameShape(body, fixture('asset_resource.json'), 'asset_resource');
    const asset = must(body?.asset_resource).asset;
    assert.equal(asset.metadata_model_id, mapping.otmm.metadataModelId);
    assert.equal(asset.content_type, 'ACROBAT');
    const fields = must(must(asset.metadata).metadata_element_list[0]?.metadata_element_list);
    const byId = new Map(fields.map((f) => [f.id, f]));
    assertSameShape(byId.get(F.campaignCode), fixture('metadata_scalar_field.json'), 'scalar field');
    assert.equal(byId.get(F.campaignCode)?.value?.value?.value, pdf.campaignCode);
    const territories = must(byId.get(F.territories));
    assertSameShape(territories, fixture('metadata_list_field.json'), 'list field');
    assert.deepEqual(
      must(territories.metadata_element_list?.[0]?.values).map((v) => v.value?.value),
      pdf.rights.territories,
    );
  });

  test('load_type and level_of_detail choose what an asset carries; unknown ids are 404', async () => {
    const id = ALL[5]?.nativeId as string;
    const system = must((await get(`/assets/${id}?load_type=system&level_of_detail=slim`)).body?.asset_resource).asset;
    assert.equal(system.metadata, undefined);
    assert.equal(system.master_content_info, undefined);
    assert.equal(system.security_policy_list, undefined);
    const dlr = encodeURIComponent(JSON.stringify({ data_load_request: { load_thumbnail_info: true } }));
    const custom = must((await get(`/assets/${id}?load_type=custom&data_load_request=${dlr}`)).body?.asset_resource).asset;
    assert.deepEqual(Object.keys(must(custom.rendition_content)), ['thumbnail_content']);
    assert.equal(custom.metadata, undefined);
    assert.equal((await get(`/assets/${'0'.repeat(40)}`)).status, 404);
    assert.equal((await get(`/assets/${id}?load_type=bogus`)).status, 400);
  });

  test('rendition and content bytes are real PNG and PDF', async () => {
    const image = ALL[0] as DemoAsset;
    const asset = must((await get(`/assets/${image.nativeId}`)).body?.asset_resource).asset;
    for (const key of ['thumbnail_content', 'preview_content'] as const) {
      const info = must(asset.rendition_content?.[key], key);
      const res = await fetch(`${base}${info.url}`, { headers });
      assert.equal(res.headers.get('content-type'), 'image/png');
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${key} is a PNG`);
      assert.equal(bytes.readUInt32BE(16), info.width, 'IHDR width matches the content info');
    }
    const pdf = ALL.find((a) => a.mimeType === 'application/pdf') as DemoAsset;
    const contents = await fetch(`${base}${API}/assets/${pdf.nativeId}/contents`, { headers });
    assert.equal(contents.headers.get('content-type'), 'application/pdf');
    assert.equal(
      Buffer.from(await contents.arrayBuffer())
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );
    const pdfAsset = must((await get(`/assets/${pdf.nativeId}`)).body?.asset_resource).asset;
    const delivered = await fetch(`${base}${must(pdfAsset.delivery_service_url)}`, { headers });
    assert.equal(delivered.headers.get('content-type'), 'application/pdf', 'the delivery service URL serves the master');
    assert.equal((await fetch(`${base}${pdfAsset.delivery_service_url}`)).status, 401, 'and needs a session');
    assert.equal((await get(`/renditions/${'f'.repeat(40)}`)).status, 404);
  });

  test('search pages with after/limit to the end: every asset once, in order', async () => {
    const ids = await allHits(base, headers, { keyword_query: '*' }, 37);
    assert.deepEqual(ids, idsOf(ALL));
    const { body } = await search(base, headers, { keyword_query: '*', after: 190, limit: 37 });
    const r = must(body.search_result_resource).search_result;
    assert.equal(r.hit_count, 10);
    assert.equal(r.offset, 190);
    assert.equal(r.total_hit_count, ALL.length);
    assert.equal(must(body.search_result_resource).asset_list.length, 10);
    assertSameShape(body, fixture('search_result_resource.json'), 'search_result_resource');
  });

  test('GET /search/text with keyword_query answers like POST', async () => {
    const res = await fetch(`${base}${API}/search/text?keyword_query=${encodeURIComponent('print insert')}&limit=500&load_type=system`, {
      headers,
    });
    const body = (await res.json()) as Body;
    const expected = ALL.filter((a) => /print insert/i.test(a.title));
    assert.ok(expected.length > 0);
    assert.deepEqual(must(body.search_result_resource).search_result.asset_id_list, idsOf(expected));
  });

  test('conditions: equals, contains, one-of, OR group, date range', async () => {
    const cases: [string, OtmmSearchCondition[], (a: DemoAsset) => boolean][] = [
      ['equals', [scalar(F.locale, OPERATORS.is, 'de-DE')], (a) => a.locale === 'de-DE'],
      ['contains', [scalar(SYSTEM_FIELDS.name, OPERATORS.contains, 'PRINT INSERT')], (a) => a.title.includes('Print Insert')],
      [
        'one-of',
        [scalar(F.campaignCode, OPERATORS.isOneOf, ['CMP-2026-002', 'CMP-2026-007'])],
        (a) => ['CMP-2026-002', 'CMP-2026-007'].includes(a.campaignCode ?? ''),
      ],
      [
        'or group',
        [scalar(F.approval, OPERATORS.is, 'PENDING'), scalar(F.approval, OPERATORS.is, 'REJECTED', { relational_operator: 'or' })],
        (a) => a.approval !== 'APPROVED',
      ],
      [
        'date range',
        [
          scalar(F.validUntil, OPERATORS.dateIsAfter, '2026-11-22T00:00:00Z'),
          scalar(F.validUntil, OPERATORS.dateIsBefore, '2027-03-01T00:00:00Z'),
        ],
        (a) =>
          a.rights.validUntil !== undefined && a.rights.validUntil > '2026-11-22T00:00:00Z' && a.rights.validUntil < '2027-03-01T00:00:00Z',
      ],
      [
        'tabular one-of',
        [
          {
            type: 'com.artesia.search.SearchTabularCondition',
            metadata_table_id: F.territories,
            tabular_field_list: [
              {
                type: 'com.artesia.search.SearchTabularFieldCondition',
                metadata_field_id: F.territories,
                relational_operator_id: OPERATORS.isOneOf,
                value_list: ['APAC'],
              },
            ],
          },
        ],
        (a) => a.rights.territories.includes('APAC'),
      ],
    ];
    for (const [name, list, predicate] of cases) {
      const expected = idsOf(ALL.filter(predicate));
      assert.ok(expected.length > 0 && expected.length < ALL.length, `${name}: a selective case`);
      assert.deepEqual(await allHits(base, headers, { search_condition_list: conditions(list) }), expected, name);
    }
  });

  test('conditions: parentheses change how and/or group', async () => {
    const de = scalar(F.locale, OPERATORS.is, 'de-DE');
    const pending = scalar(F.approval, OPERATORS.is, 'PENDING');
    const c2 = scalar(F.campaignCode, OPERATORS.is, 'CMP-2026-002');
    // de-DE OR (PENDING AND CMP-2) -- AND binds tighter without parentheses.
    const plain = [de, { ...pending, relational_operator: 'or' as const }, { ...c2, relational_operator: 'and' as const }];
    // (de-DE OR PENDING) AND CMP-2
    const grouped = [
      { ...de, left_paren: '(' },
      { ...pending, relational_operator: 'or' as const, right_paren: ')' },
      { ...c2, relational_operator: 'and' as const },
    ];
    const isDe = (a: DemoAsset) => a.locale === 'de-DE';
    const isPending = (a: DemoAsset) => a.approval === 'PENDING';
    const isC2 = (a: DemoAsset) => a.campaignCode === 'CMP-2026-002';
    const expPlain = idsOf(ALL.filter((a) => isDe(a) || (isPending(a) && isC2(a))));
    const expGrouped = idsOf(ALL.filter((a) => (isDe(a) || isPending(a)) && isC2(a)));
    assert.notDeepEqual(expPlain, expGrouped);
    assert.deepEqual(await allHits(base, headers, { search_condition_list: conditions(plain) }), expPlain);
    assert.deepEqual(await allHits(base, headers, { search_condition_list: conditions(grouped) }), expGrouped);
  });

  test('bad conditions are 400 with the exception body', async () => {
    const bad = [
      'not json',
      conditions([scalar('NO.SUCH.FIELD', OPERATORS.is, 'x')]),
      conditions([scalar(F.locale, 'ARTESIA.OPERATOR.CHAR.LIKE', 'x')]),
      conditions([{ ...scalar(F.locale, OPERATORS.is, 'x'), left_paren: '(' }]),
      conditions([scalar(F.validFrom, OPERATORS.dateIsAfter, 'yesterday')]),
      conditions([scalar(F.locale, OPERATORS.isOneOf, 'not-a-list')]),
    ];
    for (const list of bad) {
      const { status, body } = await search(base, headers, { search_condition_list: list });
      assert.equal(status, 400, list);
      assert.equal(must(body.exception_body).http_response_code, 400);
    }
    assert.equal((await search(base, headers, { after: -1 })).status, 400);
  });

  test('facets count the matches; an EXCLUDE restriction keeps its own facet whole', async () => {
    const request = JSON.stringify({
      facet_field_request_list: {
        facet_field_request: [F.approval, F.locale].map((field_id) => ({
          type: 'com.artesia.search.facet.FacetSimpleFieldRequest',
          field_id,
        })),
      },
    });
    const restriction = JSON.stringify({
      facet_restriction_list: {
        facet_field_restriction: [
          {
            type: 'com.artesia.search.facet.FacetSimpleFieldRestriction',
            facet_generation_behavior: 'EXCLUDE',
            field_id: F.locale,
            value_list: ['de-DE'],
          },
        ],
      },
    });
    const { body } = await search(base, headers, { facet_field_request_list: request, facet_restriction_list: restriction, limit: 1 });
    const result = must(body.search_result_resource).search_result;
    const de = ALL.filter((a) => a.locale === 'de-DE');
    assert.equal(result.total_hit_count, de.length);
    const facet = (id: string) =>
      new Map(result.facet_field_response_list.find((f) => f.field_id === id)?.facet_value_list.map((v) => [v.value, v.asset_count]));
    const count = (list: DemoAsset[], key: (a: DemoAsset) => string | undefined) => {
      const m = new Map<string, number>();
      for (const a of list) m.set(key(a) as string, (m.get(key(a) as string) ?? 0) + 1);
      return m;
    };
    assert.deepEqual(
      facet(F.approval),
      count(de, (a) => a.approval),
      'approval facet counts the restricted hits',
    );
    assert.deepEqual(
      facet(F.locale),
      count(ALL, (a) => a.locale),
      'locale facet ignores its own EXCLUDE restriction',
    );
    const none = await search(base, headers, { limit: 1 });
    assert.deepEqual(must(none.body.search_result_resource).search_result.facet_field_response_list, [], 'no facets unless asked');
  });

  test("collections: one per campaign, with that campaign's assets", async () => {
    const { body } = await get('/collections');
    assertSameShape(body, fixture('collection_resource.json'), 'collection_resource');
    const collections = must(body?.collection_resource).collection;
    assert.equal(collections.length, world.counts.campaigns);
    const first = must(collections[0]);
    const code = must(first.name.split(' ')[0]);
    const assets = must((await get(`/collections/${first.id}/assets`)).body);
    assertSameShape(assets, fixture('assets_resource.json'), 'assets_resource');
    const listed = must(assets.assets_resource).asset_list;
    assert.deepEqual(
      listed.map((a) => a.asset_id),
      idsOf([...world.campaignAssets('OTMM', code)]),
    );
    assert.equal(first.asset_count, listed.length);
    const paged = must((await get(`/collections/${first.id}/assets?after=2&limit=3`)).body?.assets_resource);
    assert.deepEqual(
      paged.asset_list.map((a) => a.asset_id),
      idsOf([...world.campaignAssets('OTMM', code)]).slice(2, 5),
    );
    assert.equal((await get(`/collections/${'0'.repeat(40)}/assets`)).status, 404);
  });

  test('folders: root, product lines, campaigns, assets', async () => {
    const roots = must((await get('/folders/rootfolders')).body?.folders_resource).folder_list;
    assert.equal(roots.length, 1);
    const lines = must((await get(`/folders/${roots[0]?.asset_id}/children`)).body);
    assertSameShape(lines, fixture('folder_children.json'), 'folder_children');
    const lineItems = must(lines.folder_children).asset_list;
    assert.deepEqual(
      lineItems.map((f) => f.name),
      [...new Set([...world.campaigns()].map((c) => c.productLine))].sort(),
    );
    const campaigns = must((await get(`/folders/${lineItems[0]?.asset_id}/children`)).body?.folder_children).asset_list;
    assert.ok(campaigns.length > 0);
    assert.ok(campaigns.every((c) => c.container_type_id === 'ARTESIA.CONTAINER.TYPE.FOLDER'));
    const code = must(must(campaigns[0]).name.split(' ')[0]);
    const assets = must((await get(`/folders/${campaigns[0]?.asset_id}/children`)).body?.folder_children).asset_list;
    assert.deepEqual(
      assets.map((a) => a.asset_id),
      idsOf([...world.campaignAssets('OTMM', code)]),
    );
    assert.equal((await get(`/folders/${'1'.repeat(40)}/children`)).status, 404);
  });

  test('lookup domains list and fetch by id', async () => {
    const list = must((await get('/lookupdomains')).body);
    assertSameShape(list, fixture('lookup_domains_resource.json'), 'lookup_domains_resource');
    const ids = must(list.lookup_domains_resource).lookup_domains.map((d) => d.domainId);
    assert.ok(ids.includes('ATRIUM.DOMAIN.REGIONS') && ids.includes('ATRIUM.DOMAIN.CHANNELS'));
    const regions = must((await get('/lookupdomains/ATRIUM.DOMAIN.REGIONS')).body);
    assertSameShape(regions, fixture('lookup_domain_resource.json'), 'lookup_domain_resource');
    assert.deepEqual(
      must(regions.lookup_domain_resource).lookup_domain.domainValues.map((v) => v.field_value.value),
      ['EMEA', 'NA', 'APAC', 'LATAM'],
    );
    assert.equal((await get('/lookupdomains/NOPE')).status, 404);
  });
});

describe('OTMM simulator: options and faults', () => {
  let sim: Simulator;
  let base: string;
  let headers: Record<string, string>;
  before(async () => {
    ({ sim, base } = await start());
    ({ headers } = await login(base));
  });
  after(() => sim.close());
  const url = () => `${base}${API}/collections`;
  const timed = async <T>(fn: () => Promise<T>) => {
    const t0 = Date.now();
    const value = await fn();
    return { value, ms: Date.now() - t0 };
  };

  test('latency delays the answer', async () => {
    await simReset(base);
    await simFaults(base, { route: 'GET /otmmapi/v6/collections', latencyMs: 250 });
    const { value, ms } = await timed(() => fetch(url(), { headers }));
    assert.equal(value.status, 200);
    assert.ok(ms >= 240, `took ${ms} ms`);
  });

  test('errorStatus with errorRate 1 always fails, 0 never; retryAfter is sent', async () => {
    await simReset(base);
    await simFaults(base, { route: '/otmmapi/v6', errorStatus: 503, errorRate: 1, retryAfter: 7 });
    const res = await fetch(url(), { headers });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal(must(((await res.json()) as Body).exception_body).http_response_code, 503);
    await simFaults(base, { route: '/otmmapi/v6', errorStatus: 503, errorRate: 0 });
    assert.equal((await fetch(url(), { headers })).status, 200);
  });

  test('down resets the connection', async () => {
    await simReset(base);
    await simFaults(base, { down: true });
    await assert.rejects(fetch(url(), { headers }));
  });

  test('slowBodyMs trickles the body', async () => {
    await simReset(base);
    await simFaults(base, { slowBodyMs: 300 });
    const { value, ms } = await timed(async () => (await fetch(url(), { headers })).json());
    assert.ok((value as Body).collection_resource, 'the body still arrives whole');
    assert.ok(ms >= 250, `took ${ms} ms`);
  });

  test('truncate cuts the body short', async () => {
    await simReset(base);
    await simFaults(base, { truncate: true });
    await assert.rejects(async () => JSON.parse(await (await fetch(url(), { headers })).text()));
  });

  test('malformed sends a body that is not JSON', async () => {
    await simReset(base);
    await simFaults(base, { malformed: true });
    const res = await fetch(url(), { headers });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.throws(() => JSON.parse(text));
  });

  test('times lifts the fault after that many requests', async () => {
    await simReset(base);
    await simFaults(base, { errorStatus: 500, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(url(), { headers })).status);
    assert.deepEqual(statuses, [500, 500, 200]);
    await simReset(base);
  });

  test('rateLimit answers 429 with Retry-After past the budget', async () => {
    const { sim: limited, base: b } = await start({ rateLimit: { requests: 2, windowMs: 60_000 } });
    try {
      const { headers: h } = await login(b);
      const statuses = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${b}${API}/collections`, { headers: h });
        statuses.push(res.status);
        retryAfter = res.headers.get('retry-after');
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60);
    } finally {
      await limited.close();
    }
  });

  test('searchMethods limits /search/text to the configured methods', async () => {
    const { sim: postOnly, base: b } = await start({ searchMethods: ['POST'] });
    try {
      const { headers: h } = await login(b);
      assert.equal((await fetch(`${b}${API}/search/text?keyword_query=*`, { headers: h })).status, 404);
      assert.equal((await search(b, h, { keyword_query: '*', limit: 1 })).status, 200);
    } finally {
      await postOnly.close();
    }
  });
});
