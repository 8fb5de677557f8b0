/**
 * Wire fidelity: the simulator's answers have the keys and JSON types of the iconik examples
 * in test/fixtures/vendor/iconik (built from vendor-apis.md §3).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { createIconikSimulator } from '../../../simulators/iconik/simulator.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { assertSameShape } from '../../helpers/shape.ts';
import { testWorld } from '../../helpers/world.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/vendor/iconik/${name}.json`, import.meta.url), 'utf8'));
const world = testWorld();
const mapping = demoMapping();
const { appId, authToken, email, password } = DEMO_CREDENTIALS.iconik;
const asset = [...world.assets('ICONIK')].find((a) => a.campaignCode && a.approval === 'APPROVED');

let sim: Simulator;
let api = '';

async function call(
  path: string,
  body?: unknown,
  headers: Record<string, string> = { 'App-ID': appId, 'Auth-Token': authToken },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${api}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const firstObject = (r: { body: Record<string, unknown> }) => (r.body.objects as unknown[])[0];

before(async () => {
  sim = createIconikSimulator(world, mapping);
  api = `${await sim.listen(0)}/API`;
});
after(() => sim.close());

describe('iconik wire fidelity', () => {
  it('list envelope', async () => {
    assertSameShape((await call('/assets/v1/assets/?page=1&per_page=10')).body, fixture('paging'), 'GET /assets/v1/assets/');
  });

  it('AssetSchema', async () => {
    assertSameShape((await call(`/assets/v1/assets/${asset?.nativeId}/`)).body, fixture('asset'), 'GET /assets/v1/assets/{id}/');
  });

  it('search: the documented criteria body is accepted; the answer has the documented shape', async () => {
    const accepted = await call('/search/v1/search/?page=1&per_page=10', fixture('search-criteria'));
    assert.equal(accepted.status, 200);
    assert.ok((accepted.body.total as number) > 0);
    const r = await call('/search/v1/search/?page=1&per_page=10', {
      doc_types: ['assets'],
      facets: ['media_type'],
      filter: { operator: 'AND', terms: [{ name: 'id', value: asset?.nativeId }] },
    });
    assertSameShape(r.body, fixture('search-response'), 'POST /search/v1/search/');
  });

  it('proxy, file and keyframe objects, in lists and inside search objects', async () => {
    const base = `/files/v1/assets/${asset?.nativeId}`;
    assertSameShape(firstObject(await call(`${base}/proxies/`)), fixture('proxy'), 'proxies');
    assertSameShape(firstObject(await call(`${base}/files/`)), fixture('file'), 'files');
    assertSameShape(firstObject(await call(`${base}/keyframes/`)), fixture('keyframe'), 'keyframes');
    const s = firstObject(
      await call('/search/v1/search/', { filter: { operator: 'AND', terms: [{ name: 'id', value: asset?.nativeId }] } }),
    ) as Record<string, unknown[]>;
    assertSameShape(s.proxies?.[0], fixture('proxy'), 'search proxies[]');
    assertSameShape(s.files?.[0], fixture('file'), 'search files[]');
    assertSameShape(s.keyframes?.[0], fixture('keyframe'), 'search keyframes[]');
  });

  it('download_url', async () => {
    const proxy = firstObject(await call(`/files/v1/assets/${asset?.nativeId}/proxies/`)) as { id: string };
    assertSameShape((await call(`/files/v1/assets/${asset?.nativeId}/proxies/${proxy.id}/download_url/`)).body, fixture('download-url'));
  });

  it('metadata view and metadata values', async () => {
    const view = mapping.iconik.metadataViewId;
    assertSameShape((await call(`/metadata/v1/views/${view}/`)).body, fixture('metadata-view'), 'view');
    assertSameShape(
      (await call(`/metadata/v1/assets/${asset?.nativeId}/views/${view}/`)).body,
      fixture('metadata-values'),
      'metadata values',
    );
  });

  it('collection', async () => {
    assertSameShape(firstObject(await call('/assets/v1/collections/')), fixture('collection'), 'collection');
  });

  it('login TokenSchema', async () => {
    const r = await call('/auth/v1/auth/simple/login/', { email, password }, {});
    assert.equal(r.status, 201);
    assertSameShape(r.body, fixture('token'), 'login');
  });

  it('webhook create body is accepted; the answer is a WebhookSchema', async () => {
    const r = await call('/notifications/v1/webhooks/', fixture('webhook-create'));
    assert.equal(r.status, 201);
    assertSameShape(r.body, fixture('webhook'), 'webhook');
  });

  it('error bodies: message list and field errors', async () => {
    const r = await call('/assets/v1/assets/', undefined, {});
    assert.equal(r.status, 401);
    assertSameShape(r.body, fixture('error'), '401');
    assert.deepEqual(r.body, fixture('error'));
    const f = await call('/assets/v1/assets/?per_page=501');
    assert.equal(f.status, 400);
    assertSameShape(f.body, fixture('error-fields'), '400');
  });
});
