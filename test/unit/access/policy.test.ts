import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountDecision,
  assetDecision,
  campaignDecision,
  documentDecision,
  explainDecision,
  isAuditReader,
  isInternal,
  requireInternal,
  ruleId,
  scopeKey,
  type AssetOwners,
  type Decision,
  type DocumentOwner,
} from '../../../access/policy.ts';
import type { Principal, Role } from '../../../access/principal.ts';
import type { EffectiveRights } from '../../../access/rights.ts';
import {
  accounts,
  assets,
  campaigns,
  documents,
  NOW,
  oracleAccount,
  oracleAsset,
  oracleCampaign,
  oracleDocument,
  principalOf,
  rightsAt,
  user,
  users,
  type AssetRow,
  type DocumentRow,
} from '../../helpers/policy-fixtures.ts';

// The policy as production will call it: owner visibility comes from the policy's own checks.
const ownerOf = (p: Principal | null, r: DocumentRow): DocumentOwner =>
  r.owner.kind === 'campaign'
    ? { kind: 'campaign', campaign: r.owner.row.campaign, visible: campaignDecision(p, r.owner.row.campaign).allowed }
    : { kind: 'account', account: r.owner.row.account, visible: accountDecision(p, r.owner.row.account, r.owner.row.team).allowed };
const ownersOf = (p: Principal | null, r: AssetRow): AssetOwners => ({
  ...(r.campaign ? { campaign: { campaign: r.campaign.campaign, visible: campaignDecision(p, r.campaign.campaign).allowed } } : {}),
  ...(r.account ? { account: { account: r.account.account, visible: accountDecision(p, r.account.account, r.account.team).allowed } } : {}),
});
const docDecision = (p: Principal | null, r: DocumentRow): Decision => documentDecision(p, r.document, ownerOf(p, r), r.owner.row.team);
const assetDecisionAt = (p: Principal | null, r: AssetRow, rights: EffectiveRights = r.rights, now = NOW): Decision =>
  assetDecision(p, r.asset, rights, ownersOf(p, r), now);
const P = (email: string) => principalOf(user(email));
const must = <T>(x: T | undefined, what: string): T => {
  if (x === undefined) throw new Error(`missing ${what}`);
  return x;
};
const campaignNamed = (name: string) => {
  const r = campaigns.find((c) => c.campaign.name === name);
  if (!r) throw new Error(`no campaign ${name}`);
  return r.campaign;
};

