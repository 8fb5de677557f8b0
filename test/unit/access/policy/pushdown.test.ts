import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accountDecision,
  accountPushdown,
  assetDecision,
  assetPushdown,
  campaignDecision,
  campaignPushdown,
  documentDecision,
  documentPushdown,
  isMember,
  mergeFilters,
  pushdownInstant,
} from '../../../../access/policy.ts';
import type { Principal, Role } from '../../../../access/principal.ts';
import type { CanonicalFilter } from '../../../../sources/model.ts';
import type { AccountQuery, CampaignQuery } from '../../../../sources/ports.ts';
import {
  accounts,
  assetItem,
  assets,
  campaigns,
  docItem,
  documents,
  matches,
  NOW,
  principalOf,
  rightsAt,
  user,
  users,
  type AssetRow,
} from '../../../helpers/policy-fixtures.ts';

const P = (email: string) => principalOf(user(email));
const must = <T>(x: T | undefined, what: string): T => {
  if (x === undefined) throw new Error(`missing ${what}`);
  return x;
};

/** CampaignQuery / AccountQuery semantics (sources/ports.ts), for the consistency property. */
function campaignMatches(q: CampaignQuery, c: (typeof campaigns)[number]['campaign']): boolean {
  if (q.codes && !q.codes.includes(c.code)) return false;
  if (q.statuses && !q.statuses.includes(c.status)) return false;
  if (q.regions && !c.regions.some((r) => q.regions?.includes(r))) return false;
  if (q.audienceIncludes !== undefined && !(c.openToAllPartners || c.audience.includes(q.audienceIncludes))) return false;
  return q.productLines === undefined && q.text === undefined;
}
function accountMatches(q: AccountQuery, r: (typeof accounts)[number]): boolean {
  if (q.ids && !q.ids.includes(r.account.id)) return false;
  if (q.kinds && !q.kinds.includes(r.account.kind)) return false;
  if (q.regions && !q.regions.includes(r.account.region)) return false;
  if (q.memberEmail !== undefined && !r.team.some((m) => m.email.toLowerCase() === q.memberEmail)) return false;
  return q.text === undefined;
}

test('pushdown, role by role', () => {
  const at = '2026-11-22T00:00:00.000Z';
  const rows: [string, CampaignQuery | 'empty', AccountQuery | 'empty', CanonicalFilter | 'empty'][] = [
    ['admin@atrium.example', {}, {}, {}],
    ['compliance@atrium.example', {}, {}, {}],
    ['marketing@atrium.example', {}, {}, {}],
    [
      'sales.emea@atrium.example',
      { statuses: ['ACTIVE', 'CLOSED'] },
      { memberEmail: 'sales.emea@atrium.example' },
      { approvals: ['APPROVED'] },
    ],
    [
      'kenji@sakura-media.example',
      { statuses: ['ACTIVE'], audienceIncludes: 'ACC-1003', regions: ['APAC'] },
      { ids: ['ACC-1003'] },
      { approvals: ['APPROVED'], channels: ['partner'], territories: ['APAC'], validAt: at },
    ],
  ];
  for (const [email, campaign, account, asset] of rows) {
    assert.deepEqual(campaignPushdown(P(email)), campaign, email);
    assert.deepEqual(accountPushdown(P(email)), account, email);
    assert.deepEqual(assetPushdown(P(email), NOW), asset, email);
  }
  const docs: [string, 'campaign' | 'account', boolean, CanonicalFilter | 'empty'][] = [
    ['admin@atrium.example', 'account', false, {}],
    ['marketing@atrium.example', 'campaign', true, {}],
    ['marketing@atrium.example', 'campaign', false, { classifications: ['PUBLIC', 'PARTNER', 'INTERNAL'] }],
    ['marketing@atrium.example', 'account', false, { classifications: ['PUBLIC', 'PARTNER', 'INTERNAL'] }],
    ['sales.na@atrium.example', 'campaign', false, { classifications: ['PUBLIC', 'PARTNER', 'INTERNAL'] }],
    ['sales.na@atrium.example', 'campaign', true, {}],
    ['sales.na@atrium.example', 'account', true, {}],
    ['sales.na@atrium.example', 'account', false, 'empty'],
    ['leo@lumen-agency.example', 'campaign', false, { classifications: ['PUBLIC', 'PARTNER'], statuses: ['RELEASED'] }],
    ['leo@lumen-agency.example', 'account', false, { classifications: ['PUBLIC', 'PARTNER'], statuses: ['RELEASED'] }],
  ];
  for (const [email, kind, member, expected] of docs)
    assert.deepEqual(documentPushdown(P(email), kind, member), expected, `${email} ${kind} ${member}`);
});

