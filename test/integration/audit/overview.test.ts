/**
 * complianceOverview against the simulators, checked against the test world: documents on
 * hold, pending approvals, rights ending in the next 90 days by month. (Downloads by company
 * come from the audit store: see audit.test.ts.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack.ts';
import { testWorld } from '../../helpers/world.ts';
import { demoDirectory } from '../../../gateway/demo-users.ts';
import type { Principal } from '../../../access/principal.ts';
import { assetId, documentId } from '../../../access/ids.ts';

const world = testWorld();
const directory = demoDirectory(world);
const NOW = Date.parse('2026-11-22T12:00:00Z');
let stack: Stack;

before(async () => {
  stack = await startStack({
    now: () => NOW,
    principalFor: async (h) => (h?.startsWith('Bearer ') ? (directory(h.slice(7)) as Principal) : null),
  });
});
after(() => stack.close());

const OVERVIEW = `{ complianceOverview {
  rightsExpiringByMonth { month count }
  pendingApprovals { id name }
  holds { document { id name } hold { name reason appliedAt } }
  downloadsByCompany { company count }
} }`;

interface Overview {
  rightsExpiringByMonth: { month: string; count: number }[];
  pendingApprovals: { id: string; name: string }[];
  holds: { document: { id: string; name: string }; hold: { name: string; reason: string; appliedAt: string } }[];
  downloadsByCompany: { company: string; count: number }[];
}

test('the compliance overview: holds, pending approvals and expiring rights as the world has them', async () => {
  const r = await stack.query<{ complianceOverview: Overview }>(OVERVIEW, undefined, { authorization: 'Bearer compliance@atrium.example' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.errors, undefined);
  const o = r.body.data?.complianceOverview as Overview;

  const docs = [...world.documents()];
  const holdName = new Map(world.holds().map((h) => [h.id, h]));
  const expectedHolds = docs.flatMap((d) => d.holdIds.map((h) => `${documentId(String(d.nodeId))} ${holdName.get(h)?.name}`)).sort();
  assert.deepEqual(o.holds.map((h) => `${h.document.id} ${h.hold.name}`).sort(), expectedHolds);
  assert.ok(o.holds.every((h) => h.hold.reason && h.hold.appliedAt));

  const inReview = docs
    .filter((d) => d.status === 'IN_REVIEW' && d.workflow.some((s) => s.decision === 'PENDING'))
    .map((d) => documentId(String(d.nodeId)));
  const pendingAssets = [...world.assets()].filter((a) => a.approval === 'PENDING').map((a) => assetId(a.system, a.nativeId));
  assert.deepEqual(new Set(o.pendingApprovals.map((p) => p.id)), new Set([...inReview, ...pendingAssets]));
  assert.equal(o.pendingApprovals.length, inReview.length + pendingAssets.length, 'each once');

  assert.deepEqual(
    o.rightsExpiringByMonth.map((m) => m.month),
    ['2026-11', '2026-12', '2027-01', '2027-02'],
  );
  const total = o.rightsExpiringByMonth.reduce((n, m) => n + m.count, 0);
  const window = (s?: string) => !!s && Date.parse(s) >= NOW && Date.parse(s) < NOW + 90 * 86_400_000;
  const licences = docs.filter((d) => window(d.metadata.validUntil)).length;
  const assetsOwn = [...world.assets()].filter((a) => window(a.rights.validUntil)).length;
  // Licence documents by their term; assets by effective rights, which a licence can only shorten.
  assert.ok(total >= licences && total <= licences + assetsOwn, `${total} in [${licences}, ${licences + assetsOwn}]`);
  assert.ok(total > licences, 'assets are counted too');

  assert.deepEqual(o.downloadsByCompany, [], 'auditing is off in this stack');
});

test('the overview is for compliance and admin only', async () => {
  for (const who of ['anna@northwind.example', 'marketing@atrium.example', 'sales.emea@atrium.example']) {
    const r = await stack.query(OVERVIEW, undefined, { authorization: `Bearer ${who}` });
    assert.equal(r.body.errors?.[0]?.extensions?.code, 'FORBIDDEN', who);
    assert.equal(r.body.data, null);
  }
  const admin = await stack.query<{ complianceOverview: Overview }>('{ complianceOverview { holds { document { id } } } }', undefined, {
    authorization: 'Bearer admin@atrium.example',
  });
  assert.equal(
    admin.body.data?.complianceOverview.holds.length,
    [...world.documents()].reduce((n, d) => n + d.holdIds.length, 0),
  );
});
