/**
 * Starts the gateway on its port, and stops it gracefully. `npm start` calls `startGateway`;
 * run alone (`node --import tsx gateway/main.ts`) it serves against the configured upstreams,
 * logs `gateway listening` with its URL, and stops on SIGTERM or SIGINT: exit 0 once requests in
 * flight were answered and the audit's buffer was written (see RunningGateway.close).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckpointKey } from '../audit/checkpoint.ts';
import type { DbCheck } from '../storage/db.ts';
import { checkStore, storeProblem, type StoreOptions } from '../audit/store.ts';
import { loadMapping } from '../sources/mapping.ts';
import { createAuthenticator, type Authenticator } from './auth.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { demoIssuer, hookSecret } from './demo-issuer.ts';
import { hookVerifiers } from './hooks.ts';
import { registerStatusReports, statusConsumer } from '../flows/outbound/bo-status.ts';
import { OutboxConsumers } from '../flows/outbox/consumers.ts';
import { rightsConsumer, settled } from '../flows/writeback/rights.ts';
import { RemoteSyncStore, SYNC_SERVICE } from '../flows/writeback/sync-store.ts';
import { createStatusClient } from '../sources/business/status.ts';
import { createLogger, type Logger } from './log.ts';
import { buildGateway, type Gateway } from './server.ts';
import { StorageWorker } from '../storage/remote.ts';
import { AUDIT_SERVICE, RemoteAuditStore } from '../audit/remote.ts';
import { AuditStore } from '../audit/store.ts';
import { registerWriteCommands } from '../flows/commands.ts';
import { JobRunner } from '../flows/jobs.ts';
import { FLOW_SERVICE, RemoteFlowStore } from '../flows/remote.ts';
import { Dispatcher } from '../flows/outbox/dispatcher.ts';
import { createDamFeed } from '../flows/feed/dam.ts';
import { createOtcsFeed } from '../flows/feed/otcs.ts';
import { ChangeFeed } from '../flows/feed/runner.ts';
import { tagsForChange } from '../flows/invalidation.ts';
import type { OutboxPort } from '../flows/outbox/events.ts';
import { OUTBOX_SERVICE, RemoteOutboxStore } from '../flows/outbox/remote.ts';
import { WebhookSubscriptions } from '../flows/outbox/subscriptions.ts';
import { createWebhookPost } from './webhook-post.ts';
import type { Writes } from '../resolvers/context.ts';
import { createAudit, type CreateAuditOptions } from '../audit/index.ts';
import { AuditJournal } from '../audit/journal.ts';
import { loadCheckpointKey } from './checkpoint-key.ts';
import { Metrics } from './plugins/metrics.ts';
import { createSigner } from '../access/links.ts';
import { downloadSecret } from './files.ts';
import { createWorld } from '../simulators/demo/world.ts';
import { demoDirectory } from './demo-users.ts';
import { buildSources, type GatewaySources } from './sources.ts';
import { Drainer, settlesWithin, stopOnSignals } from './shutdown.ts';
import { StartupError, startupSteps } from './startup.ts';

export interface RunningGateway {
  url: string;
  gateway: Gateway;
  sources: GatewaySources;
  server: Server;
  /** Where change feeds record their events and cursors (the durable outbox; its dispatcher delivers them; the cache drops what they changed). */
  outbox: OutboxPort;
  /** The change feed, when polling is on. */
  feed: ChangeFeed | null;
  /** The first step of a stop, at once: /readyz answers 503 (close() takes it too; `npm start` takes it before stopping the portal). */
  beginStop(): void;
  /**
   * Stop gracefully: /readyz 503, stop accepting connections and close idle ones, let requests in
   * flight finish (at most `SHUTDOWN_DRAIN_MS`, then what is left is cut), stop Apollo, then write
   * the audit's buffer and close its store (at most `AUDIT_SHUTDOWN_MS`). Never rejects;
   * idempotent (later calls get the same stop).
   */
  close(): Promise<void>;
}

/**
 * How long start-up waits for a PostgreSQL audit store to open (connect and migrate) before it
 * serves degraded; past it the store keeps opening in the background.
 */
const STORE_OPEN_WAIT_MS = 10_000;
/** Beyond AUDIT_SHUTDOWN_MS, how long the last checkpoint and the store's closing may take. */
const STORE_CLOSE_GRACE_MS = 5_000;

