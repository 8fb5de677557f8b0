import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEMO_MAPPING_FILE, MappingError, demoMapping, parseMapping, toCanonical, toVendor } from '../../../sources/mapping.ts';

const demo = () => JSON.parse(readFileSync(DEMO_MAPPING_FILE, 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;

test('the demo mapping is valid', () => {
  const m = demoMapping();
  assert.equal(m.otcs.documentCategory.attributes.campaignCode, '9830_2');
  assert.equal(m.netx.attributes.approval, 'Approval Status');
});

test('missing and malformed fields are all named at once', () => {
  const doc = demo();
  delete (doc.iconik?.fields as Record<string, unknown>).campaignCode;
  (doc.otcs?.documentCategory?.attributes as Record<string, unknown>).status = '9999_8';
  (doc.otmm?.fields as Record<string, unknown>).locale = 'not a field id';
  delete doc.netx;
  try {
    parseMapping(doc);
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof MappingError);
    const text = e.problems.join('\n');
    assert.match(text, /iconik\.fields\.campaignCode is missing/);
    assert.match(text, /otcs\.documentCategory\.attributes\.status is malformed: "9999_8" does not belong to category 9830/);
    assert.match(text, /otmm\.fields\.locale is malformed/);
    assert.match(text, /^netx is missing/m);
    assert.equal(e.problems.length >= 4, true);
  }
});

test('value maps translate both ways and pass unknown values through', () => {
  const m = demoMapping();
  assert.equal(toCanonical(m.netx.values, 'approval', 'Approved'), 'APPROVED');
  assert.equal(toVendor(m.netx.values, 'rightsStatus', 'EXPIRED'), 'Expired');
  assert.equal(toCanonical(m.iconik.values, 'approval', 'APPROVED'), 'APPROVED');
});
