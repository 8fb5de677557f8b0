/** The simulator's LQL subset and the client's LQL builder: parse, evaluate, escape. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoMapping } from '../../../../sources/mapping.ts';
import { LqlError, matches, parseLql, type RegionValue } from '../../../../simulators/otcs/lql.ts';
import { filterToLql, pagePlan, quote } from '../../../../sources/otcs/search.ts';

const node: Record<string, RegionValue> = {
  OTName: 'Partner Playbook.pdf',
  OTDComment: 'Playbook for partners.',
  OTSubType: 144,
  Attr_9830_7: 'PARTNER',
  Attr_9830_12: ['EMEA', 'NA'],
  Attr_9830_11: '2027-01-15T10:00:00',
  OTObjectDate: '20261101',
};
const q = (src: string) => matches(parseLql(src), node);

describe('LQL subset (simulator)', () => {
  it('matches regions, multi-values, free text and keywords in any case', () => {
    assert.equal(q('OTSubType:144 AND Attr_9830_7:"partner"'), true);
    assert.equal(q('Attr_9830_12:"NA"'), true);
    assert.equal(q('Attr_9830_12:"APAC"'), false);
    assert.equal(q('playbook'), true);
    assert.equal(q('"partner playbook"'), true);
    assert.equal(q('OTName:Playbook'), true);
    assert.equal(q('brochure or OTSubType:144'), true);
    assert.equal(q('OTSubType:144 not Attr_9830_7:PARTNER'), false);
  });

  it('compares dates by instant (zone-less is UTC), numbers by value, and ranges inclusively', () => {
    assert.equal(q('Attr_9830_11:>"2027-01-15T09:59:59Z"'), true);
    assert.equal(q('Attr_9830_11:>"2027-01-15T10:00:00Z"'), false);
    assert.equal(q('Attr_9830_11:>="2027-01-15T10:00:00.000Z"'), true);
    assert.equal(q('OTObjectDate:["20261101" TO "20261130"]'), true);
    assert.equal(q('OTSubType:<200 AND OTSubType:>100'), true);
    assert.equal(q('Attr_9830_10:*'), false);
    assert.equal(q('NOT Attr_9830_10:* AND Attr_9830_11:*'), true);
  });

  it('rejects input outside the subset instead of guessing', () => {
    for (const bad of ['', 'OTName:"open', 'OTName:', '(a', 'a)', 'X:[1 2]', 'x'.repeat(9000), `${'('.repeat(100)}a${')'.repeat(100)}`]) {
      assert.throws(() => parseLql(bad), LqlError, JSON.stringify(bad.slice(0, 20)));
    }
  });
});

describe('filterToLql (client)', () => {
  const m = demoMapping();

  it('builds an AND of ORs over the mapped attribute regions, documents only', () => {
    const lql = filterToLql({ classifications: ['PUBLIC', 'PARTNER'], statuses: ['RELEASED'], territories: ['EMEA'] }, m);
    assert.equal(
      lql,
      'OTSubType:144 AND (Attr_9830_7:"PUBLIC" OR Attr_9830_7:"PARTNER") AND Attr_9830_8:"RELEASED" AND (Attr_9830_12:"EMEA" OR Attr_9830_12:"WORLD")',
    );
    assert.equal(filterToLql({ statuses: [] }, m), null);
  });

  it('quotes every value so the parsed query keeps its structure', () => {
    const evil = 'x" OR OTSubType:144 OR "';
    const lql = filterToLql({ campaignCodes: [evil] }, m) as string;
    const ast = parseLql(lql);
    assert.equal(matches(ast, { OTSubType: 144, Attr_9830_2: 'CMP-2026-001' }), false);
    assert.equal(matches(ast, { OTSubType: 144, Attr_9830_2: evil }), true);
    assert.equal(quote('a\\"b'), '"a\\\\\\"b"');
  });

  it('rejects invalid dates as BAD_REQUEST', () => {
    assert.throws(() => filterToLql({ validAt: 'yesterday' }, m), /invalid date/);
  });
});

describe('pagePlan', () => {
  it('covers any window with one page when a page size reaches it, two otherwise', () => {
    assert.deepEqual(pagePlan(0, 10), { limit: 10, pages: [1], skip: 0 });
    assert.deepEqual(pagePlan(20, 10), { limit: 10, pages: [3], skip: 0 });
    assert.deepEqual(pagePlan(7, 5), { limit: 6, pages: [2], skip: 1 });
    assert.equal(pagePlan(10_001, 500).pages.length, 2, 'no page size up to the limit covers it');
    for (const [start, wanted] of [
      [7, 5],
      [101, 10],
      [13, 3],
      [997, 50],
      [10_001, 500],
    ] as const) {
      const plan = pagePlan(start, wanted);
      const from = ((plan.pages[0] as number) - 1) * plan.limit + plan.skip;
      assert.equal(from, start);
      assert.ok(plan.pages.length * plan.limit - plan.skip >= wanted);
    }
  });
});
