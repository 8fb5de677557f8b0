/** NetX ↔ canonical mapping: configuration-driven names and values, defensive reading, query translation. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { demoMapping, parseMapping, type Mapping } from '../../../../sources/mapping.ts';
import { KIND_VALUES, literalContains, toAsset, toQuery, type MapContext } from '../../../../sources/netx/map.ts';
import { attributesOf } from '../../../../simulators/netx/attributes.ts';
import type { QueryCriterion } from '../../../../sources/netx/wire.ts';
import { testWorld } from '../../../helpers/world.ts';

const mapping = demoMapping();
const KIND = 'Asset Type';
const ctx: MapContext = { mapping, kindAttribute: KIND, origin: 'https://dam.example.com' };
const A = mapping.netx.attributes;

/** A well-formed wire asset, with overrides. */
function wire(over: Record<string, unknown> = {}, attrs: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 100001,
    name: 'Hero',
    fileName: 'hero.png',
    fileType: 'png',
    creationDate: 1_700_000_000_000,
    modDate: 1_700_000_500_000,
    attributes: {
      [A.approval]: ['Approved'],
      [A.rightsStatus]: ['Cleared'],
      [A.territories]: ['NA', 'WORLD'],
      [A.channels]: ['web'],
      [KIND]: ['Template'],
      ...attrs,
    },
    file: { name: 'hero.png', size: 10, mimeType: 'image/png', url: 'https://dam.example.com/api/file/asset/100001/hero.png' },
    ...over,
  };
}

const malformed = (fn: () => unknown) =>
  assert.throws(fn, (e: unknown) => e instanceof UpstreamError && e.kind === 'MALFORMED' && e.system === 'NETX');

/** A mapping with other attribute names and value strings than the demo's. */
function customMapping(): Mapping {
  const doc = JSON.parse(JSON.stringify(mapping)) as {
    netx: { attributes: Record<string, string>; values: Record<string, Record<string, string>> };
  };
  for (const k of Object.keys(doc.netx.attributes)) doc.netx.attributes[k] = `X ${doc.netx.attributes[k] as string}`;
  doc.netx.values = { approval: { Freigegeben: 'APPROVED', Offen: 'PENDING', Abgelehnt: 'REJECTED' } };
  return parseMapping(doc);
}

describe('toAsset', () => {
  it('maps names, vocabulary through the value maps, dates to ISO with Z', () => {
    const a = toAsset(wire({}, { [A.validUntil]: ['2027-03-01'], [A.validFrom]: ['1700000000000'] }), ctx);
    assert.equal(a.source.nativeId, '100001');
    assert.equal(a.source.url, 'https://dam.example.com/app/#asset/100001');
    assert.equal(a.approval, 'APPROVED');
    assert.equal(a.rights.status, 'CLEARED');
    assert.equal(a.kind, 'TEMPLATE');
    assert.equal(a.rights.validUntil, '2027-03-01T00:00:00.000Z');
    assert.equal(a.rights.validFrom, '2023-11-14T22:13:20.000Z');
    assert.equal(a.createdAt, '2023-11-14T22:13:20.000Z');
    assert.deepEqual(a.renditions, [{ kind: 'ORIGINAL', mimeType: 'image/png', ref: '/api/file/asset/100001/hero.png', size: 10 }]);
  });

  it('fails closed on vocabulary it does not know', () => {
    const a = toAsset(
      wire({}, { [A.approval]: ['Maybe'], [A.rightsStatus]: ['Sort of'], [A.territories]: ['MARS', 'NA'], [KIND]: [] }),
      ctx,
    );
    assert.equal(a.approval, 'PENDING');
    assert.equal(a.rights.status, 'PENDING');
    assert.deepEqual(a.rights.territories, ['NA']);
    assert.equal(a.kind, 'IMAGE', 'kind falls back to the file type');
    const bare = toAsset(wire({ attributes: undefined }), ctx);
    assert.equal(bare.approval, 'PENDING');
    assert.deepEqual(bare.rights.territories, []);
  });

  it('refuses structures that are not NetX assets', () => {
    malformed(() => toAsset(null, ctx));
    malformed(() => toAsset(wire({ id: '100001' }), ctx));
    malformed(() => toAsset(wire({ id: 0 }), ctx));
    malformed(() => toAsset(wire({ name: undefined, fileName: undefined }), ctx));
    malformed(() => toAsset(wire({ modDate: '2026-01-01' }), ctx));
    malformed(() => toAsset(wire({ attributes: [] }), ctx));
    malformed(() => toAsset(wire({}, { [A.channels]: 'web' }), ctx));
    malformed(() => toAsset(wire({}, { [A.channels]: [{ v: 1 }] }), ctx));
    malformed(() => toAsset(wire({}, { [A.validUntil]: ['next tuesday'] }), ctx));
    malformed(() => toAsset(wire({ proxies: {} }), ctx));
  });

  it('follows the mapping configuration, not code', () => {
    const custom = customMapping();
    const demo = testWorld().asset('NETX', 3);
    const attrs = attributesOf(demo, custom, KIND);
    assert.deepEqual(attrs[custom.netx.attributes.campaignCode], [demo.campaignCode]);
    assert.equal(attrs[A.campaignCode], undefined);
    const vendorApproval = { APPROVED: 'Freigegeben', PENDING: 'Offen', REJECTED: 'Abgelehnt' }[demo.approval];
    assert.deepEqual(attrs[custom.netx.attributes.approval], [vendorApproval]);
    const a = toAsset({ ...wire(), attributes: attrs }, { ...ctx, mapping: custom });
    assert.equal(a.approval, demo.approval);
    assert.equal(a.campaignCode, demo.campaignCode);
    assert.equal(a.kind, demo.kind);
    assert.deepEqual(attrs[KIND], [KIND_VALUES[demo.kind]]);
  });
});