test('pushdown for anonymous readers, unknown roles, partners without company or regions: nothing', () => {
  const readers: (Principal | null)[] = [
    null,
    { id: 'x', email: 'x@atrium.example', roles: ['superuser' as Role], regions: ['EMEA'] },
    { id: 'x', email: 'x@atrium.example', roles: [], regions: ['EMEA'] },
    { id: 'x', email: 'x@northwind.example', roles: ['partner'], regions: ['EMEA'] },
  ];
  for (const p of readers) {
    assert.equal(campaignPushdown(p), 'empty');
    assert.equal(accountPushdown(p), 'empty');
    assert.equal(documentPushdown(p, 'campaign', true), 'empty');
    assert.equal(assetPushdown(p, NOW), 'empty');
  }
  const noRegions: Principal = { ...P('anna@northwind.example'), regions: [] };
  assert.equal(campaignPushdown(noRegions), 'empty');
  assert.equal(assetPushdown(noRegions, NOW), 'empty');
  assert.deepEqual(accountPushdown(noRegions), { ids: ['ACC-1001'] }, 'their own account needs no region');
});

test('multi-role pushdown matches what any of the roles would', () => {
  const both: Principal = { ...P('anna@northwind.example'), roles: ['partner', 'sales'] };
  assert.deepEqual(campaignPushdown(both), { statuses: ['ACTIVE', 'CLOSED'] });
  assert.deepEqual(accountPushdown(both), {}, 'ids and memberEmail cannot be OR-ed in one query: ask for all');
  assert.deepEqual(assetPushdown(both, NOW), { approvals: ['APPROVED'] });
  assert.deepEqual(documentPushdown(both, 'campaign', false), { classifications: ['PUBLIC', 'PARTNER', 'INTERNAL'] });
  assert.deepEqual(campaignPushdown({ ...both, roles: ['partner', 'marketing'] }), {});
});

/**
 * The property: pushdown never hides an allowed object. For every reader and every object, if
 * the per-object check allows it, the source query it was listed by matches it.
 */
function assertPushdownKeepsAllowed(now: number, exempt: (r: AssetRow) => boolean = () => false) {
  let checked = 0;
  let filteredOut = 0;
  for (const u of users) {
    const p = principalOf(u);
    const cq = campaignPushdown(p);
    for (const r of campaigns) {
      if (!campaignDecision(p, r.campaign).allowed) continue;
      assert.ok(cq !== 'empty' && campaignMatches(cq, r.campaign), `${u.email} campaign ${r.campaign.code}`);
      checked++;
    }
    const aq = accountPushdown(p);
    for (const r of accounts) {
      if (!accountDecision(p, r.account, r.team).allowed) continue;
      assert.ok(aq !== 'empty' && accountMatches(aq, r), `${u.email} account ${r.account.id}`);
      checked++;
    }
    for (const r of documents) {
      const owner =
        r.owner.kind === 'campaign'
          ? { kind: 'campaign' as const, campaign: r.owner.row.campaign, visible: campaignDecision(p, r.owner.row.campaign).allowed }
          : {
              kind: 'account' as const,
              account: r.owner.row.account,
              visible: accountDecision(p, r.owner.row.account, r.owner.row.team).allowed,
            };
      const f = documentPushdown(p, r.owner.kind, isMember(p, r.owner.row.team));
      const pass = f !== 'empty' && matches(f, docItem(r.document));
      if (!pass) filteredOut++;
      if (!documentDecision(p, r.document, owner, r.owner.row.team).allowed) continue;
      assert.ok(pass, `${u.email} document ${r.document.source.nativeId}`);
      checked++;
    }
    const f = assetPushdown(p, now);
    for (const r of assets) {
      const owners = {
        ...(r.campaign ? { campaign: { campaign: r.campaign.campaign, visible: campaignDecision(p, r.campaign.campaign).allowed } } : {}),
        ...(r.account
          ? { account: { account: r.account.account, visible: accountDecision(p, r.account.account, r.account.team).allowed } }
          : {}),
      };
      const pass = f !== 'empty' && matches(f, assetItem(r.asset));
      if (!pass) filteredOut++;
      if (!assetDecision(p, r.asset, rightsAt(r.asset, now), owners, now).allowed || exempt(r)) continue;
      assert.ok(pass, `${u.email} asset ${r.asset.source.nativeId} (${r.demo.rightsCase})`);
      checked++;
    }
  }
  assert.ok(checked > 1000 && filteredOut > 1000, `checked ${checked}, filtered at the source ${filteredOut}`);
}

test('pushdown never hides an allowed object (every reader, every campaign, account, document, asset)', () => {
  assertPushdownKeepsAllowed(NOW);
});

