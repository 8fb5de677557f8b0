/**
 * Starts the gateway on its port. `npm start` calls `startGateway`; run alone
 * (`node --import tsx gateway/main.ts`) it serves against the configured upstreams.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadMapping } from '../sources/mapping.ts';
import { createAuthenticator, type Authenticator } from './auth.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { demoIssuer } from './demo-issuer.ts';
import { createLogger, type Logger } from './log.ts';
import { buildGateway, type Gateway } from './server.ts';
import { createAudit, type CreateAuditOptions } from '../audit/index.ts';
import { loadCheckpointKey } from './checkpoint-key.ts';
import { Metrics } from './plugins/metrics.ts';
import { createSigner } from '../access/links.ts';
import { downloadSecret } from './files.ts';
import { createWorld } from '../simulators/demo/world.ts';
import { demoDirectory } from './demo-users.ts';
import type { Sources } from '../access/sources.ts';
import { buildSources } from './sources.ts';

export interface RunningGateway {
  url: string;
  gateway: Gateway;
  sources: Sources;
  server: Server;
  close(): Promise<void>;
}

/** The configured issuers, plus the gateway's own demo issuer in demo mode. */
export async function buildAuthenticator(config: Readonly<Config>, log: Logger): Promise<Authenticator> {
  const issuers = [...config.auth.issuers, ...(config.demo ? [(await demoIssuer(config.dataDir)).issuerConfig] : [])];
  if (issuers.length === 0) log.warn('no AUTH_ISSUERS configured: every reader is anonymous');
  return createAuthenticator({ issuers, clockToleranceS: config.auth.clockToleranceS, log });
}

/** The audit's options from the configuration: the store, the writer, and checkpoints when there is a key. */
function auditOptions(config: Readonly<Config>, log: Logger): CreateAuditOptions {
  const { checkpointKey: configured, checkpointIntervalMs: intervalMs, checkpointEvents: everyEvents, ...rest } = config.audit;
  const key = loadCheckpointKey(configured, config.dataDir, config.demo);
  if (!key) log.warn('no AUDIT_CHECKPOINT_KEY: the audit chain is not checkpointed (a cut-off tail would go unnoticed)');
  return { ...rest, ...(key ? { checkpoints: { key, intervalMs, everyEvents } } : {}) };
}

/** Build and listen. */
export async function startGateway(config: Readonly<Config>, log: Logger, opts: { port?: number } = {}): Promise<RunningGateway> {
  const mapping = loadMapping(config.mappingFile);
  const sources = buildSources(config, mapping, {});
  const authenticator = await buildAuthenticator(config, log);
  const port = opts.port ?? config.gatewayPort;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.host, () => resolve());
  });
  const url = `http://${config.host}:${(server.address() as AddressInfo).port}`;
  const signer = createSigner(downloadSecret(config.downloads.secret, config.dataDir, config.demo), url, config.downloads.ttlS * 1000);
  const metrics = new Metrics();
  // The audit store opens (and migrates) in the background: a database that is slow or down never delays serving.
  const audit = config.audit.enabled ? createAudit(auditOptions(config, log), log, metrics) : false;
  const gateway = buildGateway({
    sources,
    log,
    publicUrl: url,
    introspection: config.demo,
    signer,
    metrics,
    audit,
    trustProxy: config.trustProxy,
    principal: (req) => authenticator.principalFor(req.headers.authorization),
    ...(config.demo ? { directory: demoDirectory(createWorld(config.world)) } : {}),
  });
  await gateway.start();
  server.on('request', (req, res) => void gateway.handle(req, res));
  return {
    url,
    gateway,
    sources,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await gateway.stop();
      // Last, once no request can add events: write what is buffered, then close the store.
      if (audit) await audit.close(config.audit.shutdownMs);
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const config = loadConfig();
    const log = createLogger('info');
    const running = await startGateway(config, log);
    log.info('gateway listening', { url: running.url });
    const stop = () => void running.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : e);
    process.exit(1);
  }
}