describe('toQuery', () => {
  it('ANDs one criterion per field, with OR subqueries for lists', () => {
    const q = toQuery({ campaignCodes: ['C1'], approvals: ['APPROVED', 'PENDING'] }, mapping, KIND) as QueryCriterion[];
    assert.deepEqual(q, [
      { operator: 'and', exact: { attribute: A.campaignCode, value: 'C1' } },
      {
        operator: 'and',
        subquery: {
          query: [
            { operator: 'or', exact: { attribute: A.approval, value: 'Approved' } },
            { operator: 'or', exact: { attribute: A.approval, value: 'Pending' } },
          ],
        },
      },
    ]);
    assert.deepEqual(toQuery({}, mapping, KIND), []);
  });

  it('lets WORLD match any territory asked for', () => {
    const q = toQuery({ territories: ['NA'] }, mapping, KIND) as QueryCriterion[];
    assert.deepEqual(
      q[0]?.subquery?.query.map((c) => c.exact?.value),
      ['NA', 'WORLD'],
    );
  });

  it('expresses validAt as validFrom <= t < validUntil, missing bounds open', () => {
    const t = Date.parse('2026-11-22T12:00:00Z');
    const [from, until] = toQuery({ validAt: '2026-11-22T12:00:00Z' }, mapping, KIND) as QueryCriterion[];
    assert.deepEqual(from?.subquery?.query, [
      { operator: 'or', range: { attribute: A.validFrom, max: t } },
      { operator: 'or', exact: { attribute: A.validFrom, value: '' } },
    ]);
    assert.deepEqual(until?.subquery?.query[0], { operator: 'or', range: { attribute: A.validUntil, min: t + 1 } });
  });

  it('keeps validUntilBetween half-open and drops absent bounds', () => {
    assert.deepEqual(toQuery({ validUntilBetween: { to: '1970-01-01T00:00:01Z' } }, mapping, KIND), [
      { operator: 'and', range: { attribute: A.validUntil, max: 999 } },
    ]);
    assert.deepEqual(toQuery({ validUntilBetween: {} }, mapping, KIND), []);
  });

  it('matches the text literally: wildcards and backslashes escaped, everything else plain text of one contains value', () => {
    const contains = (text: string) => (toQuery({ text }, mapping, KIND) as QueryCriterion[])[0]?.contains;
    assert.deepEqual(contains(' * '), { field: 'name', value: '\\*' });
    assert.deepEqual(contains('hero?'), { field: 'name', value: 'hero\\?' });
    assert.deepEqual(contains('C:\\new'), { field: 'name', value: 'C:\\\\new' });
    // A criterion is structured: quotes, operators, parentheses and field prefixes are its value's text.
    const plain = 'say "hi" AND (title:hero OR NOT x) -y';
    assert.deepEqual(contains(plain), { field: 'name', value: plain });
    assert.equal(literalContains('*?\\'), '\\*\\?\\\\');
  });

  it('knows when nothing can match', () => {
    assert.equal(toQuery({ channels: [] }, mapping, KIND), null);
    assert.equal(toQuery({ statuses: ['RELEASED'] }, mapping, KIND), null);
  });

  it('refuses dates it cannot read', () => {
    assert.throws(
      () => toQuery({ modifiedSince: 'soon' }, mapping, KIND),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'BAD_REQUEST',
    );
  });
});

describe('owners', () => {
  it('campaign codes and account ids together match an asset of either (the canonical contract)', () => {
    const q = toQuery({ campaignCodes: ['CMP-1'], accountIds: ['ACC-1'] }, demoMapping(), 'Asset Type');
    assert.ok(q);
    assert.equal(q.length, 1);
    const sub = q[0]?.subquery?.query ?? [];
    assert.deepEqual(
      sub.map((c) => [c.operator, c.exact?.attribute, c.exact?.value]),
      [
        ['or', 'Campaign Code', 'CMP-1'],
        ['or', 'Account ID', 'ACC-1'],
      ],
    );
    assert.equal(toQuery({ campaignCodes: [], accountIds: [] }, demoMapping(), 'Asset Type'), null);
  });
});
