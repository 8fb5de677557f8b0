import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeObject } from '../../../audit/objects.ts';
import { assetId, documentId } from '../../../access/ids.ts';

test('objects are described from the canonical object a resolver returned', () => {
  const doc = { source: { system: 'OTCS', nativeId: '123' }, version: 3, metadata: { campaignCode: 'CMP-1' } };
  assert.deepEqual(describeObject('Document', doc), {
    id: documentId('123'),
    type: 'Document',
    system: 'OTCS',
    nativeId: '123',
    version: '3',
    campaign: 'CMP-1',
  });
  const asset = { source: { system: 'NETX', nativeId: '77' }, modifiedAt: '2026-11-01T00:00:00.000Z', campaignCode: 'CMP-2' };
  assert.deepEqual(describeObject('Asset', asset), {
    id: assetId('NETX', '77'),
    type: 'Asset',
    system: 'NETX',
    nativeId: '77',
    version: '2026-11-01T00:00:00.000Z',
    campaign: 'CMP-2',
  });
  assert.equal(describeObject('Rendition', asset), null, 'not a Node type');
  assert.equal(describeObject('Document', { name: 'no source' }), null);
  assert.equal(describeObject('Document', null), null);
});
