import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientOf } from '../../../gateway/client-info.ts';

const req = (headers: Record<string, string>, remoteAddress = '10.1.2.3') =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

test('the client address is the peer unless the proxy is trusted', () => {
  const r = req({ 'x-forwarded-for': '203.0.113.9, 10.0.0.1', 'user-agent': 'curl/8' });
  assert.deepEqual(clientOf(r, false), { ip: '10.1.2.3', userAgent: 'curl/8' }, 'a client could forge the header');
  assert.deepEqual(clientOf(r, true), { ip: '203.0.113.9', userAgent: 'curl/8' });
  assert.deepEqual(clientOf(req({}), true), { ip: '10.1.2.3', userAgent: null }, 'no header: the peer');
  assert.equal(clientOf(req({ 'user-agent': 'x'.repeat(2000) }), false).userAgent?.length, 512);
});
