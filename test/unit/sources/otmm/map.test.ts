/** OTMM wire -> canonical: tolerant reading of the metadata tree, value maps, validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { demoMapping, type Mapping } from '../../../../sources/mapping.ts';
import { kindOf, readFields, toAsset, toFacets } from '../../../../sources/otmm/map.ts';
import { SYSTEM_FIELDS } from '../../../../sources/otmm/wire.ts';

const base = demoMapping();
const mapping: Mapping = {
  ...base,
  otmm: { ...base.otmm, values: { approval: { Approved: 'APPROVED', 'In Review': 'PENDING' }, rightsStatus: { Cleared: 'CLEARED' } } },
};
const F = mapping.otmm.fields;
const ctx = { mapping, origin: 'https://otmm.example.com' };
const scalar = (id: string, value: string) => ({ id, value: { value: { type: 'string', value } } });
const list = (id: string, values: string[]) => ({
  id,
  metadata_element_list: [{ values: values.map((v) => ({ value: { display_value: v } })) }],
});

const wire = (over: Record<string, unknown> = {}) => ({
  asset_id: 'e064571da79c926ee14b0850734b49edf42d9ba5',
  name: 'Spring Hero',
  mime_type: 'image/png',
  content_type: 'BITMAP',
  date_imported: '2023-12-11T20:56:26Z',
  date_last_updated: '2024-04-16T15:03:48+02:00',
  original_asset_id: '726d14f1726d14f1726d14f1726d14f1726d14f1',
  master_content_info: { id: 'm1', mime_type: 'image/png', width: 1920, height: 1080, content_size: -1 },
  rendition_content: {
    thumbnail_content: { url: '/otmmapi/v6/renditions/t%201', mime_type: 'image/png', width: 180, height: -1, content_size: 512 },
    pdf_preview_content: { id: 'p1', mime_type: 'application/pdf' },
  },
  metadata: {
    metadata_element_list: [
      {
        id: 'CATEGORY',
        metadata_element_list: [
          scalar(F.approval, 'Approved'),
          scalar(F.rightsStatus, 'Cleared'),
          scalar(F.campaignCode, 'CMP-2026-001'),
          scalar(F.validUntil, '2027-01-01T12:00:00+01:00'),
          scalar(F.region, 'MARS'),
          scalar(F.locale, 'de-DE'),
          list(F.territories, ['EMEA', 'ATLANTIS', 'WORLD']),
          list(F.channels, ['web', 'print']),
        ],
      },
    ],
  },
  ...over,
});

test('readFields: scalars, tabular rows by display_value, ids inherited by rows', () => {
  const fields = readFields(wire().metadata);
  assert.deepEqual(fields.get(F.territories), ['EMEA', 'ATLANTIS', 'WORLD']);
  assert.deepEqual(fields.get(F.approval), ['Approved']);
  assert.equal(fields.get('CATEGORY'), undefined);
  assert.equal(readFields(undefined).size, 0);
  assert.equal(readFields({ metadata_element_list: 'nope' }).size, 0);
});

test('readFields: an empty field in any form OTMM may send reads as no value, never a crash', () => {
  const flags = { is_locked: false, domain_value: false, cascading_domain_value: false };
  const empties = [
    { id: F.licenceId, value: flags }, // no inner value: what the simulator sends by default
    { id: F.licenceId, value: { value: { type: 'string' }, ...flags } }, // typed, without a value
    { id: F.licenceId, value: { value: null, ...flags } }, // null, which this simulator once sent
    { id: F.licenceId, value: { value: { type: 'string', value: '' }, ...flags } },
    { id: F.licenceId, value: null },
    { id: F.licenceId }, // no value at all
    { id: F.territories, metadata_element_list: [{ values: [{ value: null }, {}] }] },
  ];
  for (const el of empties) {
    const fields = readFields({ metadata_element_list: [{ id: 'CATEGORY', metadata_element_list: [el] }] });
    assert.equal(fields.get(F.licenceId) ?? fields.get(F.territories), undefined, JSON.stringify(el));
  }
  const a = toAsset(wire({ metadata: { metadata_element_list: [{ metadata_element_list: empties }] } }), ctx);
  assert.equal(a.rights.licenceId, undefined);
  assert.deepEqual(a.rights.territories, []);
});

test('readFields: a lookup-domain value reads its stored code, in either form', () => {
  const domain = (id: string, code: string, label: string) => ({
    id,
    value: { value: { display_value: label, field_value: { type: 'string', value: code } }, domain_value: true },
  });
  const fields = readFields({
    metadata_element_list: [
      domain(F.approval, 'Approved', 'Approved for use'),
      { id: F.region, value: { value: { type: 'string', value: 'EMEA' }, domain_value: true } },
      { id: F.locale, value: { value: { display_value: 'de-DE' }, domain_value: true } },
    ],
  });
  assert.deepEqual(fields.get(F.approval), ['Approved'], 'the code, not the label');
  assert.deepEqual(fields.get(F.region), ['EMEA']);
  assert.deepEqual(fields.get(F.locale), ['de-DE'], 'display_value when nothing else is there');
  const a = toAsset(wire({ metadata: { metadata_element_list: [domain(F.approval, 'Approved', 'Approved for use')] } }), ctx);
  assert.equal(a.approval, 'APPROVED', 'value maps apply to the code');
});

test('toAsset: value maps, vocabularies, ISO dates with Z, renditions, variant', () => {
  const a = toAsset(wire(), ctx);
  assert.equal(a.approval, 'APPROVED');
  assert.equal(a.rights.status, 'CLEARED');
  assert.deepEqual(a.rights.territories, ['EMEA', 'WORLD'], 'unknown territories dropped');
  assert.deepEqual(a.rights.channels, ['web', 'print']);
  assert.equal(a.rights.validUntil, '2027-01-01T11:00:00.000Z');
  assert.equal(a.metadata.region, undefined, 'unknown region dropped');
  assert.equal(a.modifiedAt, '2024-04-16T13:03:48.000Z');
  assert.equal(a.kind, 'IMAGE');
  assert.equal(a.variantOf, '726d14f1726d14f1726d14f1726d14f1726d14f1');
  assert.equal(a.source.url, 'https://otmm.example.com/otmmapi/v6/assets/e064571da79c926ee14b0850734b49edf42d9ba5');
  assert.deepEqual(a.renditions, [
    { kind: 'THUMBNAIL', mimeType: 'image/png', ref: '/otmmapi/v6/renditions/t%201', width: 180, size: 512 },
    {
      kind: 'ORIGINAL',
      mimeType: 'image/png',
      ref: '/otmmapi/v6/assets/e064571da79c926ee14b0850734b49edf42d9ba5/contents',
      width: 1920,
      height: 1080,
    },
  ]);
});

test('toAsset: an unknown approval or rights value reads as PENDING; an own original is no variant', () => {
  const meta = { metadata_element_list: [scalar(F.approval, 'Maybe')] };
  const a = toAsset(wire({ metadata: meta, original_asset_id: 'e064571da79c926ee14b0850734b49edf42d9ba5' }), ctx);
  assert.equal(a.approval, 'PENDING');
  assert.equal(a.rights.status, 'PENDING');
  assert.equal(a.variantOf, undefined);
  const viaField = toAsset(wire({ metadata: { metadata_element_list: [scalar('X.MASTER', 'abc')] } }), {
    ...ctx,
    variantField: 'X.MASTER',
  });
  assert.equal(viaField.variantOf, 'abc');
});

test('toAsset: structural problems are MALFORMED', () => {
  const bad: unknown[] = [
    null,
    [],
    'x',
    wire({ asset_id: undefined }),
    wire({ name: 42 }),
    wire({ date_imported: 'soon' }),
    wire({ metadata: { metadata_element_list: [scalar(F.validFrom, 'not a date')] } }),
  ];
  for (const raw of bad) {
    assert.throws(
      () => toAsset(raw, ctx),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'MALFORMED' && !e.message.includes('soon'),
    );
  }
});

test('kindOf: content type first, then MIME type', () => {
  assert.equal(kindOf('ACROBAT', 'application/octet-stream'), 'DOCUMENT');
  assert.equal(kindOf('video', 'application/octet-stream'), 'VIDEO');
  assert.equal(kindOf('INDESIGN', ''), 'TEMPLATE');
  assert.equal(kindOf(undefined, 'audio/mpeg'), 'AUDIO');
  assert.equal(kindOf('UNKNOWN', 'image/jpeg'), 'IMAGE');
});

test('toFacets: canonical fields and values, content types merged into kinds, unknown fields skipped', () => {
  const facets = toFacets(
    [
      {
        field_id: F.approval,
        facet_value_list: [
          { value: 'Approved', asset_count: 3 },
          { value: 'In Review', asset_count: 1 },
        ],
      },
      {
        field_id: SYSTEM_FIELDS.contentType,
        facet_value_list: [
          { value: 'ACROBAT', asset_count: 2 },
          { value: 'MSWORD', asset_count: 1 },
          { value: 'BITMAP', asset_count: 4 },
        ],
      },
      { field_id: 'SOMETHING.ELSE', facet_value_list: [{ value: 'x', asset_count: 1 }] },
    ],
    mapping,
  );
  assert.deepEqual(facets, [
    {
      field: 'approval',
      values: [
        { value: 'APPROVED', count: 3 },
        { value: 'PENDING', count: 1 },
      ],
    },
    {
      field: 'kind',
      values: [
        { value: 'DOCUMENT', count: 3 },
        { value: 'IMAGE', count: 4 },
      ],
    },
  ]);
  assert.deepEqual(toFacets(undefined, mapping), []);
  assert.throws(() => toFacets([{ field_id: F.approval, facet_value_list: [{ value: 'x' }] }], mapping), UpstreamError);
});