/** The configured issuers, plus the gateway's own demo issuer in demo mode. */
export async function buildAuthenticator(config: Readonly<Config>, log: Logger): Promise<Authenticator> {
  const issuers = [...config.auth.issuers, ...(config.demo ? [(await demoIssuer(config.dataDir)).issuerConfig] : [])];
  if (issuers.length === 0) log.warn('no AUTH_ISSUERS configured: every reader is anonymous');
  return createAuthenticator({ issuers, clockToleranceS: config.auth.clockToleranceS, log });
}

/** The audit's options from the configuration: the store, the writer, and checkpoints when there is a key. */
function auditOptions(config: Readonly<Config>, log: Logger): CreateAuditOptions {
  const { checkpointKey: configured, checkpointIntervalMs: intervalMs, checkpointEvents: everyEvents, ...rest } = config.audit;
  let key: CheckpointKey | null;
  try {
    key = loadCheckpointKey(configured, config.dataDir, config.demo);
  } catch (e) {
    throw new Error(`${configured ? 'AUDIT_CHECKPOINT_KEY' : 'the demo audit checkpoint key'} cannot be used: ${(e as Error).message}`);
  }
  if (!key) log.warn('no AUDIT_CHECKPOINT_KEY: the audit chain is not checkpointed (a cut-off tail would go unnoticed)');
  // Taken now, so a journal another live gateway holds is a start-up problem like the others.
  let journal: AuditJournal | undefined;
  if (rest.journalDir) {
    journal = new AuditJournal(rest.journalDir);
    journal.lock();
  }
  return { ...rest, ...(key ? { checkpoints: { key, intervalMs, everyEvents } } : {}), ...(journal ? { journal } : {}) };
}

/** The store options of the configuration (what the start-up check and the audit open). */
const storeOptions = (a: Readonly<Config>['audit']): StoreOptions => ({
  ...(a.databaseUrl ? { databaseUrl: a.databaseUrl } : { dir: a.dir }),
  schema: a.schema,
});

/**
 * The start-up check of the audit's database. A database that answered and refused (wrong
 * user or password, no such database, too old, held by another process) stops the start: that
 * does not heal, and events buffered meanwhile would be lost at the next stop. One that did not
 * answer is a dependency down, which degrades (DESIGN.md): the gateway starts, /readyz says 503
 * and events are buffered until the store is reached.
 */
async function checkAuditDatabase(config: Readonly<Config>): Promise<DbCheck | null> {
  if (!config.audit.enabled) return null;
  const check = await checkStore(storeOptions(config.audit));
  if (!check.ok && check.reachable) throw new Error(check.problem);
  return check;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `GATEWAY_PORT ${port} on ${host} is in use`
            : `the gateway cannot listen on ${host}:${port}: ${e.message}`,
        ),
      );
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/**
 * Check, build and listen. Every start-up problem (mapping, keys and secrets, the audit's
 * database, the port) is found side by side and reported together in a StartupError; an audit
 * database that does not answer is not a problem but a degraded start (see checkAuditDatabase).
 */
