/** Envelope and date normalisation, and canonical mapping with fail-closed defaults. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { demoMapping, parseMapping } from '../../../../sources/mapping.ts';
import { flatCategories, isoDate, metadataOf, parseNodeEntry, resultsList, toDocument, workspaceOf } from '../../../../sources/otcs/map.ts';
import { dispositionFileName } from '../../../../sources/otcs/nodes.ts';

const m = demoMapping();
const props = {
  id: 10000010,
  parent_id: 10000001,
  name: 'Brief.pdf',
  type: 144,
  mime_type: 'application/pdf',
  size: 12,
  create_date: '2026-01-02T03:04:05Z',
  modify_date: '2026-01-03T03:04:05',
};

describe('normalisation', () => {
  it('dates: zone-less means UTC; compact and date-only forms; junk is undefined', () => {
    assert.equal(isoDate('2017-03-08T04:32:15'), '2017-03-08T04:32:15.000Z');
    assert.equal(isoDate('2017-03-08T04:32:15Z'), '2017-03-08T04:32:15.000Z');
    assert.equal(isoDate('2017-03-08T06:32:15+02:00'), '2017-03-08T04:32:15.000Z');
    assert.equal(isoDate('20170308'), '2017-03-08T00:00:00.000Z');
    assert.equal(isoDate('2017-03-08'), '2017-03-08T00:00:00.000Z');
    for (const bad of [null, '', 'soon', 42, '2017-13-45T99:99:99']) assert.equal(isoDate(bad), undefined);
  });

  it('results as object or list; anything else is MALFORMED', () => {
    assert.equal(resultsList({ results: { data: {} } }).length, 1);
    assert.equal(resultsList({ results: [{ data: {} }, 'x'] }).length, 1);
    assert.deepEqual(resultsList({}), []);
    assert.throws(
      () => resultsList({ results: 'x' }),
      (e) => e instanceof UpstreamError && e.kind === 'MALFORMED',
    );
    assert.throws(
      () => resultsList('x'),
      (e) => e instanceof UpstreamError && e.kind === 'MALFORMED',
    );
  });

  it('categories as list of maps, flat map, or map per category', () => {
    const expected = { '9830_2': 'A', '9830_7': 'PUBLIC' };
    assert.deepEqual(flatCategories([{ '9830_2': 'A' }, { '9830_7': 'PUBLIC' }]), expected);
    assert.deepEqual(flatCategories({ '9830_2': 'A', '9830_7': 'PUBLIC' }), expected);
    assert.deepEqual(flatCategories({ 9830: { '9830_2': 'A', '9830_7': 'PUBLIC' } }), expected);
  });

  it('workspace: nearest ancestor of subtype 848, by id or href', () => {
    assert.equal(
      workspaceOf([
        { id: 2000, type: 141 },
        { id: 10000000, type: 848 },
        { id: 10000001, type: 0 },
      ]),
      '10000000',
    );
    assert.equal(workspaceOf([{ href: 'api/v1/nodes/50000000', type: 848 }]), '50000000');
    assert.equal(workspaceOf(undefined), '');
  });

  it('content-disposition file names', () => {
    assert.equal(dispositionFileName(`attachment; filename="Brief.pdf"; filename*=UTF-8''Lucía%20Brief.pdf`), 'Lucía Brief.pdf');
    assert.equal(dispositionFileName('attachment; filename=plain.txt'), 'plain.txt');
    assert.equal(dispositionFileName(null), undefined);
  });
});

describe('mapping to canonical', () => {
  it('maps metadata through the mapping, dropping values outside the vocabulary', () => {
    const md = metadataOf(
      { '9830_6': 'EMEA', '9830_7': 'SECRET', '9830_11': '2027-01-01T00:00:00', '9830_12': ['WORLD', 'MARS', null], '9830_13': [] },
      m,
    );
    assert.deepEqual(md, { region: 'EMEA', validUntil: '2027-01-01T00:00:00.000Z', territories: ['WORLD'] });
  });

  it('applies value maps from configuration', () => {
    const raw = JSON.parse(JSON.stringify(m)) as Record<string, Record<string, unknown>>;
    (raw.otcs as Record<string, unknown>).values = { classification: { Öffentlich: 'PUBLIC' } };
    const mapped = parseMapping(raw);
    assert.equal(metadataOf({ '9830_7': 'Öffentlich' }, mapped).classification, 'PUBLIC');
  });

  it('an unlabelled document fails closed: CONFIDENTIAL and DRAFT', () => {
    const doc = toDocument(parseNodeEntry({ data: { properties: props } }), m);
    assert.equal(doc?.classification, 'CONFIDENTIAL');
    assert.equal(doc?.status, 'DRAFT');
    assert.equal(doc?.modifiedAt, '2026-01-03T03:04:05.000Z');
  });

  it('containers are not documents; missing required fields are MALFORMED', () => {
    assert.equal(toDocument(parseNodeEntry({ data: { properties: { ...props, type: 0 } } }), m), null);
    for (const broken of [
      { ...props, id: undefined },
      { ...props, name: '' },
      { ...props, create_date: 'never' },
    ]) {
      assert.throws(
        () => toDocument(parseNodeEntry({ data: { properties: broken } }), m),
        (e) => e instanceof UpstreamError && e.kind === 'MALFORMED',
      );
    }
    assert.throws(
      () => parseNodeEntry({ data: {} }),
      (e) => e instanceof UpstreamError && e.kind === 'MALFORMED',
    );
  });
});
