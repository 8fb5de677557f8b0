/** Canonical write values -> OTMM edit bodies: shapes, value maps, checks, and the round trip through the read mapping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { demoMapping, type Mapping } from '../../../../sources/mapping.ts';
import { metadataOf, readFields } from '../../../../sources/otmm/map.ts';
import {
  alreadyWritten,
  distributionIds,
  editedMetadata,
  fieldWrites,
  metadataEdit,
  policyEdit,
  policyIdsOf,
} from '../../../../sources/otmm/map-writes.ts';
import type { DamFieldValues } from '../../../../sources/ports.ts';

const base = demoMapping();
const mapping: Mapping = {
  ...base,
  otmm: { ...base.otmm, values: { approval: { Freigegeben: 'APPROVED', 'In Prüfung': 'PENDING' }, channels: { Partner: 'partner' } } },
};
const F = mapping.otmm.fields;

const badRequest = (fn: () => unknown) =>
  assert.throws(fn, (e: unknown) => e instanceof UpstreamError && e.kind === 'BAD_REQUEST' && e.system === 'OTMM');

test('each field becomes the SEEN scalar form or the row form, with the mapping ids and value maps', () => {
  const writes = fieldWrites(
    {
      approval: 'APPROVED',
      rightsStatus: 'CLEARED',
      validFrom: '2026-03-01T09:30:00+02:00',
      validUntil: null,
      territories: ['EMEA', 'WORLD', 'EMEA'],
      channels: ['partner', 'web'],
    },
    mapping,
  );
  assert.deepEqual(metadataEdit(writes), {
    edited_asset: {
      data: {
        metadata: [
          { id: F.approval, type: 'com.artesia.metadata.MetadataField', value: { value: { type: 'string', value: 'Freigegeben' } } },
          { id: F.rightsStatus, type: 'com.artesia.metadata.MetadataField', value: { value: { type: 'string', value: 'CLEARED' } } },
          {
            id: F.validFrom,
            type: 'com.artesia.metadata.MetadataField',
            value: { value: { type: 'dateTime', value: '2026-03-01T07:30:00.000Z' } },
          },
          { id: F.validUntil, type: 'com.artesia.metadata.MetadataField', value: { value: { type: 'dateTime' } } },
          {
            id: F.territories,
            type: 'com.artesia.metadata.MetadataTableField',
            values: [{ value: { type: 'string', value: 'EMEA' } }, { value: { type: 'string', value: 'WORLD' } }],
          },
          {
            id: F.channels,
            type: 'com.artesia.metadata.MetadataTableField',
            values: [{ value: { type: 'string', value: 'Partner' } }, { value: { type: 'string', value: 'web' } }],
          },
        ],
      },
    },
  });
});

test('only the given fields are written; nothing given, nothing to write', () => {
  assert.deepEqual(fieldWrites({}, mapping), []);
  assert.deepEqual(
    fieldWrites({ channels: [] }, mapping).map((w) => [w.id, w.vendor]),
    [[F.channels, []]],
  );
  assert.deepEqual(editedMetadata(fieldWrites({ channels: [] }, mapping)), [
    { id: F.channels, type: 'com.artesia.metadata.MetadataTableField', values: [] },
  ]);
});

test('a value written reads back through map.ts as the same canonical value', () => {
  const cases: DamFieldValues[] = [
    {
      approval: 'APPROVED',
      rightsStatus: 'RESTRICTED',
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-12-31T23:59:59.999Z',
      territories: ['NA', 'LATAM'],
      channels: ['partner', 'print'],
    },
    { approval: 'PENDING', rightsStatus: 'EXPIRED', validFrom: null, validUntil: null, territories: [], channels: [] },
  ];
  for (const values of cases) {
    const tree = { metadata_element_list: [{ metadata_element_list: editedMetadata(fieldWrites(values, mapping)) }] };
    const back = metadataOf(readFields(tree), mapping);
    assert.equal(back.approval, values.approval);
    assert.equal(back.rightsStatus, values.rightsStatus);
    assert.equal(back.validFrom, values.validFrom ? new Date(values.validFrom).toISOString() : undefined);
    assert.equal(back.validUntil, values.validUntil ? new Date(values.validUntil).toISOString() : undefined);
    assert.deepEqual(back.territories, values.territories);
    assert.deepEqual(back.channels, values.channels);
  }
});

test('bad values are BAD_REQUEST before anything is sent', () => {
  badRequest(() => fieldWrites({ approval: 'MAYBE' as never }, mapping));
  badRequest(() => fieldWrites({ rightsStatus: 'FINE' as never }, mapping));
  badRequest(() => fieldWrites({ validUntil: 'next week' }, mapping));
  badRequest(() => fieldWrites({ validFrom: '' }, mapping));
  badRequest(() => fieldWrites({ territories: ['MARS' as never] }, mapping));
  badRequest(() => fieldWrites({ channels: 'web' as never }, mapping));
  badRequest(() => fieldWrites({ channels: [''] }, mapping));
});

test('alreadyWritten compares canonically: value maps, instants, lists as sets', () => {
  const writes = fieldWrites(
    { approval: 'APPROVED', validUntil: '2027-01-01T01:00:00+01:00', channels: ['web', 'partner'], validFrom: null },
    mapping,
  );
  const current = new Map<string, string[]>([
    [F.approval, ['Freigegeben']],
    [F.validUntil, ['2027-01-01T00:00:00Z']],
    [F.channels, ['Partner', 'web']],
  ]);
  assert.equal(alreadyWritten(writes, current, mapping), true);
  assert.equal(alreadyWritten(writes, new Map([...current, [F.validFrom, ['2026-01-01T00:00:00Z']]]), mapping), false, 'a date to clear');
  assert.equal(alreadyWritten(writes, new Map([...current, [F.channels, ['web']]]), mapping), false, 'a channel missing');
  assert.equal(alreadyWritten(writes, new Map([...current, [F.channels, ['web', 'Partner', 'print']]]), mapping), false, 'one too many');
  assert.equal(alreadyWritten(writes, new Map([...current, [F.approval, ['In Prüfung']]]), mapping), false);
  assert.equal(alreadyWritten(writes, new Map([...current, [F.validUntil, ['garbage']]]), mapping), false);
});

test('security policies: ids read as numbers, edits carry the whole list, only configured ids are containers', () => {
  assert.deepEqual(policyIdsOf({ security_policy_list: [{ id: 1, name: 'A' }, { id: '6' }] }), [1, 6]);
  for (const bad of [
    {},
    { security_policy_list: null },
    { security_policy_list: [{ name: 'x' }] },
    { security_policy_list: [{ id: 'six' }] },
  ])
    assert.throws(
      () => policyIdsOf(bad),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'MALFORMED',
    );
  assert.deepEqual(policyEdit([1, 6]), { edited_asset: { data: { security_policy_list: [{ id: 1 }, { id: 6 }] } } });
  assert.deepEqual(distributionIds(['6', '7', '6'], [6, 7]), [6, 7]);
  badRequest(() => distributionIds(['1'], [6]));
  badRequest(() => distributionIds(['6x'], [6]));
  badRequest(() => distributionIds(['6'], []));
});