test('at an instant off the minute, pushdown hides only assets whose rights started within that minute', () => {
  const now = NOW + 12 * 3_600_000 + 30_500;
  const minute = Math.floor(now / 60_000) * 60_000;
  const startedThisMinute = (r: AssetRow) => !!r.asset.rights.validFrom && Date.parse(r.asset.rights.validFrom) > minute;
  assertPushdownKeepsAllowed(now, startedThisMinute);
  // The documented cost of quantizing, shown on an asset whose rights started 10 s ago.
  const kenji = P('kenji@sakura-media.example');
  const row = must(
    assets.find(
      (r) => r.campaign?.campaign.name === 'Helix Fitness Summer' && r.demo.rightsCase === 'cleared-world' && !r.asset.rights.licenceId,
    ),
    'asset',
  );
  const fresh = { ...row.asset, rights: { ...row.asset.rights, validFrom: new Date(now - 10_000).toISOString() } };
  const owners = { campaign: { campaign: must(row.campaign, 'campaign').campaign, visible: true } };
  assert.equal(assetDecision(kenji, fresh, rightsAt(fresh, now), owners, now).allowed, true, 'visible by id at once');
  const quantized = assetPushdown(kenji, now);
  const exact = assetPushdown(kenji, now, 1);
  assert.ok(quantized !== 'empty' && exact !== 'empty');
  assert.equal(matches(quantized, assetItem(fresh)), false, 'missing from lists for the rest of the minute');
  assert.equal(matches(exact, assetItem(fresh)), true, 'the exact instant finds it');
});

test('pushdownInstant rounds down to the boundary and never past an end it must respect', () => {
  const t = Date.parse('2026-11-22T10:15:42.123Z');
  assert.equal(pushdownInstant(t), '2026-11-22T10:15:00.000Z');
  assert.equal(pushdownInstant(t, 1), '2026-11-22T10:15:42.123Z');
  assert.equal(pushdownInstant(t, 3_600_000), '2026-11-22T10:00:00.000Z');
  assert.equal(pushdownInstant(Date.parse('2026-11-22T10:15:00.000Z')), '2026-11-22T10:15:00.000Z', 'on the boundary it is exact');
  assert.ok(Date.parse(pushdownInstant(t)) <= t, 'never later than now: nothing still in force is cut off at the end');
  assert.throws(() => pushdownInstant(t, 0), RangeError);
  assert.throws(() => pushdownInstant(t, 1.5), RangeError);
  assert.throws(() => pushdownInstant(Number.NaN), RangeError);
  // The rounding shows through assetPushdown, so the cache key is the same for the whole minute.
  assert.deepEqual(assetPushdown(P('anna@northwind.example'), t), assetPushdown(P('anna@northwind.example'), t + 10_000));
  // An item that ended 1 s ago still matches the rounded filter: the per-object check drops it.
  const kenji = P('kenji@sakura-media.example');
  const row = must(
    assets.find(
      (r) => r.campaign?.campaign.name === 'Helix Fitness Summer' && r.demo.rightsCase === 'cleared-world' && !r.asset.rights.licenceId,
    ),
    'asset',
  );
  const ended = { ...row.asset, rights: { ...row.asset.rights, validUntil: new Date(t - 1000).toISOString() } };
  const f = assetPushdown(kenji, t);
  assert.ok(f !== 'empty' && matches(f, assetItem(ended)));
  const d = assetDecision(
    kenji,
    ended,
    rightsAt(ended, t),
    { campaign: { campaign: must(row.campaign, 'campaign').campaign, visible: true } },
    t,
  );
  assert.equal(d.allowed, false);
});

