/**
 * The iconik connector's writes (DamWrites) against the simulator over real HTTP: each field
 * written reads back through the connector as the same canonical value and through iconik's own
 * API as the vendor shape; clearing; the same write twice; the distribution collections out and
 * back in, twice each; typed errors for a wrong mapping, a wrong view and a failing simulator;
 * the writes in the simulator's request log; and the simulator's own answers to its write routes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import {
  DEMO_ICONIK_DISTRIBUTION_COLLECTIONS,
  DEMO_ICONIK_PARTNER_PORTAL,
  DEMO_ICONIK_PARTNER_PRESS_KIT,
} from '../../../simulators/iconik/distribution.ts';
import { createIconikSimulator, type IconikSimOptions } from '../../../simulators/iconik/simulator.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';
import { createIconikClient, type IconikClientOptions } from '../../../sources/iconik/client.ts';
import { iconikDate } from '../../../sources/iconik/wire.ts';
import { DEMO_MAPPING_FILE, demoMapping, parseMapping, type Mapping } from '../../../sources/mapping.ts';
import type { ApprovalStatus } from '../../../sources/model.ts';
import type { DamFieldValues } from '../../../sources/ports.ts';
import { simFaults, simRequests, simReset, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const creds = DEMO_CREDENTIALS.iconik;
const VIEW = mapping.iconik.metadataViewId;
const F = mapping.iconik.fields;
const assets = [...world.assets('ICONIK')];
const PUT_ROUTE = 'PUT /API/metadata/v1/:object_type/:object_id/views/:view_id/';

const pick = (what: string, test: (a: DemoAsset) => boolean): DemoAsset => {
  const a = assets.find(test);
  assert.ok(a, `the test world has ${what}`);
  return a;
};
/** Awaiting approval, of a campaign: in no distribution collection. */
const pending = pick('a pending campaign asset', (a) => a.rightsCase === 'pending-approval' && a.campaignCode !== undefined);
/** Cleared world-wide, of a campaign: in both distribution collections. */
const cleared = pick('a cleared campaign asset', (a) => a.rightsCase === 'cleared-world' && a.campaignCode !== undefined);
const other = pick('another cleared asset', (a) => a.rightsCase === 'cleared-world' && a !== cleared);

let sim: Simulator;
let root = '';

type Client = ReturnType<typeof createIconikClient>;
const make = (o: Partial<IconikClientOptions> = {}, at = root): Client =>
  createIconikClient({
    baseUrl: `${at}/API`,
    appId: creds.appId,
    authToken: creds.authToken,
    mapping,
    backoffBaseMs: 5,
    distributionCollections: [...DEMO_ICONIK_DISTRIBUTION_COLLECTIONS],
    ...o,
  });

/** A vendor request with the demo credentials, answered as status and parsed body. */
async function call(
  path: string,
  init: { method?: string; body?: unknown; auth?: boolean } = {},
  at = root,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${at}/API${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      'content-type': 'application/json',
      ...(init.auth === false ? {} : { 'App-ID': creds.appId, 'Auth-Token': creds.authToken }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The raw `metadata_values` of the mapped view: field name -> values. */
async function rawValues(id: string, at = root): Promise<Record<string, string[]>> {
  const r = await call(`/metadata/v1/assets/${id}/views/${VIEW}/`, {}, at);
  assert.equal(r.status, 200);
  const mv = r.body.metadata_values as Record<string, { field_values: { value: string }[] }>;
  return Object.fromEntries(Object.entries(mv).map(([k, v]) => [k, v.field_values.map((x) => x.value)]));
}

/** The raw search object of one asset (what the connector's reads are built from). */
async function rawSearch(id: string, at = root): Promise<Record<string, unknown>> {
  const r = await call(
    '/search/v1/search/?per_page=1',
    { body: { doc_types: ['assets'], filter: { operator: 'AND', terms: [{ name: 'id', value: id }] } } },
    at,
  );
  const [o] = r.body.objects as Record<string, unknown>[];
  assert.ok(o, `search finds ${id}`);
  return o;
}

const rawAsset = async (id: string) => (await call(`/assets/v1/assets/${id}/`)).body;

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UpstreamError, `typed error, got ${String(e)}`);
    assert.ok(!e.message.includes(root) && !e.message.includes(creds.authToken), `no URL or token in "${e.message}"`);
    return e;
  }
  assert.fail('expected a failure');
}

