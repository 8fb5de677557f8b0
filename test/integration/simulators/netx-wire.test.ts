/**
 * Wire fidelity: the simulator's answers and the client's requests have the shapes of the
 * NetX examples in vendor-apis.md §4 (test/fixtures/vendor/netx/).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { createNetxClient } from '../../../sources/netx/client.ts';
import { createNetxSimulator } from '../../../simulators/netx/simulator.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { assertSameShape, shapeDiff } from '../../helpers/shape.ts';
import { testWorld } from '../../helpers/world.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/vendor/netx/${name}`, import.meta.url), 'utf8'));
const mapping = demoMapping();
const TOKEN = DEMO_CREDENTIALS.netx.apiToken;

let sim: Simulator;
let url: string;
before(async () => {
  sim = createNetxSimulator(testWorld(), mapping);
  url = await sim.listen(0);
});
after(() => sim.close());

async function send(body: unknown, token: string = TOKEN): Promise<unknown> {
  const res = await fetch(`${url}/api/rpc`, {
    method: 'POST',
    headers: { authorization: `apiToken ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return res.json();
}

describe('NetX wire shapes', () => {
  it('answers the vendor request example with the vendor response envelope', async () => {
    const request = fixture('request.getAssetsByQuery.json') as { params: unknown[] };
    const reply = await send({ ...request, id: '1' });
    assertSameShape(reply, fixture('response.assets.json'), 'getAssetsByQuery');
  });

  it('answers a real query with the same envelope and asset fields', async () => {
    const reply = await send({
      jsonrpc: '2.0',
      id: '1',
      method: 'getAssetsByQuery',
      params: [
        { query: [{ operator: 'and', range: { field: 'modDate', min: 0 } }] },
        { page: { startIndex: 0, size: 3 }, data: ['asset.id', 'asset.base'] },
      ],
    });
    assertSameShape(reply, fixture('response.assets.json'), 'getAssetsByQuery');
    assert.equal((reply as { result: { results: unknown[] } }).result.results.length, 3);
  });

  it('accepts the vendor options object and folder requests as given', async () => {
    const folderReply = await send(fixture('request.getAssetsByFolder.json'));
    assert.equal((folderReply as { error?: { code: number } }).error?.code, 3004, 'folder 12 does not exist in the demo');
    const byPath = (await send({
      ...(fixture('request.getFolderByPath.json') as object),
      params: ['Top/Brand', { data: ['folder.id', 'folder.base', 'folder.children'] }],
    })) as { result: unknown };
    assertSameShape(byPath.result, { id: 0, name: '', path: '', children: [] }, 'getFolderByPath');
    const withOptions = await send({ jsonrpc: '2.0', id: '1', method: 'getAssets', params: [[100001], fixture('options.json')] });
    assertSameShape(withOptions, fixture('response.assets.json'), 'getAssets');
  });

  it('answers errors with the vendor error envelopes', async () => {
    assertSameShape(
      await send({ jsonrpc: '2.0', id: '1', method: 'getSelf', params: [] }, 'revoked'),
      fixture('error.auth.json'),
      'auth error',
    );
    assertSameShape(
      await send({ jsonrpc: '2.0', id: '1', method: 'getAssetAttributes', params: [1] }),
      fixture('error.access-denied.json'),
      'access denied',
    );
  });

  it('the shape check itself catches a wrong envelope', () => {
    assert.notDeepEqual(shapeDiff({ jsonrpc: '2.0', id: '1', result: [] }, fixture('response.assets.json')), []);
    assert.notDeepEqual(shapeDiff({ code: 3004 }, fixture('error.access-denied.json')), []);
  });

  it('the client sends requests of the vendor shape (envelope, criteria, options)', async () => {
    const sent: unknown[] = [];
    const spy: typeof fetch = async (input, init) => {
      if (typeof init?.body === 'string') sent.push(JSON.parse(init.body));
      return fetch(input, init);
    };
    const client = createNetxClient({ baseUrl: url, apiToken: TOKEN, mapping, fetch: spy });
    await client.findAssets({ modifiedSince: '2026-01-01T00:00:00Z' }, { first: 5, sort: { field: 'name', direction: 'asc' } });
    assert.equal(sent.length, 1);
    const request = sent[0] as { params: [{ query: unknown[] }, unknown] };
    const example = fixture('request.getAssetsByQuery.json') as { params: unknown[] };
    assertSameShape({ ...request, params: [] }, { ...example, params: [] }, 'client envelope');
    assert.equal(request.params.length, 2, 'two positional params: the query and the options');
    // The vendor's range criterion on a system field; attribute criteria use an INFERRED key.
    const range = (fixture('query.criteria.json') as { query: { range: Record<string, unknown> }[] }).query[1] as {
      range: Record<string, unknown>;
    };
    delete range.range.max; // modifiedSince is open-ended: no upper bound is sent
    assertSameShape(request.params[0].query[0], range, 'client criterion');
    assertSameShape(request.params[1], fixture('options.json'), 'client options');
  });
});
