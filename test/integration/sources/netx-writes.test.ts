/**
 * The NetX connector's writes (DamWrites) against the simulator over real HTTP: each field
 * written reads back as the same canonical value through getAssets and as the vendor's shape
 * through raw JSON-RPC; clearing; idempotence; the partner distribution as folders; method
 * names that the server lacks (-32601) as typed configuration errors; the configurable
 * attribute method; retries and faults; and what the simulator logs.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { DEMO_NETX_DISTRIBUTION_FOLDERS } from '../../../simulators/netx/folders.ts';
import { createNetxSimulator, type NetxSimOptions, type RpcCall } from '../../../simulators/netx/simulator.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';
import { demoMapping, parseMapping } from '../../../sources/mapping.ts';
import type { DamFieldValues } from '../../../sources/ports.ts';
import { createNetxClient, netxChangeCursor, type NetxClientOptions } from '../../../sources/netx/client.ts';
import { simFaults, simRequests, simReset, simStats, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const A = mapping.netx.attributes;
const TOKEN = DEMO_CREDENTIALS.netx.apiToken;
const [PORTAL, COBRANDING] = DEMO_NETX_DISTRIBUTION_FOLDERS.map(String) as [string, string];
/** An approved, cleared campaign asset in no distribution folder. */
const ASSET = '100003';
/** An asset in the Partner Portal folder as generated. */
const IN_PORTAL = '100005';

let sim: Simulator;
let url: string;
const make = (o: Partial<NetxClientOptions> = {}) =>
  createNetxClient({
    baseUrl: url,
    apiToken: TOKEN,
    mapping,
    backoffBaseMs: 5,
    timeoutMs: 2000,
    distributionFolders: [...DEMO_NETX_DISTRIBUTION_FOLDERS],
    ...o,
  });

before(async () => {
  sim = createNetxSimulator(world, mapping);
  url = await sim.listen(0);
});
after(() => sim.close());
beforeEach(() => simReset(url));

/** One raw JSON-RPC call against a simulator, as a NetX client would send it. */
async function rpc(
  method: string,
  params: unknown[],
  base = url,
): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const res = await fetch(`${base}/api/rpc`, {
    method: 'POST',
    headers: { authorization: `apiToken ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
}

/** The asset as NetX serves it: attributes, folders, modDate. */
async function rawAsset(
  id: string,
  base = url,
): Promise<{ attributes: Record<string, string[]>; folders: { id: number }[]; modDate: number }> {
  const r = await rpc('getAssets', [[Number(id)], { data: ['asset.id', 'asset.base', 'asset.attributes', 'asset.folders'] }], base);
  const [asset] = (r.result as { results: { attributes: Record<string, string[]>; folders: { id: number }[]; modDate: number }[] }).results;
  assert.ok(asset, `asset ${id} is served`);
  return asset;
}

const rpcCalls = async (base = url): Promise<RpcCall[]> => (await fetch(`${base}/__sim/rpc`)).json() as Promise<RpcCall[]>;
const writesIn = (calls: RpcCall[]) => calls.filter((c) => !c.method.startsWith('get'));

/** The typed error a promise fails with. */
async function failure(p: Promise<unknown>, kind: UpstreamError['kind']): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UpstreamError, `expected an UpstreamError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.system, 'NETX');
    return e;
  }
  assert.fail(`expected ${kind}`);
}

/** A simulator of its own, for options the shared one does not have. */
async function withSim(o: NetxSimOptions, fn: (base: string) => Promise<void>): Promise<void> {
  const other = createNetxSimulator(world, mapping, o);
  const base = await other.listen(0);
  try {
    await fn(base);
  } finally {
    await other.close();
  }
}

