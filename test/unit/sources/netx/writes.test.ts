/** NetX writes, the pure parts: canonical values → NetX attributes (and back through map.ts), answer checks, options. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { demoMapping, parseMapping, type Mapping } from '../../../../sources/mapping.ts';
import { toAsset, type MapContext } from '../../../../sources/netx/map.ts';
import type { DamFieldValues } from '../../../../sources/ports.ts';
import { checkWriteOptions, folderIdsOf, toNetxAttributes, unappliedAttributes } from '../../../../sources/netx/writes.ts';

const mapping = demoMapping();
const A = mapping.netx.attributes;

/** The demo mapping with other attribute names and vocabularies, as a deployment would configure it. */
function otherMapping(): Mapping {
  const doc = JSON.parse(JSON.stringify(mapping)) as {
    netx: { attributes: Record<string, string>; values: Record<string, Record<string, string>> };
  };
  doc.netx.attributes.rightsStatus = 'Usage Rights';
  doc.netx.attributes.approval = 'Brand Approval';
  doc.netx.values = {
    approval: { 'OK to use': 'APPROVED', 'In review': 'PENDING', 'Do not use': 'REJECTED' },
    rightsStatus: { Free: 'CLEARED', Limited: 'RESTRICTED', Lapsed: 'EXPIRED', Unknown: 'PENDING' },
  };
  return parseMapping(doc);
}

const badRequest = (fn: () => unknown) =>
  assert.throws(fn, (e: unknown) => e instanceof UpstreamError && e.kind === 'BAD_REQUEST' && e.system === 'NETX');

describe('toNetxAttributes', () => {
  it('names attributes and spells values as the mapping says', () => {
    assert.deepEqual(
      toNetxAttributes(
        {
          approval: 'APPROVED',
          rightsStatus: 'RESTRICTED',
          validFrom: '2027-01-01T00:00:00Z',
          validUntil: '2027-06-30T12:00:00+02:00',
          territories: ['EMEA', 'WORLD'],
          channels: ['partner', 'web'],
        },
        mapping,
      ),
      {
        [A.approval]: ['Approved'],
        [A.rightsStatus]: ['Restricted'],
        [A.validFrom]: ['2027-01-01T00:00:00.000Z'],
        [A.validUntil]: ['2027-06-30T10:00:00.000Z'],
        [A.territories]: ['EMEA', 'WORLD'],
        [A.channels]: ['partner', 'web'],
      },
    );
    const other = otherMapping();
    assert.deepEqual(toNetxAttributes({ approval: 'REJECTED', rightsStatus: 'EXPIRED' }, other), {
      'Brand Approval': ['Do not use'],
      'Usage Rights': ['Lapsed'],
    });
  });

  it('writes only the fields given; null and [] clear', () => {
    assert.deepEqual(toNetxAttributes({}, mapping), {});
    assert.deepEqual(toNetxAttributes({ validFrom: null, validUntil: null, territories: [], channels: [] }, mapping), {
      [A.validFrom]: [],
      [A.validUntil]: [],
      [A.territories]: [],
      [A.channels]: [],
    });
    assert.deepEqual(toNetxAttributes({ channels: ['web', 'web', 'print'] }, mapping), { [A.channels]: ['web', 'print'] });
  });

  it('refuses values that are not of their field', () => {
    badRequest(() => toNetxAttributes({ validUntil: 'soon' }, mapping));
    badRequest(() => toNetxAttributes({ validFrom: 20270101 as unknown as string }, mapping));
    badRequest(() => toNetxAttributes({ territories: ['Mars' as 'NA'] }, mapping));
    badRequest(() => toNetxAttributes({ channels: [''] }, mapping));
    badRequest(() => toNetxAttributes({ channels: 'web' as unknown as string[] }, mapping));
    badRequest(() => toNetxAttributes({ approval: 'Approved' as 'APPROVED' }, mapping));
    badRequest(() => toNetxAttributes({ rightsStatus: 'VOID' as 'CLEARED' }, mapping));
  });

  it('reads back through map.ts as the same canonical values, under either mapping', () => {
    const values: DamFieldValues = {
      approval: 'REJECTED',
      rightsStatus: 'EXPIRED',
      validFrom: '2026-05-01T00:00:00.000Z',
      validUntil: '2026-11-01T00:00:00.000Z',
      territories: ['APAC', 'LATAM'],
      channels: ['print'],
    };
    for (const m of [mapping, otherMapping()]) {
      const ctx: MapContext = { mapping: m, kindAttribute: 'Asset Type', origin: 'https://dam.example.com' };
      const asset = toAsset({ id: 5, name: 'x', creationDate: 0, modDate: 0, attributes: toNetxAttributes(values, m) }, ctx);
      assert.equal(asset.approval, values.approval);
      assert.deepEqual(
        { ...asset.rights },
        {
          status: values.rightsStatus,
          validFrom: values.validFrom,
          validUntil: values.validUntil,
          territories: values.territories,
          channels: values.channels,
        },
      );
      const cleared = toAsset(
        {
          id: 5,
          name: 'x',
          creationDate: 0,
          modDate: 0,
          attributes: toNetxAttributes({ validFrom: null, validUntil: null, territories: [], channels: [] }, m),
        },
        ctx,
      );
      assert.deepEqual(
        [cleared.rights.validFrom, cleared.rights.validUntil, cleared.rights.territories, cleared.rights.channels],
        [undefined, undefined, [], []],
      );
    }
  });
});

