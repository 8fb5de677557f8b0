/**
 * The Content Server simulator: the CS REST API (vendor-apis.md §1, vendor-apis-writes.md §2)
 * over the demo world, under a CGI path (default `/otcs/cs.exe`). This file owns
 * authentication (tickets, rotation, expiry), the `suppress_response_codes` convention, the
 * answer for paths no route serves, the write overlay and the content store (both cleared by
 * `POST /__sim/reset`), streamed uploads, and mounts the route modules: system (ping,
 * serverinfo, volumes), nodes, search, records (audit, classifications, RM, holds, workflows),
 * the Business Workspaces half (with the members), and the writes (nodes, workspaces, RM).
 */
import { randomBytes } from 'node:crypto';
import { DEMO_CREDENTIALS } from '../demo/credentials.ts';
import { OTCS_ADMIN_USER_ID, type DemoWorld } from '../demo/world.ts';
import type { Mapping } from '../../sources/mapping.ts';
import { createSimulator, first, type Handler, type SimRequest, type SimResponse, type Simulator } from '../framework/server.ts';
import { registerWorkspaceRoutes } from './workspaces.ts';
import { categoryDefs } from './categories.ts';
import { createContentStore } from './content-store.ts';
import { fail, formOf, type CoreSim, type OtcsSimOptions, type ResolvedOptions } from './kit.ts';
import { memberDirectory } from './members.ts';
import { createNodeStore } from './node-store.ts';
import { registerNodeRoutes } from './nodes.ts';
import { createOverlay } from './overlay.ts';
import { registerRecordRoutes } from './records.ts';
import { registerSearchRoutes } from './search.ts';
import { registerSystemRoutes } from './system.ts';
import { streamUploads } from './uploads.ts';
import { registerNodeWriteRoutes } from './writes-nodes.ts';
import { registerRecordWriteRoutes } from './writes-records.ts';
import { registerChangeRoutes } from './changes.ts';
import { registerWorkspaceWriteRoutes } from './writes-workspaces.ts';

export type { OtcsSimOptions } from './kit.ts';

/** The simulator plus a test hook to expire every ticket at once. */
export interface OtcsSimulator extends Simulator {
  /** Make every issued ticket expired (as if the TTL passed). */
  expireTickets(): void;
}

/** The spec's text for a REST URL no operation serves (SPEC, on every operation's 400; vendor-apis §1.7). */
const UNKNOWN_ROUTE = 'The REST API URL could not be found in the mappings registry';