export async function startGateway(config: Readonly<Config>, log: Logger, opts: { port?: number } = {}): Promise<RunningGateway> {
  const port = opts.port ?? config.gatewayPort;
  const server = createServer();
  // Attached first: it tracks every request, so a stop knows what is in flight.
  const drainer = new Drainer(server);
  const checked = await startupSteps(
    {
      mapping: () => loadMapping(config.mappingFile),
      authenticator: () => buildAuthenticator(config, log),
      downloadSecret: () => downloadSecret(config.downloads.secret, config.dataDir, config.demo),
      auditOptions: () => (config.audit.enabled ? auditOptions(config, log) : null),
      database: () => checkAuditDatabase(config),
      listen: () => listen(server, port, config.host),
    },
    async (done) => {
      if ('listen' in done) await new Promise<void>((r) => server.close(() => r()));
    },
  );
  if (checked.database && !checked.database.ok)
    log.warn('audit store not reachable at start-up: serving degraded (/readyz 503), events buffered until it is', {
      problem: checked.database.problem,
    });
  const sources = buildSources(config, checked.mapping, {});
  const url = `http://${config.host}:${(server.address() as AddressInfo).port}`;
  const signer = createSigner(checked.downloadSecret, url, config.downloads.ttlS * 1000);
  const metrics = new Metrics();
  // One storage thread, one database: the audit's store and the flows' store run on it.
  const storage = new StorageWorker(
    { ...storeOptions(config.audit), onError: (e) => log.warn('database connection error', { error: e.message }) },
    { audit: AUDIT_SERVICE, flows: FLOW_SERVICE, outbox: OUTBOX_SERVICE, sync: SYNC_SERVICE },
  );
  const auditStore = new RemoteAuditStore(storeOptions(config.audit), new AuditStore(storeOptions(config.audit)).location, storage);
  const audit = checked.auditOptions ? createAudit({ ...checked.auditOptions, store: auditStore }, log, metrics) : false;
  // Where each asset's write-back to its DAM stands (issue 16).
  const sync = new RemoteSyncStore(storage);
  const writebackSettled = settled(sync);
  const runner = new JobRunner(new RemoteFlowStore(storage), {
    log,
    // A write carried out in the background (a webhook's, a resumed one) is audited when it ends,
    // and what it changed in Content Server is read afresh.
    onSettled: (job, outcome, r) => {
      if (job.kind === 'asset.rights.writeback') {
        void writebackSettled(job, outcome, r).catch((e: unknown) =>
          log.warn('a write-back outcome could not be recorded', { job: job.id, error: (e as Error).message }),
        );
        return;
      }
      if (outcome === 'done' && /^(workspace|document)\./.test(job.kind))
        sources.cache.invalidate((key) => key.includes('\u0001OTCS\u0000'));
      if (audit)
        audit.recordWrite(
          { principalId: job.actor },
          {
            operation: job.kind,
            outcome,
            idempotencyKey: job.idempotencyKey,
            ...(outcome === 'done' ? {} : { error: String((r as Error)?.message ?? r).slice(0, 300) }),
          },
        );
    },
  });
  const writes: Writes = {
    runner,
    commands: registerWriteCommands(runner, sources.writes),
    // What a write changed in Content Server is read afresh.
    written: () => void sources.cache.invalidate((key) => key.includes('\u0001OTCS\u0000')),
  };
  // Statuses back to business objects' systems, on the change feed's events (below).
  const statuses = registerStatusReports(runner, createStatusClient({ endpoints: config.business.statusEndpoints }));
  // Rights follow the licence: written back to every citing asset's DAM, read from the sources
  // themselves (uncached). Registered before the runner starts, so a job left by a stop resumes.
  const rights = config.writeback.enabled ? rightsConsumer(runner, { ecm: sources.raw.ecm, dams: sources.raw.dams, sync }) : null;
  runner.start();
  // Content events out (issue 15): the outbox on the storage thread, its dispatcher, the subscriptions.
  const outboxStore = new RemoteOutboxStore(storage);
  const guard = { demo: config.demo, allow: config.webhooks.allow };
  const dispatcher = new Dispatcher({
    store: outboxStore,
    post: createWebhookPost(guard),
    guard,
    log,
    intervalMs: config.webhooks.dispatchIntervalMs,
    timeoutMs: config.webhooks.timeoutMs,
    retry: { minMs: config.webhooks.backoffMinMs, maxMs: config.webhooks.backoffMaxMs, horizonMs: config.webhooks.retryHorizonMs },
  });
  const webhooks = new WebhookSubscriptions({
    store: outboxStore,
    guard,
    secretGraceMs: config.webhooks.secretGraceMs,
    kick: () => dispatcher.kick(),
  });
  dispatcher.start();
  // The change feed (issue 15): each source polled for what changed; the events and the feed's
  // cursor go to the outbox together, then the cache drops exactly what held the changed objects,
  // and a document approved in a business object's workspace is reported to that object's system.
  const outbox = dispatcher.port();
  const feedOutbox: OutboxPort = {
    cursor: (feed) => outbox.cursor(feed),
    append: async (feedName, events, cursor) => {
      const r = await outbox.append(feedName, events, cursor);
      if (events.length) {
        sources.cache.invalidateTags(events.flatMap(tagsForChange));
        consumers.kick();
      }
      return r;
    },
  };
  // What Atrium itself does on the events, read back from the outbox after each consumer's cursor.
  const consumers = new OutboxConsumers({
    store: outboxStore,
    consumers: [statusConsumer(sources.ecm, statuses, log), ...(rights ? [rights] : [])],
    // An append kicks them at once; this catches what another gateway appended, or a round that failed.
    intervalMs: Math.min(...Object.values(config.feed.intervalMs)),
    log,
  });
  consumers.start();
  const feed = config.feed.enabled
    ? new ChangeFeed({
        outbox: feedOutbox,
        sources: [
          createOtcsFeed(sources.raw.ecm, { dams: Object.values(sources.raw.dams) }),
          ...Object.values(sources.raw.dams).map((d) => createDamFeed(d)),
        ],
        intervalMs: config.feed.intervalMs,
        log,
      })
    : null;
  feed?.start();
  const hookSecrets: Record<string, string> = {};
  for (const source of new Set([...Object.keys(config.hooks.secrets), ...(config.demo ? ['crm'] : [])])) {
    const secret = await hookSecret(source, { configured: config.hooks.secrets, dataDir: config.dataDir, demo: config.demo });
    if (secret) hookSecrets[source] = secret;
  }
  const gateway = buildGateway({
    sources,
    log,
    publicUrl: url,
    introspection: config.demo,
    signer,
    metrics,
    audit,
    writes,
    webhooks,
    sync,
    maxUploadBytes: config.uploads.maxBytes,
    hooks: hookVerifiers(hookSecrets),
    ...(config.feed.iconikHeader ? { iconikHook: { header: config.feed.iconikHeader, outbox: feedOutbox } } : {}),
    ...(feed ? { feed } : {}),
    trustProxy: config.trustProxy,
    principal: (req) => checked.authenticator.principalFor(req.headers.authorization),
    ...(config.demo ? { directory: demoDirectory(createWorld(config.world)) } : {}),
  });
  await gateway.start();
  server.on('request', (req, res) => void gateway.handle(req, res));

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    gateway.beginStop();
    const drained = await drainer.drain(config.drainMs);
    if (drained.cut > 0) log.warn('drain deadline passed: connections still open were cut', { ...drained, drainMs: config.drainMs });
    else log.info('requests in flight finished', { ...drained });
    // Only now: Apollo refuses operations once stopped, so stopping earlier failed requests in flight.
    await gateway.stop().catch((e: unknown) => log.error('stopping Apollo failed', { error: (e as Error).message }));
    // A poll under way finishes (its events and cursor are appended together, or neither).
    await feed?.stop();
    // Events not handled yet are handled by the next start (or another gateway): each consumer's cursor is durable.
    await consumers.stop();
    // Writes still pending are resumed by the next start (or another gateway): their jobs are durable.
    await runner.stop();
    // Deliveries not sent yet stay pending in the outbox; the next start (or another gateway) sends them.
    await dispatcher.stop();
    // Last, once no request can add events: write what is buffered, then close the store.
    if (audit && !(await settlesWithin(audit.close(config.audit.shutdownMs), config.audit.shutdownMs + STORE_CLOSE_GRACE_MS)))
      log.error('the audit store did not close in time', { store: audit.store.location });
    await storage.close().catch((e: unknown) => log.error('closing the storage thread failed', { error: (e as Error).message }));
    log.info('gateway stopped', audit ? { audit: audit.status() } : {});
  };
  const running: RunningGateway = {
    url,
    gateway,
    sources,
    server,
    outbox: feedOutbox,
    feed,
    beginStop: () => gateway.beginStop(),
    close: () => (closing ??= close()),
  };

  // A PostgreSQL that answered the check is now opened and migrated; a refusal there (privileges,
  // a failed migration) stops the start like one found by the check. PGlite opens in the
  // background (creating it takes seconds and has no such refusals left once its folder checked out).
  if (audit && checked.database?.ok && config.audit.databaseUrl) {
    const opened = await outcomeWithin(audit.store.open(), STORE_OPEN_WAIT_MS);
    if (opened === 'late')
      log.warn('audit store still opening: serving degraded (/readyz 503) until it is', { store: audit.store.location });
    else if (opened instanceof Error) {
      await running.close();
      throw new StartupError([`audit store ${audit.store.location}: ${storeProblem(storeOptions(config.audit), opened)}`]);
    }
  }
  return running;
}

/** `p`'s outcome within `ms`: 'done', its error, or 'late'. */
async function outcomeWithin(p: Promise<unknown>, ms: number): Promise<'done' | 'late' | Error> {
  let outcome: 'done' | Error = 'done';
  const settled = await settlesWithin(
    p.catch((e: unknown) => {
      outcome = e instanceof Error ? e : new Error(String(e));
    }),
    ms,
  );
  return settled ? outcome : 'late';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let config: Readonly<Config> | undefined;
  try {
    config = loadConfig();
    const log = createLogger(config.logLevel);
    const running = await startGateway(config, log);
    log.info('gateway listening', { url: running.url });
    stopOnSignals(
      async (signal) => {
        log.info('stopping', { signal, drainMs: config?.drainMs });
        await running.close();
      },
      {
        onRepeat: (signal) =>
          log.warn('already stopping: waiting for requests in flight and the audit (SIGKILL ends at once, losing buffered events)', {
            signal,
          }),
        onError: (e) => log.error('stop failed', { error: (e as Error)?.message }),
      },
    );
  } catch (e) {
    console.error(e instanceof ConfigError || e instanceof StartupError ? e.message : e);
    process.exit(1);
  }
}
