/**
 * How the Content Server connector sends an upload: the multipart body built as a stream
 * (sources/http/multipart.ts), and the HTTP core's handling of a streamed body
 * (sources/http/client.ts): sent as it is read, under the upload timeout, never sent twice.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { credentialCache } from '../../../../sources/http/auth.ts';
import { createHttpClient } from '../../../../sources/http/client.ts';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { multipartBody, quoteParam } from '../../../../sources/http/multipart.ts';

const text = (s: ReadableStream<Uint8Array>) => new Response(s).text();
const stream = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(new TextEncoder().encode(p));
      c.close();
    },
  });

describe('multipartBody', () => {
  it('writes the fields, then the file part with its name and type, then the closing delimiter', async () => {
    const m = multipartBody([['body', '{"type":"144"}']], {
      field: 'file',
      fileName: 'Q"3\r\n.txt',
      contentType: 'text/plain',
      size: 5,
      body: stream('HE', 'LLO'),
    });
    const boundary = /boundary=(.+)$/.exec(m.contentType)?.[1] as string;
    const out = await text(m.body);
    assert.equal(
      out,
      `--${boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n{"type":"144"}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="Q%223%0D%0A.txt"\r\nContent-Type: text/plain\r\n\r\n` +
        `HELLO\r\n--${boundary}--\r\n`,
    );
    assert.equal(m.length, Buffer.byteLength(out));
    assert.equal(m.fileBytes, 5);
  });

  it('fails the stream when the file is not the size it declared', async () => {
    const longer = multipartBody([], { field: 'file', fileName: 'a', contentType: 'x/y', size: 2, body: stream('abc') });
    await assert.rejects(text(longer.body), /longer than its declared size/);
    assert.ok(longer.sizeMismatch);
    const shorter = multipartBody([], { field: 'file', fileName: 'a', contentType: 'x/y', size: 9, body: stream('abc') });
    await assert.rejects(text(shorter.body), /shorter than its declared size/);
  });

  it("reads the caller's stream only as the body is read", async () => {
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>(
      { pull: (c) => void (pulled++ < 3 ? c.enqueue(new Uint8Array(4)) : c.close()) },
      { highWaterMark: 0 },
    );
    const m = multipartBody([], { field: 'file', fileName: 'a', contentType: 'x/y', body: source });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(pulled, 0);
    await text(m.body);
    assert.ok(pulled >= 3);
    assert.equal(m.length, undefined, 'no length without a size');
  });

  it('quotes parameter values so none can end the header', () => {
    assert.equal(quoteParam('a"b\r\nc'), '"a%22b%0D%0Ac"');
  });
});

describe('HTTP core: streamed request bodies', () => {
  let server: Server;
  let url = '';
  let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
  let requests = 0;
  before(async () => {
    server = createServer((req, res) => {
      requests++;
      handler(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const drain = (req: IncomingMessage) =>
    new Promise<number>((r) => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => r(n));
    });

  it('sends the stream as it is read, with a Content-Length when given; a slow upload is not cut by the read timeout', async () => {
    handler = async (req, res) => {
      const n = await drain(req);
      res.end(JSON.stringify({ n, length: req.headers['content-length'] ?? null }));
    };
    const http = createHttpClient({ system: 'OTCS', baseUrl: url, timeoutMs: 50, uploadTimeoutMs: 2000 });
    let i = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(c) {
        await new Promise((r) => setTimeout(r, 30));
        if (i++ < 5) c.enqueue(new Uint8Array(10));
        else c.close();
      },
    });
    const res = await http.request<{ n: number; length: string | null }>({
      method: 'POST',
      path: '/up',
      body: slow,
      headers: { 'content-length': '50' },
    });
    assert.deepEqual(res.body, { n: 50, length: '50' });
  });

  it('never sends a streamed body twice: no retry, even marked idempotent', async () => {
    requests = 0;
    handler = async (req, res) => {
      await drain(req);
      res.writeHead(503).end();
    };
    const http = createHttpClient({ system: 'OTCS', baseUrl: url, retries: 3, backoffBaseMs: 1 });
    await assert.rejects(
      http.request({ method: 'POST', path: '/up', idempotent: true, body: stream('x') }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'UNAVAILABLE',
    );
    assert.equal(requests, 1);
  });

  it('does not replay a streamed body after a 401: fails UNAUTHENTICATED and drops the credential', async () => {
    requests = 0;
    handler = async (req, res) => {
      await drain(req);
      res.writeHead(req.headers['x-ticket'] === 'fresh' ? 200 : 401).end('{}');
    };
    let logins = 0;
    const cache = credentialCache(async () => (logins++ === 0 ? 'stale' : 'fresh'));
    const http = createHttpClient<string>({ system: 'OTCS', baseUrl: url, auth: { cache, headers: (t) => ({ 'x-ticket': t }) } });
    await assert.rejects(
      http.request({ method: 'POST', path: '/up', body: stream('x') }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'UNAUTHENTICATED' && /not stored/.test(e.message),
    );
    assert.equal(requests, 1);
    await http.request({ method: 'POST', path: '/up', body: stream('x') });
    assert.equal(cache.logins, 2, 'the next request signed in again');
  });

  it('times an upload out by the upload timeout', async () => {
    handler = () => undefined;
    const http = createHttpClient({ system: 'OTCS', baseUrl: url, timeoutMs: 5000, uploadTimeoutMs: 80 });
    const started = Date.now();
    await assert.rejects(http.request({ method: 'POST', path: '/hang', body: stream('x') }), /timed out/);
    assert.ok(Date.now() - started < 2000);
  });
});
