/** Unit tests of canonical -> iconik `metadata_values` (the write-back's values) and their round trip through the reads. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { canonicalMetadata } from '../../../../sources/iconik/map.ts';
import { metadataValuesFor, vendorValuesOf } from '../../../../sources/iconik/map-writes.ts';
import { demoMapping, parseMapping, type Mapping } from '../../../../sources/mapping.ts';
import type { DamFieldValues } from '../../../../sources/ports.ts';

const mapping = demoMapping();
const F = mapping.iconik.fields;

/** The values of a PUT body as the search metadata the reads get back (field -> values). */
const asSearchMetadata = (put: ReturnType<typeof metadataValuesFor>) =>
  Object.fromEntries(Object.entries(put).map(([k, v]) => [k, v.field_values.map((x) => x.value)]));

const kindOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof UpstreamError);
    return e.kind;
  }
  return 'returned';
};

const full: DamFieldValues = {
  approval: 'APPROVED',
  rightsStatus: 'EXPIRED',
  validFrom: '2026-02-01T00:00:00Z',
  validUntil: '2026-11-30T12:30:00.000+01:00',
  territories: ['NA', 'WORLD', 'NA'],
  channels: ['partner', 'email'],
};

describe('iconik writes: canonical values -> metadata_values', () => {
  it('writes each given field by its mapped name, whole (overwrite), dates in iconik format, lists de-duplicated', () => {
    assert.deepEqual(metadataValuesFor(full, mapping), {
      [F.approval]: { field_values: [{ value: 'APPROVED' }], mode: 'overwrite' },
      [F.rightsStatus]: { field_values: [{ value: 'EXPIRED' }], mode: 'overwrite' },
      [F.validFrom]: { field_values: [{ value: '2026-02-01T00:00:00.000000+00:00' }], mode: 'overwrite' },
      [F.validUntil]: { field_values: [{ value: '2026-11-30T11:30:00.000000+00:00' }], mode: 'overwrite' },
      [F.territories]: { field_values: [{ value: 'NA' }, { value: 'WORLD' }], mode: 'overwrite' },
      [F.channels]: { field_values: [{ value: 'partner' }, { value: 'email' }], mode: 'overwrite' },
    });
  });

  it('leaves out the fields not given; null and [] clear', () => {
    assert.deepEqual(metadataValuesFor({}, mapping), {});
    assert.deepEqual(metadataValuesFor({ validUntil: undefined, channels: ['web'] }, mapping), {
      [F.channels]: { field_values: [{ value: 'web' }], mode: 'overwrite' },
    });
    assert.deepEqual(metadataValuesFor({ validFrom: null, validUntil: '', territories: [], channels: [] }, mapping), {
      [F.validFrom]: { field_values: [], mode: 'overwrite' },
      [F.validUntil]: { field_values: [], mode: 'overwrite' },
      [F.territories]: { field_values: [], mode: 'overwrite' },
      [F.channels]: { field_values: [], mode: 'overwrite' },
    });
  });

  it('what is written reads back as the same canonical values', () => {
    const back = canonicalMetadata(asSearchMetadata(metadataValuesFor(full, mapping)), mapping);
    assert.deepEqual(back, {
      approval: 'APPROVED',
      rightsStatus: 'EXPIRED',
      validFrom: '2026-02-01T00:00:00.000Z',
      validUntil: '2026-11-30T11:30:00.000Z',
      territories: ['NA', 'WORLD'],
      channels: ['partner', 'email'],
    });
    const cleared = canonicalMetadata(asSearchMetadata(metadataValuesFor({ validFrom: null, territories: [] }, mapping)), mapping);
    assert.deepEqual(cleared, {});
  });

  it("applies the mapping's value maps, so the vendor's terms go out and the canonical ones come back", () => {
    const mapped: Mapping = parseMapping({
      ...JSON.parse(JSON.stringify(mapping)),
      iconik: {
        ...mapping.iconik,
        values: {
          approval: { Approved: 'APPROVED', Rejected: 'REJECTED' },
          rightsStatus: { Expired: 'EXPIRED' },
          territories: { 'Whole world': 'WORLD' },
          channels: { 'Partner portal': 'partner' },
        },
      },
    });
    const put = metadataValuesFor(full, mapped);
    assert.deepEqual(put[F.approval]?.field_values, [{ value: 'Approved' }]);
    assert.deepEqual(put[F.rightsStatus]?.field_values, [{ value: 'Expired' }]);
    assert.deepEqual(put[F.territories]?.field_values, [{ value: 'NA' }, { value: 'Whole world' }]);
    assert.deepEqual(put[F.channels]?.field_values, [{ value: 'Partner portal' }, { value: 'email' }]);
    const back = canonicalMetadata(asSearchMetadata(put), mapped);
    assert.equal(back.approval, 'APPROVED');
    assert.equal(back.rightsStatus, 'EXPIRED');
    assert.deepEqual(back.territories, ['NA', 'WORLD']);
    assert.deepEqual(back.channels, ['partner', 'email']);
  });

  it('refuses, as BAD_REQUEST naming the field and not the value, what the reads would not map back', () => {
    const refused: [Parameters<typeof vendorValuesOf>[0], unknown][] = [
      ['approval', 'MAYBE'],
      ['approval', 'approved'],
      ['rightsStatus', 'UNKNOWN'],
      ['validFrom', 'next week'],
      ['validUntil', 20260101],
      ['territories', ['EMEA', 'MARS']],
      ['territories', 'EMEA'],
      ['channels', ['web', '']],
      ['channels', ['a\u0000b']],
      ['channels', ['x'.repeat(201)]],
      ['channels', [7]],
    ];
    for (const [field, value] of refused) {
      assert.equal(
        kindOf(() => vendorValuesOf(field, value, mapping)),
        'BAD_REQUEST',
        `${field} ${JSON.stringify(value)}`,
      );
      try {
        vendorValuesOf(field, value, mapping);
      } catch (e) {
        assert.match((e as Error).message, new RegExp(`^ICONIK: ${field}: `));
        if (typeof value === 'string') assert.ok(!(e as Error).message.includes(value), 'the value is not echoed');
      }
    }
  });
});
