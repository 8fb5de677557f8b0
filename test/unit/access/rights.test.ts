import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveRights, intersectTerritories } from '../../../access/rights.ts';
import type { Document, Rights } from '../../../sources/model.ts';

const now = Date.parse('2026-06-01T00:00:00Z');
const own: Rights = {
  status: 'CLEARED',
  validFrom: '2026-01-01T00:00:00Z',
  validUntil: '2027-01-01T00:00:00Z',
  territories: ['WORLD'],
  channels: ['partner', 'web', 'print'],
  licenceId: '10000030',
};
const licence = (m: Partial<Document['metadata']>): Document => ({
  source: { system: 'OTCS', nativeId: '10000030' },
  name: 'L',
  mimeType: 'application/pdf',
  size: 1,
  version: 1,
  status: 'APPROVED',
  classification: 'CONFIDENTIAL',
  metadata: m,
  workspaceId: '10000000',
  parentId: '10000003',
  createdAt: '',
  modifiedAt: '',
});

test('the licence narrows: earlier expiry, later start, intersected territories and channels', () => {
  const r = effectiveRights(
    own,
    licence({
      rightsStatus: 'CLEARED',
      validFrom: '2026-02-01T00:00:00Z',
      validUntil: '2026-09-01T00:00:00Z',
      territories: ['EMEA', 'NA'],
      channels: ['web', 'social'],
    }),
    now,
  );
  assert.deepEqual(r, {
    status: 'CLEARED',
    inForce: true,
    verified: true,
    validFrom: '2026-02-01T00:00:00Z',
    validUntil: '2026-09-01T00:00:00Z',
    territories: ['EMEA', 'NA'],
    channels: ['web'],
    licenceId: '10000030',
  });
});

test('an expired licence expires the asset even when the DAM says cleared', () => {
  const r = effectiveRights(own, licence({ rightsStatus: 'EXPIRED', validUntil: '2026-05-01T00:00:00Z' }), now);
  assert.equal(r.status, 'EXPIRED');
  assert.equal(r.inForce, false);
  assert.equal(r.validUntil, '2026-05-01T00:00:00Z');
});

test('evaluated at read time: in force one second before the end, expired one second after', () => {
  const end = Date.parse(own.validUntil as string);
  assert.equal(effectiveRights({ ...own, licenceId: undefined } as Rights, undefined, end - 1000).inForce, true);
  assert.equal(effectiveRights({ ...own, licenceId: undefined } as Rights, undefined, end + 1000).status, 'EXPIRED');
  assert.equal(effectiveRights({ ...own, validFrom: '2026-07-01T00:00:00Z' }, undefined, now).status, 'PENDING', 'not yet valid');
});

test('a referenced licence that does not exist clears nothing; no common channel is not in force', () => {
  assert.equal(effectiveRights(own, null, now).status, 'PENDING');
  assert.equal(effectiveRights(own, licence({ channels: ['broadcast'] }), now).inForce, false);
  assert.deepEqual(intersectTerritories(['WORLD'], ['APAC']), ['APAC']);
  assert.deepEqual(intersectTerritories(['EMEA'], ['APAC']), []);
});

test("a licence that cannot be read leaves the DAM's own rights, marked unverified", () => {
  const r = effectiveRights(own, 'unreadable', now);
  assert.equal(r.verified, false);
  assert.equal(r.status, own.status);
  assert.deepEqual([r.validUntil, r.territories, r.channels], [own.validUntil, own.territories, own.channels]);
  assert.equal(effectiveRights(own, null, now).verified, true, 'a licence known not to exist is a verified answer');
});
