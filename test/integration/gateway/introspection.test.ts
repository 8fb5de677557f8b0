import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildGateway } from '../../../gateway/server.ts';
import { createLogger } from '../../../gateway/log.ts';
import type { Sources } from '../../../access/sources.ts';
import { UpstreamCache } from '../../../access/cache.ts';
import { SourceGuard } from '../../../access/sources.ts';

/** Introspection is for demo mode (or when configured); nothing here touches a source. */
for (const introspection of [true, false]) {
  test(`introspection ${introspection ? 'on' : 'off'} when configured so`, async () => {
    const base = { cache: new UpstreamCache(), guard: new SourceGuard({ deadlineMs: 1000 }) };
    const sources = { ...base, forRequest: () => base } as unknown as Sources;
    const gw = buildGateway({ sources, log: createLogger('silent'), publicUrl: 'http://x', introspection, principal: () => null });
    await gw.start();
    const server = createServer((req, res) => void gw.handle(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
    server.close();
    await gw.stop();
    if (introspection) assert.deepEqual(body.data, { __schema: { queryType: { name: 'Query' } } });
    else assert.match(body.errors?.[0]?.message ?? '', /introspection/i);
  });
}
