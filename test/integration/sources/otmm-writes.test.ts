/**
 * The OTMM write connector (DamWrites) against its simulator over real HTTP: every field written
 * reads back through the connector as the same canonical value and through raw OTMM REST in the
 * vendor's shape; clearing; lock -> edit -> unlock, with the lock released after a failed edit
 * and never taken from another session; idempotence (nothing written twice); distribution as
 * security policies; typed errors.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { DEMO_OTMM_DISTRIBUTION_POLICIES, DEMO_OTMM_INTERNAL_POLICY } from '../../../simulators/otmm/policies.ts';
import { createOtmmSimulator } from '../../../simulators/otmm/simulator.ts';
import { UpstreamError, type UpstreamErrorKind } from '../../../sources/http/errors.ts';
import { demoMapping, type Mapping } from '../../../sources/mapping.ts';
import type { DamFieldValues } from '../../../sources/ports.ts';
import { createOtmmClient, otmmChangeCursor, type OtmmClientOptions } from '../../../sources/otmm/client.ts';
import type { OtmmAsset, OtmmExceptionBody, OtmmMetadataElement, OtmmSecurityPoliciesResource } from '../../../sources/otmm/wire.ts';
import { simFaults, simRequests, simReset, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const F = mapping.otmm.fields;
const ALL: DemoAsset[] = [...world.assets('OTMM')];
const API = '/otmmapi/v6';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const PARTNER = String(DEMO_OTMM_DISTRIBUTION_POLICIES[0]);
const ROUTES = {
  state: 'PUT /otmmapi/v6/assets/:asset_id/state',
  edit: 'PATCH /otmmapi/v6/assets/:asset_id',
  read: 'GET /otmmapi/v6/assets/:asset_id',
};

const client = (base: string, extra: Partial<OtmmClientOptions> = {}) =>
  createOtmmClient({
    baseUrl: base,
    ...DEMO_CREDENTIALS.otmm,
    mapping,
    timeoutMs: 2000,
    backoffBaseMs: 5,
    distributionPolicies: DEMO_OTMM_DISTRIBUTION_POLICIES,
    ...extra,
  });

async function rejectsWith(p: Promise<unknown>, kind: UpstreamErrorKind): Promise<UpstreamError> {
  let caught: UpstreamError | undefined;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UpstreamError, `an UpstreamError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.system, 'OTMM');
    caught = e;
    return true;
  });
  return caught as UpstreamError;
}

/** A raw OTMM session (a second user of the server, or the test reading the vendor shapes). */
async function rawSession(base: string) {
  const res = await fetch(`${base}${API}/sessions`, { method: 'POST', headers: FORM, body: new URLSearchParams(DEMO_CREDENTIALS.otmm) });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { session_resource: { session: { id: number } } };
  const headers = {
    'x-requested-by': String(body.session_resource.session.id),
    cookie: res.headers.getSetCookie()[0]?.split(';')[0] ?? '',
  };
  const call = async (method: string, path: string, init: { form?: Record<string, string>; json?: unknown } = {}) => {
    const res = await fetch(`${base}${API}${path}`, {
      method,
      headers: { ...headers, ...(init.form ? FORM : init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(init.form ? { body: new URLSearchParams(init.form) } : init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as unknown };
  };
  return {
    call,
    /** The asset at full detail, metadata loaded. */
    async asset(id: string): Promise<OtmmAsset> {
      const { status, body } = await call('GET', `/assets/${id}`);
      assert.equal(status, 200);
      return (body as { asset_resource: { asset: OtmmAsset } }).asset_resource.asset;
    },
    lock: (id: string) => call('PUT', `/assets/${id}/state`, { form: { action: 'lock' } }),
    unlock: (id: string) => call('PUT', `/assets/${id}/state`, { form: { action: 'unlock' } }),
    signOut: () => call('DELETE', '/sessions'),
  };
}

/** A metadata element of an asset by field id (anywhere in the tree). */
function element(asset: OtmmAsset, id: string): OtmmMetadataElement {
  const walk = (list: OtmmMetadataElement[] | undefined): OtmmMetadataElement | undefined => {
    for (const el of list ?? []) {
      if (el.id === id) return el;
      const inner = walk(el.metadata_element_list);
      if (inner) return inner;
    }
    return undefined;
  };
  const el = walk(asset.metadata?.metadata_element_list);
  assert.ok(el, `field ${id} is in the metadata`);
  return el;
}
/** A scalar field's stored value (the domain entry's code, or the typed value). */
const scalarOf = (asset: OtmmAsset, id: string) => {
  const leaf = element(asset, id).value?.value;
  return leaf?.field_value?.value ?? leaf?.value ?? undefined;
};
const rowsOf = (asset: OtmmAsset, id: string) => (element(asset, id).metadata_element_list?.[0]?.values ?? []).map((r) => r.value?.value);
const policyIds = (asset: OtmmAsset) => (asset.security_policy_list ?? []).map((p) => p.id);
/** An approval the asset does not have (so a write of it is a change). */
const otherApproval = (a: DemoAsset) => (a.approval === 'REJECTED' ? 'APPROVED' : 'REJECTED');
const PARTNER_ASSETS = ALL.filter((x) => x.rights.channels.includes('partner'));

async function countRoutes(base: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await simRequests(base)) if (r.route) out[r.route] = (out[r.route] ?? 0) + 1;
  return out;
}
const clearLog = (base: string) => fetch(`${base}/__sim/requests`, { method: 'DELETE' });

describe('OTMM writes: fields', () => {
  let sim: Simulator;
  let base: string;
  before(async () => {
    sim = createOtmmSimulator(world, mapping);
    base = await sim.listen(0);
  });
  after(() => sim.close());
  beforeEach(() => simReset(base));

  test('each field written reads back as the same canonical value, through the connector and raw REST', async () => {
    const a = ALL.find((x) => x.approval !== 'APPROVED' && x.rights.status !== 'RESTRICTED') as DemoAsset;
    const src = client(base);
    const raw = await rawSession(base);
    const started = Date.now();
    const values: DamFieldValues = {
      approval: 'APPROVED',
      rightsStatus: 'RESTRICTED',
      validFrom: '2026-03-01T09:30:00+02:00',
      validUntil: '2027-06-30T12:00:00Z',
      territories: ['EMEA', 'APAC'],
      channels: ['web', 'print'],
    };
    await src.writeFields(a.nativeId, values);

    const [got] = await src.getAssets([a.nativeId]);
    assert.equal(got?.approval, 'APPROVED');
    assert.equal(got?.metadata.approval, 'APPROVED');
    assert.deepEqual(got?.rights, {
      status: 'RESTRICTED',
      validFrom: '2026-03-01T07:30:00.000Z',
      validUntil: '2027-06-30T12:00:00.000Z',
      territories: ['EMEA', 'APAC'],
      channels: ['web', 'print'],
      ...(a.rights.licenceId ? { licenceId: a.rights.licenceId } : {}),
    });
    assert.ok(Date.parse(got?.modifiedAt ?? '') >= started - 5, 'the modify date moved to the time of the edit');
    assert.ok(Date.parse(got?.modifiedAt ?? '') > Date.parse(a.modifiedAt));
    // The other fields are left as they were.
    assert.equal(got?.campaignCode, a.campaignCode);
    assert.equal(got?.title, a.title);

    // The vendor shapes: domain fields by their code, dates typed dateTime, lists as table rows.
    const asset = await raw.asset(a.nativeId);
    assert.equal(asset.locked, false, 'unlocked after the write');
    assert.equal(new Date(asset.date_last_updated).toISOString(), got?.modifiedAt);
    assert.equal(scalarOf(asset, F.approval), 'APPROVED');
    assert.equal(element(asset, F.approval).value?.domain_value, true);
    assert.equal(scalarOf(asset, F.rightsStatus), 'RESTRICTED');
    assert.deepEqual(element(asset, F.validFrom).value?.value, { type: 'dateTime', value: '2026-03-01T07:30:00.000Z' });
    assert.deepEqual(element(asset, F.validUntil).value?.value, { type: 'dateTime', value: '2027-06-30T12:00:00.000Z' });
    assert.deepEqual(rowsOf(asset, F.territories), ['EMEA', 'APAC']);
    assert.deepEqual(rowsOf(asset, F.channels), ['web', 'print']);

    // Every read the connector uses serves the edit: the filtered search and the change feed.
    const found = await src.findAssets({ approvals: ['APPROVED'], rightsStatuses: ['RESTRICTED'], territories: ['APAC'] }, { first: 1000 });
    assert.ok(found.items.some((x) => x.source.nativeId === a.nativeId));
    const changes = await src.changesSince(otmmChangeCursor(new Date(started - 5)));
    assert.deepEqual(
      changes.changes.map((c) => [c.nativeId, c.operation]),
      [[a.nativeId, 'update']],
    );

    // Read, lock, edit, unlock: in that order, one each.
    const calls = (await simRequests(base)).filter((r) => r.route === ROUTES.state || r.route === ROUTES.edit).map((r) => r.route);
    assert.deepEqual(calls, [ROUTES.state, ROUTES.edit, ROUTES.state]);
  });

  test('null and [] clear fields; only the given fields are written', async () => {
    const a = ALL.find((x) => x.rights.validFrom && x.rights.validUntil && x.rights.territories.length > 0) as DemoAsset;
    const src = client(base);
    await src.writeFields(a.nativeId, { validFrom: null, validUntil: null, territories: [], channels: [] });
    const [got] = await src.getAssets([a.nativeId]);
    assert.deepEqual(
      { ...got?.rights },
      { status: a.rights.status, territories: [], channels: [], ...(a.rights.licenceId ? { licenceId: a.rights.licenceId } : {}) },
    );
    assert.equal(got?.approval, a.approval);
    const asset = await (await rawSession(base)).asset(a.nativeId);
    assert.equal(element(asset, F.validFrom).value?.value, undefined, 'an empty date has no inner value');
    assert.deepEqual(rowsOf(asset, F.territories), []);
    assert.deepEqual(rowsOf(asset, F.channels), []);
    // And written again, the dates come back.
    await src.writeFields(a.nativeId, { validUntil: '2030-01-01T00:00:00Z' });
    assert.equal((await src.getAssets([a.nativeId]))[0]?.rights.validUntil, '2030-01-01T00:00:00.000Z');
  });

  test('the same write twice leaves the same state and writes nothing the second time', async () => {
    const a = ALL[7] as DemoAsset;
    const src = client(base);
    const values: DamFieldValues = { rightsStatus: 'EXPIRED', validUntil: '2026-01-31T00:00:00Z', channels: ['internal'] };
    await src.writeFields(a.nativeId, values);
    const [first] = await src.getAssets([a.nativeId]);
    const counts = await countRoutes(base);
    assert.equal(counts[ROUTES.edit], 1);
    // The same instant spelt otherwise, and the id in capitals (as getAssets accepts it): the same write.
    await src.writeFields(a.nativeId.toUpperCase(), { ...values, validUntil: '2026-01-31T01:00:00+01:00' });
    const [second] = await src.getAssets([a.nativeId]);
    assert.deepEqual(second, first, 'the same asset, modify date included');
    const again = await countRoutes(base);
    assert.equal(again[ROUTES.edit], 1, 'no second edit');
    assert.equal(again[ROUTES.state], 2, 'no second lock or unlock');
    // Nothing given, nothing asked.
    await clearLog(base);
    await src.writeFields(a.nativeId, {});
    assert.deepEqual(await simRequests(base), []);
  });

  test('the lock is released after a failed edit (server fault, refused field)', async () => {
    const a = ALL.filter((x) => x.approval === 'PENDING')[1] as DemoAsset;
    const raw = await rawSession(base);
    await simFaults(base, { route: ROUTES.edit, errorStatus: 500, times: 1 });
    await rejectsWith(client(base).writeFields(a.nativeId, { approval: otherApproval(a) }), 'UNAVAILABLE');
    const routes = (await simRequests(base)).map((r) => `${r.route} ${r.status}`);
    assert.deepEqual(routes.slice(-3), [`${ROUTES.state} 200`, `${ROUTES.edit} 500`, `${ROUTES.state} 200`]);
    assert.equal((await raw.asset(a.nativeId)).locked, false);
    assert.equal(scalarOf(await raw.asset(a.nativeId), F.approval), a.approval, 'nothing was written');

    // A mapping that names a field the metadata model does not have: 400 -> BAD_REQUEST, unlocked.
    const wrong: Mapping = { ...mapping, otmm: { ...mapping.otmm, fields: { ...F, approval: 'ATRIUM.FIELD.NO_SUCH_FIELD' } } };
    const e = await rejectsWith(client(base, { mapping: wrong }).writeFields(a.nativeId, { approval: otherApproval(a) }), 'BAD_REQUEST');
    assert.doesNotMatch(e.message, /http:|NO_SUCH|exception|session/i, 'a public message');
    assert.equal((await raw.asset(a.nativeId)).locked, false);
    // A value outside the field's lookup domain is refused the same way.
    const badDomain: Mapping = { ...mapping, otmm: { ...mapping.otmm, values: { approval: { Freigegeben: 'APPROVED' } } } };
    await rejectsWith(client(base, { mapping: badDomain }).writeFields(a.nativeId, { approval: 'APPROVED' }), 'BAD_REQUEST');
    assert.equal((await raw.asset(a.nativeId)).locked, false);
  });

  test('a lock held by another session is CONFLICT and is left to its holder; once released, the write goes through', async () => {
    const a = PARTNER_ASSETS[3] as DemoAsset;
    const other = await rawSession(base);
    assert.equal((await other.lock(a.nativeId)).status, 200);
    assert.equal((await other.asset(a.nativeId)).locked, true, 'the lock shows on reads');
    const src = client(base);
    const e = await rejectsWith(src.writeFields(a.nativeId, { approval: otherApproval(a) }), 'CONFLICT');
    assert.match(e.message, /locked/);
    const states = (await simRequests(base)).filter((r) => r.route === ROUTES.state);
    assert.deepEqual(
      states.map((r) => r.status),
      [200, 409],
      'the other lock, our refused lock, and no unlock of theirs',
    );
    assert.equal((await other.asset(a.nativeId)).locked, true);
    await rejectsWith(src.removeFromDistribution(a.nativeId, [PARTNER]), 'CONFLICT');
    // Signing out releases the lock (INFERRED: locks belong to the session).
    assert.equal((await other.signOut()).status, 204);
    await src.writeFields(a.nativeId, { approval: otherApproval(a) });
    assert.equal((await src.getAssets([a.nativeId]))[0]?.approval, otherApproval(a));
  });

  test('the simulator answers the write calls in the vendor style', async () => {
    const a = ALL[2] as DemoAsset;
    const raw = await rawSession(base);
    const other = await rawSession(base);
    const edit = (metadata: unknown[]) => raw.call('PATCH', `/assets/${a.nativeId}`, { json: { edited_asset: { data: { metadata } } } });
    const approved = [
      { id: F.approval, type: 'com.artesia.metadata.MetadataField', value: { value: { type: 'string', value: 'APPROVED' } } },
    ];
    // No lock: 409. Another session's lock: 409 for its edit and its unlock.
    assert.equal((await edit(approved)).status, 409);
    assert.equal((await other.lock(a.nativeId)).status, 200);
    assert.equal((await edit(approved)).status, 409);
    assert.equal((await raw.unlock(a.nativeId)).status, 409);
    assert.equal((await other.unlock(a.nativeId)).status, 200);
    // Locked by us: unknown fields are 400 with an exception body; a good edit is 200 with the asset.
    assert.equal((await raw.lock(a.nativeId)).status, 200);
    assert.equal((await raw.lock(a.nativeId)).status, 200, 'locking what one holds is fine');
    const unknown = await edit([
      { id: 'ATRIUM.FIELD.NOPE', type: 'com.artesia.metadata.MetadataField', value: { value: { type: 'string', value: 'x' } } },
    ]);
    assert.equal(unknown.status, 400);
    const ex = (unknown.body as OtmmExceptionBody).exception_body;
    assert.equal(ex.http_response_code, 400);
    assert.match(ex.message, /ATRIUM\.FIELD\.NOPE/);
    assert.equal(ex.debug_message, null);
    const ok = await edit(approved);
    assert.equal(ok.status, 200);
    const served = (ok.body as { asset_resource: { asset: OtmmAsset } }).asset_resource.asset;
    assert.equal(scalarOf(served, F.approval), 'APPROVED');
    assert.equal(served.locked, true);
    assert.equal((await raw.call('PUT', `/assets/${a.nativeId}/state`, { form: { action: 'checkout' } })).status, 400);
    assert.equal((await raw.unlock(a.nativeId)).status, 200);
    assert.equal((await raw.unlock(a.nativeId)).status, 200, 'unlocking what nobody holds is fine');
    assert.equal((await raw.call('PUT', `/assets/${'0'.repeat(40)}/state`, { form: { action: 'lock' } })).status, 404);
    // Security policies: listed, and refused when unknown or none.
    const policies = (await raw.call('GET', '/securitypolicies')).body as OtmmSecurityPoliciesResource;
    assert.deepEqual(
      policies.security_policies_resource.security_policy_list.map((p) => p.id),
      [DEMO_OTMM_INTERNAL_POLICY, 2, ...DEMO_OTMM_DISTRIBUTION_POLICIES],
    );
    assert.equal((await raw.lock(a.nativeId)).status, 200);
    const setPolicies = (list: unknown[]) =>
      raw.call('PATCH', `/assets/${a.nativeId}`, { json: { edited_asset: { data: { security_policy_list: list } } } });
    assert.equal((await setPolicies([])).status, 400);
    assert.equal((await setPolicies([{ id: 999 }])).status, 400);
    assert.equal((await setPolicies([{ id: 2 }])).status, 200);
    assert.deepEqual(policyIds(await raw.asset(a.nativeId)), [2]);
    // Reset forgets locks, edits and policies.
    await simReset(base);
    const fresh = await raw.asset(a.nativeId);
    assert.equal(fresh.locked, false);
    assert.equal(scalarOf(fresh, F.approval), a.approval);
    assert.notDeepEqual(policyIds(fresh), [2]);
  });

  test('errors: ids checked before any request, unknown assets NOT_FOUND, a dead server UNAVAILABLE', async () => {
    const src = client(base);
    for (const id of ['../x', 'ABC', `${(ALL[0] as DemoAsset).nativeId}/state`, '']) {
      await rejectsWith(src.writeFields(id, { approval: 'APPROVED' }), 'NOT_FOUND');
      await rejectsWith(src.distributionOf(id), 'NOT_FOUND');
    }
    await rejectsWith(src.writeFields((ALL[0] as DemoAsset).nativeId, { approval: 'MAYBE' as never }), 'BAD_REQUEST');
    await rejectsWith(src.writeFields((ALL[0] as DemoAsset).nativeId, { validUntil: 'soon' }), 'BAD_REQUEST');
    await rejectsWith(src.writeFields((ALL[0] as DemoAsset).nativeId, { territories: ['MARS' as never] }), 'BAD_REQUEST');
    assert.deepEqual(
      (await simRequests(base)).filter((r) => r.route !== 'POST /otmmapi/v6/sessions'),
      [],
    );
    const unknown = `${(ALL[0] as DemoAsset).nativeId.slice(0, 28)}ffffffffffff`;
    await rejectsWith(src.writeFields(unknown, { approval: 'APPROVED' }), 'NOT_FOUND');
    await rejectsWith(src.addToDistribution(unknown, [PARTNER]), 'NOT_FOUND');

    await simFaults(base, { down: true });
    const e = await rejectsWith(src.writeFields((ALL[0] as DemoAsset).nativeId, { approval: 'APPROVED' }), 'UNAVAILABLE');
    assert.doesNotMatch(e.message, /127\.0\.0\.1|http:/);
    await rejectsWith(src.distributionOf((ALL[0] as DemoAsset).nativeId), 'UNAVAILABLE');
    await simReset(base);
    // A lock whose answer was lost (server error): the connector releases it in case it was taken.
    await simFaults(base, { route: ROUTES.state, errorStatus: 503, times: 1 });
    await rejectsWith(src.writeFields((ALL[0] as DemoAsset).nativeId, { approval: otherApproval(ALL[0] as DemoAsset) }), 'UNAVAILABLE');
    const states = (await simRequests(base)).filter((r) => r.route === ROUTES.state).map((r) => r.status);
    assert.deepEqual(states, [503, 200], 'the failed lock, then an unlock');
    assert.equal(
      await client(base)
        .distributionOf((ALL[0] as DemoAsset).nativeId)
        .then(() => 'ok'),
      'ok',
    );
  });
});

describe('OTMM writes: distribution (security policies)', () => {
  let sim: Simulator;
  let base: string;
  before(async () => {
    sim = createOtmmSimulator(world, mapping);
    base = await sim.listen(0);
  });
  after(() => sim.close());
  beforeEach(() => simReset(base));

  test('remove and add round-trip; the second remove or add writes nothing', async () => {
    const a = PARTNER_ASSETS[0] as DemoAsset;
    const src = client(base);
    const raw = await rawSession(base);
    assert.deepEqual(await src.distributionOf(a.nativeId), [PARTNER]);
    assert.deepEqual(policyIds(await raw.asset(a.nativeId)), [DEMO_OTMM_INTERNAL_POLICY, Number(PARTNER)]);
    const before = (await src.getAssets([a.nativeId]))[0]?.modifiedAt as string;

    await src.removeFromDistribution(a.nativeId, [PARTNER]);
    assert.deepEqual(await src.distributionOf(a.nativeId), []);
    const removed = await raw.asset(a.nativeId);
    assert.deepEqual(policyIds(removed), [DEMO_OTMM_INTERNAL_POLICY], 'the internal policy stays');
    assert.equal(removed.locked, false);
    const after = (await src.getAssets([a.nativeId]))[0];
    assert.ok(Date.parse(after?.modifiedAt ?? '') > Date.parse(before), 'a policy change moves the modify date');
    assert.equal(after?.approval, a.approval, 'metadata untouched');
    assert.equal((await countRoutes(base))[ROUTES.edit], 1);

    await src.removeFromDistribution(a.nativeId, [PARTNER]);
    let counts = await countRoutes(base);
    assert.equal(counts[ROUTES.edit], 1, 'already out: no edit');
    assert.equal(counts[ROUTES.state], 2, 'already out: no lock');

    await src.addToDistribution(a.nativeId, [PARTNER]);
    assert.deepEqual(await src.distributionOf(a.nativeId), [PARTNER]);
    assert.deepEqual(policyIds(await raw.asset(a.nativeId)), [DEMO_OTMM_INTERNAL_POLICY, Number(PARTNER)]);
    await src.addToDistribution(a.nativeId, [PARTNER, PARTNER]);
    counts = await countRoutes(base);
    assert.equal(counts[ROUTES.edit], 2, 'one edit to add, none for the second add');
    assert.equal(counts[ROUTES.state], 4);
  });

  test('an asset outside distribution is added; only configured policies are containers', async () => {
    const a = ALL.find((x) => !x.rights.channels.includes('partner')) as DemoAsset;
    const src = client(base);
    assert.deepEqual(await src.distributionOf(a.nativeId), []);
    await src.addToDistribution(a.nativeId, [PARTNER]);
    assert.deepEqual(await src.distributionOf(a.nativeId), [PARTNER]);
    await clearLog(base);
    // The internal policy is not a distribution container: refused before any request.
    await rejectsWith(src.removeFromDistribution(a.nativeId, [String(DEMO_OTMM_INTERNAL_POLICY)]), 'BAD_REQUEST');
    await rejectsWith(src.addToDistribution(a.nativeId, ['partners']), 'BAD_REQUEST');
    await src.removeFromDistribution(a.nativeId, []);
    assert.deepEqual(await simRequests(base), []);
    // Without configured policies there is no distribution, and nothing is asked.
    const none = client(base, { distributionPolicies: [] });
    assert.deepEqual(await none.distributionOf(a.nativeId), []);
    await rejectsWith(none.addToDistribution(a.nativeId, [PARTNER]), 'BAD_REQUEST');
    assert.deepEqual(await simRequests(base), []);
  });

  test('write paths and lock actions are configurable on both sides', async () => {
    const custom = createOtmmSimulator(world, mapping, {
      writePaths: { state: '/assets/{id}/lockstate', edit: '/assets/{id}/metadata' },
      lockActions: { lock: 'LOCK', unlock: 'UNLOCK' },
    });
    const url = await custom.listen(0);
    try {
      const a = ALL[4] as DemoAsset;
      const src = client(url, {
        writePaths: { state: '/assets/{id}/lockstate', edit: '/assets/{id}/metadata' },
        lockActions: { lock: 'LOCK', unlock: 'UNLOCK' },
      });
      await src.writeFields(a.nativeId, { approval: otherApproval(a) });
      assert.equal((await src.getAssets([a.nativeId]))[0]?.approval, otherApproval(a));
      const routes = (await simRequests(url)).map((r) => r.route);
      assert.ok(routes.includes('PATCH /otmmapi/v6/assets/:asset_id/metadata'));
      assert.ok(routes.includes('PUT /otmmapi/v6/assets/:asset_id/lockstate'));
      // Paths that do not match the server fail (404: no such route), never pass as written.
      const e = await rejectsWith(client(url).writeFields(a.nativeId, { approval: a.approval }), 'NOT_FOUND');
      assert.match(e.message, /writePaths/);
    } finally {
      await custom.close();
    }
    assert.throws(() => client(base, { writePaths: { edit: '/assets/edit' } }), TypeError);
  });
});