const STATUS_TEXT: Record<number, string> = {
  400: 'One or more parameters are invalid',
  401: 'Authentication Required',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

function resolve(opts: OtcsSimOptions): ResolvedOptions {
  return {
    cgiPath: (opts.cgiPath ?? '/otcs/cs.exe').replace(/\/+$/, ''),
    ticketTtlMs: opts.ticketTtlMs ?? 30 * 60_000,
    rotateTickets: opts.rotateTickets ?? true,
    rejectJsonBodies: opts.rejectJsonBodies ?? true,
    auditResultsAsList: opts.auditResultsAsList ?? false,
    baseLatencyMs: opts.baseLatencyMs ?? 0,
    missingNodeStatus: opts.missingNodeStatus ?? 400,
    outOfRangePages: opts.outOfRangePages ?? 'last',
    maxPageSize: opts.maxPageSize ?? 500,
    unknownRouteStatus: opts.unknownRouteStatus ?? 400,
    categoryMetadata: opts.categoryMetadata ?? 'nested',
    createdStatus: opts.createdStatus ?? 200,
    missingParentStatus: opts.missingParentStatus ?? 400,
    badCategoryStatus: opts.badCategoryStatus ?? 400,
    duplicateBusinessObject: opts.duplicateBusinessObject ?? 'reject',
    rmTokenRequired: opts.rmTokenRequired ?? true,
    maxVersionDescription: opts.maxVersionDescription ?? 255,
    maxOverlayNodes: opts.maxOverlayNodes ?? 10_000,
    ...(opts.contentDir !== undefined ? { contentDir: opts.contentDir } : {}),
    now: opts.now ?? Date.now,
    users: opts.users ?? [
      { username: DEMO_CREDENTIALS.otcs.username, password: DEMO_CREDENTIALS.otcs.password, userId: OTCS_ADMIN_USER_ID, name: 'Admin' },
    ],
  };
}

interface Session {
  userId: number;
  username: string;
  expiresAt: number;
}

/** Issued tickets: opaque random strings, each valid until its own expiry. */
function ticketStore(ttlMs: number) {
  const sessions = new Map<string, Session>();
  const sweep = () => {
    const now = Date.now();
    for (const [t, s] of sessions) if (s.expiresAt <= now) sessions.delete(t);
  };
  return {
    issue(userId: number, username: string): string {
      if (sessions.size > 10_000) sweep();
      const ticket = randomBytes(24).toString('base64');
      sessions.set(ticket, { userId, username, expiresAt: Date.now() + ttlMs });
      return ticket;
    },
    check(ticket: string | undefined): Session | null {
      const s = ticket === undefined ? undefined : sessions.get(ticket);
      if (!s) return null;
      if (s.expiresAt > Date.now()) return s;
      sessions.delete(ticket as string);
      return null;
    },
    revoke(ticket: string | undefined) {
      if (ticket !== undefined) sessions.delete(ticket);
    },
    expireAll() {
      for (const s of sessions.values()) s.expiresAt = 0;
    },
  };
}

/** The ticket of a request: `OTCSTicket` header, or the `otcsticket`/`LLCookie` cookie pyxecm also sends. */
function ticketOf(req: SimRequest): string | undefined {
  const h = req.headers.otcsticket;
  if (typeof h === 'string' && h) return h;
  const cookie = String(req.headers.cookie ?? '');
  const m = /(?:^|;\s*)(?:otcsticket|LLCookie)=([^;]+)/i.exec(cookie);
  return m ? decodeURIComponent(m[1] as string) : undefined;
}

/** `?suppress_response_codes`: always 200, the real status in the body's `statusCode` (SPEC). */
function suppressible(handler: Handler): Handler {
  return async (req) => {
    const res = await handler(req);
    if (!('suppress_response_codes' in req.query)) return res;
    const body = res.body;
    if (typeof body !== 'object' || body === null || Buffer.isBuffer(body) || Array.isArray(body)) return res;
    return { ...res, status: 200, body: { ...(body as Record<string, unknown>), statusCode: res.status ?? 200 } };
  };
}

/** Build the Content Server simulator (not listening: call `.listen(port)`). */
export function createOtcsSimulator(world: DemoWorld, mapping: Mapping, options: OtcsSimOptions = {}): OtcsSimulator {
  const opts = resolve(options);
  const tickets = ticketStore(opts.ticketTtlMs);
  const overlay = createOverlay({ maxNodes: opts.maxOverlayNodes, now: opts.now });
  const content = createContentStore(opts.contentDir);
  const sim = createSimulator({
    name: 'otcs',
    baseLatencyMs: opts.baseLatencyMs,
    // A reset forgets every write: the world is served as generated again.
    onReset: () => {
      overlay.clear();
      content.reset();
    },
    errorBody: (status) => ({ error: STATUS_TEXT[status] ?? `HTTP ${status}`, errorDetail: '' }),
    // `POST /api/v1/auth/` is how cs-rest logs in, and the spec writes category PUTs with a
    // trailing slash that pyxecm leaves off (vendor-apis-writes §2.2): both forms are served.
    trailingSlash: true,
    fallback: suppressible((req) =>
      req.rawPath.startsWith(`${opts.cgiPath}/api/`) ? fail(opts.unknownRouteStatus, UNKNOWN_ROUTE) : fail(404, STATUS_TEXT[404] as string),
    ),
  });
  const unauthenticated = (): SimResponse => fail(401, 'Authentication Required');
  const authed = (handler: Handler): Handler =>
    suppressible(async (req) => {
      const ticket = ticketOf(req);
      const session = tickets.check(ticket);
      if (!session) return unauthenticated();
      const res = await handler(req);
      const next = opts.rotateTickets ? tickets.issue(session.userId, session.username) : (ticket as string);
      return { ...res, headers: { ...(res.headers ?? {}), OTCSTicket: next } };
    });
  const ctx: CoreSim = {
    basePath: opts.cgiPath,
    world,
    mapping,
    authed,
    sim,
    opts,
    nodes: createNodeStore(world, mapping, overlay),
    members: memberDirectory(world, opts.users),
    overlay,
    content,
    uploads: streamUploads(sim.server, content),
    categories: categoryDefs(mapping),
    userOf: (req) => tickets.check(ticketOf(req))?.userId ?? OTCS_ADMIN_USER_ID,
    route(method, path, handler, open = false) {
      sim.route(method, `${opts.cgiPath}${path}`, open ? suppressible(handler) : authed(handler));
    },
  };

  ctx.route(
    'POST',
    '/api/v1/auth',
    (req) => {
      const form = formOf(ctx, req);
      if (!form.ok) return form.res;
      const username = first(form.fields.username);
      const password = first(form.fields.password);
      if (!username) return fail(500, 'Argument username is required');
      const user = opts.users.find((u) => u.username === username && u.password === password);
      if (!user) return fail(401, 'Invalid username or password.');
      const ticket = tickets.issue(user.userId, user.username);
      return { headers: { OTCSTicket: ticket }, body: { ticket } };
    },
    true,
  );
  ctx.route('GET', '/api/v1/auth', (req) => {
    const session = tickets.check(ticketOf(req));
    if (!session) return unauthenticated();
    return { body: { data: ctx.members.get(session.userId) } };
  });
  ctx.route(
    'DELETE',
    '/api/v1/auth',
    (req) => {
      tickets.revoke(ticketOf(req));
      return { body: {} };
    },
    true,
  );
  registerSystemRoutes(ctx);
  registerNodeRoutes(ctx);
  registerSearchRoutes(ctx);
  registerRecordRoutes(ctx);
  registerWorkspaceRoutes(sim, { basePath: ctx.basePath, world, mapping, authed, members: ctx.members, overlay });
  registerNodeWriteRoutes(ctx);
  registerWorkspaceWriteRoutes(ctx);
  registerRecordWriteRoutes(ctx);
  registerChangeRoutes(ctx);

  const closeServer = sim.close.bind(sim);
  return Object.assign(sim, {
    expireTickets: () => tickets.expireAll(),
    async close() {
      await closeServer();
      content.close();
    },
  });
}
