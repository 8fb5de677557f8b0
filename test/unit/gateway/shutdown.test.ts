import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, Agent, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Drainer, settlesWithin } from '../../../gateway/shutdown.ts';

/** A server whose `/slow` answers after `slowMs` (or never, with `slowMs` Infinity) and whose `/fast` answers at once. */
async function serve(slowMs: number): Promise<{ server: Server; drainer: Drainer; port: number }> {
  const server = createServer();
  const drainer = new Drainer(server);
  server.on('request', (req, res) => {
    const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end(req.url);
    if (req.url === '/slow') {
      if (Number.isFinite(slowMs)) setTimeout(answer, slowMs);
    } else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, drainer, port: (server.address() as AddressInfo).port };
}

/** GET `path` over `agent`; the response with its body and connection, or the error. */
function get(port: number, path: string, agent: Agent): Promise<{ res: IncomingMessage; body: string; socket: Socket } | Error> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      const socket = res.socket;
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ res, body, socket }));
      res.on('error', resolve);
    });
    req.on('error', resolve);
    req.end();
  });
}

test('a drain stops accepting at once, closes idle keep-alive connections, and lets the request in flight finish', async () => {
  const { drainer, port } = await serve(300);
  const agent = new Agent({ keepAlive: true, maxSockets: 10 });
  try {
    // One connection left idle after its answer, one carrying a request still in flight.
    const idle = await get(port, '/fast', agent);
    assert.ok(!(idle instanceof Error));
    const idleSocket = idle.socket;
    const idleClosed = new Promise<void>((r) => idleSocket.once('close', () => r()));
    const slow = get(port, '/slow', agent);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(drainer.inFlight, 1);

    const drained = drainer.drain(5000);
    const refused = await get(port, '/fast', new Agent());
    assert.ok(refused instanceof Error && (refused as NodeJS.ErrnoException).code === 'ECONNREFUSED', String(refused));
    await idleClosed;
    const answered = await slow;
    assert.ok(!(answered instanceof Error), String(answered));
    assert.equal(answered.res.statusCode, 200);
    assert.equal(answered.body, '/slow');
    assert.equal(answered.res.headers.connection, 'close', 'the answer closes its connection');
    const report = await drained;
    assert.deepEqual({ inFlight: report.inFlight, cut: report.cut }, { inFlight: 1, cut: 0 });
    assert.ok(report.ms >= 200 && report.ms < 2000, `${report.ms} ms`);
  } finally {
    agent.destroy();
  }
});

test('past its deadline a drain cuts what is still open, and says how much', async () => {
  const { server, drainer, port } = await serve(Infinity);
  const agent = new Agent({ keepAlive: true });
  try {
    const hung = get(port, '/slow', agent);
    await new Promise((r) => setTimeout(r, 50));
    const report = await drainer.drain(200);
    assert.equal(report.cut, 1);
    assert.ok(report.ms >= 190 && report.ms < 2000, `${report.ms} ms`);
    assert.ok((await hung) instanceof Error, 'the request cut gets a connection error');
    assert.equal(server.listening, false);
    assert.equal(await drainer.drain(200), await drainer.drain(200), 'later calls get the same drain');
  } finally {
    agent.destroy();
  }
});

test('a drain with nothing in flight is over at once', async () => {
  const { drainer } = await serve(0);
  const report = await drainer.drain(5000);
  assert.deepEqual({ inFlight: report.inFlight, cut: report.cut }, { inFlight: 0, cut: 0 });
  assert.ok(report.ms < 500, `${report.ms} ms`);
});

test('settlesWithin: true when the promise settles in time (a rejection too), false when it does not', async () => {
  assert.equal(await settlesWithin(Promise.resolve(1), 100), true);
  assert.equal(await settlesWithin(Promise.reject(new Error('x')), 100), true);
  assert.equal(await settlesWithin(new Promise(() => undefined), 50), false);
});
