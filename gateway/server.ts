/**
 * Builds the gateway: Apollo Server over the graph, behind a node:http request handler that
 * serves `/graphql`, `/healthz`, `/readyz` and `/metrics`. It never listens (see main.ts);
 * tests build it and mount the handler on an ephemeral port.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { loadTypeDefs } from '../schema/index.ts';
import { resolvers } from '../resolvers/index.ts';
import type { Context, Writes } from '../resolvers/context.ts';
import type { WebhookSubscriptions } from '../flows/outbox/subscriptions.ts';
import { BadUserInputError, ErrorCode, UnauthenticatedError } from '../access/errors.ts';
import type { Signer } from '../access/links.ts';
import type { Principal } from '../access/principal.ts';
import { pingAll, type Sources } from '../access/sources.ts';
import type { Audit } from '../audit/index.ts';
import type { DownloadEvent } from '../audit/ports.ts';
import { serveCsv } from './audit-export.ts';
import { clientOf } from './client-info.ts';
import { createContext } from './context.ts';
import { serveDownload } from './files.ts';
import { makeFormatError } from './format-error.ts';
import { isMultipart, parseMultipart } from './uploads.ts';
import { serveHook, serveIconikHook, type IconikHookOptions } from './hooks.ts';
import type { FeedStatus } from '../flows/feed/runner.ts';
import type { Verifier } from '../flows/inbound/standard-webhooks.ts';
import type { SyncStorePort } from '../flows/writeback/sync-store.ts';
import type { Logger } from './log.ts';
import { send } from './respond.ts';
import { auditedTypes, auditPlugin } from './plugins/audit.ts';
import { DEFAULT_LIMITS, limitsPlugin, type Limits } from './plugins/limits.ts';
import { Metrics, metricsPlugin } from './plugins/metrics.ts';
import { sourceErrorsPlugin } from './plugins/source-errors.ts';

export interface GatewayOptions {
  sources: Sources;
  /** The durable writes (flows/); without them the gateway answers mutations FORBIDDEN. */
  writes?: Writes;
  /** Outgoing webhooks' subscriptions (flows/outbox/); without them their operations answer FORBIDDEN. */
  webhooks?: WebhookSubscriptions;
  /** Assets' write-back records (flows/writeback/); without them `Asset.sync` is null. */
  sync?: SyncStorePort;
  /** Inbound webhooks: a verifier per source with a secret (`/hooks/<source>`). */
  hooks?: ReadonlyMap<string, Verifier>;
  /** The change feed, for its metrics (poll counts, failures, lag). */
  feed?: { stats(): FeedStatus[] };
  /** iconik's webhooks (`/hooks/iconik`), when its static header is configured. */
  iconikHook?: Omit<IconikHookOptions, 'log'>;
  /** Largest file a multipart request may carry, in bytes (default 100 MiB). */
  maxUploadBytes?: number;
  log: Logger;
  /** Base URL the gateway is reached at, for links it hands out. */
  publicUrl: string;
  /** Introspection (and nothing else) for tools; on in demo mode. */
  introspection: boolean;
  /** Who is reading, from the request; until per-user access lands, one demo principal. */
  principal: (req: IncomingMessage) => Promise<Principal | null> | Principal | null;
  limits?: Partial<Limits>;
  /** Parser token limit. */
  maxTokens?: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  now?: () => number;
  metrics?: Metrics;
  /** Signs download links; without one, renditions and documents have no download URL. */
  signer?: Signer;
  /** Readers by email, for explainAccess. */
  directory?: (email: string) => Principal | null;
  /** Called after a download's bytes went out (the audit trail's hook). */
  onDownload?: (ctx: Context, e: DownloadEvent) => void;
  /** Access auditing (views, downloads, the audit fields and export); `false` or absent runs without it (benchmarks). */
  audit?: Audit | false;
  /** Take the client address for the audit from x-forwarded-for (only behind a proxy that sets it). */
  trustProxy?: boolean;
}

