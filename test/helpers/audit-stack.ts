/**
 * An audited gateway over running simulators, for the audit's integration tests: readers
 * authenticate as `Bearer <email>` of a demo user, and the writer's sink can be taken down
 * to play an unreachable store.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../gateway/config.ts';
import type { Principal } from '../../access/principal.ts';
import { createLogger } from '../../gateway/log.ts';
import { demoDirectory } from '../../gateway/demo-users.ts';
import { createSigner } from '../../access/links.ts';
import { buildGateway, type Gateway } from '../../gateway/server.ts';
import { buildSources } from '../../gateway/sources.ts';
import { Audit, AuditStore, AuditWriter } from '../../audit/index.ts';
import type { AuditRecord } from '../../audit/event.ts';
import { Checkpointer, type CheckpointKey } from '../../audit/checkpoint.ts';
import type { RunningSimulators } from '../../simulators/start.ts';
import { demoMapping } from '../../sources/mapping.ts';
import { testWorld } from './world.ts';
import type { Backend } from './audit-backends.ts';

export interface AuditStack {
  url: string;
  gateway: Gateway;
  audit: Audit;
  store: AuditStore;
  /** While true, every write fails as if the database were unreachable. */
  storeDown: boolean;
  /** POST a GraphQL query as `email`. */
  query<T = Record<string, unknown>>(
    email: string,
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{
    status: number;
    headers: Headers;
    body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  }>;
  /** Stop serving, then close the audit (writing what is buffered), as main.ts does. */
  close(): Promise<void>;
}

const directory = demoDirectory(testWorld());

/** Start an audited gateway on `backend` against `sims`. */
export async function startAuditStack(
  sims: RunningSimulators,
  backend: Backend,
  opts: {
    batchMs?: number;
    batchSize?: number;
    bufferMax?: number;
    /** Sign checkpoints of the chain's head with `key` every `everyEvents` events (and every minute). */
    checkpoints?: { key: CheckpointKey; everyEvents: number };
  } = {},
): Promise<AuditStack> {
  const config = loadConfig({
    OTCS_URL: sims.urls.otcs,
    ICONIK_URL: sims.urls.iconik,
    NETX_URL: sims.urls.netx,
    OTMM_URL: sims.urls.otmm,
    UPSTREAM_TIMEOUT_MS: '4000',
    UPSTREAM_RETRIES: '1',
  });
  const sources = buildSources(config, demoMapping(), { cacheTtlMs: 30_000 });
  const log = createLogger('silent');
  const store = new AuditStore(backend.store);
  await store.open();
  const stack = {} as AuditStack;
  const sink = {
    append: (records: readonly AuditRecord[], o?: { retry?: boolean }) =>
      stack.storeDown ? Promise.reject(new Error('connect ECONNREFUSED (test)')) : store.append(records, o),
  };
  const cp = opts.checkpoints;
  const checkpointer = cp ? new Checkpointer(store, cp.key, { intervalMs: 60_000, everyEvents: cp.everyEvents, log }) : undefined;
  const writer = new AuditWriter(sink, {
    bufferMax: opts.bufferMax ?? 10_000,
    batchMs: opts.batchMs ?? 50,
    batchSize: opts.batchSize ?? 200,
    log,
    maxBackoffMs: 50,
    ...(checkpointer ? { onWritten: (n: number) => checkpointer.written(n) } : {}),
  });
  const audit = new Audit({ store, writer, ...(cp && checkpointer ? { checkpoints: { key: cp.key, checkpointer } } : {}) });
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const gateway = buildGateway({
    sources,
    log,
    publicUrl: url,
    introspection: true,
    signer: createSigner(randomBytes(32), url, 300_000),
    directory,
    audit,
    principal: (req) => {
      const h = req.headers.authorization;
      return h?.startsWith('Bearer ') ? (directory(h.slice(7)) as Principal | null) : null;
    },
  });
  await gateway.start();
  server.on('request', (req, res) => void gateway.handle(req, res));
  return Object.assign(stack, {
    url,
    gateway,
    audit,
    store,
    storeDown: false,
    async query(email: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${email}`, ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as never };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await gateway.stop();
      await audit.close(10_000);
    },
  }) as AuditStack;
}

/** Every distinct global id in a JSON answer (the objects a reader received). */
export function idsIn(data: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(data)) for (const v of data) idsIn(v, out);
  else if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (k === 'id' && typeof v === 'string') out.add(v);
      else idsIn(v, out);
    }
  }
  return out;
}