test('mergeFilters, case by case', () => {
  const partner: CanonicalFilter = {
    approvals: ['APPROVED'],
    channels: ['partner'],
    territories: ['EMEA'],
    validAt: '2026-11-22T00:00:00.000Z',
  };
  const docs: CanonicalFilter = { classifications: ['PUBLIC', 'PARTNER'], statuses: ['RELEASED'] };
  const rows: [string, CanonicalFilter, CanonicalFilter | 'empty', CanonicalFilter | 'empty'][] = [
    ['asking for what the policy excludes', { classifications: ['CONFIDENTIAL'] }, docs, 'empty'],
    [
      'single-valued lists intersect',
      { classifications: ['PARTNER', 'CONFIDENTIAL'] },
      docs,
      { classifications: ['PARTNER'], statuses: ['RELEASED'] },
    ],
    ['no user filter: the policy as is', {}, partner, partner],
    ['no policy filter: the user filter as is', { kinds: ['IMAGE'], text: 'hero' }, {}, { kinds: ['IMAGE'], text: 'hero' }],
    [
      'fields of one side are kept',
      { kinds: ['VIDEO'], campaignCodes: ['CMP-2026-002'] },
      partner,
      { ...partner, kinds: ['VIDEO'], campaignCodes: ['CMP-2026-002'] },
    ],
    ['a policy that allows nothing', { kinds: ['IMAGE'] }, 'empty', 'empty'],
    ['an empty user list matches nothing', { approvals: [] }, {}, 'empty'],
    ['an empty policy list matches nothing', {}, { territories: [] }, 'empty'],
    ['user approvals outside the policy', { approvals: ['PENDING', 'REJECTED'] }, partner, 'empty'],
    ['territories: a narrower user list', { territories: ['EMEA'] }, { territories: ['EMEA', 'NA'] }, { territories: ['EMEA'] }],
    ['territories: a narrower policy list', { territories: ['EMEA', 'NA'] }, { territories: ['NA'] }, { territories: ['NA'] }],
    [
      'territories: WORLD items match any list, so disjoint lists are not empty',
      { territories: ['APAC'] },
      partner,
      { ...partner, territories: ['APAC'] },
    ],
    [
      'territories: WORLD in the user list is within any policy list',
      { territories: ['WORLD'] },
      partner,
      { ...partner, territories: ['WORLD'] },
    ],
    ['channels: an item has several, so disjoint lists are not empty', { channels: ['web'] }, partner, { ...partner, channels: ['web'] }],
    ['channels: a narrower policy list', { channels: ['partner', 'web'] }, partner, partner],
    ['validAt: the policy instant when the user gives none', { kinds: ['IMAGE'] }, partner, { ...partner, kinds: ['IMAGE'] }],
    [
      'validAt: the user instant when both do (the policy one is re-checked per object)',
      { validAt: '2027-01-01T00:00:00.000Z' },
      partner,
      { ...partner, validAt: '2027-01-01T00:00:00.000Z' },
    ],
    [
      'validUntilBetween intersects',
      { validUntilBetween: { from: '2026-12-01T00:00:00Z' } },
      { validUntilBetween: { from: '2026-11-01T00:00:00Z', to: '2027-01-01T00:00:00Z' } },
      { validUntilBetween: { from: '2026-12-01T00:00:00Z', to: '2027-01-01T00:00:00Z' } },
    ],
    [
      'validUntilBetween disjoint',
      { validUntilBetween: { to: '2026-12-01T00:00:00Z' } },
      { validUntilBetween: { from: '2026-12-01T00:00:00Z' } },
      'empty',
    ],
    [
      'modifiedSince: the later one',
      { modifiedSince: '2026-10-01T00:00:00Z' },
      { modifiedSince: '2026-11-01T00:00:00Z' },
      { modifiedSince: '2026-11-01T00:00:00Z' },
    ],
  ];
  for (const [name, user, policy, expected] of rows) assert.deepEqual(mergeFilters(user, policy), expected, name);
  assert.throws(() => mergeFilters({ text: 'a' }, { text: 'b' }), RangeError, 'two full-text queries are not silently merged');
  const merged = mergeFilters({}, partner);
  assert.ok(merged !== 'empty');
  merged.channels?.push('web');
  assert.deepEqual(partner.channels, ['partner'], 'the result shares no lists with its inputs');
});

test('mergeFilters matches everything both filters match, over every asset and document of the world', () => {
  const day = (n: number) => new Date(NOW + n * 86_400_000).toISOString();
  const assetFilters: CanonicalFilter[] = [
    {},
    { approvals: ['APPROVED', 'PENDING'] },
    { territories: ['APAC'] },
    { territories: ['EMEA', 'LATAM'] },
    { territories: ['WORLD'] },
    { channels: ['web'] },
    { channels: ['partner', 'print'] },
    { rightsStatuses: ['CLEARED'] },
    { kinds: ['VIDEO', 'IMAGE'] },
    { validAt: day(30) },
    { validUntilBetween: { from: day(0), to: day(90) } },
  ];
  const documentFilters: CanonicalFilter[] = [
    {},
    { classifications: ['PARTNER', 'CONFIDENTIAL'] },
    { statuses: ['DRAFT', 'RELEASED'] },
    { classifications: ['CONFIDENTIAL'] },
  ];
  const assetItems = assets.map((r) => assetItem(r.asset));
  const documentItems = documents.map((r) => docItem(r.document));
  let both = 0;
  for (const u of users) {
    const p = principalOf(u);
    const cases: [CanonicalFilter | 'empty', CanonicalFilter[], ReturnType<typeof assetItem>[]][] = [
      [assetPushdown(p, NOW), assetFilters, assetItems],
      [documentPushdown(p, 'campaign', false), documentFilters, documentItems],
    ];
    for (const [policy, filters, items] of cases) {
      if (policy === 'empty') continue;
      for (const f of filters) {
        const merged = mergeFilters(f, policy);
        for (const it of items) {
          if (!(matches(f, it) && matches(policy, it))) continue;
          both++;
          assert.ok(merged !== 'empty' && matches(merged, it), `${u.email} ${JSON.stringify(f)} lost ${JSON.stringify(it)}`);
        }
      }
    }
  }
  assert.ok(both > 10_000, `pairs checked: ${both}`);
});