export interface Gateway {
  /** The node:http handler. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  schema: GraphQLSchema;
  metrics: Metrics;
  start(): Promise<void>;
  /** Stop Apollo: call only once no request is in flight (main.ts drains the server first). */
  stop(): Promise<void>;
  /**
   * The first step of a graceful stop, taken at once: from now on /readyz answers 503
   * `stopping`, so load balancers send no more, while /healthz stays 200 and requests are still
   * served (those in flight, and any that arrive before the listener closes). Idempotent.
   */
  beginStop(): void;
  /** The access audit, when on (its owner closes it after the server stops). */
  audit?: Audit;
}

/** One input of /readyz: whether it holds the gateway back, and the fields it adds to the answer. */
interface ReadinessPart {
  ok: boolean;
  fields: Record<string, unknown>;
}

type ResolverMaps = NonNullable<Parameters<typeof makeExecutableSchema>[0]['resolvers']>;

/** The executable schema; audited, the Node types show each value they complete to the request's audit. */
export function buildSchema(opts: { audited?: boolean } = {}): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: opts.audited ? ([resolvers(), auditedTypes()] as ResolverMaps) : resolvers(),
  });
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        resolve(null);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(size > max ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Build the gateway. */
export function buildGateway(opts: GatewayOptions): Gateway {
  const audit = opts.audit || undefined;
  const schema = buildSchema({ audited: !!audit });
  const metrics = opts.metrics ?? new Metrics();
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  /** Set by beginStop: readiness is 503 from then on. */
  let stopping = false;
  opts.sources.guard.subscribe((system, ok) => metrics.upstreamCall(system, ok));
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: opts.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    // Apollo would stop itself on SIGTERM at once, failing the requests in flight with 500s;
    // the process owner (main.ts) stops it after draining them.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: opts.maxTokens ?? 5000 },
    formatError: makeFormatError(opts.log),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      limitsPlugin({ ...DEFAULT_LIMITS, ...(opts.limits ?? {}) }),
      sourceErrorsPlugin(),
      metricsPlugin(metrics),
      ...(audit ? [auditPlugin()] : []),
    ],
    logger: {
      debug: () => undefined,
      info: () => undefined,
      warn: (m) => opts.log.warn(String(m)),
      error: (m) => opts.log.error(String(m)),
    },
  });

  const deps = {
    sources: opts.sources,
    log: opts.log,
    publicUrl: opts.publicUrl,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.signer ? { signer: opts.signer } : {}),
    ...(opts.directory ? { directory: opts.directory } : {}),
    ...(opts.writes ? { writes: opts.writes } : {}),
    ...(opts.webhooks ? { webhooks: opts.webhooks } : {}),
    ...(opts.sync ? { sync: opts.sync } : {}),
  };
  const maxUpload = opts.maxUploadBytes ?? 100 * 1024 * 1024;

  /** The request's context, with the audit's per-request part when auditing is on. */
  const contextFor = (req: IncomingMessage, requestId: string, principal: Principal | null): Context => {
    const ctx = createContext(deps, { requestId, principal });
    return audit ? Object.assign(ctx, { audit: audit.forRequest(clientOf(req, opts.trustProxy ?? false), ctx) }) : ctx;
  };

  /** The reader of a request, or undefined once a 401 has been sent for a bad token. */
  async function reader(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<Principal | null | undefined> {
    try {
      return await opts.principal(req);
    } catch (e) {
      // A bad token is the caller's to fix: 401 with a challenge, before anything executes.
      if (!(e instanceof UnauthenticatedError)) throw e;
      send(
        res,
        401,
        { errors: [{ message: e.message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] },
        { 'www-authenticate': 'Bearer', 'x-request-id': requestId },
      );
      return undefined;
    }
  }

  /**
   * A GraphQL multipart request (a file upload): the reader first, then the operation and the
   * start of its file; Apollo runs it as a JSON request with the file in its variable. The
   * x-atrium-upload header stands in for Apollo's CSRF check, which a multipart body would fail.
   */
  async function multipart(req: IncomingMessage, res: ServerResponse, headers: HeaderMap, requestId: string) {
    const bad = (status: number, message: string, code = 'BAD_REQUEST') =>
      send(res, status, { errors: [{ message, extensions: { code } }] }, { 'x-request-id': requestId });
    if (!req.headers['x-atrium-upload']) return bad(400, 'A file upload must carry the header x-atrium-upload');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxUpload + 1024 * 1024)
      return bad(413, `The upload is larger than ${maxUpload} bytes`, 'BAD_USER_INPUT');
    const principal = await reader(req, res, requestId);
    if (principal === undefined) return undefined;
    try {
      const parsed = await parseMultipart(req, { maxBytes: maxUpload });
      // A file nobody read (the operation failed before its resolver took the file): once the
      // answer is out, the rest of the request is read and dropped (bounded by the server's
      // request timeout), so the parser lets go of it and the sender gets to read the answer.
      res.once('finish', () => {
        if (req.complete) return;
        req.unpipe();
        req.resume();
      });
      headers.set('content-type', 'application/json');
      return { principal, body: parsed.body };
    } catch (e) {
      if (e instanceof BadUserInputError) return bad(400, e.message, 'BAD_USER_INPUT');
      throw e;
    }
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    let body: unknown;
    if (method === 'POST' && isMultipart(req)) {
      const parsed = await multipart(req, res, headers, requestId);
      if (!parsed) return;
      return execute(req, res, url, requestId, method, headers, parsed.body, parsed.principal);
    }
    if (method === 'POST') {
      const raw = await readBody(req, maxBody);
      if (raw === null) return send(res, 413, { errors: [{ message: 'Request body too large', extensions: { code: 'BAD_REQUEST' } }] });
      const type = headers.get('content-type') ?? '';
      if (/^application\/(graphql-response\+)?json/i.test(type)) {
        try {
          body = raw === '' ? undefined : JSON.parse(raw);
        } catch {
          return send(res, 400, { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
        }
      } else body = raw;
    }
    const principal = await reader(req, res, requestId);
    if (principal === undefined) return;
    return execute(req, res, url, requestId, method, headers, body, principal);
  }

  async function execute(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
    method: string,
    headers: HeaderMap,
    body: unknown,
    principal: Principal | null,
  ): Promise<void> {
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: url.search, body },
      context: async () => contextFor(req, requestId, principal),
    });
    const out: Record<string, string> = { 'x-request-id': requestId };
    for (const [k, v] of result.headers) out[k] = v;
    // Answers depend on the reader: never store them in a shared cache.
    out['cache-control'] = 'private, no-store';
    res.writeHead(result.status ?? 200, out);
    if (result.body.kind === 'complete') res.end(result.body.string);
    else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  /**
   * The upstreams' part of readiness: every source answers its ping, its circuit is closed and
   * its recent real reads succeeded (a ping that answers does not hide reads that fail).
   */
  async function upstreamReadiness(): Promise<ReadinessPart> {
    const upstreams = (await pingAll(opts.sources)).map(({ answered, ...status }) => ({
      ...status,
      ok: answered && status.ok,
      ...(answered || status.message ? {} : { message: 'unavailable' }),
    }));
    return { ok: upstreams.every((u) => u.ok), fields: { upstreams } };
  }

  /**
   * The audit's part: the writer's health (store reached, writes succeeding, lag and buffer
   * within bounds), with its lag and depth. The concerns are fixed words, never the store's
   * error (which may name hosts): that goes to the log.
   */
  function auditReadiness(a: Audit): ReadinessPart {
    const s = a.status();
    return {
      ok: s.ok,
      fields: { audit: { ok: s.ok, concerns: s.concerns, buffered: s.buffered, lagMs: s.lagMs, dropped: s.dropped } },
    };
  }

  /** 200 `ready` when every part is ok, else 503 `degraded`; 503 `stopping` once a graceful stop began. */
  async function ready(res: ServerResponse): Promise<void> {
    if (stopping) return send(res, 503, { status: 'stopping' });
    const parts = [await upstreamReadiness(), ...(audit ? [auditReadiness(audit)] : [])];
    const ok = parts.every((p) => p.ok);
    send(res, ok ? 200 : 503, { status: ok ? 'ready' : 'degraded', ...Object.assign({}, ...parts.map((p) => p.fields)) });
  }

  return {
    schema,
    metrics,
    start: () => apollo.start(),
    stop: () => apollo.stop(),
    beginStop: () => {
      stopping = true;
    },
    ...(audit ? { audit } : {}),
    async handle(req, res) {
      const incoming = req.headers['x-request-id'];
      const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
      const url = new URL(req.url ?? '/', 'http://gateway.invalid');
      metrics.inc('atrium_http_requests_total', {
        path: ['/graphql', '/healthz', '/readyz', '/metrics', '/audit/events.csv'].includes(url.pathname)
          ? url.pathname
          : url.pathname.startsWith('/files/')
            ? '/files'
            : url.pathname.startsWith('/hooks/')
              ? '/hooks'
              : 'other',
      });
      try {
        switch (url.pathname) {
          case '/graphql':
            return await graphql(req, res, url, requestId);
          case '/healthz':
            // Alive while stopping too: a probe that restarted a draining gateway would cut what it is finishing.
            return send(res, 200, { status: stopping ? 'stopping' : 'ok' });
          case '/readyz':
            return await ready(res);
          case '/metrics': {
            const c = opts.sources.cache.stats;
            const a = audit?.status();
            const auditGauges: Record<string, number> = a
              ? {
                  atrium_audit_buffered: a.buffered,
                  atrium_audit_lag_seconds: a.lagMs / 1000,
                  atrium_audit_dropped: a.dropped,
                  atrium_audit_ok: a.ok ? 1 : 0,
                }
              : {};
            return send(
              res,
              200,
              metrics.render(
                {
                  atrium_cache_hits: c.hits,
                  atrium_cache_misses: c.misses,
                  atrium_cache_shared_inflight: c.shared,
                  atrium_cache_entries: opts.sources.cache.size,
                  ...auditGauges,
                },
                feedGauges(opts.feed?.stats() ?? []),
              ),
              { 'content-type': 'text/plain; version=0.0.4' },
            );
          }
          case '/audit/events.csv': {
            const principal = await reader(req, res, requestId);
            if (principal === undefined) return;
            return await serveCsv(res, (req.method ?? 'GET').toUpperCase(), url, principal, audit?.store ?? null, opts.log, requestId);
          }
          default: {
            if (url.pathname === '/hooks/iconik' && opts.iconikHook)
              return await serveIconikHook(req, res, { ...opts.iconikHook, log: opts.log });
            const hook = /^\/hooks\/([a-z][a-z0-9-]{0,31})$/.exec(url.pathname);
            if (hook && opts.writes && opts.hooks)
              return await serveHook(
                req,
                res,
                hook[1] as string,
                {
                  verifiers: opts.hooks,
                  runner: opts.writes.runner,
                  commands: opts.writes.commands,
                  log: opts.log,
                  ...(audit ? { audit } : {}),
                },
                requestId,
              );
            if (!url.pathname.startsWith('/files/')) return send(res, 404, { error: 'not found' });
            const principal = await reader(req, res, requestId);
            if (principal === undefined) return;
            const ctx = contextFor(req, requestId, principal);
            if (!opts.signer) return send(res, 404, { error: 'not found' });
            return await serveDownload(req, res, url, ctx, opts.signer, opts.log, (e) => {
              ctx.audit?.download(e);
              opts.onDownload?.(ctx, e);
            });
          }
        }
      } catch (e) {
        opts.log.error('request failed', { requestId, error: (e as Error)?.message, stack: (e as Error)?.stack });
        if (!res.headersSent)
          send(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else res.end();
      }
    },
  };
}

/** The change feed's gauges, per feed: lag (source time of a change to its append) p50/p99, polls, appended events, failures. */
function feedGauges(stats: readonly FeedStatus[]): Record<string, [Record<string, string>, number][]> {
  const of = (pick: (f: FeedStatus) => number | null) =>
    stats.flatMap((f): [Record<string, string>, number][] => {
      const v = pick(f);
      return v === null ? [] : [[{ feed: f.feed }, v]];
    });
  return {
    atrium_feed_lag_p50_seconds: of((f) => (f.lag.p50Ms === null ? null : f.lag.p50Ms / 1000)),
    atrium_feed_lag_p99_seconds: of((f) => (f.lag.p99Ms === null ? null : f.lag.p99Ms / 1000)),
    atrium_feed_polls: of((f) => f.polls),
    atrium_feed_events_appended: of((f) => f.appended),
    atrium_feed_failures: of((f) => f.failures),
  };
}
