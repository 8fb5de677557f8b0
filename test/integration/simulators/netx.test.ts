/**
 * The NetX simulator over real HTTP: JSON-RPC conventions, auth, queries, data groups,
 * folders, file retrieval and every fault of the shared /__sim control surface.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { createNetxSimulator } from '../../../simulators/netx/simulator.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { simFaults, simReset, simStats, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const TOKEN = DEMO_CREDENTIALS.netx.apiToken;
const A = mapping.netx.attributes;
const netx = [...world.assets('NETX')];
const ids = (list: { id: number }[]) => list.map((a) => a.id).sort((x, y) => x - y);
const worldIds = (pred: (a: DemoAsset) => boolean) =>
  netx
    .filter(pred)
    .map((a) => Number(a.nativeId))
    .sort((x, y) => x - y);

interface RpcReply {
  jsonrpc: string;
  id: unknown;
  result?: Record<string, unknown> & { results?: Record<string, unknown>[] };
  error?: { code: number; message: string; data: null };
}

let sim: Simulator;
let url: string;
const tokens = [TOKEN, 'second-token'];

async function post(body: string, token: string | null = TOKEN): Promise<{ status: number; reply: RpcReply }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `apiToken ${token}`;
  const res = await fetch(`${url}/api/rpc`, { method: 'POST', headers, body });
  return { status: res.status, reply: (await res.json()) as RpcReply };
}
const call = async (method: string, params: unknown, token: string | null = TOKEN, id: unknown = 'req-1') =>
  (await post(JSON.stringify({ jsonrpc: '2.0', id, method, params, dataContext: 'json' }), token)).reply;
const query = async (criteria: unknown[], options: Record<string, unknown> = {}) => {
  const r = await call('getAssetsByQuery', [{ query: criteria }, { page: { startIndex: 0, size: 1000 }, ...options }]);
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  return r.result as { results: { id: number }[]; size: number };
};

before(async () => {
  sim = createNetxSimulator(world, mapping, { apiTokens: tokens });
  url = await sim.listen(0);
});
after(() => sim.close());
beforeEach(() => simReset(url));

describe('JSON-RPC conventions', () => {
  it('answers a good token, and refuses a bad or missing one with code 10000 inside HTTP 200', async () => {
    const ok = await call('getSelf', []);
    assert.equal(ok.jsonrpc, '2.0');
    assert.equal(typeof ok.result?.id, 'number');
    for (const token of ['wrong', null]) {
      const { status, reply } = await post(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'getSelf', params: [] }), token);
      assert.equal(status, 200);
      assert.equal(reply.error?.code, 10000);
      assert.equal(reply.error?.data, null);
      assert.equal(reply.id, 9);
      assert.equal(reply.result, undefined);
    }
  });

  it('revokes a token removed from the apiTokens list', async () => {
    assert.ok((await call('getSelf', [], 'second-token')).result);
    tokens.pop();
    try {
      assert.equal((await call('getSelf', [], 'second-token')).error?.code, 10000);
    } finally {
      tokens.push('second-token');
    }
  });

  it('echoes string and number ids', async () => {
    assert.equal((await call('getSelf', [], TOKEN, 'abc-7')).id, 'abc-7');
    assert.equal((await call('getSelf', [], TOKEN, 42)).id, 42);
  });

  it('takes positional params only, refuses batches, bad JSON, bad envelopes and unknown methods', async () => {
    const named = await call('getAssets', { ids: [100001] });
    assert.equal(named.error?.code, -32602);
    assert.equal(named.id, 'req-1');
    const batch = await post(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'getSelf', params: [] }]));
    assert.equal(batch.status, 200);
    assert.equal(batch.reply.error?.code, -32600);
    assert.equal(batch.reply.id, null);
    const parse = await post('{"jsonrpc":"2.0", "id": 1, "method": ');
    assert.equal(parse.reply.error?.code, -32700);
    assert.equal((await post(JSON.stringify({ jsonrpc: '1.0', id: 3, method: 'getSelf', params: [] }))).reply.error?.code, -32600);
    assert.equal((await post(JSON.stringify({ jsonrpc: '2.0', method: 'getSelf', params: [] }))).reply.error?.code, -32600);
    const unknown = await call('deleteEverything', []);
    assert.equal(unknown.error?.code, -32601);
    assert.equal((await call('getAssets', ['not-a-list', {}])).error?.code, -32602);
  });

  it('answers 3004 for objects the caller may not reach', async () => {
    assert.equal((await call('getAssetAttributes', [999_999])).error?.code, 3004);
    assert.equal((await call('getFolderByPath', ['Top/Nowhere', {}])).error?.code, 3004);
  });
});

describe('assets and queries', () => {
  it('pages through every asset exactly once, with the total in `size`', async () => {
    const seen: number[] = [];
    for (let start = 0; ; start += 40) {
      const r = await call('getAssetsByQuery', [{ query: [] }, { page: { startIndex: start, size: 40 } }]);
      const page = r.result as { results: { id: number }[]; size: number };
      assert.equal(page.size, netx.length);
      seen.push(...page.results.map((a) => a.id));
      if (page.results.length < 40) break;
    }
    assert.equal(seen.length, netx.length);
    assert.equal(new Set(seen).size, netx.length);
  });

  it('matches exact on attributes and fields, with vendor values from the value maps', async () => {
    assert.deepEqual(
      ids((await query([{ operator: 'and', exact: { attribute: A.campaignCode, value: 'CMP-2026-003' } }])).results),
      worldIds((a) => a.campaignCode === 'CMP-2026-003'),
    );
    assert.deepEqual(
      ids((await query([{ operator: 'and', exact: { attribute: A.approval, value: 'Rejected' } }])).results),
      worldIds((a) => a.approval === 'REJECTED'),
    );
    const sample = netx[17] as DemoAsset;
    assert.deepEqual(ids((await query([{ operator: 'and', exact: { field: 'fileName', value: sample.fileName } }])).results), [
      Number(sample.nativeId),
    ]);
    assert.equal(
      (await query([{ operator: 'and', exact: { attribute: A.approval, value: 'APPROVED' } }])).results.length,
      0,
      'canonical values are not vendor values',
    );
  });

  it('matches contains case-insensitively and range on epoch-ms dates, open at either end', async () => {
    assert.deepEqual(
      ids((await query([{ operator: 'and', contains: { field: 'name', value: 'brochure' } }])).results),
      worldIds((a) => a.title.toLowerCase().includes('brochure')),
    );
    const t = world.asOf - 30 * 86_400_000;
    assert.deepEqual(
      ids((await query([{ operator: 'and', range: { field: 'modDate', min: t } }])).results),
      worldIds((a) => Date.parse(a.modifiedAt) >= t),
    );
    assert.deepEqual(
      ids((await query([{ operator: 'and', range: { attribute: A.validUntil, max: world.asOf } }])).results),
      worldIds((a) => Date.parse(a.rights.validUntil ?? '') <= world.asOf),
    );
  });

  it('folds and/or/not left to right and groups with subquery', async () => {
    const inCampaign = (code: string) => ({ operator: 'or', exact: { attribute: A.campaignCode, value: code } });
    const r = await query([
      { operator: 'and', subquery: { query: [inCampaign('CMP-2026-002'), inCampaign('CMP-2026-005')] } },
      { operator: 'not', exact: { attribute: A.approval, value: 'Approved' } },
    ]);
    const expected = worldIds((a) => (a.campaignCode === 'CMP-2026-002' || a.campaignCode === 'CMP-2026-005') && a.approval !== 'APPROVED');
    assert.ok(expected.length > 0);
    assert.deepEqual(ids(r.results), expected);
    const first = await query([{ operator: 'not', exact: { attribute: A.approval, value: 'Approved' } }]);
    assert.deepEqual(
      ids(first.results),
      worldIds((a) => a.approval !== 'APPROVED'),
    );
    const unset = await query([{ operator: 'and', exact: { attribute: A.accountId, value: '' } }]);
    assert.deepEqual(
      ids(unset.results),
      worldIds((a) => a.accountId === undefined),
      'exact "" matches an unset attribute',
    );
  });

  it('refuses malformed criteria with -32602', async () => {
    for (const bad of [
      [{ operator: 'xor', exact: { field: 'name', value: 'x' } }],
      [{ operator: 'and' }],
      [{ operator: 'and', exact: { field: 'nope', value: 'x' } }],
      [{ operator: 'and', exact: { attribute: 'No Such Attribute', value: 'x' } }],
      [{ operator: 'and', range: { field: 'modDate', min: 'yesterday' } }],
    ]) {
      assert.equal((await call('getAssetsByQuery', [{ query: bad }, {}])).error?.code, -32602, JSON.stringify(bad));
    }
  });

  it('returns only the selected data groups', async () => {
    const get = async (data?: string[]) =>
      ((await call('getAssets', [[100003], data ? { data } : {}])).result?.results ?? [])[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(await get(['asset.id'])), ['id']);
    assert.deepEqual(Object.keys(await get(['asset.attributes'])).sort(), ['attributes', 'id']);
    const base = await get();
    assert.equal(typeof base.modDate, 'number');
    assert.equal(base.attributes, undefined);
    const full = await get(['asset.base', 'asset.file', 'asset.attributes', 'asset.proxies', 'asset.views', 'asset.folders']);
    const asset = world.assetById('NETX', '100003') as DemoAsset;
    assert.equal(full.name, asset.title);
    assert.deepEqual((full.attributes as Record<string, string[]>)[A.campaignCode], [asset.campaignCode]);
    assert.deepEqual(
      (full.proxies as { name: string }[]).map((p) => p.name),
      ['thumbnail', 'preview'],
    );
    assert.deepEqual(
      (full.folders as { path: string }[]).map((f) => f.path),
      [`Top/Campaigns/${asset.campaignCode}`],
    );
  });

  it('leaves unknown ids out of getAssets', async () => {
    const r = await call('getAssets', [[100002, 999_999, 100001], { data: ['asset.id'] }]);
    assert.deepEqual(r.result?.results, [{ id: 100002 }, { id: 100001 }]);
  });
});

describe('folders', () => {
  it('resolves Top/Campaigns/<code> and lists its assets, recursively from Top', async () => {
    const folder = (await call('getFolderByPath', ['Top/Campaigns/CMP-2026-004', {}])).result as { id: number; path: string };
    assert.equal(folder.path, 'Top/Campaigns/CMP-2026-004');
    const direct = (await call('getAssetsByFolder', [folder.id, false, { page: { size: 1000 } }])).result as { results: { id: number }[] };
    assert.deepEqual(
      ids(direct.results),
      worldIds((a) => a.campaignCode === 'CMP-2026-004'),
    );
    const top = (await call('getFolderByPath', ['Top', {}])).result as { id: number };
    assert.equal(((await call('getAssetsByFolder', [top.id, false, {}])).result as { size: number }).size, 0);
    assert.equal(((await call('getAssetsByFolder', [top.id, true, {}])).result as { size: number }).size, netx.length);
    const account = (await call('getFolderByPath', ['Top/Accounts/ACC-1003', {}])).result as { id: number };
    const acc = (await call('getAssetsByQuery', [{ query: [{ operator: 'and', folder: { folderId: account.id } }] }, {}])).result as {
      results: { id: number }[];
    };
    assert.deepEqual(
      ids(acc.results),
      worldIds((a) => a.accountId === 'ACC-1003'),
    );
  });

  it('lists children of a folder', async () => {
    const top = (await call('getFolderByPath', ['Top', { data: ['folder.id', 'folder.base', 'folder.children'] }])).result as {
      id: number;
      children: { name: string }[];
    };
    assert.deepEqual(
      top.children.map((c) => c.name),
      ['Campaigns', 'Accounts', 'Brand'],
    );
    const campaigns = (await call('getFolderByPath', ['Top/Campaigns', {}])).result as { id: number };
    const kids = (await call('getFoldersByParent', [campaigns.id, {}])).result as { results: { name: string }[]; size: number };
    assert.equal(kids.size, world.counts.campaigns);
    assert.deepEqual(
      kids.results.map((k) => k.name),
      [...world.campaigns()].map((c) => c.code),
    );
  });

  it('reads attributes with getAssetAttributes', async () => {
    const r = (await call('getAssetAttributes', [100002])).result as Record<string, string[]>;
    const asset = world.assetById('NETX', '100002') as DemoAsset;
    assert.deepEqual(r[A.territories], asset.rights.territories);
  });
});

describe('file retrieval', () => {
  const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const get = (path: string, token: string | null = TOKEN) =>
    fetch(`${url}${path}`, token === null ? {} : { headers: { authorization: `apiToken ${token}` } });

  it('serves real PNG bytes for the thumbnail (named .jpg) with the apiToken', async () => {
    const res = await get('/api/file/asset/100001/thumbnail.jpg');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.deepEqual([...new Uint8Array(await res.arrayBuffer()).subarray(0, 8)], PNG);
  });

  it('refuses missing or wrong tokens with 401', async () => {
    assert.equal((await get('/api/file/asset/100001/thumbnail.jpg', null)).status, 401);
    assert.equal((await get('/file/asset/100001/original', 'nope')).status, 401);
  });

  it('serves legacy originals, previews and views, with /attachment adding a disposition', async () => {
    const pdfAsset = netx.find((a) => a.mimeType === 'application/pdf') as DemoAsset;
    const pdf = await get(`/file/asset/${pdfAsset.nativeId}/original/attachment`);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.match(pdf.headers.get('content-disposition') ?? '', /^attachment; filename=".+\.pdf"$/);
    assert.equal(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
      '%PDF-',
    );
    const web = await get('/file/asset/100001/view/web');
    assert.deepEqual([...new Uint8Array(await web.arrayBuffer()).subarray(0, 8)], PNG);
    assert.equal((await get('/file/asset/100001/preview')).headers.get('content-disposition'), null);
    assert.equal((await get(`/file/asset/${pdfAsset.nativeId}/view/web`)).status, 404, 'documents have no web view');
    assert.equal((await get('/file/asset/999999/original')).status, 404);
  });
});

describe('faults', () => {
  const ping = () =>
    fetch(`${url}/api/rpc`, {
      method: 'POST',
      headers: { authorization: `apiToken ${TOKEN}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getSelf', params: [] }),
    });

  it('adds latency', async () => {
    await simFaults(url, { route: 'POST /api/rpc', latencyMs: 150 });
    const t = Date.now();
    assert.equal((await ping()).status, 200);
    assert.ok(Date.now() - t >= 140);
  });

  it('answers an error status at the given rate, with Retry-After', async () => {
    await simFaults(url, { errorStatus: 503, errorRate: 1, retryAfter: 3 });
    const res = await ping();
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '3');
    await simFaults(url, { clear: true, faults: [{ errorStatus: 503, errorRate: 0 }] });
    assert.equal((await ping()).status, 200);
  });

  it('goes down (connection reset)', async () => {
    await simFaults(url, { down: true });
    await assert.rejects(ping());
  });

  it('trickles a slow body', async () => {
    await simFaults(url, { slowBodyMs: 200 });
    const t = Date.now();
    const res = await ping();
    await res.text();
    assert.ok(Date.now() - t >= 150);
  });

  it('truncates and corrupts bodies', async () => {
    await simFaults(url, { truncate: true });
    await assert.rejects(async () => (await ping()).text());
    await simFaults(url, { clear: true, faults: [{ malformed: true }] });
    const body = await (await ping()).text();
    assert.throws(() => JSON.parse(body));
  });

  it('lifts a fault after `times` requests', async () => {
    await simFaults(url, { errorStatus: 500, times: 2 });
    assert.deepEqual([(await ping()).status, (await ping()).status, (await ping()).status], [500, 500, 200]);
    assert.equal((await simStats(url)).byRoute['POST /api/rpc'], 3);
  });
});

describe('options', () => {
  it('rate-limits with 429 and Retry-After when asked to', async () => {
    const limited = createNetxSimulator(world, mapping, { rateLimitPerSecond: 2 });
    const base = await limited.listen(0);
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${base}/api/rpc`, {
          method: 'POST',
          headers: { authorization: `apiToken ${TOKEN}` },
          body: JSON.stringify({ jsonrpc: '2.0', id: i, method: 'getSelf', params: [] }),
        });
        statuses.push(res.status);
        retryAfter ??= res.headers.get('retry-after');
        await res.body?.cancel();
      }
      assert.deepEqual(statuses, [200, 200, 429]);
      assert.equal(retryAfter, '1');
    } finally {
      await limited.close();
    }
  });

  it('puts the total under a configured key, or omits it', async () => {
    for (const [totalKey, expected] of [
      ['totalCount', 'totalCount'],
      [null, undefined],
    ] as const) {
      const s = createNetxSimulator(world, mapping, { totalKey });
      const base = await s.listen(0);
      try {
        const res = await fetch(`${base}/api/rpc`, {
          method: 'POST',
          headers: { authorization: `apiToken ${TOKEN}` },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getAssetsByQuery', params: [{ query: [] }, { page: { size: 1 } }] }),
        });
        const result = ((await res.json()) as RpcReply).result as Record<string, unknown>;
        assert.deepEqual(Object.keys(result).sort(), expected ? ['results', expected].sort() : ['results']);
        if (expected) assert.equal(result[expected], netx.length);
      } finally {
        await s.close();
      }
    }
  });
});