describe('writeFields', () => {
  const cases: {
    field: string;
    values: DamFieldValues;
    attribute: string;
    vendor: string[];
    read: (a: NonNullable<Awaited<ReturnType<ReturnType<typeof make>['getAssets']>>[number]>) => unknown;
    want: unknown;
  }[] = [
    {
      field: 'approval',
      values: { approval: 'REJECTED' },
      attribute: A.approval,
      vendor: ['Rejected'],
      read: (a) => a.approval,
      want: 'REJECTED',
    },
    {
      field: 'rightsStatus',
      values: { rightsStatus: 'RESTRICTED' },
      attribute: A.rightsStatus,
      vendor: ['Restricted'],
      read: (a) => a.rights.status,
      want: 'RESTRICTED',
    },
    {
      field: 'validFrom',
      values: { validFrom: '2027-02-01T09:30:00Z' },
      attribute: A.validFrom,
      vendor: ['2027-02-01T09:30:00.000Z'],
      read: (a) => a.rights.validFrom,
      want: '2027-02-01T09:30:00.000Z',
    },
    {
      field: 'validUntil',
      values: { validUntil: '2027-03-31T00:00:00.000Z' },
      attribute: A.validUntil,
      vendor: ['2027-03-31T00:00:00.000Z'],
      read: (a) => a.rights.validUntil,
      want: '2027-03-31T00:00:00.000Z',
    },
    {
      field: 'territories',
      values: { territories: ['EMEA', 'NA'] },
      attribute: A.territories,
      vendor: ['EMEA', 'NA'],
      read: (a) => a.rights.territories,
      want: ['EMEA', 'NA'],
    },
    {
      field: 'channels',
      values: { channels: ['web'] },
      attribute: A.channels,
      vendor: ['web'],
      read: (a) => a.rights.channels,
      want: ['web'],
    },
  ];

  for (const c of cases) {
    it(`writes ${c.field}: the same canonical value through getAssets, the vendor's shape through JSON-RPC`, async () => {
      const client = make();
      const [was] = await client.getAssets([ASSET]);
      assert.ok(was);
      assert.notDeepEqual(c.read(was), c.want, 'the test writes a value the asset does not have yet');
      const before = await rawAsset(ASSET);
      await client.writeFields(ASSET, c.values);
      const [now] = await client.getAssets([ASSET]);
      assert.ok(now);
      assert.deepEqual(c.read(now), c.want);
      const raw = await rawAsset(ASSET);
      assert.deepEqual(raw.attributes[c.attribute], c.vendor);
      // Every other attribute is left as it was.
      for (const [name, values] of Object.entries(before.attributes))
        if (name !== c.attribute) assert.deepEqual(raw.attributes[name], values, name);
      assert.ok(raw.modDate > before.modDate, 'the modify date moves forward');
      assert.equal(now.modifiedAt, new Date(raw.modDate).toISOString());
    });
  }

  it('writes several fields in one updateAsset call, in the wire shape the reference gives', async () => {
    await make().writeFields(ASSET, { rightsStatus: 'EXPIRED', approval: 'PENDING', channels: ['internal', 'web'] });
    const writes = writesIn(await rpcCalls());
    assert.deepEqual(writes, [
      {
        at: writes[0]?.at,
        method: 'updateAsset',
        params: [
          { id: 100003, attributes: { [A.approval]: ['Pending'], [A.rightsStatus]: ['Expired'], [A.channels]: ['internal', 'web'] } },
          { data: ['asset.id', 'asset.attributes'] },
        ],
      },
    ]);
  });

  it('is served by every read: search by the new value, and the change feed', async () => {
    const client = make();
    const cursor = netxChangeCursor(new Date(Date.now() - 1000));
    const restricted = async () =>
      (await client.findAssets({ rightsStatuses: ['RESTRICTED'], campaignCodes: ['CMP-2026-004'] }, { first: 100 })).items.map(
        (a) => a.source.nativeId,
      );
    assert.ok(!(await restricted()).includes(ASSET));
    await client.writeFields(ASSET, { rightsStatus: 'RESTRICTED' });
    assert.ok((await restricted()).includes(ASSET));
    const changes = await client.changesSince(cursor);
    assert.deepEqual(
      changes.changes.map((c) => [c.nativeId, c.operation]),
      [[ASSET, 'update']],
    );
  });

  it('clears with null and []', async () => {
    const client = make();
    const [was] = await client.getAssets([ASSET]);
    assert.ok(was?.rights.validFrom && was.rights.validUntil && was.rights.territories.length && was.rights.channels.length);
    await client.writeFields(ASSET, { validFrom: null, validUntil: null, territories: [], channels: [] });
    const [now] = await client.getAssets([ASSET]);
    assert.equal(now?.rights.validFrom, undefined);
    assert.equal(now?.rights.validUntil, undefined);
    assert.deepEqual(now?.rights.territories, []);
    assert.deepEqual(now?.rights.channels, []);
    const raw = await rawAsset(ASSET);
    for (const name of [A.validFrom, A.validUntil, A.territories, A.channels]) assert.deepEqual(raw.attributes[name], [], name);
    assert.equal(now?.rights.status, was.rights.status, 'fields not named stay');
  });

  it('writing the same values twice leaves the same state', async () => {
    const client = make();
    const values: DamFieldValues = { rightsStatus: 'RESTRICTED', validUntil: '2026-12-01T00:00:00Z', territories: ['APAC'] };
    await client.writeFields(ASSET, values);
    const once = await rawAsset(ASSET);
    const [first] = await client.getAssets([ASSET]);
    await client.writeFields(ASSET, values);
    const twice = await rawAsset(ASSET);
    const [second] = await client.getAssets([ASSET]);
    assert.deepEqual(twice.attributes, once.attributes);
    assert.deepEqual(second?.rights, first?.rights);
    assert.equal(writesIn(await rpcCalls()).length, 2);
  });

  it('sends nothing for no values, and nothing for an id that is not a NetX id', async () => {
    await make().writeFields(ASSET, {});
    for (const id of ['../x', '1?a=b', '', '-1', '1.5', '100003 '])
      await failure(make().writeFields(id, { rightsStatus: 'EXPIRED' }), 'NOT_FOUND');
    await failure(make().writeFields(ASSET, { validUntil: 'next tuesday' }), 'BAD_REQUEST');
    await failure(make().writeFields(ASSET, { territories: ['MARS' as 'NA'] }), 'BAD_REQUEST');
    assert.equal((await simStats(url)).total, 0);
  });

  it('an asset NetX does not have is FORBIDDEN (3004), not retried', async () => {
    const e = await failure(make().writeFields('999999', { rightsStatus: 'EXPIRED' }), 'FORBIDDEN');
    assert.equal(e.retryable, false);
    assert.equal((await simStats(url)).total, 1);
  });

  it('an attribute name NetX does not have is BAD_REQUEST and changes nothing', async () => {
    const doc = JSON.parse(JSON.stringify(mapping)) as Record<string, { attributes: Record<string, string> }>;
    (doc.netx as { attributes: Record<string, string> }).attributes.rightsStatus = 'Rights State';
    const before = await rawAsset(ASSET);
    const e = await failure(
      make({ mapping: parseMapping(doc) }).writeFields(ASSET, { rightsStatus: 'EXPIRED', channels: ['web'] }),
      'BAD_REQUEST',
    );
    assert.match(e.message, /-32602/);
    assert.doesNotMatch(e.message, /http:|apiToken|Rights State/);
    assert.deepEqual((await rawAsset(ASSET)).attributes, before.attributes, 'a refused update stores nothing');
  });

  it('fails BAD_REQUEST when updateAsset does not take attributes, naming the option that fixes it', async () => {
    await withSim({ attributesViaUpdateAsset: false }, async (base) => {
      const e = await failure(make({ baseUrl: base }).writeFields(ASSET, { rightsStatus: 'EXPIRED' }), 'BAD_REQUEST');
      assert.match(e.message, /did not apply "Rights Status".*attributeWrite/);
      const [a] = await make({ baseUrl: base }).getAssets([ASSET]);
      assert.equal(a?.rights.status, 'CLEARED');
    });
  });
});

