import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientOf } from '../../../audit/client.ts';
import { describeObject } from '../../../audit/objects.ts';
import { assetId, documentId } from '../../../access/ids.ts';

const req = (headers: Record<string, string>, remoteAddress = '10.1.2.3') => ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

test('the client address is the peer unless the proxy is trusted', () => {
  const r = req({ 'x-forwarded-for': '203.0.113.9, 10.0.0.1', 'user-agent': 'curl/8' });
  assert.deepEqual(clientOf(r, false), { ip: '10.1.2.3', userAgent: 'curl/8' }, 'a client could forge the header');
  assert.deepEqual(clientOf(r, true), { ip: '203.0.113.9', userAgent: 'curl/8' });
  assert.deepEqual(clientOf(req({}), true), { ip: '10.1.2.3', userAgent: null }, 'no header: the peer');
  assert.equal(clientOf(req({ 'user-agent': 'x'.repeat(2000) }), false).userAgent?.length, 512);
});

test('objects are described from the canonical object a resolver returned', () => {
  const doc = { source: { system: 'OTCS', nativeId: '123' }, version: 3, metadata: { campaignCode: 'CMP-1' } };
  assert.deepEqual(describeObject('Document', doc), { id: documentId('123'), type: 'Document', system: 'OTCS', nativeId: '123', version: '3', campaign: 'CMP-1' });
  const asset = { source: { system: 'NETX', nativeId: '77' }, modifiedAt: '2026-11-01T00:00:00.000Z', campaignCode: 'CMP-2' };
  assert.deepEqual(describeObject('Asset', asset), { id: assetId('NETX', '77'), type: 'Asset', system: 'NETX', nativeId: '77', version: '2026-11-01T00:00:00.000Z', campaign: 'CMP-2' });
  assert.equal(describeObject('Rendition', asset), null, 'not a Node type');
  assert.equal(describeObject('Document', { name: 'no source' }), null);
  assert.equal(describeObject('Document', null), null);
});
