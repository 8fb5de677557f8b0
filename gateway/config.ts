/**
 * The only reader of `process.env`. Parses once into a typed, frozen object and reports every
 * missing or malformed variable at once. Defaults run everything on one machine against the
 * simulators (demo mode); a real deployment sets the upstream URLs and credentials.
 */
import { resolve } from 'node:path';
import { DEFAULT_PORTS, DEMO_CREDENTIALS } from '../simulators/demo/credentials.ts';
import {
  DEMO_ICONIK_DISTRIBUTION_COLLECTIONS,
  DEMO_NETX_DISTRIBUTION_FOLDERS,
  DEMO_OTMM_DISTRIBUTION_POLICIES,
} from '../simulators/demo/distribution.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const POSITIVE = /^[1-9][0-9]{0,15}$/;
import { DEMO_MAPPING_FILE } from '../sources/mapping.ts';
import { DEFAULT_CLOCK_TOLERANCE_S, issuersProblems, type IssuerConfig } from './auth.ts';
import { DEMO_CRM_STATUS_TOKEN, DEMO_ISSUER, HOOK_SOURCE_NAME } from './demo-issuer.ts';
import { statusEndpointsFrom, type StatusEndpoint } from '../sources/business/status.ts';
import { secretProblem } from '../flows/inbound/standard-webhooks.ts';
import { parseAllowList, type AllowEntry } from '../flows/outbound/ssrf.ts';
import { DEFAULT_READY_BUFFER_FRACTION, DEFAULT_READY_LAG_MS } from '../audit/writer.ts';