describe('the configurable attribute method', () => {
  it('writes through setAssetAttributes [assetId, {name: [values]}] and reads back the same', async () => {
    const client = make({ attributeWrite: { method: 'setAssetAttributes' } });
    await client.writeFields(ASSET, { rightsStatus: 'RESTRICTED', territories: ['LATAM'] });
    const [a] = await client.getAssets([ASSET]);
    assert.equal(a?.rights.status, 'RESTRICTED');
    assert.deepEqual(a?.rights.territories, ['LATAM']);
    const writes = writesIn(await rpcCalls());
    assert.deepEqual(
      writes.map((c) => [c.method, c.params]),
      [['setAssetAttributes', [100003, { [A.rightsStatus]: ['Restricted'], [A.territories]: ['LATAM'] }]]],
    );
  });
});

describe('method names the server does not have (-32601)', () => {
  it('is a non-retryable BAD_REQUEST naming the method and the option, for every configurable write', async () => {
    const attempts: [Promise<unknown>, string, string][] = [
      [make({ methods: { update: 'updateAssets' } }).writeFields(ASSET, { rightsStatus: 'EXPIRED' }), 'updateAssets', 'methods.update'],
      [
        make({ attributeWrite: { method: 'setAttributes' } }).writeFields(ASSET, { rightsStatus: 'EXPIRED' }),
        'setAttributes',
        'attributeWrite.method',
      ],
      [
        make({ methods: { removeFromFolder: 'removeFromFolder' } }).removeFromDistribution(IN_PORTAL, [PORTAL]),
        'removeFromFolder',
        'methods.removeFromFolder',
      ],
      [make({ methods: { addToFolder: 'fileAsset' } }).addToDistribution(ASSET, [PORTAL]), 'fileAsset', 'methods.addToFolder'],
    ];
    for (const [p, method, option] of attempts) {
      const e = await failure(p, 'BAD_REQUEST');
      assert.equal(e.retryable, false);
      assert.ok(e.message.includes(`"${method}"`) && e.message.includes(option) && e.message.includes('-32601'), e.message);
    }
    const calls = await rpcCalls();
    for (const [, method] of attempts) assert.equal(calls.filter((c) => c.method === method).length, 1, `${method} sent once, not retried`);
    assert.ok(calls.filter((c) => c.error === -32601).length === 4);
  });

  it('also when the simulated NetX lacks the INFERRED removeAssetFromFolder', async () => {
    await withSim({ disabledMethods: ['removeAssetFromFolder'] }, async (base) => {
      const e = await failure(make({ baseUrl: base }).removeFromDistribution(IN_PORTAL, [PORTAL]), 'BAD_REQUEST');
      assert.match(e.message, /"removeAssetFromFolder".*methods\.removeFromFolder/);
      assert.deepEqual(await make({ baseUrl: base }).distributionOf(IN_PORTAL), [PORTAL]);
    });
  });
});