describe('unappliedAttributes', () => {
  const written = {
    [A.rightsStatus]: ['Restricted'],
    [A.validUntil]: ['2027-01-01T00:00:00.000Z'],
    [A.channels]: ['web', 'print'],
    [A.territories]: [],
  };

  it('finds nothing missing when the answer shows the values (order, date spelling and unset keys aside)', () => {
    const answer = {
      id: 1,
      attributes: { [A.rightsStatus]: ['Restricted'], [A.validUntil]: ['2027-01-01T00:00:00Z'], [A.channels]: ['print', 'web'] },
    };
    assert.deepEqual(unappliedAttributes(written, answer), []);
  });

  it('names each attribute the answer shows unchanged', () => {
    const answer = {
      id: 1,
      attributes: {
        [A.rightsStatus]: ['Cleared'],
        [A.validUntil]: ['2027-01-01T00:00:00Z'],
        [A.channels]: ['web'],
        [A.territories]: ['NA'],
      },
    };
    assert.deepEqual(unappliedAttributes(written, answer), [A.rightsStatus, A.channels, A.territories]);
  });

  it('cannot tell without an attributes group', () => {
    assert.deepEqual(unappliedAttributes(written, { id: 1 }), []);
    assert.deepEqual(unappliedAttributes(written, true), []);
  });
});

describe('folderIdsOf', () => {
  it('reads the asset.folders group', () => {
    assert.deepEqual([...folderIdsOf({ id: 1, folders: [{ id: 5, name: 'a', path: 'Top/a' }, { id: 1000001 }] })], [5, 1000001]);
    assert.deepEqual([...folderIdsOf({ id: 1, folders: [] })], []);
  });

  it('refuses an answer without the group or with folders lacking ids', () => {
    const malformed = (v: unknown) =>
      assert.throws(
        () => folderIdsOf(v),
        (e: unknown) => e instanceof UpstreamError && e.kind === 'MALFORMED',
      );
    malformed({ id: 1 });
    malformed({ id: 1, folders: [{ name: 'x' }] });
    malformed({ id: 1, folders: [{ id: '5' }] });
  });
});

describe('checkWriteOptions', () => {
  it('defaults to the reference method names, updateAsset attributes and no distribution', () => {
    assert.deepEqual(checkWriteOptions({}), {
      update: 'updateAsset',
      addToFolder: 'addAssetToFolder',
      removeFromFolder: 'removeAssetFromFolder',
      distributionFolders: [],
    });
    assert.deepEqual(
      checkWriteOptions({
        attributeWrite: { method: 'setAssetAttributes' },
        distributionFolders: [5, 6, 5],
        methods: { removeFromFolder: 'unfileAsset' },
      }),
      {
        update: 'updateAsset',
        addToFolder: 'addAssetToFolder',
        removeFromFolder: 'unfileAsset',
        attributeMethod: 'setAssetAttributes',
        distributionFolders: [5, 6],
      },
    );
  });

  it('refuses unusable options with a TypeError naming them', () => {
    assert.throws(() => checkWriteOptions({ distributionFolders: [0] }), /distributionFolders/);
    assert.throws(() => checkWriteOptions({ distributionFolders: [1.5] }), /distributionFolders/);
    assert.throws(() => checkWriteOptions({ methods: { update: 'update asset' } }), /methods\.update/);
    assert.throws(() => checkWriteOptions({ methods: { addToFolder: '' } }), /methods\.addToFolder/);
    assert.throws(() => checkWriteOptions({ attributeWrite: { method: 'x/y' } }), /attributeWrite\.method/);
    assert.throws(() => checkWriteOptions({ attributeWrite: 'setAssetAttributes' as 'updateAsset' }), /attributeWrite/);
  });
});
