import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assetId, campaignId, decodeId, documentId } from '../../../access/ids.ts';
import { connectionFromList, decodeOffset, offsetCursor } from '../../../resolvers/connection.ts';

test('global ids round-trip and reject what is not ours', () => {
  assert.deepEqual(decodeId(assetId('NETX', '100001')), { kind: 'Asset', system: 'NETX', nativeId: '100001' });
  assert.deepEqual(decodeId(campaignId('CMP-2026-001')), { kind: 'Campaign', code: 'CMP-2026-001' });
  assert.deepEqual(decodeId(documentId('10000010')), { kind: 'Document', nodeId: '10000010' });
  for (const bad of [
    '',
    'not base64!',
    Buffer.from('Asset:FOO:1').toString('base64url'),
    Buffer.from('Document:../x').toString('base64url'),
    Buffer.from('Nope:1').toString('base64url'),
    'x'.repeat(600),
  ]) {
    assert.equal(decodeId(bad), null, bad);
  }
});

test('connections slice by opaque offsets', () => {
  const items = Array.from({ length: 25 }, (_, i) => i);
  const p1 = connectionFromList(items, { first: 10 });
  assert.deepEqual(p1.nodes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(p1.pageInfo.hasNextPage, true);
  const p3 = connectionFromList(items, {
    first: 10,
    after: connectionFromList(items, { first: 10, after: p1.pageInfo.endCursor }).pageInfo.endCursor,
  });
  assert.deepEqual(p3.nodes, [20, 21, 22, 23, 24]);
  assert.equal(p3.pageInfo.hasNextPage, false);
  assert.equal(p3.totalCount, 25);
  assert.equal(decodeOffset(offsetCursor(4)), 5);
  assert.throws(() => decodeOffset('garbage'), /not a cursor/);
  assert.throws(() => connectionFromList(items, { first: 1000 }), /between 0 and 100/);
});