describe('distribution folders', () => {
  it('the demo distribution folders hold demo assets', async () => {
    for (const folder of DEMO_NETX_DISTRIBUTION_FOLDERS) {
      const r = await rpc('getAssetsByFolder', [folder, false, { page: { size: 1000 } }]);
      assert.ok((r.result as { size: number }).size > 0, `folder ${folder} is not empty`);
    }
    assert.deepEqual(await make().distributionOf(IN_PORTAL), [PORTAL]);
    assert.deepEqual(await make().distributionOf(ASSET), []);
  });

  it('removes and adds back, twice each without failing, and every read sees it', async () => {
    const client = make();
    const inFolder = async () =>
      (
        (await rpc('getAssetsByFolder', [Number(PORTAL), false, { page: { size: 1000 }, data: ['asset.id'] }])).result as {
          results: { id: number }[];
        }
      ).results.some((a) => a.id === Number(IN_PORTAL));
    const before = await rawAsset(IN_PORTAL);
    assert.ok(await inFolder());

    await client.removeFromDistribution(IN_PORTAL, [PORTAL]);
    assert.deepEqual(await client.distributionOf(IN_PORTAL), []);
    assert.ok(!(await inFolder()));
    const out = await rawAsset(IN_PORTAL);
    assert.ok(!out.folders.some((f) => f.id === Number(PORTAL)));
    assert.ok(out.folders.length > 0, 'still filed in its campaign folder');
    assert.ok(out.modDate > before.modDate, 'the modify date moves forward');
    await client.removeFromDistribution(IN_PORTAL, [PORTAL]);
    assert.deepEqual(await client.distributionOf(IN_PORTAL), []);

    await client.addToDistribution(IN_PORTAL, [PORTAL]);
    assert.deepEqual(await client.distributionOf(IN_PORTAL), [PORTAL]);
    assert.ok(await inFolder());
    await client.addToDistribution(IN_PORTAL, [PORTAL]);
    assert.deepEqual(await client.distributionOf(IN_PORTAL), [PORTAL]);

    // Only the changes were sent: one removal, one addition, in the vendor's positional shape.
    assert.deepEqual(
      writesIn(await rpcCalls()).map((c) => [c.method, c.params]),
      [
        ['removeAssetFromFolder', [Number(IN_PORTAL), Number(PORTAL)]],
        ['addAssetToFolder', [Number(IN_PORTAL), Number(PORTAL), {}]],
      ],
    );
  });

  it('the simulator itself takes a no-op folder write as success', async () => {
    assert.equal((await rpc('removeAssetFromFolder', [Number(ASSET), Number(PORTAL)])).error, undefined);
    assert.equal((await rpc('addAssetToFolder', [Number(IN_PORTAL), Number(PORTAL), {}])).error, undefined);
    assert.equal((await rpc('addAssetToFolder', [Number(ASSET), 424242, {}])).error?.code, 3004);
  });

  it('handles several containers, and only the configured ones', async () => {
    const client = make();
    await client.addToDistribution(ASSET, [PORTAL, COBRANDING, PORTAL]);
    assert.deepEqual(await client.distributionOf(ASSET), [PORTAL, COBRANDING]);
    await client.removeFromDistribution(ASSET, [COBRANDING]);
    assert.deepEqual(await client.distributionOf(ASSET), [PORTAL]);
    const campaignFolder = String((await rawAsset(ASSET)).folders[0]?.id);
    const before = (await simStats(url)).total;
    await failure(client.removeFromDistribution(ASSET, [campaignFolder]), 'BAD_REQUEST');
    await failure(client.addToDistribution(ASSET, ['../1']), 'BAD_REQUEST');
    assert.equal((await simStats(url)).total, before, 'refused before any request');
  });

  it('answers [] without a request when no folder is configured', async () => {
    assert.deepEqual(await make({ distributionFolders: [] }).distributionOf(IN_PORTAL), []);
    assert.equal((await simStats(url)).total, 0);
  });
});

