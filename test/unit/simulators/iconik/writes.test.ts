/** Unit tests of the iconik simulator's writes: the view PUT's validation and modes, and the overlay of what was written. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IconikDocs } from '../../../../simulators/iconik/docs.ts';
import {
  DEMO_ICONIK_DISTRIBUTION_COLLECTIONS,
  DEMO_ICONIK_PARTNER_PORTAL,
  DEMO_ICONIK_PARTNER_PRESS_KIT,
  distributionCollectionsOf,
} from '../../../../simulators/iconik/distribution.ts';
import { IconikEdits } from '../../../../simulators/iconik/edits.ts';
import { applyMetadataPut } from '../../../../simulators/iconik/writes.ts';
import { UUID_RE } from '../../../../sources/iconik/wire.ts';
import { demoMapping } from '../../../../sources/mapping.ts';
import { testWorld } from '../../../helpers/world.ts';

const mapping = demoMapping();
const F = mapping.iconik.fields;
const world = testWorld();
const docs = new IconikDocs(world, mapping);
const view = docs.view();
const current = { [F.channels]: ['web', 'print'], [F.approval]: ['PENDING'] };
const put = (metadata_values: unknown) => applyMetadataPut({ metadata_values }, view, current);

describe('iconik sim: view PUT', () => {
  it('overwrite (the default) replaces, append adds what is not there, delete takes out', () => {
    assert.deepEqual(put({ [F.channels]: { field_values: [{ value: 'tv' }, { value: 'tv' }] } }), {
      ok: true,
      fields: { [F.channels]: ['tv'] },
    });
    assert.deepEqual(put({ [F.channels]: { field_values: [{ value: 'tv' }, { value: 'web' }], mode: 'append' } }), {
      ok: true,
      fields: { [F.channels]: ['web', 'print', 'tv'] },
    });
    assert.deepEqual(put({ [F.channels]: { field_values: [{ value: 'web' }, { value: 'radio' }], mode: 'delete' } }), {
      ok: true,
      fields: { [F.channels]: ['print'] },
    });
    assert.deepEqual(put({ [F.approval]: { field_values: [], mode: 'overwrite' } }), { ok: true, fields: { [F.approval]: [] } });
  });

  it('normalises dates to the format it serves, and refuses what does not parse', () => {
    assert.deepEqual(put({ [F.validUntil]: { field_values: [{ value: '2027-01-31' }] } }), {
      ok: true,
      fields: { [F.validUntil]: ['2027-01-31T00:00:00.000000+00:00'] },
    });
    assert.deepEqual(put({ [F.validUntil]: { field_values: [{ value: 'soon' }] } }), {
      ok: false,
      errors: { [F.validUntil]: ['Not a valid datetime.'] },
    });
  });

  it('answers field errors for an unknown field, a value not among the options, several values in a single field, a bad mode or shape', () => {
    const r = put({
      nope: { field_values: [{ value: 'x' }] },
      [F.approval]: { field_values: [{ value: 'MAYBE' }] },
      [F.region]: { field_values: [{ value: 'EMEA' }, { value: 'NA' }] },
      [F.channels]: { field_values: [{ value: 'web' }], mode: 'merge' },
      [F.locale]: { field_values: 'en-US' },
      [F.territories]: { field_values: [{ other: 'EMEA' }] },
    });
    assert.equal(r.ok, false);
    assert.deepEqual(Object.keys(r.ok ? {} : r.errors).sort(), ['nope', F.approval, F.region, F.channels, F.locale, F.territories].sort());
    assert.deepEqual(applyMetadataPut({}, view, current), { ok: false, errors: { metadata_values: ['Missing data for required field.'] } });
    assert.deepEqual(applyMetadataPut({ metadata_values: [] }, view, current), {
      ok: false,
      errors: { metadata_values: ['Invalid input type.'] },
    });
  });

  it('a multi-valued field with options takes only its options (territories)', () => {
    assert.deepEqual(put({ [F.territories]: { field_values: [{ value: 'EMEA' }, { value: 'WORLD' }] } }), {
      ok: true,
      fields: { [F.territories]: ['EMEA', 'WORLD'] },
    });
    assert.equal(put({ [F.territories]: { field_values: [{ value: 'MARS' }] } }).ok, false);
  });
});

describe('iconik sim: what was written', () => {
  it('written fields stay until the asset changes that field by other means', () => {
    const e = new IconikEdits();
    e.write('a', { x: ['1'], y: ['2'] }, { x: ['0'], y: ['0'] });
    e.reconcile('a', { x: ['0'], y: ['9'] });
    assert.deepEqual([...(e.fieldsOf('a') ?? new Map())], [['x', ['1']]]);
    e.reconcile('a', { x: ['5'], y: ['9'] });
    assert.equal(e.fieldsOf('a'), undefined);
  });

  it('collection membership is the generated one with removals and additions', () => {
    const e = new IconikEdits();
    const generated = ['c1', 'c2'];
    e.remove('a', 'c1', generated);
    e.add('a', 'c3', generated);
    assert.deepEqual(e.collectionsOf('a', generated), ['c2', 'c3']);
    e.add('a', 'c1', generated);
    e.remove('a', 'c3', generated);
    assert.deepEqual(e.collectionsOf('a', generated), ['c1', 'c2']);
    // A later generated membership (a control-route edit moved the asset) still shows the removal.
    e.remove('a', 'c2', generated);
    assert.deepEqual(e.collectionsOf('a', ['c2', 'c4']), ['c4']);
    e.clear();
    assert.deepEqual(e.collectionsOf('a', generated), generated);
  });
});

describe('iconik sim: demo distribution collections', () => {
  it('are fixed UUIDs, listed under their own root, and hold the approved assets (the press kit: campaign assets cleared world-wide)', () => {
    for (const id of DEMO_ICONIK_DISTRIBUTION_COLLECTIONS) assert.match(id, UUID_RE);
    const assets = [...world.assets('ICONIK')];
    const portal = assets.filter((a) => distributionCollectionsOf(a).includes(DEMO_ICONIK_PARTNER_PORTAL));
    const press = assets.filter((a) => distributionCollectionsOf(a).includes(DEMO_ICONIK_PARTNER_PRESS_KIT));
    assert.ok(press.length > 0 && portal.length > press.length);
    assert.ok(portal.every((a) => a.rightsCase !== 'pending-approval' && a.rightsCase !== 'rejected'));
    assert.ok(
      portal.some((a) => a.rights.status === 'EXPIRED'),
      'some have expired: write-back has assets to take out',
    );
    assert.ok(press.every((a) => a.rightsCase === 'cleared-world' && a.campaignCode));
    const listed = docs.collections().filter((c) => (DEMO_ICONIK_DISTRIBUTION_COLLECTIONS as string[]).includes(c.id));
    assert.equal(listed.length, 2);
    assert.deepEqual(new Set(listed.map((c) => c.parent_id)).size, 1);
    assert.deepEqual(
      docs.contents(DEMO_ICONIK_PARTNER_PORTAL)?.assets.map((a) => a.nativeId),
      portal.map((a) => a.nativeId),
    );
  });
});