test('every demo user x every campaign, account, document and asset agrees with the oracle of the DESIGN table', () => {
  const mismatches: string[] = [];
  const seen = new Map<string, { allowed: number; denied: number }>();
  const record = (kind: string, email: string, allowed: boolean, expected: boolean, what: string, d: Decision) => {
    const s = seen.get(kind) ?? { allowed: 0, denied: 0 };
    s[allowed ? 'allowed' : 'denied']++;
    seen.set(kind, s);
    if (allowed !== expected) mismatches.push(`${email} ${what}: policy ${allowed} (${d.rule}), oracle ${expected}`);
    assert.match(d.rule, /^[a-z.]+: \S/, `rule has an id and a text: ${d.rule}`);
  };
  for (const u of users) {
    const p = principalOf(u);
    for (const r of campaigns) {
      const d = campaignDecision(p, r.campaign);
      record(`campaign/${u.roles.join('+')}`, u.email, d.allowed, oracleCampaign(u, r.campaign), r.campaign.code, d);
    }
    for (const r of accounts) {
      const d = accountDecision(p, r.account, r.team);
      record(`account/${u.roles.join('+')}`, u.email, d.allowed, oracleAccount(u, r), r.account.id, d);
    }
    for (const r of documents) {
      const d = docDecision(p, r);
      record(`document/${u.roles.join('+')}`, u.email, d.allowed, oracleDocument(u, r), r.document.source.nativeId, d);
    }
    for (const r of assets) {
      const d = assetDecisionAt(p, r);
      record(`asset/${u.roles.join('+')}`, u.email, d.allowed, oracleAsset(u, r), `${r.asset.source.system}:${r.asset.source.nativeId}`, d);
    }
  }
  assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} mismatches`);
  // The matrix is not vacuous: restricted roles see some and miss some of every kind of object.
  for (const role of ['sales', 'partner']) {
    for (const kind of ['campaign', 'account', 'document', 'asset']) {
      const s = seen.get(`${kind}/${role}`);
      assert.ok(s && s.allowed > 0 && s.denied > 0, `${kind}/${role}: ${JSON.stringify(s)}`);
    }
  }
  for (const kind of ['campaign', 'account', 'asset']) assert.equal(seen.get(`${kind}/admin`)?.denied, 0);
});

test('campaigns each partner and sales reader sees, by name', () => {
  const expected: Record<string, string[]> = {
    'anna@northwind.example': ['Aurora X Spring Launch', 'Nimbus for Retail', 'Nimbus Partner Summit'],
    'ben@northwind.example': ['Aurora X Spring Launch', 'Nimbus for Retail', 'Nimbus Partner Summit'],
    'kenji@sakura-media.example': ['Helix Fitness Summer', 'Nimbus Partner Summit'],
    'lucia@andes-digital.example': ['Nimbus Partner Summit', 'Vertex Holiday Gifting'],
    'leo@lumen-agency.example': ['Aurora X Spring Launch', 'Nimbus Partner Summit', 'Aurora Creator Edition'],
    'sales.emea@atrium.example': campaigns.filter((c) => c.campaign.status !== 'PLANNED').map((c) => c.campaign.name),
  };
  for (const [email, names] of Object.entries(expected)) {
    const got = campaigns.filter((r) => campaignDecision(P(email), r.campaign).allowed).map((r) => r.campaign.name);
    assert.deepEqual(got.sort(), [...names].sort(), email);
  }
});

test('anna sees Nimbus for Retail (shared with ACC-1001, ACTIVE, EMEA); kenji does not, and is told why', () => {
  const nimbus = campaignNamed('Nimbus for Retail');
  assert.deepEqual([nimbus.status, nimbus.audience, nimbus.regions], ['ACTIVE', ['ACC-1001'], ['EMEA']]);
  const anna = campaignDecision(P('anna@northwind.example'), nimbus);
  assert.equal(anna.allowed, true);
  assert.equal(ruleId(anna), 'partner.campaign.shared');
  const kenji = campaignDecision(P('kenji@sakura-media.example'), nimbus);
  assert.equal(kenji.allowed, false);
  assert.equal(ruleId(kenji), 'partner.campaign.audience');
  assert.match(kenji.rule, /not shared with ACC-1003 and not open to all partners/);
});

test('no partner sees a PLANNED campaign, even one shared with them or open to all', () => {
  const planned = campaigns.filter((r) => r.campaign.status === 'PLANNED').map((r) => r.campaign);
  assert.ok(planned.some((c) => c.openToAllPartners) && planned.some((c) => c.audience.length > 0));
  for (const u of users.filter((x) => x.roles.includes('partner'))) {
    for (const c of planned) {
      const d = campaignDecision(principalOf(u), c);
      assert.equal(d.allowed, false, `${u.email} ${c.name}`);
      assert.equal(ruleId(d), 'partner.campaign.status', 'the status is the first rule that fails');
    }
  }
});

test('explainDecision names the first failing rule, in the order of the table', () => {
  const rows: [string, string, string][] = [
    ['kenji@sakura-media.example', 'Vertex 12 Pre-launch', 'partner.campaign.status'], // shared with ACC-1003, but PLANNED
    ['leo@lumen-agency.example', 'Nimbus for Retail', 'partner.campaign.audience'],
    ['lucia@andes-digital.example', 'Aurora X Spring Launch', 'partner.campaign.region'], // open, ACTIVE, EMEA/NA only
    ['sales.na@atrium.example', 'Helix Corporate Wellness', 'sales.campaign.status'],
    ['compliance@atrium.example', 'Helix Corporate Wellness', 'compliance.all'],
  ];
  for (const [email, name, rule] of rows) {
    assert.equal(ruleId(explainDecision(P(email), { kind: 'campaign', campaign: campaignNamed(name) }, NOW)), rule, `${email} ${name}`);
  }
  const anna = P('anna@northwind.example');
  const budget = documents.find(
    (r) => r.demo.kind === 'budget' && r.owner.kind === 'campaign' && r.owner.row.campaign.name === 'Nimbus for Retail',
  ) as DocumentRow;
  const docTarget = { kind: 'document' as const, document: budget.document, owner: ownerOf(anna, budget), team: budget.owner.row.team };
  assert.equal(ruleId(explainDecision(anna, docTarget, NOW)), 'partner.document.classification');
  const draftCopy = documents.find(
    (r) => r.demo.kind === 'copy' && r.owner.kind === 'campaign' && r.owner.row.campaign.name === 'Nimbus for Retail',
  ) as DocumentRow;
  assert.equal(
    ruleId(documentDecision(anna, draftCopy.document, ownerOf(anna, draftCopy), draftCopy.owner.row.team)),
    'partner.document.status',
  );
  const kenji = P('kenji@sakura-media.example');
  const press = documents.find(
    (r) => r.demo.kind === 'press' && r.owner.kind === 'campaign' && r.owner.row.campaign.name === 'Nimbus for Retail',
  ) as DocumentRow;
  const d = documentDecision(kenji, press.document, ownerOf(kenji, press), press.owner.row.team);
  assert.equal(ruleId(d), 'partner.document.owner');
  assert.match(d.rule, /partner\.campaign\.audience/, 'the owner denial carries the campaign rule behind it');
  const row = assets.find((r) => r.asset.approval === 'PENDING' && r.campaign) as AssetRow;
  const target = { kind: 'asset' as const, asset: row.asset, rights: row.rights, owners: ownersOf(anna, row) };
  assert.equal(ruleId(explainDecision(anna, target, NOW)), 'partner.asset.approval');
  assert.equal(explainDecision(P('admin@atrium.example'), target, NOW).allowed, true);
});

test('ben and anna share a scope; kenji, the two sales readers and every other reader each have their own', () => {
  const key = (email: string) => scopeKey(P(email));
  assert.equal(key('anna@northwind.example'), key('ben@northwind.example'));
  assert.notEqual(key('anna@northwind.example'), key('kenji@sakura-media.example'));
  assert.notEqual(key('sales.emea@atrium.example'), key('sales.na@atrium.example'));
  assert.equal(new Set(users.map((u) => scopeKey(principalOf(u)))).size, users.length - 1, 'only anna and ben coincide');
  assert.equal(scopeKey(null), 'anonymous');
  const anna = P('anna@northwind.example');
  assert.notEqual(scopeKey({ ...anna, regions: ['EMEA', 'NA'] }), scopeKey(anna), 'regions are part of the scope');
  assert.notEqual(scopeKey({ ...anna, org: 'ACC-1002' }), scopeKey(anna), 'the company is part of the scope');
  assert.equal(scopeKey({ ...anna, regions: ['NA', 'EMEA'] }), scopeKey({ ...anna, regions: ['EMEA', 'NA'] }), 'order does not matter');
  const sales = P('sales.emea@atrium.example');
  assert.notEqual(scopeKey({ ...sales, email: 'other.sales@atrium.example' }), scopeKey(sales), 'sales depend on their teams');
  const marketing = P('marketing@atrium.example');
  assert.notEqual(scopeKey({ ...marketing, email: 'other.marketing@atrium.example' }), scopeKey(marketing), 'marketing depends on teams');
  const admin = P('admin@atrium.example');
  assert.equal(scopeKey({ ...admin, email: 'second.admin@atrium.example', id: 'x' }), scopeKey(admin), 'admins share one scope');
  assert.notEqual(
    scopeKey({ ...anna, roles: ['partner', 'sales'] }),
    scopeKey({ ...anna, email: 'x@northwind.example', roles: ['partner', 'sales'] }),
  );
});

test('marketing sees a CONFIDENTIAL document only in the workspaces of their teams', () => {
  const marketing = P('marketing@atrium.example');
  const confidential = documents.filter((r) => r.document.classification === 'CONFIDENTIAL');
  const seen = confidential.filter((r) => docDecision(marketing, r).allowed);
  const teamCampaigns = new Set([0, 2, 4, 6, 8].map((i) => campaigns[i]?.campaign.code));
  const expected = confidential.filter((r) => r.owner.kind === 'campaign' && teamCampaigns.has(r.owner.row.campaign.code));
  assert.ok(expected.length > 0 && expected.length < confidential.length);
  assert.deepEqual(
    seen.map((r) => r.document.source.nativeId),
    expected.map((r) => r.document.source.nativeId),
  );
  const other = confidential.find((r) => !seen.includes(r)) as DocumentRow;
  assert.equal(ruleId(docDecision(marketing, other)), 'marketing.document.confidential');
  assert.ok(documents.filter((r) => r.document.classification !== 'CONFIDENTIAL').every((r) => docDecision(marketing, r).allowed));
});

test('sales.emea sees the accounts of their teams (ACC-1001, ACC-1002, ACC-1008), not ACC-1004; sales.na theirs', () => {
  const visible = (email: string) => accounts.filter((r) => accountDecision(P(email), r.account, r.team).allowed).map((r) => r.account.id);
  assert.deepEqual(visible('sales.emea@atrium.example'), ['ACC-1001', 'ACC-1002', 'ACC-1008']);
  assert.deepEqual(visible('sales.na@atrium.example'), ['ACC-1004', 'ACC-1005', 'ACC-1006']);
  const acc1004 = accounts.find((r) => r.account.id === 'ACC-1004');
  assert.ok(acc1004);
  const d = accountDecision(P('sales.emea@atrium.example'), acc1004.account, acc1004.team);
  assert.equal(ruleId(d), 'sales.account.member');
  assert.equal(d.allowed, false);
  assert.deepEqual(visible('anna@northwind.example'), ['ACC-1001'], 'a partner sees their own company only');
  const upper = { ...P('sales.emea@atrium.example'), email: 'SALES.EMEA@atrium.example' };
  assert.equal(
    accountDecision(upper, must(accounts[0], 'account').account, must(accounts[0], 'account').team).allowed,
    true,
    'emails compare case-insensitively',
  );
});

test('sales: CONFIDENTIAL campaign documents only as a team member; everything in their accounts', () => {
  const sales = P('sales.emea@atrium.example');
  const budgets = documents.filter(
    (r) => r.demo.kind === 'budget' && r.owner.kind === 'campaign' && r.owner.row.campaign.status === 'ACTIVE',
  );
  const own = budgets.find((r) => r.owner.kind === 'campaign' && r.owner.row.campaign.name === 'Nimbus for Retail') as DocumentRow;
  assert.equal(docDecision(sales, own).allowed, true, 'on the Nimbus for Retail team');
  const other = budgets.find((r) => r !== own) as DocumentRow;
  assert.equal(ruleId(docDecision(sales, other)), 'sales.document.confidential');
  const contracts = documents.filter((r) => r.demo.kind === 'contract' && r.owner.kind === 'account');
  assert.deepEqual(
    contracts.filter((r) => docDecision(sales, r).allowed).map((r) => r.owner.kind === 'account' && r.owner.row.account.id),
    ['ACC-1001', 'ACC-1002', 'ACC-1008'],
  );
});

test('a partner never sees an asset whose ECM licence expired, though the DAM says CLEARED', () => {
  const expiredLicence = assets.filter((r) => r.demo.rightsCase === 'licence-expired' && r.asset.rights.licenceId);
  assert.ok(expiredLicence.length > 0);
  let decidedByRights = 0;
  for (const r of expiredLicence) {
    assert.equal(r.asset.rights.status, 'CLEARED', 'the DAM says cleared');
    assert.equal(
      rightsAt({ ...r.asset, rights: { ...r.asset.rights, licenceId: '' } }, NOW).inForce,
      true,
      'without the licence it would be in force',
    );
    for (const u of users.filter((x) => x.roles.includes('partner'))) {
      const p = principalOf(u);
      const d = assetDecisionAt(p, r);
      assert.equal(d.allowed, false, `${u.email} ${r.asset.title}`);
      if (r.campaign && campaignDecision(p, r.campaign.campaign).allowed) {
        assert.equal(ruleId(d), 'partner.asset.rights', d.rule);
        decidedByRights++;
      }
    }
  }
  assert.ok(decidedByRights > 0, 'some of these assets are in campaigns a partner sees, so the licence alone hides them');
});

test('an asset whose effective validUntil is T is visible at T-1s and not at T+1s', () => {
  const anna = P('anna@northwind.example');
  const row = assets.find((r) => r.demo.rightsCase === 'expiring-soon' && assetDecisionAt(anna, r).allowed);
  assert.ok(row, 'an expiring asset anna sees today');
  const T = Date.parse(row.rights.validUntil as string);
  assert.equal(assetDecisionAt(anna, row, rightsAt(row.asset, T - 1000), T - 1000).allowed, true);
  const after = assetDecisionAt(anna, row, rightsAt(row.asset, T + 1000), T + 1000);
  assert.equal(after.allowed, false);
  assert.equal(ruleId(after), 'partner.asset.rights');
  // Rights computed a moment earlier (a cache) do not keep it alive: the window is re-checked at `now`.
  assert.equal(assetDecisionAt(anna, row, rightsAt(row.asset, T - 1000), T + 1000).allowed, false);
  assert.equal(assetDecisionAt(anna, row, rightsAt(row.asset, T - 1000), T).allowed, false, 'validUntil itself is outside');
  assert.equal(
    assetDecisionAt(P('marketing@atrium.example'), row, rightsAt(row.asset, T + 1000), T + 1000).allowed,
    true,
    'internal readers still see it',
  );
});

test('partner assets use the EFFECTIVE territories and channels, and need a visible owner', () => {
  const kenji = P('kenji@sakura-media.example');
  const row = assets.find((r) => r.campaign?.campaign.name === 'Helix Fitness Summer' && assetDecisionAt(kenji, r).allowed) as AssetRow;
  assert.ok(row);
  const territory = assetDecisionAt(kenji, row, { ...row.rights, territories: ['EMEA'] });
  assert.equal(ruleId(territory), 'partner.asset.territory');
  assert.equal(assetDecisionAt(kenji, row, { ...row.rights, territories: ['WORLD'] }).allowed, true);
  assert.equal(ruleId(assetDecisionAt(kenji, row, { ...row.rights, channels: ['web', 'print'] })), 'partner.asset.channel');
  assert.equal(
    ruleId(assetDecisionAt(kenji, row, { ...row.rights, inForce: false })),
    'partner.asset.rights',
    'rights found not in force are never overruled',
  );
  const hidden = assetDecision(
    kenji,
    row.asset,
    row.rights,
    { campaign: { campaign: must(row.campaign, 'campaign').campaign, visible: false } },
    NOW,
  );
  assert.equal(ruleId(hidden), 'partner.asset.owner', 'a caller flag can hide the owner');
  const nimbus = campaignNamed('Nimbus for Retail');
  const lying = assetDecision(kenji, row.asset, row.rights, { campaign: { campaign: nimbus, visible: true } }, NOW);
  assert.equal(ruleId(lying), 'partner.asset.owner', 'but never reveal one the policy denies');
  assert.equal(assetDecision(kenji, row.asset, row.rights, {}, NOW).allowed, false, 'an asset of no campaign or account');
  const own = assets.find((r) => r.account?.account.id === 'ACC-1003' && assetDecisionAt(kenji, r).allowed);
  assert.ok(own, "kenji sees an asset of his own company's account");
});

test('multi-role readers get the union, credited to the most permissive role', () => {
  const anna = P('anna@northwind.example');
  const both: Principal = { ...anna, roles: ['partner', 'sales'] };
  const closed = campaignNamed('Nimbus Security Week');
  assert.equal(campaignDecision(anna, closed).allowed, false);
  const d = campaignDecision(both, closed);
  assert.equal(d.allowed, true);
  assert.equal(ruleId(d), 'sales.campaign.status');
  assert.deepEqual(campaignDecision({ ...both, roles: ['sales', 'partner'] }, closed), d, 'role order does not matter');
  const planned = campaignNamed('Helix Corporate Wellness');
  const denied = campaignDecision(both, planned);
  assert.equal(denied.allowed, false);
  assert.match(denied.rule, /^sales\.campaign\.status: .*; partner\.campaign\.status: /, 'each role says why');
  assert.equal(accountDecision({ ...anna, roles: ['partner', 'marketing'] }, must(accounts[5], 'account').account, []).allowed, true);
});

test('anonymous readers, unknown roles, no roles and partners without a company see nothing', () => {
  const first = must(campaigns[0], 'campaign').campaign;
  const readers: [Principal | null, string][] = [
    [null, 'anonymous'],
    [{ id: 'x', email: 'x@atrium.example', roles: ['superuser' as Role], regions: ['EMEA'] }, 'role.unknown'],
    [{ id: 'x', email: 'x@atrium.example', roles: [], regions: ['EMEA'] }, 'role.none'],
    [{ id: 'x', email: 'x@northwind.example', roles: ['partner'], regions: ['EMEA', 'NA', 'APAC', 'LATAM'] }, 'partner.org'],
  ];
  for (const [p, rule] of readers) {
    const all = [
      ...campaigns.map((r) => campaignDecision(p, r.campaign)),
      ...accounts.map((r) => accountDecision(p, r.account, r.team)),
      ...documents.map((r) => docDecision(p, r)),
      ...assets.map((r) => assetDecisionAt(p, r)),
    ];
    assert.ok(
      all.every((d) => !d.allowed),
      rule,
    );
    assert.equal(ruleId(campaignDecision(p, first)), rule);
  }
  assert.equal(isInternal({ id: 'x', email: 'x', roles: ['superuser' as Role], regions: [] }), false, 'an unknown role is not internal');
  assert.equal(isInternal(P('sales.na@atrium.example')), true);
  assert.equal(isInternal(P('leo@lumen-agency.example')), false);
  assert.equal(isAuditReader(P('marketing@atrium.example')), false);
  assert.throws(() => requireInternal(P('leo@lumen-agency.example'), 'Workspace teams'), /Workspace teams are for internal readers/);
});