describe("the simulator's answers to writes", () => {
  it('updateAsset changes plain fields, serves them everywhere and answers the asset with the groups asked for', async () => {
    const before = await rawAsset(ASSET);
    const r = await rpc('updateAsset', [
      { id: Number(ASSET), name: 'Renamed hero', fileName: 'renamed-hero.png', description: 'Two\nlines' },
      { data: ['asset.id', 'asset.base', 'asset.file'] },
    ]);
    const answer = r.result as { id: number; name: string; fileName: string; description: string; modDate: number; file: { url: string } };
    assert.deepEqual(
      [answer.id, answer.name, answer.fileName, answer.description],
      [100003, 'Renamed hero', 'renamed-hero.png', 'Two\nlines'],
    );
    assert.ok(answer.modDate > before.modDate);
    assert.match(answer.file.url, /\/renamed-hero\.png$/);
    const [a] = await make().getAssets([ASSET]);
    assert.equal(a?.title, 'Renamed hero');
    const found = await make().findAssets({ text: 'Renamed hero' }, { first: 5 });
    assert.deepEqual(
      found.items.map((x) => x.source.nativeId),
      [ASSET],
    );
  });

  it('answers -32602 for an unknown field or attribute or a bad value, -32601 for an unknown method, and stores nothing', async () => {
    const before = await rawAsset(ASSET);
    const codes = [
      await rpc('updateAsset', [{ id: Number(ASSET), title: 'x' }, {}]),
      await rpc('updateAsset', [{ id: Number(ASSET), name: 'ok', attributes: { 'No Such Attribute': ['x'] } }, {}]),
      await rpc('updateAsset', [{ id: Number(ASSET), attributes: { [A.rightsStatus]: ['Sort of'] } }, {}]),
      await rpc('setAssetAttributes', [Number(ASSET), { [A.validUntil]: ['never'] }]),
      await rpc('deleteAsset', [Number(ASSET)]),
      await rpc('updateAsset', [{ id: 999_999, name: 'x' }, {}]),
    ].map((r) => r.error?.code);
    assert.deepEqual(codes, [-32602, -32602, -32602, -32602, -32601, 3004]);
    const after = await rawAsset(ASSET);
    assert.deepEqual(after, before);
  });

  it('setAssetAttributes answers the attributes after the write', async () => {
    const r = await rpc('setAssetAttributes', [Number(ASSET), { [A.approval]: ['Rejected'] }]);
    assert.deepEqual((r.result as Record<string, string[]>)[A.approval], ['Rejected']);
    assert.deepEqual((await rawAsset(ASSET)).attributes[A.approval], ['Rejected']);
  });

  it('refuses to take an asset out of its last folder', async () => {
    const [only] = (await rawAsset(ASSET)).folders;
    assert.ok(only);
    assert.equal((await rpc('removeAssetFromFolder', [Number(ASSET), only.id])).error?.code, -32602);
    assert.deepEqual(
      (await rawAsset(ASSET)).folders.map((f) => f.id),
      [only.id],
    );
  });
});

