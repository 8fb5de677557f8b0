/**
 * The sender of outgoing webhooks over real HTTP on 127.0.0.1: the body and headers arrive as
 * given, a redirect is answered, not followed, `Retry-After` comes back, a receiver that does not
 * answer in time is a timeout, a closed port a connection error; and outside demo mode a name
 * that resolves to loopback (or a loopback address in the URL) is refused before connecting.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookPost } from '../../../gateway/webhook-post.ts';
import { WebhookSendError } from '../../../flows/outbound/post.ts';

let server: Server;
let base = '';
const got: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/redirect') res.writeHead(302, { location: '/elsewhere' }).end();
      else if (req.url === '/busy') res.writeHead(429, { 'retry-after': '7' }).end();
      else if (req.url === '/slow') setTimeout(() => res.end(), 2000);
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

const demoPost = createWebhookPost({ demo: true, allow: [] });
const send = (path: string, timeoutMs = 2000, post = demoPost) =>
  post({ url: `${base}${path}`, headers: { 'content-type': 'application/json', 'webhook-id': 'm1' }, body: '{"a":1}', timeoutMs });

describe('createWebhookPost', () => {
  it('posts the body and headers as given', async () => {
    got.length = 0;
    assert.deepEqual(await send('/ok'), { status: 204, retryAfter: null });
    assert.equal(got[0]?.body, '{"a":1}');
    assert.equal(got[0]?.headers['webhook-id'], 'm1');
    assert.equal(got[0]?.headers['content-length'], '7');
  });

  it('answers a redirect with its status and does not follow it', async () => {
    got.length = 0;
    assert.deepEqual(await send('/redirect'), { status: 302, retryAfter: null });
    assert.deepEqual(
      got.map((g) => g.path),
      ['/redirect'],
    );
  });

  it('hands back Retry-After', async () => {
    assert.deepEqual(await send('/busy'), { status: 429, retryAfter: '7' });
  });

  it('a receiver that does not answer in time is a timeout; a closed port a connection error', async () => {
    await assert.rejects(send('/slow', 200), (e: unknown) => e instanceof WebhookSendError && e.kind === 'timeout');
    const closed = createWebhookPost({ demo: true, allow: [] });
    await assert.rejects(
      closed({ url: 'http://127.0.0.1:9/x', headers: {}, body: '', timeoutMs: 2000 }),
      (e: unknown) => e instanceof WebhookSendError && e.kind === 'connection' && e.message === 'connection refused',
    );
  });

  it('outside demo mode, loopback is refused before connecting, by address or by a name resolving to it', async () => {
    got.length = 0;
    const strict = createWebhookPost({ demo: false, allow: [] }, { resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    await assert.rejects(send('/ok', 2000, strict), (e: unknown) => e instanceof WebhookSendError && e.kind === 'blocked');
    const port = (server.address() as AddressInfo).port;
    await assert.rejects(
      strict({ url: `http://rebind.example:${port}/ok`, headers: {}, body: '', timeoutMs: 2000 }),
      (e: unknown) => e instanceof WebhookSendError && e.kind === 'blocked' && /loopback/.test(e.message),
    );
    assert.equal(got.length, 0, 'nothing reached the receiver');
  });
});
