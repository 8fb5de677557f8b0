/**
 * iconik routes third-party clients call (iconik's OpenAPI spec, pythonik): one proxy, one
 * file, an asset's formats and one format, a collection's content info, and collection
 * contents spelled without the trailing slash; each over the demo world, in the spec's shapes
 * (test/fixtures/vendor/iconik), and the `trailingSlash` option's three answers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { createIconikSimulator, type IconikSimOptions } from '../../../simulators/iconik/simulator.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { assertSameShape } from '../../helpers/shape.ts';
import { testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const { appId, authToken } = DEMO_CREDENTIALS.iconik;
const AUTH = { 'App-ID': appId, 'Auth-Token': authToken };
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/vendor/iconik/${name}.json`, import.meta.url), 'utf8'));
const assets: DemoAsset[] = [...world.assets('ICONIK')];
const video = assets.find((a) => a.kind === 'VIDEO') as DemoAsset;
const CAMPAIGN = 'CMP-2026-002';

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

async function start(opts?: IconikSimOptions): Promise<{ sim: Simulator; api: string }> {
  const sim = createIconikSimulator(world, mapping, opts);
  return { sim, api: `${await sim.listen(0)}/API` };
}

async function get(
  api: string,
  path: string,
  init: { headers?: Record<string, string>; redirect?: 'follow' | 'manual' } = {},
): Promise<Answer> {
  const res = await fetch(`${api}${path}`, { headers: init.headers ?? AUTH, redirect: init.redirect ?? 'follow' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Json) : {} };
}
const objects = (a: Answer) => a.body.objects as Json[];

describe('iconik simulator: single proxies, files and formats', () => {
  let sim: Simulator;
  let api = '';
  before(async () => ({ sim, api } = await start()));
  after(() => sim.close());
  const base = `/files/v1/assets/${video.nativeId}`;

  it('GET .../proxies/{proxy_id}/ is the proxy of the list, with a signed URL that downloads it', async () => {
    const listed = objects(await get(api, `${base}/proxies/?generate_signed_url=false`));
    assert.ok(listed.length > 0);
    for (const p of listed) {
      const one = await get(api, `${base}/proxies/${p.id}/`);
      assert.equal(one.status, 200);
      assertSameShape(one.body, fixture('proxy'), 'GET proxy');
      assert.deepEqual({ ...one.body, url: null }, p);
      const bytes = await fetch(String(one.body.url));
      assert.equal(bytes.status, 200);
      assert.equal(bytes.headers.get('content-type'), 'image/png');
    }
  });

  it('GET .../files/{file_id}/ is the file of the list, with a signed URL that downloads the original', async () => {
    const [listed] = objects(await get(api, `${base}/files/`));
    const one = await get(api, `${base}/files/${listed?.id}/`);
    assert.equal(one.status, 200);
    assertSameShape(one.body, fixture('file'), 'GET file');
    assert.deepEqual({ ...one.body, url: null }, listed);
    const bytes = await fetch(String(one.body.url));
    assert.equal(bytes.headers.get('content-type'), video.mimeType);
    assert.equal((await bytes.arrayBuffer()).byteLength, listed?.size);
  });

  it('an unknown proxy, file or asset is 404 in the error body', async () => {
    const proxy = objects(await get(api, `${base}/proxies/`))[0];
    const file = objects(await get(api, `${base}/files/`))[0];
    const cases: [string, string][] = [
      [`${base}/proxies/00000000-0000-4000-8000-000000000000/`, "Proxy for this asset doesn't exist"],
      [`${base}/files/00000000-0000-4000-8000-000000000000/`, "File for this asset doesn't exist"],
      [`${base}/proxies/${file?.id}/`, "Proxy for this asset doesn't exist"],
      [`${base}/files/${proxy?.id}/`, "File for this asset doesn't exist"],
      [`/files/v1/assets/00000000-0000-4000-8000-000000000000/files/${file?.id}/`, 'Asset does not exist'],
    ];
    for (const [path, message] of cases)
      assert.deepEqual(await get(api, path).then((a) => [a.status, a.body]), [404, { errors: [message] }], path);
    assert.equal((await get(api, `${base}/proxies/${proxy?.id}/`, { headers: {} })).status, 401);
  });

  it("GET .../formats/ lists the asset's ORIGINAL format, the one its file belongs to", async () => {
    const list = await get(api, `${base}/formats/`);
    assert.equal(list.status, 200);
    // FormatsSchema has the list envelope's keys; a `last_id` page leaves the URLs it cannot name null.
    assert.deepEqual(Object.keys(list.body).sort(), Object.keys(fixture('paging') as Json).sort());
    const [format] = objects(list);
    assertSameShape(format, fixture('format'), 'FormatSchema');
    assert.equal(list.body.total, 1);
    assert.equal(format?.name, 'ORIGINAL');
    assert.equal(format?.asset_id, video.nativeId);
    assert.deepEqual(format?.metadata, [{ internet_media_type: video.mimeType }]);
    const [file] = objects(await get(api, `${base}/files/`));
    assert.equal(file?.format_id, format?.id, "the file's format_id names the listed format");
  });

  it('GET .../formats/{format_id}/ and .../formats/{name}/ answer the same format; others are 404', async () => {
    const [format] = objects(await get(api, `${base}/formats/`));
    const byId = await get(api, `${base}/formats/${format?.id}/`);
    const byName = await get(api, `${base}/formats/ORIGINAL/`);
    assert.equal(byId.status, 200);
    assert.deepEqual(byId.body, format);
    assert.deepEqual(byName.body, format);
    const missing = await get(api, `${base}/formats/PPRO_PROXY/`);
    assert.deepEqual([missing.status, missing.body], [404, { errors: ["Format for this asset doesn't exist"] }]);
  });
});

describe('iconik simulator: collection content info and contents', () => {
  let sim: Simulator;
  let api = '';
  before(async () => ({ sim, api } = await start()));
  after(() => sim.close());
  const collections = async () => objects(await get(api, '/assets/v1/collections/?per_page=100'));

  it('GET .../collections/{id}/content/info/ counts the sub-collections and assets contents lists', async () => {
    const all = await collections();
    const campaign = all.find((c) => c.external_id === CAMPAIGN) as Json;
    const info = await get(api, `/assets/v1/collections/${campaign.id}/content/info/`);
    assert.equal(info.status, 200);
    assertSameShape(info.body, fixture('content-info'), 'CollectionContentInfoSchema');
    assert.deepEqual(info.body, { assets_count: [...world.campaignAssets('ICONIK', CAMPAIGN)].length, collections_count: 0 });
    const root = all.find((c) => c.is_root && c.title === 'Campaigns') as Json;
    const rootInfo = await get(api, `/assets/v1/collections/${root.id}/content/info/?only_active=false`);
    assert.deepEqual(rootInfo.body, {
      assets_count: 0,
      collections_count: all.filter((c) => c.parent_id === root.id).length,
    });
    const unknown = await get(api, '/assets/v1/collections/00000000-0000-4000-8000-000000000000/content/info/');
    assert.deepEqual([unknown.status, unknown.body], [404, { errors: ['Collection does not exist'] }]);
  });

  it('contents and content/info answer without the trailing slash, as pythonik calls them', async () => {
    const campaign = (await collections()).find((c) => c.external_id === CAMPAIGN) as Json;
    const path = `/assets/v1/collections/${campaign.id}/contents`;
    const bare = await get(api, `${path}?per_page=100&object_types=assets`, { redirect: 'manual' });
    const slashed = await get(api, `${path}/?per_page=100&object_types=assets`);
    assert.equal(bare.status, 200);
    assert.deepEqual(bare.body, slashed.body);
    assert.deepEqual(
      objects(bare).map((o) => o.id),
      [...world.campaignAssets('ICONIK', CAMPAIGN)].map((a) => a.nativeId),
    );
    const info = await get(api, `/assets/v1/collections/${campaign.id}/content/info`, { redirect: 'manual' });
    assert.equal(info.status, 200);
    assert.equal(info.body.assets_count, objects(bare).length);
    assert.equal((await get(api, path, { headers: {} })).status, 401, 'credentials are still checked');
  });
});

describe('iconik simulator: trailingSlash option', () => {
  const campaign = (api: string) =>
    get(api, '/assets/v1/collections/?per_page=100').then((a) => objects(a).find((c) => c.external_id === CAMPAIGN) as Json);

  it("redirect answers 308 to the slashed path, query kept, and a client that follows gets the slashed path's answer", async () => {
    const { sim, api } = await start({ trailingSlash: 'redirect' });
    try {
      const c = await campaign(api);
      const path = `/assets/v1/collections/${c.id}/contents`;
      const moved = await get(api, `${path}?per_page=5&page=2`, { redirect: 'manual', headers: {} });
      assert.equal(moved.status, 308);
      assert.equal(moved.headers.get('location'), `/API${path}/?per_page=5&page=2`);
      const followed = await get(api, `${path}?per_page=5&page=2`);
      assert.equal(followed.status, 200);
      assert.deepEqual(followed.body, (await get(api, `${path}/?per_page=5&page=2`)).body);
    } finally {
      await sim.close();
    }
  });

  it('required answers 404 without the slash, as every path in the spec has one', async () => {
    const { sim, api } = await start({ trailingSlash: 'required' });
    try {
      const c = await campaign(api);
      assert.equal((await get(api, `/assets/v1/collections/${c.id}/contents`)).status, 404);
      assert.equal((await get(api, `/assets/v1/collections/${c.id}/contents/`)).status, 200);
    } finally {
      await sim.close();
    }
  });
});
