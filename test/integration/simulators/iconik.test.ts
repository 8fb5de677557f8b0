/**
 * The iconik simulator over real HTTP: auth, login and token expiry, paging, search filters
 * and facets, every fault mode of /__sim/faults, signed downloads, webhooks, rate limit.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import { createIconikSimulator } from '../../../simulators/iconik/simulator.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { simFaults, simReset, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const F = mapping.iconik.fields;
const { appId, authToken, email, password } = DEMO_CREDENTIALS.iconik;
const AUTH = { 'App-ID': appId, 'Auth-Token': authToken };
const assets = [...world.assets('ICONIK')];
const ids = (list: readonly { id?: unknown; nativeId?: string }[]) => new Set(list.map((x) => String(x.nativeId ?? x.id)));

interface Call {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  ms: number;
}

let sim: Simulator;
let root = '';
let api = '';

async function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Call> {
  const started = Date.now();
  const res = await fetch(path.startsWith('http') ? path : `${api}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...(init.headers ?? AUTH) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    ms: Date.now() - started,
  };
}

const search = (body: unknown, query = 'per_page=500') => call(`/search/v1/search/?${query}`, { body });
const objectsOf = (c: Call) => c.body.objects as Record<string, unknown>[];

before(async () => {
  sim = createIconikSimulator(world, mapping, { tokenTtlMs: 300 });
  root = await sim.listen(0);
  api = `${root}/API`;
});
after(() => sim.close());
afterEach(() => simReset(root));

describe('iconik simulator: auth', () => {
  it('requires both App-ID and Auth-Token, and the right ones', async () => {
    const cases: Record<string, string>[] = [
      {},
      { 'App-ID': appId },
      { 'Auth-Token': authToken },
      { 'App-ID': 'x', 'Auth-Token': authToken },
      { 'App-ID': appId, 'Auth-Token': 'nope' },
    ];
    for (const headers of cases) {
      const r = await call('/assets/v1/assets/', { headers });
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.deepEqual(r.body, { errors: ['Token is invalid'] });
    }
    assert.equal((await call('/assets/v1/assets/')).status, 200);
  });

  it('logs in with email and password; the token works until it expires', async () => {
    const bad = await call('/auth/v1/auth/simple/login/', { headers: {}, body: { email, password: 'wrong' } });
    assert.equal(bad.status, 401);
    const ok = await call('/auth/v1/auth/simple/login/', { headers: {}, body: { email, password } });
    assert.equal(ok.status, 201);
    const token = String(ok.body.token);
    assert.ok(Date.parse(String(ok.body.expires)) > Date.now());
    const headers = { 'App-ID': appId, 'Auth-Token': token };
    const check = await call('/auth/v1/auth/token/', { headers });
    assert.equal(check.status, 200);
    assert.equal(check.body.token, token);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal((await call('/auth/v1/auth/token/', { headers })).status, 401);
  });

  it('answers a path without its trailing slash like the slashed one (trailingSlash defaults to optional)', async () => {
    const slashed = await call(`/assets/v1/assets/${assets[0]?.nativeId}/`);
    const bare = await call(`/assets/v1/assets/${assets[0]?.nativeId}`);
    assert.equal(slashed.status, 200);
    assert.deepEqual(bare, { ...slashed, headers: bare.headers, ms: bare.ms });
    assert.equal((await call(`/assets/v1/assets/${assets[0]?.nativeId}`, { headers: {} })).status, 401, 'and checks credentials');
  });
});

describe('iconik simulator: paging', () => {
  it('walks the asset list to the end by next_url; past the end is 404', async () => {
    const seen: string[] = [];
    let url: string | null = `${api}/assets/v1/assets/?page=1&per_page=40`;
    let pages = 0;
    while (url) {
      const r = await call(url);
      assert.equal(r.status, 200);
      assert.equal(r.body.pages, 4);
      seen.push(...objectsOf(r).map((o) => String(o.id)));
      url = r.body.next_url as string | null;
      pages++;
    }
    assert.equal(pages, 4);
    assert.deepEqual(new Set(seen), ids(assets));
    assert.equal(seen.length, assets.length);
    const past = await call('/assets/v1/assets/?page=5&per_page=40');
    assert.equal(past.status, 404);
    assert.deepEqual(past.body, { errors: ['Requested page does not exist'] });
    assert.equal((await call('/assets/v1/assets/?per_page=501')).status, 400);
  });

  it('pages search results without gaps or repeats', async () => {
    const body = { doc_types: ['assets'], filter: { operator: 'AND', terms: [{ name: F.approval, value: 'APPROVED' }] } };
    const expected = assets.filter((a) => a.approval === 'APPROVED');
    const seen: string[] = [];
    for (let page = 1; ; page++) {
      const r = await search(body, `page=${page}&per_page=25`);
      assert.equal(r.body.total, expected.length);
      seen.push(...objectsOf(r).map((o) => String(o.id)));
      if (!r.body.next_url) break;
    }
    assert.equal(seen.length, expected.length);
    assert.deepEqual(new Set(seen), ids(expected));
  });

  it('pages files and proxies with last_id', async () => {
    const id = assets[0]?.nativeId;
    const first = await call(`/files/v1/assets/${id}/proxies/?per_page=1`);
    assert.equal(objectsOf(first).length, 1);
    assert.match(String(first.body.next_url), /last_id=/);
    const second = await call(String(first.body.next_url));
    assert.equal(objectsOf(second).length, 1);
    assert.notEqual(objectsOf(second)[0]?.id, objectsOf(first)[0]?.id);
    assert.equal(second.body.next_url, null);
  });
});

describe('iconik simulator: search', () => {
  const expectSame = async (body: unknown, expected: DemoAsset[]) => {
    const r = await search(body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.total, expected.length);
    assert.deepEqual(ids(objectsOf(r)), ids(expected));
  };

  it('value_in on a metadata field', async () => {
    const codes = ['CMP-2026-002', 'CMP-2026-005'];
    await expectSame(
      { doc_types: ['assets'], filter: { operator: 'AND', terms: [{ name: F.campaignCode, value_in: codes }] } },
      assets.filter((a) => codes.includes(a.campaignCode ?? '')),
    );
  });

  it('range on a core date field, inclusive', async () => {
    const min = '2026-06-01T00:00:00Z';
    const max = '2026-09-01T00:00:00Z';
    await expectSame(
      { doc_types: ['assets'], filter: { operator: 'AND', terms: [{ name: 'date_created', range: { min, max } }] } },
      assets.filter((a) => a.createdAt >= min && a.createdAt <= max),
    );
  });

  it('exists and missing', async () => {
    await expectSame(
      { doc_types: ['assets'], filter: { operator: 'AND', terms: [{ name: F.licenceId, exists: true }] } },
      assets.filter((a) => a.rights.licenceId),
    );
    await expectSame(
      { doc_types: ['assets'], filter: { operator: 'AND', terms: [{ name: F.campaignCode, missing: true }] } },
      assets.filter((a) => !a.campaignCode),
    );
  });

  it('nested OR inside AND', async () => {
    const body = {
      doc_types: ['assets'],
      filter: {
        operator: 'AND',
        terms: [{ name: F.approval, value: 'APPROVED' }],
        filters: [
          {
            operator: 'OR',
            terms: [
              { name: F.territories, value: 'EMEA' },
              { name: F.territories, value: 'WORLD' },
            ],
          },
        ],
      },
    };
    await expectSame(
      body,
      assets.filter((a) => a.approval === 'APPROVED' && a.rights.territories.some((t) => t === 'EMEA' || t === 'WORLD')),
    );
  });

  it('text query over title and description', async () => {
    await expectSame(
      { doc_types: ['assets'], query: 'radio spot' },
      assets.filter(
        (a) =>
          `${a.title} ${a.description}`.toLowerCase().includes('radio') && `${a.title} ${a.description}`.toLowerCase().includes('spot'),
      ),
    );
  });

  it('returns collections for doc_types collections, and rejects a bad filter', async () => {
    const r = await search({ doc_types: ['collections'] });
    assert.equal(r.body.total, (await call('/assets/v1/collections/?per_page=100')).body.total);
    const bad = await search({ filter: { operator: 'XOR', terms: [{}] } });
    assert.equal(bad.status, 400);
    assert.ok(Array.isArray((bad.body.errors as Record<string, string[]>).filter));
  });

  it('facets count every match in buckets; objects carry metadata lists, files and proxies', async () => {
    const r = await search({ doc_types: ['assets'], facets: [F.approval, 'media_type'] }, 'per_page=5');
    const facets = r.body.facets as Record<string, { buckets: { key: string; doc_count: number }[] }>;
    for (const s of ['APPROVED', 'PENDING', 'REJECTED'] as const) {
      assert.equal(facets[F.approval]?.buckets.find((b) => b.key === s)?.doc_count, assets.filter((a) => a.approval === s).length);
    }
    assert.equal(facets.media_type?.buckets.find((b) => b.key === 'audio')?.doc_count, assets.filter((a) => a.kind === 'AUDIO').length);
    const o = objectsOf(r)[0] as { metadata: Record<string, unknown>; proxies: unknown[]; files: unknown[] };
    assert.ok(Array.isArray(o.metadata[F.approval]));
    assert.equal(o.proxies.length, 2);
    assert.equal(o.files.length, 1);
  });

  it('can answer facets as plain lists (facetShape option)', async () => {
    const other = createIconikSimulator(world, mapping, { facetShape: 'list' });
    const url = await other.listen(0);
    try {
      const res = await fetch(`${url}/API/search/v1/search/?per_page=1`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ facets: ['media_type'] }),
      });
      const body = (await res.json()) as { facets: Record<string, unknown> };
      assert.ok(Array.isArray(body.facets.media_type));
    } finally {
      await other.close();
    }
  });
});

describe('iconik simulator: faults', () => {
  const listPath = '/assets/v1/assets/?per_page=2';

  it('latency', async () => {
    await simFaults(root, { latencyMs: 150 });
    assert.ok((await call(listPath)).ms >= 140);
  });

  it('errorStatus with errorRate, in the iconik error body', async () => {
    await simFaults(root, { errorStatus: 503, errorRate: 1 });
    const r = await call(listPath);
    assert.equal(r.status, 503);
    assert.ok(Array.isArray(r.body.errors));
    await simFaults(root, { errorStatus: 503, errorRate: 0 });
    assert.equal((await call(listPath)).status, 200);
  });

  it('retryAfter', async () => {
    await simFaults(root, { errorStatus: 429, retryAfter: 2 });
    const r = await call(listPath);
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '2');
  });

  it('down resets the connection', async () => {
    await simFaults(root, { down: true });
    await assert.rejects(fetch(`${api}${listPath}`, { headers: AUTH }));
  });

  it('slowBodyMs trickles a complete body', async () => {
    await simFaults(root, { slowBodyMs: 200 });
    const r = await call(listPath);
    assert.ok(r.ms >= 150);
    assert.equal(objectsOf(r).length, 2);
  });

  it('truncate cuts the body short', async () => {
    await simFaults(root, { truncate: true });
    await assert.rejects(async () => JSON.parse(await (await fetch(`${api}${listPath}`, { headers: AUTH })).text()));
  });

  it('malformed sends invalid JSON', async () => {
    await simFaults(root, { malformed: true });
    const res = await fetch(`${api}${listPath}`, { headers: AUTH });
    await assert.rejects(res.json());
  });

  it('times limits a fault to that many requests; route limits it to one route', async () => {
    await simFaults(root, { route: 'POST /API/search/v1/search/', errorStatus: 500, times: 1 });
    assert.equal((await call(listPath)).status, 200);
    assert.equal((await search({})).status, 500);
    assert.equal((await search({})).status, 200);
  });
});

describe('iconik simulator: downloads', () => {
  const a = assets[3] as DemoAsset;

  it('proxy and file download URLs stream real bytes without credentials', async () => {
    const proxies = objectsOf(await call(`/files/v1/assets/${a.nativeId}/proxies/`));
    const thumb = proxies.find((p) => p.name === 'thumbnail');
    const u = await call(`/files/v1/assets/${a.nativeId}/proxies/${thumb?.id}/download_url/`);
    const res = await fetch(String(u.body.url));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(Number(res.headers.get('content-length')), bytes.length);
    assert.ok(
      Number(thumb?.size ?? 0) > 0,
      'generated images list a nominal size; the bytes carry their real Content-Length (checked above)',
    );

    const file = objectsOf(await call(`/files/v1/assets/${a.nativeId}/files/`))[0];
    const fu = await call(`/files/v1/assets/${a.nativeId}/files/${file?.id}/download_url/`);
    const fres = await fetch(String(fu.body.url));
    assert.equal(fres.headers.get('content-type'), a.mimeType);
    assert.equal((await fres.arrayBuffer()).byteLength, file?.size);
  });

  it('refuses tampered and expired tokens', async () => {
    const file = objectsOf(await call(`/files/v1/assets/${a.nativeId}/files/`))[0];
    const url = String((await call(`/files/v1/assets/${a.nativeId}/files/${file?.id}/download_url/`)).body.url);
    const [payload, sig] = (/download\/([^/]+)\//.exec(url)?.[1] ?? '').split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), i: 5 })).toString(
      'base64url',
    );
    assert.equal((await fetch(url.replace(payload ?? '', forged))).status, 403);
    assert.equal((await fetch(url.replace(sig ?? '', `${sig}x`))).status, 403);

    const short = createIconikSimulator(world, mapping, { downloadTtlMs: 50 });
    const shortRoot = await short.listen(0);
    try {
      const headers = AUTH;
      const f = (
        (await (await fetch(`${shortRoot}/API/files/v1/assets/${a.nativeId}/files/`, { headers })).json()) as { objects: { id: string }[] }
      ).objects[0];
      const su = (
        (await (await fetch(`${shortRoot}/API/files/v1/assets/${a.nativeId}/files/${f?.id}/download_url/`, { headers })).json()) as {
          url: string;
        }
      ).url;
      await new Promise((r) => setTimeout(r, 80));
      assert.equal((await fetch(su)).status, 403);
    } finally {
      await short.close();
    }
  });
});

describe('iconik simulator: metadata, collections, webhooks, rate limit', () => {
  it("serves the mapped view and each asset's values as field_values lists", async () => {
    const view = await call(`/metadata/v1/views/${mapping.iconik.metadataViewId}/`);
    assert.deepEqual((view.body.view_fields as { name: string }[]).map((f) => f.name).sort(), Object.values(F).sort());
    const a = assets.find((x) => x.campaignCode) as DemoAsset;
    const v = await call(`/metadata/v1/assets/${a.nativeId}/views/${mapping.iconik.metadataViewId}/`);
    const values = v.body.metadata_values as Record<string, { field_values: { value: string }[] }>;
    assert.deepEqual(values[F.campaignCode]?.field_values, [{ value: a.campaignCode }]);
    assert.deepEqual(
      values[F.channels]?.field_values.map((x) => x.value),
      a.rights.channels,
    );
    assert.equal((await call('/metadata/v1/views/00000000-0000-4000-8000-000000000000/')).status, 404);
  });

  it('models campaigns and accounts as collections holding their assets', async () => {
    const list = objectsOf(await call('/assets/v1/collections/?per_page=100'));
    const campaign = list.find((c) => c.external_id === 'CMP-2026-002');
    assert.ok(campaign);
    const contents = await call(`/assets/v1/collections/${campaign.id}/contents/?per_page=100`);
    assert.deepEqual(ids(objectsOf(contents)), ids([...world.campaignAssets('ICONIK', 'CMP-2026-002')]));
    assert.equal((await call('/assets/v1/collections/nope/')).status, 404);
  });

  it('stores webhook registrations and validates them', async () => {
    const bad = await call('/notifications/v1/webhooks/', { body: { url: 'not a url' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(Object.keys(bad.body.errors as object).sort(), ['event_type', 'status', 'url']);
    const ok = await call('/notifications/v1/webhooks/', {
      body: { url: 'https://hooks.example/x', event_type: 'assets', status: 'ENABLED' },
    });
    assert.equal(ok.status, 201);
    const listed = objectsOf(await call('/notifications/v1/webhooks/'));
    assert.deepEqual(
      listed.map((h) => h.id),
      [ok.body.id],
    );
  });

  it('rate limit (opt-in): RateLimit-Remaining, then 429 with Retry-After', async () => {
    const limited = createIconikSimulator(world, mapping, { rateLimit: { limit: 2, windowMs: 10_000 } });
    const url = await limited.listen(0);
    try {
      const get = () => fetch(`${url}/API/auth/v1/auth/token/`, { headers: AUTH });
      assert.equal((await get()).headers.get('ratelimit-remaining'), '1');
      assert.equal((await get()).headers.get('ratelimit-remaining'), '0');
      const third = await get();
      assert.equal(third.status, 429);
      assert.ok(Number(third.headers.get('retry-after')) >= 1);
    } finally {
      await limited.close();
    }
  });
});
