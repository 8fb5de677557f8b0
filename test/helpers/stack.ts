/**
 * The whole stack for integration tests: the four simulators on free ports serving the test
 * world, and a gateway built against them (mounted on a free port, never the defaults).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../gateway/config.ts';
import type { Principal } from '../../access/principal.ts';
import { createLogger } from '../../gateway/log.ts';
import { DEMO_PRINCIPAL, demoDirectory } from '../../gateway/demo-users.ts';
import { createSigner } from '../../access/links.ts';
import { randomBytes } from 'node:crypto';
import { buildGateway, type Gateway } from '../../gateway/server.ts';
import type { Sources } from '../../access/sources.ts';
import { buildSources } from '../../gateway/sources.ts';
import { startSimulators, type RunningSimulators } from '../../simulators/start.ts';
import { demoMapping } from '../../sources/mapping.ts';
import type { DemoWorld } from '../../simulators/demo/world.ts';
import { testWorld } from './world.ts';

export interface Stack {
  sims: RunningSimulators;
  sources: Sources;
  gateway: Gateway;
  url: string;
  /** POST a GraphQL query; returns status and parsed body. */
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{
    status: number;
    body: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[] };
  }>;
  /** Requests each simulator served since the last reset, by system. */
  upstreamCounts(): Promise<Record<'otcs' | 'iconik' | 'netx' | 'otmm', number>>;
  resetUpstreams(): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  timeoutMs?: number;
  retries?: number;
  cacheTtlMs?: number;
  principal?: Principal | null;
  /** Authenticate each request from its Authorization header instead of a fixed `principal`. */
  principalFor?: (authorization: string | undefined) => Promise<Principal | null>;
  now?: () => number;
  /** The world the simulators serve (default: the test world, scale 1). */
  world?: DemoWorld;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const world = opts.world ?? testWorld();
  const mapping = demoMapping();
  const sims = await startSimulators(world, mapping);
  const config = loadConfig({
    OTCS_URL: sims.urls.otcs,
    ICONIK_URL: sims.urls.iconik,
    NETX_URL: sims.urls.netx,
    OTMM_URL: sims.urls.otmm,
    UPSTREAM_TIMEOUT_MS: String(opts.timeoutMs ?? 2000),
    UPSTREAM_RETRIES: String(opts.retries ?? 1),
  });
  const sources = buildSources(config, mapping, { cacheTtlMs: opts.cacheTtlMs ?? 30_000 });
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const principal = opts.principal === undefined ? DEMO_PRINCIPAL : opts.principal;
  const principalOf = opts.principalFor;
  const signer = createSigner(randomBytes(32), url, 300_000);
  const gateway = buildGateway({
    sources,
    log: createLogger('silent'),
    publicUrl: url,
    introspection: true,
    signer,
    directory: demoDirectory(world),
    principal: principalOf ? (req) => principalOf(req.headers.authorization) : () => principal,
    ...(opts.now ? { now: opts.now } : {}),
  });
  await gateway.start();
  server.on('request', (req, res) => void gateway.handle(req, res));
  const stats = async (root: string) => ((await (await fetch(`${root}/__sim/stats`)).json()) as { total: number }).total;
  return {
    sims,
    sources,
    gateway,
    url,
    async query(query, variables, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as never };
    },
    async upstreamCounts() {
      const [otcs, iconik, netx, otmm] = await Promise.all(
        [sims.roots.otcs, sims.roots.iconik, sims.roots.netx, sims.roots.otmm].map(stats),
      );
      return { otcs: otcs as number, iconik: iconik as number, netx: netx as number, otmm: otmm as number };
    },
    async resetUpstreams() {
      await Promise.all(Object.values(sims.roots).map((r) => fetch(`${r}/__sim/reset`, { method: 'POST' })));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await gateway.stop();
      await sims.close();
    },
  };
}
