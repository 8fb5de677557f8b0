/**
 * A minimal Content Server stand-in for the workspace tests: a simulator with only the
 * business-workspace routes, a fake ticket check in place of the core simulator's, and a
 * connector over real HTTP. The end-to-end test against the full simulator lives elsewhere.
 */
import { readFileSync } from 'node:fs';
import { credentialCache } from '../../sources/http/auth.ts';
import { createHttpClient, type HttpClient } from '../../sources/http/client.ts';
import { demoMapping, type Mapping } from '../../sources/mapping.ts';
import { createWorkspaceRoutes, type WorkspaceSimOptions } from '../../simulators/otcs/workspaces.ts';
import type { OtcsSimContext } from '../../simulators/otcs/context.ts';
import type { WorkspaceReads } from '../../sources/otcs/shared.ts';
import { createWorkspaceReads } from '../../sources/otcs/workspaces.ts';
import { createSimulator, type Handler, type Simulator } from '../../simulators/framework/server.ts';
import type { DemoWorld } from '../../simulators/demo/world.ts';
import { testWorld } from './world.ts';

export const BASE_PATH = '/otcs/cs.exe';
export const TICKET = 'test-ticket';

export interface Harness {
  sim: Simulator;
  /** Simulator origin (for /__sim). */
  url: string;
  /** Origin plus CGI path (for vendor calls). */
  api: string;
  world: DemoWorld;
  mapping: Mapping;
  http: HttpClient;
  reads: WorkspaceReads;
  /** GET a vendor path with the test ticket; returns status and parsed body. */
  get(pathAndQuery: string, ticket?: string | null): Promise<{ status: number; body: unknown; headers: Headers }>;
  close(): Promise<void>;
}

/** The fake ticket check: exactly what the core simulator promises in OtcsSimContext.authed. */
const authed =
  (handler: Handler): Handler =>
  async (req) => {
    if (req.headers.otcsticket !== TICKET) return { status: 401, body: { error: 'Authentication Required', errorDetail: '' } };
    const res = await handler(req);
    return { ...res, headers: { ...(res.headers ?? {}), OTCSTicket: TICKET } };
  };

/** Start a simulator with the workspace routes and a connector pointed at it. */
export async function startHarness(options: WorkspaceSimOptions = {}): Promise<Harness> {
  const world = testWorld();
  const mapping = demoMapping();
  const sim = createSimulator({ name: 'OTCS', errorBody: (status) => ({ error: `HTTP ${status}`, errorDetail: '' }) });
  const ctx: OtcsSimContext = { basePath: BASE_PATH, world, mapping, authed };
  createWorkspaceRoutes(options)(sim, ctx);
  const url = await sim.listen(0);
  const api = url + BASE_PATH;
  const http = createHttpClient({
    system: 'OTCS',
    baseUrl: api,
    retries: 0,
    auth: { cache: credentialCache(async () => TICKET), headers: (t: string) => ({ OTCSTicket: t }) },
  });
  return {
    sim,
    url,
    api,
    world,
    mapping,
    http,
    reads: createWorkspaceReads({ http, mapping }),
    async get(pathAndQuery, ticket = TICKET) {
      const res = await fetch(api + pathAndQuery, { headers: ticket === null ? {} : { OTCSTicket: ticket } });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
    },
    close: () => sim.close(),
  };
}

/** A vendor example from test/fixtures/vendor/otcs-workspaces/. */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/vendor/otcs-workspaces/${name}`, import.meta.url), 'utf8')) as unknown;
}