export interface Config {
  /** Demo mode: simulators, demo users and tokens, introspection. */
  demo: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  host: string;
  dataDir: string;
  gatewayPort: number;
  portalPort: number;
  /**
   * Longest a graceful stop waits for requests in flight once the gateway stopped accepting
   * connections, in ms; whatever is still open then is cut.
   */
  drainMs: number;
  /** Start the simulators with `npm start` (demo mode default). */
  simulators: boolean;
  world: { seed: number; scale: number; asOf?: string };
  simPorts: { otcs: number; iconik: number; netx: number; otmm: number };
  /** The demo CRM simulator's port (`simulators/crm/`): receives status calls, sends inbound webhooks. */
  crmSimPort: number;
  /** Latency every simulator adds to each request (benchmarks' upstream floor). */
  simLatencyMs: number;
  mappingFile: string;
  upstream: {
    timeoutMs: number;
    retries: number;
    /** How long past its freshness a cached read may answer for a failing source, in ms (0: never). */
    staleMs: number;
    /** How long a source's open circuit stays open before one probe goes through, in ms. */
    breakerHalfOpenMs: number;
    otcs: { url: string; username: string; password: string; domain: string };
    iconik: { url: string; appId: string; authToken: string; distributionCollections: string[] };
    netx: { url: string; apiToken: string; distributionFolders: number[] };
    otmm: { url: string; username: string; password: string; distributionPolicies: number[] };
  };
  /** Write-back to the DAMs (issue 16): rights follow the ECM licence each asset cites. */
  writeback: {
    /** Write rights back at all (needs the change feed: it is what notices licence changes). */
    enabled: boolean;
  };
  auth: {
    /** Identity providers whose bearer tokens are accepted (demo mode adds the demo issuer). */
    issuers: IssuerConfig[];
    /** Leeway for token expiry and not-before, in seconds. */
    clockToleranceS: number;
  };
  /** Inbound webhooks (`/hooks/<source>`, Standard Webhooks). */
  hooks: {
    /**
     * Secrets (`whsec_` + base64) by source, from `HOOK_SECRETS`. A source without one accepts
     * no webhooks, except in demo mode, where the demo sources get one generated in the data
     * directory (`hookSecret` in demo-issuer.ts resolves both).
     */
    secrets: Record<string, string>;
  };
  /** The change feed (issue 15): how each source's changes are noticed. */
  feed: {
    /** Poll at all (off: no content events, and changes reach readers only as cache entries expire). */
    enabled: boolean;
    /** Poll interval per feed (`otcs`, `iconik`, `netx`, `otmm`), in ms. */
    intervalMs: Record<string, number>;
    /** The static header iconik's webhook registration sends (`ICONIK_WEBHOOK_HEADER`, `Name: value`); without it, `/hooks/iconik` is off. */
    iconikHeader?: { name: string; value: string };
  };
  /** Business-object systems (CRM, ERP) Atrium reports document statuses to. */
  business: {
    /**
     * Status-call endpoint by business-object system, from `BO_STATUS_ENDPOINTS` (demo default:
     * `SFDC` → the demo CRM's `/api/status`). A system without one is not told.
     */
    statusEndpoints: Record<string, StatusEndpoint>;
  };
  /** Outgoing webhooks (flows/outbox/): the dispatcher, its retries and the SSRF guard's allow-list. */
  webhooks: {
    /** Hosts and address ranges a subscription may target even when private or loopback (`WEBHOOK_ALLOW_HOSTS`). */
    allow: AllowEntry[];
    /** How often the dispatcher looks for due deliveries, in ms (appended events go out at once). */
    dispatchIntervalMs: number;
    /** One attempt's deadline, in ms. */
    timeoutMs: number;
    /** How long a delivery is retried before it is dead, in ms. */
    retryHorizonMs: number;
    /** First and longest wait between attempts, in ms (doubling, with jitter). */
    backoffMinMs: number;
    backoffMaxMs: number;
    /** How long a rotated-out secret keeps signing beside the new one, in ms. */
    secretGraceMs: number;
  };
  uploads: {
    /** Largest file a write may carry, in bytes. */
    maxBytes: number;
  };
  downloads: {
    /** HMAC secret for signed download links (demo mode: generated and kept in the data directory). */
    secret?: string;
    /** Lifetime of a download link, in seconds. */
    ttlS: number;
  };
  /** Access auditing (audit/). */
  audit: {
    /** Off only to measure its cost (benchmarks). */
    enabled: boolean;
    /** PostgreSQL connection string; without one, PGlite in `dir`. */
    databaseUrl?: string;
    /** PostgreSQL schema of the audit tables. */
    schema: string;
    /** PGlite directory (in the data directory). */
    dir: string;
    /** Most events held in memory while the store is unreachable; past it the oldest are dropped (and a gap recorded). */
    bufferMax: number;
    /** Longest an event waits before it is written, in ms. */
    batchMs: number;
    /** Most events per write. */
    batchSize: number;
    /** Longest wait at shutdown for buffered events to be written, in ms. */
    shutdownMs: number;
    /** Write lag (age of the oldest unwritten event) past which /readyz says degraded, in ms. */
    readyLagMs: number;
    /** Share of `bufferMax` past which /readyz says degraded (0 to 1): well before anything is dropped. */
    readyBufferFraction: number;
    /** Ed25519 private key (PKCS#8 PEM) that signs checkpoints of the chain (demo mode: generated and kept in the data directory). */
    checkpointKey?: string;
    /** A checkpoint at least this often while events are written, in ms. */
    checkpointIntervalMs: number;
    /** ... and as soon as this many events were written since the last one. */
    checkpointEvents: number;
    /** Where every record is journaled before its response goes out (in the data directory); absent: no journal. */
    journalDir?: string;
  };
  /** Take the client address from x-forwarded-for (only behind a proxy that sets it). */
  trustProxy: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`configuration is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Parse a configuration from an environment (defaults to process.env). */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = [];
  const str = (name: string, fallback: string): string => {
    const v = env[name];
    return v === undefined || v === '' ? fallback : v;
  };
  const int = (name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be an integer between ${min} and ${max} (got "${v}")`);
      return fallback;
    }
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = env[name];
    if (v === undefined || v === '') return fallback;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    problems.push(`${name} must be true or false (got "${v}")`);
    return fallback;
  };
  const url = (name: string, fallback: string): string => {
    const v = str(name, fallback);
    try {
      const u = new URL(v);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      problems.push(`${name} must be an http(s) URL`);
    }
    return v.replace(/\/+$/, '');
  };

  const demo = bool('ATRIUM_DEMO', true);
  const host = str('HOST', '127.0.0.1');
  const port = (name: string, fallback: number) => int(name, fallback, 0, 65535);
  const simPorts = {
    otcs: port('OTCS_SIM_PORT', DEFAULT_PORTS.otcs),
    iconik: port('ICONIK_SIM_PORT', DEFAULT_PORTS.iconik),
    netx: port('NETX_SIM_PORT', DEFAULT_PORTS.netx),
    otmm: port('OTMM_SIM_PORT', DEFAULT_PORTS.otmm),
  };
  const crmSimPort = port('CRM_SIM_PORT', DEFAULT_CRM_SIM_PORT);
  const local = (p: number, path = '') => `http://${host}:${p}${path}`;
  // Outside demo mode there are no simulator defaults: every upstream must be configured.
  /** A comma- or space-separated list of ids, each matching `pattern`. */
  const ids = (name: string, fallback: readonly string[], pattern: RegExp): string[] => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return [...fallback];
    const list = raw.split(/[\s,]+/).filter(Boolean);
    const bad = list.filter((x) => !pattern.test(x));
    if (bad.length)
      problems.push(`${name} must list ${pattern === UUID ? 'UUIDs' : 'positive integer ids'}, comma-separated (${bad.length} not)`);
    return bad.length ? [] : list;
  };
  const need = (name: string, demoDefault: string): string => {
    if (!demo && !env[name]) problems.push(`${name} is required when ATRIUM_DEMO=false`);
    return str(name, demo ? demoDefault : '');
  };
  const asOf = env.ATRIUM_AS_OF;
  if (asOf && Number.isNaN(Date.parse(asOf))) problems.push(`ATRIUM_AS_OF must be a date (got "${asOf}")`);

  const logLevel = str('LOG_LEVEL', 'info');
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel))
    problems.push(`LOG_LEVEL must be debug, info, warn, error or silent (got "${logLevel}")`);

  const json = (name: string): unknown => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    try {
      return JSON.parse(v);
    } catch {
      problems.push(`${name} must be valid JSON`);
      return undefined;
    }
  };
  const issuers = json('AUTH_ISSUERS') ?? [];
  const issuerProblems = issuersProblems(issuers, 'AUTH_ISSUERS');
  if (demo && Array.isArray(issuers) && issuers.some((i: { issuer?: unknown } | null) => i?.issuer === DEMO_ISSUER))
    issuerProblems.push(`AUTH_ISSUERS may not name "${DEMO_ISSUER}": demo mode issues it itself`);
  problems.push(...issuerProblems);

  const hookSecrets = hookSecretsFrom(json('HOOK_SECRETS'), problems);
  // FEED_INTERVAL_MS for every feed, FEED_INTERVALS_MS ({"otcs":2000}) for some.
  const feedDefault = int('FEED_INTERVAL_MS', 5000, 100, 3_600_000);
  const feedIntervals: Record<string, number> = { otcs: feedDefault, iconik: feedDefault, netx: feedDefault, otmm: feedDefault };
  const perFeed = json('FEED_INTERVALS_MS');
  if (perFeed !== undefined) {
    if (typeof perFeed !== 'object' || perFeed === null || Array.isArray(perFeed))
      problems.push('FEED_INTERVALS_MS must be a JSON object of feed to milliseconds, e.g. {"otcs":2000}');
    else
      for (const [feed, ms] of Object.entries(perFeed as Record<string, unknown>)) {
        if (!(feed in feedIntervals)) problems.push(`FEED_INTERVALS_MS names an unknown feed (otcs, iconik, netx or otmm)`);
        else if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 100 || ms > 3_600_000)
          problems.push(`FEED_INTERVALS_MS.${feed} must be an integer from 100 to 3600000`);
        else feedIntervals[feed] = ms;
      }
  }
  const iconikHeaderRaw = env.ICONIK_WEBHOOK_HEADER;
  let iconikHeader: { name: string; value: string } | undefined;
  if (iconikHeaderRaw) {
    const m = /^([A-Za-z0-9-]{1,64}):\s*(\S.{7,255})$/.exec(iconikHeaderRaw.trim());
    if (!m) problems.push('ICONIK_WEBHOOK_HEADER must be "Header-Name: value" with a value of 8 to 256 characters');
    else iconikHeader = { name: (m[1] as string).toLowerCase(), value: (m[2] as string).trim() };
  }
  const statusJson = json('BO_STATUS_ENDPOINTS');
  const statusEndpoints =
    statusJson === undefined && demo
      ? { SFDC: { url: local(crmSimPort, '/api/status'), token: DEMO_CRM_STATUS_TOKEN } }
      : statusEndpointsFrom(statusJson, problems);

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl) {
    let u: URL | null = null;
    try {
      const parsed = new URL(databaseUrl);
      if (!['postgres:', 'postgresql:'].includes(parsed.protocol)) throw new Error('protocol');
      u = parsed;
    } catch {
      problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
    }
    // Without a user the driver falls back to the operating-system user, which fails only at the first write.
    if (u && !u.username && !u.searchParams.get('user'))
      problems.push('DATABASE_URL must name a user, e.g. postgres://atrium@127.0.0.1:5432/atrium');
  }
  const auditSchema = str('AUDIT_SCHEMA', 'public');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(auditSchema))
    problems.push(`AUDIT_SCHEMA must be a lower-case SQL identifier (got "${auditSchema}")`);
  // PEM in an environment variable often arrives with literal \n for its line breaks.
  const checkpointKey = env.AUDIT_CHECKPOINT_KEY?.trim().replace(/\\n/g, '\n') || undefined;
  if (checkpointKey && !/^-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----$/.test(checkpointKey))
    problems.push('AUDIT_CHECKPOINT_KEY must be an Ed25519 private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)');
  const audit: Config['audit'] = {
    enabled: bool('AUDIT_ENABLED', true),
    ...(databaseUrl ? { databaseUrl } : {}),
    schema: auditSchema,
    dir: resolve(str('ATRIUM_DATA_DIR', '.data'), 'audit'),
    bufferMax: int('AUDIT_BUFFER_MAX', 100_000, 1, 10_000_000),
    batchMs: int('AUDIT_BATCH_MS', 200, 1, 60_000),
    batchSize: int('AUDIT_BATCH_SIZE', 10_000, 1, 1_000_000),
    shutdownMs: int('AUDIT_SHUTDOWN_MS', 30_000, 0, 600_000),
    readyLagMs: int('AUDIT_READY_LAG_MS', DEFAULT_READY_LAG_MS, 1, 600_000),
    readyBufferFraction: int('AUDIT_READY_BUFFER_PCT', DEFAULT_READY_BUFFER_FRACTION * 100, 1, 100) / 100,
    ...(checkpointKey ? { checkpointKey } : {}),
    checkpointIntervalMs: int('AUDIT_CHECKPOINT_INTERVAL_S', 300, 1, 86_400) * 1000,
    checkpointEvents: int('AUDIT_CHECKPOINT_EVENTS', 100_000, 1, 100_000_000),
    ...(bool('AUDIT_JOURNAL', true) ? { journalDir: resolve(str('ATRIUM_DATA_DIR', '.data'), 'audit-journal') } : {}),
  };

  const config: Config = {
    demo,
    logLevel: logLevel as Config['logLevel'],
    host,
    dataDir: resolve(str('ATRIUM_DATA_DIR', '.data')),
    gatewayPort: port('GATEWAY_PORT', 4000),
    portalPort: port('PORTAL_PORT', 3000),
    drainMs: int('SHUTDOWN_DRAIN_MS', 25_000, 0, 600_000),
    simulators: bool('ATRIUM_SIMULATORS', demo),
    world: { seed: int('ATRIUM_SEED', 42), scale: int('ATRIUM_SCALE', 1, 1, 4000), ...(asOf ? { asOf } : {}) },
    simPorts,
    crmSimPort,
    simLatencyMs: int('SIM_LATENCY_MS', 0, 0, 60_000),
    mappingFile: resolve(str('MAPPING_FILE', DEMO_MAPPING_FILE)),
    upstream: {
      timeoutMs: int('UPSTREAM_TIMEOUT_MS', 3000, 1, 120_000),
      retries: int('UPSTREAM_RETRIES', 2, 0, 10),
      staleMs: int('UPSTREAM_STALE_S', 300, 0, 86_400) * 1000,
      breakerHalfOpenMs: int('UPSTREAM_BREAKER_HALF_OPEN_MS', 1000, 100, 600_000),
      otcs: {
        url: url('OTCS_URL', demo ? local(simPorts.otcs, '/otcs/cs.exe') : 'http://unset.invalid'),
        username: need('OTCS_USERNAME', DEMO_CREDENTIALS.otcs.username),
        password: need('OTCS_PASSWORD', DEMO_CREDENTIALS.otcs.password),
        domain: str('OTCS_DOMAIN', ''),
      },
      iconik: {
        url: url('ICONIK_URL', demo ? local(simPorts.iconik, '/API') : 'http://unset.invalid'),
        appId: need('ICONIK_APP_ID', DEMO_CREDENTIALS.iconik.appId),
        authToken: need('ICONIK_AUTH_TOKEN', DEMO_CREDENTIALS.iconik.authToken),
        distributionCollections: ids('ICONIK_DISTRIBUTION_COLLECTIONS', demo ? DEMO_ICONIK_DISTRIBUTION_COLLECTIONS : [], UUID),
      },
      netx: {
        url: url('NETX_URL', demo ? local(simPorts.netx) : 'http://unset.invalid'),
        apiToken: need('NETX_API_TOKEN', DEMO_CREDENTIALS.netx.apiToken),
        distributionFolders: ids('NETX_DISTRIBUTION_FOLDERS', demo ? DEMO_NETX_DISTRIBUTION_FOLDERS.map(String) : [], POSITIVE).map(Number),
      },
      otmm: {
        url: url('OTMM_URL', demo ? local(simPorts.otmm) : 'http://unset.invalid'),
        username: need('OTMM_USERNAME', DEMO_CREDENTIALS.otmm.username),
        password: need('OTMM_PASSWORD', DEMO_CREDENTIALS.otmm.password),
        distributionPolicies: ids('OTMM_DISTRIBUTION_POLICIES', demo ? DEMO_OTMM_DISTRIBUTION_POLICIES.map(String) : [], POSITIVE).map(
          Number,
        ),
      },
    },
    writeback: { enabled: bool('WRITEBACK_ENABLED', true) },
    auth: {
      issuers: issuerProblems.length ? [] : (issuers as IssuerConfig[]),
      clockToleranceS: int('AUTH_CLOCK_TOLERANCE_S', DEFAULT_CLOCK_TOLERANCE_S, 0, 300),
    },
    hooks: { secrets: hookSecrets },
    business: { statusEndpoints },
    feed: { enabled: bool('FEED_ENABLED', true), intervalMs: feedIntervals, ...(iconikHeader ? { iconikHeader } : {}) },
    webhooks: {
      allow: parseAllowList(str('WEBHOOK_ALLOW_HOSTS', ''), problems),
      dispatchIntervalMs: int('WEBHOOK_DISPATCH_INTERVAL_MS', 1000, 10, 600_000),
      timeoutMs: int('WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      retryHorizonMs: int('WEBHOOK_RETRY_HORIZON_S', 86_400, 1, 30 * 86_400) * 1000,
      backoffMinMs: int('WEBHOOK_BACKOFF_MIN_MS', 5_000, 1, 3_600_000),
      backoffMaxMs: int('WEBHOOK_BACKOFF_MAX_MS', 3_600_000, 1, 86_400_000),
      secretGraceMs: int('WEBHOOK_SECRET_GRACE_S', 86_400, 0, 30 * 86_400) * 1000,
    },
    uploads: { maxBytes: int('UPLOAD_MAX_BYTES', 100 * 1024 * 1024, 1, 1024 ** 4) },
    downloads: {
      ...(env.DOWNLOAD_SECRET ? { secret: env.DOWNLOAD_SECRET } : {}),
      ttlS: int('DOWNLOAD_URL_TTL_S', 300, 10, 86_400),
    },
    audit,
    trustProxy: bool('TRUST_PROXY', false),
  };
  if (env.DOWNLOAD_SECRET !== undefined && env.DOWNLOAD_SECRET.length < 32) problems.push('DOWNLOAD_SECRET must be at least 32 characters');
  if (!demo && !env.DOWNLOAD_SECRET) problems.push('DOWNLOAD_SECRET is required when ATRIUM_DEMO=false');
  if (!demo)
    for (const name of ['OTCS_URL', 'ICONIK_URL', 'NETX_URL', 'OTMM_URL'])
      if (!env[name]) problems.push(`${name} is required when ATRIUM_DEMO=false`);
  if (config.webhooks.backoffMinMs > config.webhooks.backoffMaxMs)
    problems.push('WEBHOOK_BACKOFF_MIN_MS must not be more than WEBHOOK_BACKOFF_MAX_MS');
  if (problems.length) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** The CRM simulator's default port, next to the four of DESIGN.md. */
export const DEFAULT_CRM_SIM_PORT = 4105;

/**
 * `HOOK_SECRETS`: a JSON object of source name → Standard Webhooks secret. Problems name the
 * source and what is wrong with the value's shape, never the value.
 */
function hookSecretsFrom(raw: unknown, problems: string[]): Record<string, string> {
  if (raw === undefined) return {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push('HOOK_SECRETS must be a JSON object of source name to secret, e.g. {"crm":"whsec_..."}');
    return {};
  }
  const out: Record<string, string> = {};
  for (const [source, secret] of Object.entries(raw)) {
    const problem = secretProblem(secret);
    if (!HOOK_SOURCE_NAME.test(source))
      problems.push(`HOOK_SECRETS may only name sources of lower-case letters, digits and "-" (at most 32, starting with a letter)`);
    else if (problem) problems.push(`HOOK_SECRETS.${source} ${problem}`);
    else out[source] = secret as string;
  }
  return out;
}

function deepFreeze<T>(o: T): Readonly<T> {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