/** The demo mapping's document with one change. */
function mappingWith(change: (doc: { iconik: { metadataViewId: string; fields: Record<string, string> } }) => void): Mapping {
  const doc = JSON.parse(readFileSync(DEMO_MAPPING_FILE, 'utf8')) as { iconik: { metadataViewId: string; fields: Record<string, string> } };
  change(doc);
  return parseMapping(doc);
}

const routeCount = async (route: string) => (await simRequests(root)).filter((r) => r.route === route).length;
const tick = () => new Promise((r) => setTimeout(r, 5));

before(async () => {
  sim = createIconikSimulator(world, mapping);
  root = await sim.listen(0);
});
after(() => sim.close());
afterEach(() => simReset(root));

describe('iconik writes: fields', () => {
  const values = {
    approval: 'APPROVED',
    rightsStatus: 'RESTRICTED',
    validFrom: '2026-12-01T00:00:00.000Z',
    validUntil: '2027-06-30T23:59:59.000Z',
    territories: ['EMEA', 'WORLD'],
    channels: ['partner', 'print'],
  } as const satisfies DamFieldValues;

  it('every field written reads back as the same canonical value, and as the vendor shape in iconik', async () => {
    const client = make();
    const modifiedBefore = String((await rawAsset(pending.nativeId)).date_modified);
    await tick();
    await client.writeFields(pending.nativeId, { ...values, territories: [...values.territories], channels: [...values.channels] });

    const [a] = await client.getAssets([pending.nativeId]);
    assert.ok(a);
    assert.equal(a.approval, 'APPROVED');
    assert.equal(a.rights.status, 'RESTRICTED');
    assert.equal(a.rights.validFrom, values.validFrom);
    assert.equal(a.rights.validUntil, values.validUntil);
    assert.deepEqual(a.rights.territories, ['EMEA', 'WORLD']);
    assert.deepEqual(a.rights.channels, ['partner', 'print']);
    // The fields not written keep their values.
    assert.equal(a.campaignCode, pending.campaignCode);

    const raw = await rawValues(pending.nativeId);
    assert.deepEqual(raw[F.approval], ['APPROVED']);
    assert.deepEqual(raw[F.rightsStatus], ['RESTRICTED']);
    assert.deepEqual(raw[F.validFrom], [iconikDate(values.validFrom)]);
    assert.deepEqual(raw[F.validUntil], [iconikDate(values.validUntil)]);
    assert.deepEqual(raw[F.territories], ['EMEA', 'WORLD']);
    assert.deepEqual(raw[F.channels], ['partner', 'print']);
    assert.deepEqual(raw[F.campaignCode], [pending.campaignCode]);
    const metadata = (await rawSearch(pending.nativeId)).metadata as Record<string, unknown[]>;
    assert.deepEqual(metadata[F.approval], ['APPROVED']);
    assert.deepEqual(metadata[F.territories], ['EMEA', 'WORLD']);

    const modifiedAfter = String((await rawAsset(pending.nativeId)).date_modified);
    assert.ok(Date.parse(modifiedAfter) > Date.parse(modifiedBefore), `${modifiedAfter} after ${modifiedBefore}`);
    assert.equal(a.modifiedAt, new Date(modifiedAfter).toISOString());
  });

  it('one PUT of the mapped view, in the request log; the change feed reports the asset', async () => {
    const client = make();
    const start = await client.changesSince();
    await tick();
    await client.writeFields(pending.nativeId, { approval: 'REJECTED' });
    const puts = (await simRequests(root)).filter((r) => r.method === 'PUT');
    assert.deepEqual(
      puts.map((r) => [r.rawPath, r.route, r.status]),
      [[`/API/metadata/v1/assets/${pending.nativeId}/views/${VIEW}/`, PUT_ROUTE, 200]],
    );
    const next = await client.changesSince(start.cursor);
    assert.deepEqual(
      next.changes.map((c) => [c.nativeId, c.operation]),
      [[pending.nativeId, 'update']],
    );
  });

  it('null and [] clear a field; the fields not given are left as they are', async () => {
    const client = make();
    await client.writeFields(cleared.nativeId, { validFrom: null, validUntil: null, territories: [], channels: [] });
    const [a] = await client.getAssets([cleared.nativeId]);
    assert.ok(a);
    assert.equal(a.rights.validFrom, undefined);
    assert.equal(a.rights.validUntil, undefined);
    assert.deepEqual(a.rights.territories, []);
    assert.deepEqual(a.rights.channels, []);
    assert.equal(a.approval, cleared.approval);
    assert.equal(a.rights.status, cleared.rights.status);
    const raw = await rawValues(cleared.nativeId);
    for (const f of [F.validFrom, F.validUntil, F.territories, F.channels]) assert.deepEqual(raw[f], [], f);
    assert.deepEqual(raw[F.approval], [cleared.approval]);
    assert.equal(F.territories in ((await rawSearch(cleared.nativeId)).metadata as object), false);
  });

  it('the same values twice leave the same state, and the second write changes nothing (no new modify date)', async () => {
    const client = make();
    const write = () => client.writeFields(other.nativeId, { rightsStatus: 'EXPIRED', channels: ['web'] });
    await write();
    const first = {
      raw: await rawValues(other.nativeId),
      asset: await rawAsset(other.nativeId),
      read: await client.getAssets([other.nativeId]),
    };
    await tick();
    await write();
    assert.deepEqual(await rawValues(other.nativeId), first.raw);
    assert.deepEqual(await rawAsset(other.nativeId), first.asset);
    assert.deepEqual(await client.getAssets([other.nativeId]), first.read);
    assert.equal(first.read[0]?.rights.status, 'EXPIRED');
    assert.deepEqual(
      (await simRequests(root)).filter((r) => r.method === 'PUT').map((r) => r.status),
      [200, 200],
    );
  });

  it('an edit made afterwards by other means wins over what was written to that field, and only that field', async () => {
    const client = make();
    await client.writeFields(pending.nativeId, { approval: 'APPROVED', rightsStatus: 'CLEARED' });
    const edit = await fetch(`${root}/__sim/assets/${pending.nativeId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ approval: 'REJECTED', title: 'Edited elsewhere' }),
    });
    assert.equal(edit.status, 200);
    const [a] = await client.getAssets([pending.nativeId]);
    assert.equal(a?.approval, 'REJECTED');
    assert.equal(a?.rights.status, 'CLEARED');
    assert.equal(a?.title, 'Edited elsewhere');
  });

  it('reset forgets the writes', async () => {
    await make().writeFields(pending.nativeId, { approval: 'APPROVED' });
    await simReset(root);
    assert.equal((await make().getAssets([pending.nativeId]))[0]?.approval, pending.approval);
  });

  it('values go through the mapping both ways: vendor terms in iconik, canonical terms read back', async () => {
    const doc = JSON.parse(readFileSync(DEMO_MAPPING_FILE, 'utf8')) as Record<string, Record<string, unknown>>;
    const mapped = parseMapping({
      ...doc,
      iconik: { ...doc.iconik, values: { approval: { Approved: 'APPROVED', Pending: 'PENDING', Rejected: 'REJECTED' } } },
    });
    const own = createIconikSimulator(world, mapped);
    const at = await own.listen(0);
    try {
      const client = make({ mapping: mapped }, at);
      await client.writeFields(pending.nativeId, { approval: 'APPROVED' });
      assert.deepEqual((await rawValues(pending.nativeId, at))[F.approval], ['Approved']);
      assert.equal((await client.getAssets([pending.nativeId]))[0]?.approval, 'APPROVED');
    } finally {
      await own.close();
    }
  });
});

describe('iconik writes: distribution collections', () => {
  const contents = async (collection: string) =>
    ((await call(`/assets/v1/collections/${collection}/contents/?per_page=500&object_types=assets`)).body.objects as { id: string }[]).map(
      (o) => o.id,
    );

  it('out of both collections and back in, each twice, with every read agreeing', async () => {
    const client = make();
    const id = cleared.nativeId;
    const both = [DEMO_ICONIK_PARTNER_PORTAL, DEMO_ICONIK_PARTNER_PRESS_KIT];
    assert.deepEqual(await client.distributionOf(id), both);
    const modifiedBefore = String((await rawAsset(id)).date_modified);
    await tick();

    await client.removeFromDistribution(id, both);
    assert.deepEqual(await client.distributionOf(id), []);
    assert.equal((await contents(DEMO_ICONIK_PARTNER_PORTAL)).includes(id), false);
    const inCollections = (await rawAsset(id)).in_collections as string[];
    assert.equal(inCollections.includes(DEMO_ICONIK_PARTNER_PORTAL), false);
    assert.equal(inCollections.length, 1, 'still in its campaign collection');
    assert.ok(Date.parse(String((await rawAsset(id)).date_modified)) > Date.parse(modifiedBefore));
    const inPortal = await call('/search/v1/search/?per_page=500', {
      body: { doc_types: ['assets'], filter: { operator: 'AND', terms: [{ name: 'in_collections', value: DEMO_ICONIK_PARTNER_PORTAL }] } },
    });
    assert.equal(
      (inPortal.body.objects as { id: string }[]).some((o) => o.id === id),
      false,
    );
    assert.ok((inPortal.body.objects as unknown[]).length > 0, 'the portal still holds other assets');

    await client.removeFromDistribution(id, both);
    assert.deepEqual(await client.distributionOf(id), []);

    await client.addToDistribution(id, both);
    assert.deepEqual(await client.distributionOf(id), both);
    assert.ok((await contents(DEMO_ICONIK_PARTNER_PRESS_KIT)).includes(id));
    await client.addToDistribution(id, both);
    assert.deepEqual(await client.distributionOf(id), both);

    const log = (await simRequests(root)).filter((r) => r.method === 'DELETE' || r.method === 'POST').map((r) => [r.method, r.status]);
    assert.deepEqual(
      log.filter(([m]) => m === 'DELETE'),
      [
        ['DELETE', 204],
        ['DELETE', 204],
        ['DELETE', 404],
        ['DELETE', 404],
      ],
    );
    assert.deepEqual(
      log.filter(([m, s]) => m === 'POST' && s !== 200),
      [
        ['POST', 201],
        ['POST', 201],
        ['POST', 409],
        ['POST', 409],
      ],
    );
  });

  it('an asset not in a collection can be added to it, and a simulator that answers 201 to a repeat is fine too', async () => {
    const own = createIconikSimulator(world, mapping, { duplicateContent: 'added' } satisfies IconikSimOptions);
    const at = await own.listen(0);
    try {
      const client = make({}, at);
      assert.deepEqual(await client.distributionOf(pending.nativeId), []);
      await client.addToDistribution(pending.nativeId, [DEMO_ICONIK_PARTNER_PRESS_KIT]);
      await client.addToDistribution(pending.nativeId, [DEMO_ICONIK_PARTNER_PRESS_KIT]);
      assert.deepEqual(await client.distributionOf(pending.nativeId), [DEMO_ICONIK_PARTNER_PRESS_KIT]);
      await client.removeFromDistribution(pending.nativeId, [DEMO_ICONIK_PARTNER_PRESS_KIT]);
      assert.deepEqual(await client.distributionOf(pending.nativeId), []);
    } finally {
      await own.close();
    }
  });

  it('with no distribution collections configured, distributionOf is [] without a request', async () => {
    assert.deepEqual(await make({ distributionCollections: [] }).distributionOf(cleared.nativeId), []);
    assert.equal((await simRequests(root)).length, 0);
  });

  it('the demo distribution collections exist and hold demo assets', async () => {
    for (const c of DEMO_ICONIK_DISTRIBUTION_COLLECTIONS) {
      const got = await call(`/assets/v1/collections/${c}/`);
      assert.equal(got.status, 200);
      assert.ok((await contents(c)).length > 0, `${String(got.body.title)} holds assets`);
    }
  });
});

describe('iconik writes: errors', () => {
  it('a mapped field the view does not have is BAD_REQUEST, not retried', async () => {
    const wrongField = mappingWith((d) => void (d.iconik.fields.approval = 'atrium_no_such_field'));
    const e = await failure(make({ mapping: wrongField }).writeFields(pending.nativeId, { approval: 'APPROVED' }));
    assert.equal(e.kind, 'BAD_REQUEST');
    assert.equal(e.retryable, false);
    assert.equal(await routeCount(PUT_ROUTE), 1);
  });

  it('a wrong metadata view is NOT_FOUND, not retried', async () => {
    const wrongView = mappingWith((d) => void (d.iconik.metadataViewId = '00000000-0000-4000-8000-000000000000'));
    const e = await failure(make({ mapping: wrongView }).writeFields(pending.nativeId, { approval: 'APPROVED' }));
    assert.equal(e.kind, 'NOT_FOUND');
    assert.equal(e.retryable, false);
    assert.equal(await routeCount(PUT_ROUTE), 1);
  });

  it('bad ids and values are refused before any request; unknown ones by iconik', async () => {
    const client = make();
    assert.equal((await failure(client.writeFields('../x', { approval: 'APPROVED' }))).kind, 'NOT_FOUND');
    assert.equal((await failure(client.distributionOf('not-an-id'))).kind, 'NOT_FOUND');
    assert.equal((await failure(client.writeFields(pending.nativeId, { approval: 'MAYBE' as ApprovalStatus }))).kind, 'BAD_REQUEST');
    assert.equal((await failure(client.removeFromDistribution(cleared.nativeId, ['../collections']))).kind, 'BAD_REQUEST');
    assert.equal((await simRequests(root)).length, 0);
    const nobody = '00000000-0000-4000-8000-000000000001';
    assert.equal((await failure(client.writeFields(nobody, { approval: 'APPROVED' }))).kind, 'NOT_FOUND');
    assert.equal((await failure(client.distributionOf(nobody))).kind, 'NOT_FOUND');
    const noCollection = '00000000-0000-4000-8000-000000000002';
    assert.equal((await failure(client.addToDistribution(cleared.nativeId, [noCollection]))).kind, 'NOT_FOUND');
    // Not in a collection that does not exist: nothing to take out.
    await client.removeFromDistribution(cleared.nativeId, [noCollection]);
    assert.throws(() => make({ distributionCollections: ['Partner portal'] }), /distributionCollections must be collection ids/);
  });

  it('the simulator down is UNAVAILABLE for every write; 500s are retried, then UNAVAILABLE; 429 is RATE_LIMITED', async () => {
    await simFaults(root, { down: true });
    const client = make();
    for (const write of [
      () => client.writeFields(pending.nativeId, { approval: 'APPROVED' }),
      () => client.distributionOf(cleared.nativeId),
      () => client.removeFromDistribution(cleared.nativeId, [DEMO_ICONIK_PARTNER_PORTAL]),
      () => client.addToDistribution(cleared.nativeId, [DEMO_ICONIK_PARTNER_PORTAL]),
    ]) {
      const e = await failure(write());
      assert.equal(e.kind, 'UNAVAILABLE');
      assert.equal(e.retryable, true);
    }
    await simReset(root);
    await simFaults(root, { route: PUT_ROUTE, errorStatus: 500 });
    assert.equal((await failure(make().writeFields(pending.nativeId, { approval: 'APPROVED' }))).kind, 'UNAVAILABLE');
    assert.equal(await routeCount(PUT_ROUTE), 3, 'the first attempt and two retries');
    await simReset(root);
    await simFaults(root, { route: PUT_ROUTE, errorStatus: 500, times: 1 });
    await make().writeFields(pending.nativeId, { approval: 'APPROVED' });
    assert.deepEqual(await rawValues(pending.nativeId).then((r) => r[F.approval]), ['APPROVED']);
    await simReset(root);
    await simFaults(root, { route: '/API/assets/v1/collections', errorStatus: 429 });
    assert.equal((await failure(make().removeFromDistribution(cleared.nativeId, [DEMO_ICONIK_PARTNER_PORTAL]))).kind, 'RATE_LIMITED');
  });
});

describe('iconik simulator: the write routes on the wire', () => {
  const put = (id: string, metadata_values: unknown, view = VIEW) =>
    call(`/metadata/v1/assets/${id}/views/${view}/`, { method: 'PUT', body: { metadata_values } });

  it('400 names each refused field, and nothing of the request is applied', async () => {
    const r = await put(pending.nativeId, {
      [F.approval]: { field_values: [{ value: 'APPROVED' }] },
      atrium_no_such_field: { field_values: [{ value: 'x' }] },
      [F.rightsStatus]: { field_values: [{ value: 'MAYBE' }], mode: 'overwrite' },
      [F.validFrom]: { field_values: [{ value: 'someday' }] },
      [F.region]: { field_values: [{ value: 'EMEA' }, { value: 'NA' }] },
      [F.channels]: { field_values: [{ value: 'web' }], mode: 'replace' },
    });
    assert.equal(r.status, 400);
    assert.deepEqual(
      Object.keys(r.body.errors as object).sort(),
      ['atrium_no_such_field', F.channels, F.region, F.rightsStatus, F.validFrom].sort(),
    );
    for (const v of Object.values(r.body.errors as Record<string, unknown>)) assert.ok(Array.isArray(v) && typeof v[0] === 'string');
    assert.deepEqual((await rawValues(pending.nativeId))[F.approval], [pending.approval]);
  });

  it('mode append and delete change a list; the answer is the view after the change', async () => {
    const r = await put(cleared.nativeId, { [F.channels]: { field_values: [{ value: 'tv' }], mode: 'append' } });
    assert.equal(r.status, 200);
    const after = (r.body.metadata_values as Record<string, { field_values: { value: string }[] }>)[F.channels]?.field_values.map(
      (x) => x.value,
    );
    assert.deepEqual(after, [...cleared.rights.channels, 'tv']);
    const first = cleared.rights.channels[0] as string;
    await put(cleared.nativeId, { [F.channels]: { field_values: [{ value: first }], mode: 'delete' } });
    assert.deepEqual((await rawValues(cleared.nativeId))[F.channels], [...cleared.rights.channels.slice(1), 'tv']);
  });

  it('404s as iconik words them; 401 without credentials', async () => {
    const wrongView = await put(pending.nativeId, {}, '00000000-0000-4000-8000-000000000000');
    assert.deepEqual([wrongView.status, wrongView.body], [404, { errors: ["Metadata view doesn't exist"] }]);
    const out = await call(`/assets/v1/collections/${DEMO_ICONIK_PARTNER_PORTAL}/contents/assets/${pending.nativeId}/`, {
      method: 'DELETE',
    });
    assert.deepEqual([out.status, out.body], [404, { errors: ['Content object not found'] }]);
    const noCollection = await call('/assets/v1/collections/00000000-0000-4000-8000-000000000000/contents/', {
      body: { object_id: pending.nativeId, object_type: 'assets' },
    });
    assert.deepEqual([noCollection.status, noCollection.body], [404, { errors: ['Collection not found'] }]);
    const added = await call(`/assets/v1/collections/${DEMO_ICONIK_PARTNER_PORTAL}/contents/`, {
      body: { object_id: pending.nativeId, object_type: 'assets' },
    });
    assert.equal(added.status, 201);
    assert.equal(added.body.collection_id, DEMO_ICONIK_PARTNER_PORTAL);
    const again = await call(`/assets/v1/collections/${DEMO_ICONIK_PARTNER_PORTAL}/contents/`, {
      body: { object_id: pending.nativeId, object_type: 'assets' },
    });
    assert.deepEqual([again.status, again.body], [409, { errors: ['Object is already in the collection'] }]);
    const missing = await call(`/assets/v1/collections/${DEMO_ICONIK_PARTNER_PORTAL}/contents/`, { body: {} });
    assert.deepEqual(Object.keys((missing.body.errors ?? {}) as object).sort(), ['object_id', 'object_type']);
    const anonymous = await call(`/metadata/v1/assets/${pending.nativeId}/views/${VIEW}/`, { method: 'PUT', body: {}, auth: false });
    assert.deepEqual([anonymous.status, anonymous.body], [401, { errors: ['Token is invalid'] }]);
  });
});
