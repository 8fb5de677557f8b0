import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, NODE, RIGHTS_CASES, type DemoAsset } from '../../../../simulators/demo/world.ts';
import { DAM_SYSTEMS, CLASSIFICATIONS, DOCUMENT_STATUSES, type Region } from '../../../../sources/model.ts';
import { testWorld, TEST_AS_OF } from '../../../helpers/world.ts';

const world = testWorld();
const assets = [...world.assets()];
const documents = [...world.documents()];

test('the world is deterministic for a seed, scale and day', () => {
  const again = createWorld({ seed: 42, scale: 1, asOf: TEST_AS_OF });
  assert.deepEqual(again.asset('NETX', 17), world.asset('NETX', 17));
  assert.deepEqual(again.tree(world.campaign(3).workspaceId), world.tree(world.campaign(3).workspaceId));
  const other = createWorld({ seed: 7, scale: 1, asOf: TEST_AS_OF });
  assert.notEqual(other.asset('ICONIK', 0).nativeId, world.asset('ICONIK', 0).nativeId);
});

test('it has the sizes the issue asks for', () => {
  assert.equal(world.counts.accounts, 12);
  assert.equal(world.counts.campaigns, 10);
  assert.equal(assets.length, 600);
  assert.ok(documents.length >= 200, `documents: ${documents.length}`);
  const regions = new Set([...world.accounts()].map((a) => a.region));
  assert.deepEqual([...regions].sort(), ['APAC', 'EMEA', 'LATAM', 'NA']);
  assert.deepEqual(new Set([...world.campaigns()].map((c) => c.status)), new Set(['PLANNED', 'ACTIVE', 'CLOSED']));
  assert.ok([...world.campaigns()].some((c) => c.openToAllPartners));
  assert.ok([...world.campaigns()].some((c) => !c.openToAllPartners && c.audience.length > 0));
});

test('every asset joins an existing campaign workspace or account', () => {
  for (const a of assets) {
    assert.ok(a.campaignCode || a.accountId, `${a.nativeId} belongs to nothing`);
    if (a.campaignCode) {
      const c = world.campaignByCode(a.campaignCode);
      assert.ok(c, `campaign ${a.campaignCode} of ${a.nativeId}`);
      assert.equal(world.node(c.workspaceId)?.kind, 'workspace');
    }
    if (a.accountId) assert.ok(world.accountById(a.accountId), `account ${a.accountId}`);
  }
});

test('every licence an asset references exists as a licence document with terms', () => {
  const referenced = assets.filter((a) => a.rights.licenceId);
  assert.ok(referenced.length > 30);
  for (const a of referenced) {
    const n = world.node(Number(a.rights.licenceId));
    assert.equal(n?.kind, 'document', `licence ${a.rights.licenceId} of ${a.nativeId}`);
    if (n?.kind !== 'document') continue;
    assert.equal(n.document.kind, 'licence');
    assert.ok(n.document.metadata.validUntil && n.document.metadata.territories?.length && n.document.metadata.channels?.length);
    assert.equal(n.document.metadata.campaignCode, a.campaignCode, "a licence belongs to the asset's campaign");
  }
});

test('every team member is a user of the world, and demo users have the roles the policy needs', () => {
  for (const ws of world.workspaces()) {
    for (const m of ws.team) {
      const u = world.userByEmail(m.email);
      assert.ok(u, `${m.email} on ${ws.name}`);
      assert.equal(u?.userId, m.userId);
      assert.deepEqual(world.userById(m.userId)?.email, m.email);
    }
  }
  const demo = world.demoUsers();
  for (const role of ['admin', 'compliance', 'marketing', 'sales', 'partner'] as const)
    assert.ok(
      demo.some((u) => u.roles.includes(role)),
      role,
    );
  const partners = demo.filter((u) => u.roles.includes('partner'));
  assert.ok(new Set(partners.map((p) => p.org)).size >= 2, 'partners of different companies');
  assert.ok(new Set(partners.map((p) => p.regions.join())).size >= 2, 'partners of different regions');
  for (const p of partners) assert.equal(world.accountById(p.org ?? '')?.kind, 'PARTNER');
  const sales = demo.filter((u) => u.roles.includes('sales'));
  const teamsOf = (email: string) =>
    [...world.accounts()].filter((a) => world.accountWorkspace(a).team.some((m) => m.email === email)).map((a) => a.id);
  assert.equal(sales.length, 2);
  const [t1, t2] = sales.map((s) => teamsOf(s.email));
  assert.ok(t1?.length && t2?.length && !t1.some((id) => t2.includes(id)), 'two sales people on different account teams');
});