describe('faults and the request log', () => {
  it('a simulator that is down is UNAVAILABLE (retryable)', async () => {
    await simFaults(url, { route: 'POST /api/rpc', down: true });
    const e = await failure(make({ retries: 1 }).writeFields(ASSET, { rightsStatus: 'EXPIRED' }), 'UNAVAILABLE');
    assert.equal(e.retryable, true);
    await failure(make({ retries: 0 }).addToDistribution(ASSET, [PORTAL]), 'UNAVAILABLE');
  });

  it('retries a write through 500s and a 429, then applies it once', async () => {
    await simFaults(url, { route: 'POST /api/rpc', errorStatus: 500, times: 2 });
    await make().writeFields(ASSET, { rightsStatus: 'EXPIRED' });
    assert.equal((await simStats(url)).total, 3);
    await simFaults(url, { route: 'POST /api/rpc', errorStatus: 429, retryAfter: 0, times: 1 });
    await make().writeFields(ASSET, { approval: 'REJECTED' });
    const [a] = await make().getAssets([ASSET]);
    assert.equal(a?.rights.status, 'EXPIRED');
    assert.equal(a?.approval, 'REJECTED');
    await simFaults(url, { route: 'POST /api/rpc', errorStatus: 500 });
    await failure(make().writeFields(ASSET, { approval: 'APPROVED' }), 'UNAVAILABLE');
  });

  it('shows the write in /__sim/requests and its body in /__sim/rpc', async () => {
    await make().writeFields(ASSET, { channels: ['partner'] });
    assert.deepEqual(
      (await simRequests(url)).map((r) => [r.method, r.rawPath, r.route, r.status]),
      [['POST', '/api/rpc', 'POST /api/rpc', 200]],
    );
    const [call] = await rpcCalls();
    assert.equal(call?.method, 'updateAsset');
    assert.deepEqual((call?.params as unknown[])[0], { id: 100003, attributes: { [A.channels]: ['partner'] } });
  });

  it('a reset forgets every write', async () => {
    await make().writeFields(ASSET, { rightsStatus: 'EXPIRED' });
    await make().removeFromDistribution(IN_PORTAL, [PORTAL]);
    await simReset(url);
    const [a] = await make().getAssets([ASSET]);
    assert.equal(a?.rights.status, world.assetById('NETX', ASSET)?.rights.status);
    assert.deepEqual(await make().distributionOf(IN_PORTAL), [PORTAL]);
    assert.deepEqual(writesIn(await rpcCalls()), [], 'the call log is reset too');
  });
});
