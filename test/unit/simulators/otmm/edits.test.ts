/** The simulator's reading of an OTMM asset edit: field forms, clearing, refusals, policies, and the connector's bodies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupDomains } from '../../../../simulators/otmm/browse.ts';
import { EditInputError, parseEdit, type EditContext } from '../../../../simulators/otmm/edits.ts';
import { DEMO_OTMM_SECURITY_POLICIES } from '../../../../simulators/otmm/policies.ts';
import { demoMapping } from '../../../../sources/mapping.ts';
import { fieldWrites, metadataEdit, policyEdit } from '../../../../sources/otmm/map-writes.ts';
import { SYSTEM_FIELDS } from '../../../../sources/otmm/wire.ts';
import { testWorld } from '../../../helpers/world.ts';

const mapping = demoMapping();
const F = mapping.otmm.fields;
const ctx: EditContext = {
  mapping,
  domains: lookupDomains(testWorld(), mapping),
  policies: new Set(DEMO_OTMM_SECURITY_POLICIES.map((p) => p.id)),
};
const edit = (metadata: unknown[]) => ({ edited_asset: { data: { metadata } } });
const scalar = (id: string, value?: unknown) => ({
  id,
  type: 'com.artesia.metadata.MetadataField',
  value: { value: value === undefined ? { type: 'string' } : { type: 'string', value } },
});
const refused = (body: unknown, pattern: RegExp) =>
  assert.throws(
    () => parseEdit(body, ctx),
    (e: unknown) => e instanceof EditInputError && pattern.test(e.message),
  );

test('the connector’s bodies read back as the canonical values it wrote', () => {
  const values = {
    approval: 'REJECTED',
    rightsStatus: 'EXPIRED',
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: null,
    territories: ['EMEA', 'WORLD'],
    channels: ['partner'],
  } as const;
  const parsed = parseEdit(
    metadataEdit(fieldWrites({ ...values, territories: [...values.territories], channels: [...values.channels] }, mapping)),
    ctx,
  );
  assert.deepEqual(parsed, {
    patch: {
      approval: 'REJECTED',
      rights: {
        status: 'EXPIRED',
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil: undefined,
        territories: ['EMEA', 'WORLD'],
        channels: ['partner'],
      },
    },
  });
  assert.ok('validUntil' in (parsed.patch.rights ?? {}), 'a cleared date is an explicit undefined (the overlay spreads it)');
  assert.deepEqual(parseEdit(policyEdit([1, 6, 6]), ctx), { patch: {}, policies: [1, 6] });
});

test('every leaf and table form a reader accepts is accepted', () => {
  const domainLeaf = {
    id: F.approval,
    value: { value: { display_value: 'Approved', field_value: { type: 'string', value: 'APPROVED' } } },
  };
  const table = {
    id: F.territories,
    type: 'com.artesia.metadata.MetadataTable',
    metadata_element_list: [
      { id: F.territories, values: [{ value: { type: 'string', value: 'NA' } }, { value: { display_value: 'APAC' } }] },
    ],
  };
  const emptyRows = { id: F.channels, type: 'com.artesia.metadata.MetadataTableField', values: [] };
  assert.deepEqual(parseEdit(edit([domainLeaf, table, emptyRows, scalar(SYSTEM_FIELDS.description, 'New words')]), ctx).patch, {
    approval: 'APPROVED',
    description: 'New words',
    rights: { territories: ['NA', 'APAC'], channels: [] },
  });
  assert.deepEqual(
    parseEdit(
      edit([
        { id: F.validUntil, value: { value: null } },
        { id: F.licenceId, value: {} },
      ]),
      ctx,
    ).patch,
    {
      rights: { validUntil: undefined, licenceId: undefined },
    },
  );
});

test('refusals name the field and why', () => {
  refused(edit([scalar('ATRIUM.FIELD.NOPE', 'x')]), /ATRIUM\.FIELD\.NOPE does not exist/);
  refused(edit([scalar(SYSTEM_FIELDS.assetId, 'x')]), /read-only/);
  refused(edit([scalar(F.region, 'EMEA')]), /read-only/);
  refused(edit([scalar(F.approval, 'Approved')]), /not in the lookup domain/);
  refused(edit([scalar(F.territories, 'MARS')]), /not in the lookup domain/);
  refused(edit([scalar(F.approval)]), /required/);
  refused(edit([scalar(F.validFrom, 'soon')]), /not a date/);
  refused(edit([{ id: F.approval, values: [{ value: { value: 'APPROVED' } }, { value: { value: 'REJECTED' } }] }]), /takes one value/);
  refused(edit([{ id: F.approval }]), /carries no value/);
  refused(edit([{ value: { value: { value: 'x' } } }]), /needs an id/);
  refused(edit([scalar(F.channels, { nested: true })]), /not a value/);
  refused({ edited_asset: { data: { metadata: 'x' } } }, /must be a list/);
  refused({ edited_asset: { data: {} } }, /neither metadata nor/);
  refused({ edited_asset: {} }, /edited_asset/);
  refused(Symbol.for('invalid-json'), /not valid JSON/);
  refused(policyEdit([]), /at least one security policy/);
  refused(policyEdit([999]), /999 does not exist/);
  refused({ edited_asset: { data: { security_policy_list: [{ name: 'x' }] } } }, /numeric id/);
});