test('every case the access policy distinguishes is present', () => {
  const now = world.asOf;
  const inForce = (a: DemoAsset) =>
    (!a.rights.validFrom || Date.parse(a.rights.validFrom) <= now) && (!a.rights.validUntil || now < Date.parse(a.rights.validUntil));
  const has = (p: (a: DemoAsset) => boolean, what: string) => assert.ok(assets.some(p), what);
  has((a) => a.approval === 'APPROVED', 'approved');
  has((a) => a.approval === 'PENDING', 'pending');
  has((a) => a.approval === 'REJECTED', 'rejected');
  has((a) => a.rights.status === 'CLEARED' && inForce(a), 'cleared and in force');
  has((a) => a.rights.validUntil !== undefined && Date.parse(a.rights.validUntil) < now, 'expired');
  has((a) => a.rights.validFrom !== undefined && Date.parse(a.rights.validFrom) > now, 'not yet valid');
  has((a) => !a.rights.territories.includes('WORLD'), 'territory-restricted');
  has((a) => !a.rights.channels.includes('partner'), 'channel-restricted');
  has((a) => a.accountId !== undefined && a.system === 'ICONIK', 'account videos');
  has((a) => a.variantOf !== undefined && a.locale !== undefined, 'locale variants');
  // DAM says cleared and in force, the ECM licence has expired.
  has((a) => {
    if (a.rights.status !== 'CLEARED' || !inForce(a) || !a.rights.licenceId) return false;
    const n = world.node(Number(a.rights.licenceId));
    return n?.kind === 'document' && Date.parse(n.document.metadata.validUntil ?? '') < now;
  }, 'licence expired while the DAM says cleared');
  for (const rc of RIGHTS_CASES)
    for (const s of DAM_SYSTEMS) {
      if (s === 'ICONIK' || rc !== 'licence-narrowed')
        assert.ok(
          assets.some((a) => a.system === s && a.rightsCase === rc),
          `${rc} in ${s}`,
        );
    }
  for (const c of CLASSIFICATIONS)
    assert.ok(
      documents.some((d) => d.classification === c),
      c,
    );
  for (const s of DOCUMENT_STATUSES)
    assert.ok(
      documents.some((d) => d.status === s),
      s,
    );
  assert.ok(
    documents.some((d) => d.holdIds.length > 0),
    'legal holds',
  );
  assert.ok(
    documents.some((d) => d.record),
    'RM classifications',
  );
  assert.ok(
    documents.some((d) => d.workflow.some((w) => w.decision === 'REJECTED')),
    'approval history with a rejection',
  );
  assert.ok(
    documents.some((d) => d.versions.length > 1),
    'versions',
  );
});

test('each demo partner sees some campaigns and not others (the policy has something to decide)', () => {
  for (const p of world.demoUsers().filter((u) => u.roles.includes('partner'))) {
    const visible = [...world.campaigns()].filter(
      (c) =>
        c.status === 'ACTIVE' &&
        (c.openToAllPartners || c.audience.includes(p.org ?? '')) &&
        c.regions.some((r) => p.regions.includes(r as Region)),
    );
    assert.ok(visible.length > 0 && visible.length < world.counts.campaigns, `${p.email}: ${visible.length}`);
  }
});

test('node ids and asset ids resolve back to their records; foreign ids do not', () => {
  const doc = documents[40];
  assert.ok(doc);
  const n = world.node(doc.nodeId);
  assert.equal(n?.kind === 'document' && n.document.name, doc.name);
  assert.equal(world.node(NODE.campaignBase - 1), null);
  assert.equal(world.node(NODE.campaignBase + world.counts.campaigns * NODE.stride), null);
  for (const s of DAM_SYSTEMS) {
    const a = world.asset(s, 123);
    assert.equal(world.assetById(s, a.nativeId)?.title, a.title);
  }
  assert.equal(world.assetById('NETX', '99999'), null);
  assert.equal(world.assetById('ICONIK', '../x'), null);
  assert.equal(world.assetById('OTMM', 'f'.repeat(40)), null);
});

test('scale 100 is 100 times larger and is produced lazily', () => {
  const big = createWorld({ seed: 42, scale: 100, asOf: TEST_AS_OF });
  assert.equal(big.counts.campaigns, 1000);
  assert.equal(big.counts.assets.NETX + big.counts.assets.ICONIK + big.counts.assets.OTMM, 60_000);
  const last = big.asset('OTMM', big.counts.assets.OTMM - 1);
  assert.ok(big.campaignByCode(last.campaignCode ?? ''), 'the last asset of the largest world joins a campaign');
  const before = process.memoryUsage().heapUsed;
  let n = 0;
  for (const _ of big.assets('NETX')) n++;
  assert.equal(n, 25_000);
  assert.ok(process.memoryUsage().heapUsed - before < 200 * 1024 * 1024, 'iterating does not accumulate the world');
});

test('every campaign has assets in every DAM', () => {
  for (const c of world.campaigns()) {
    for (const s of DAM_SYSTEMS)
      assert.ok(
        assets.some((a) => a.system === s && a.campaignCode === c.code),
        `${c.code} in ${s}`,
      );
  }
});
