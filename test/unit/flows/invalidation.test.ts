import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tagsForChange } from '../../../flows/invalidation.ts';
import { assetId, documentId } from '../../../access/ids.ts';

test('a change names the object, its licence, its campaign and account lists, and its source unfiltered lists', () => {
  assert.deepEqual(
    tagsForChange({
      id: 'x',
      type: 'asset.rights.changed',
      source: 'NETX',
      objectId: assetId('NETX', '42'),
      objectType: 'Asset',
      campaign: 'CMP-1',
      account: null,
      time: '2026-12-02T10:00:00Z',
      data: { after: { licence: { validUntil: '2026-11-01' }, damRights: { status: 'ACTIVE', licenceId: '7001' } } },
    }).sort(),
    ['NETX:42', 'OTCS:7001', 'campaign:CMP-1', 'list:NETX'].sort(),
  );
  assert.deepEqual(
    tagsForChange({
      id: 'y',
      type: 'document.approved',
      source: 'OTCS',
      objectId: documentId('900123'),
      objectType: 'Document',
      campaign: null,
      account: 'ACC-1',
      time: '2026-12-02T10:00:00Z',
      data: {},
    }).sort(),
    ['OTCS:900123', 'account:ACC-1', 'list:OTCS'].sort(),
  );
});
