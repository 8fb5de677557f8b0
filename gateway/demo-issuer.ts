/**
 * The demo issuer: in demo mode the gateway mints and accepts its own tokens for the demo
 * users (`npm run token`, the portal's demo sign-in) and the demo integration clients
 * (`npm run token -- --client crm`). Its ES256 key pair is generated on the first start and kept
 * in the data directory, so tokens survive restarts; real deployments never load it.
 *
 * Beside it, the secrets that sign inbound webhooks (`hookSecret`): configured per source, or in
 * demo mode generated once per source and kept in the data directory like the key.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { formatSecret, secretProblem } from '../flows/inbound/standard-webhooks.ts';
import type { DemoUser } from '../simulators/demo/world.ts';
import type { ClientScope, IssuerConfig } from './auth.ts';

export const DEMO_ISSUER = 'atrium-demo';
export const DEMO_AUDIENCE = 'atrium-gateway';
export const DEMO_KEY_FILE = 'demo-issuer.jwk.json';
export const DEMO_TOKEN_TTL_S = 8 * 3600;
const ALG = 'ES256';

/** A demo integration client: who it stands for and the scopes its tokens carry. */
export interface DemoClient {
  name: string;
  scopes: readonly ClientScope[];
  /** What it stands for, for `npm start`'s listing. */
  description: string;
}

/** The demo integration clients (DESIGN.md: `npm run --silent token -- --client <name>`). */
export const DEMO_CLIENTS: readonly DemoClient[] = Object.freeze([
  {
    name: 'crm',
    scopes: ['workspaces:write', 'documents:write', 'webhooks:admin'],
    description: 'the CRM: creates workspaces, files documents, subscribes to their events',
  },
  {
    name: 'exstream',
    scopes: ['assets:read', 'usage:write', 'webhooks:admin'],
    description: 'document composition: pulls assets, reports usage, subscribes to approved assets',
  },
  { name: 'hooks-admin', scopes: ['webhooks:admin'], description: 'manages webhook subscriptions' },
]);

export interface DemoIssuer {
  /** A bearer token for a demo user (default lifetime 8 h). */
  sign(user: DemoUser, ttlSeconds?: number): Promise<string>;
  /**
   * A client-credentials style token for a demo client of `DEMO_CLIENTS` (default lifetime 8 h):
   * `sub` and `client_id` its name, `scope` its scopes, no person claims. Throws on an unknown name.
   */
  signClient(name: string, ttlSeconds?: number): Promise<string>;
  /** The public half of the signing key, as a JWK with its `kid`. */
  verifyKey: JWK;
  /** The issuer as the authenticator accepts it. */
  issuerConfig: IssuerConfig;
}

/** The demo issuer whose key lives in `dataDir` (created there on first use, mode 0600). */
export async function demoIssuer(dataDir: string, opts: { now?: () => number } = {}): Promise<DemoIssuer> {
  const privateJwk = await loadOrCreateKey(join(dataDir, DEMO_KEY_FILE));
  const { d: _d, ...verifyKey } = privateJwk;
  const signingKey = await importJWK(privateJwk, ALG);
  const now = opts.now ?? Date.now;
  return {
    verifyKey,
    issuerConfig: { issuer: DEMO_ISSUER, audience: DEMO_AUDIENCE, publicKey: verifyKey, algorithms: [ALG] },
    sign(user, ttlSeconds = DEMO_TOKEN_TTL_S) {
      const claims = {
        email: user.email,
        name: user.name,
        roles: user.roles,
        ...(user.org ? { org: user.org } : {}),
        regions: user.regions,
      };
      return mint(claims, user.email, ttlSeconds);
    },
    signClient(name, ttlSeconds = DEMO_TOKEN_TTL_S) {
      const client = DEMO_CLIENTS.find((c) => c.name === name);
      if (!client) return Promise.reject(new Error(`no demo client "${name}"`));
      // RFC 9068's shape for a client-credentials grant: the client is the subject.
      return mint({ client_id: client.name, scope: client.scopes.join(' ') }, client.name, ttlSeconds);
    },
  };

  function mint(claims: Record<string, unknown>, subject: string, ttlSeconds: number): Promise<string> {
    const iat = Math.floor(now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, typ: 'JWT', ...(verifyKey.kid ? { kid: verifyKey.kid } : {}) })
      .setSubject(subject)
      .setIssuer(DEMO_ISSUER)
      .setAudience(DEMO_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(signingKey);
  }
}

/** Where demo mode keeps each source's generated webhook secret: `<dataDir>/hook-secrets/<source>`. */
/**
 * The token Atrium's status calls carry to the demo CRM (BO_STATUS_ENDPOINTS' demo default);
 * `npm start` starts the CRM simulator accepting it.
 */
export const DEMO_CRM_STATUS_TOKEN = 'crm-demo-status-token-7c1e';
export const HOOK_SECRETS_DIR = 'hook-secrets';
/** The sources that push webhooks in demo mode (each gets a generated secret). */
export const DEMO_HOOK_SOURCES: readonly string[] = Object.freeze(['crm']);
/** A source's name, as `/hooks/<source>` and `HOOK_SECRETS` spell it (and safe as a file name). */
export const HOOK_SOURCE_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/**
 * The secret (`whsec_` + base64) that signs inbound webhooks from `source`, or `null` when the
 * source has none (it pushes nothing here). A configured secret (`HOOK_SECRETS`) wins; in demo
 * mode the demo sources (`DEMO_HOOK_SOURCES`) get one generated on first use and kept in
 * `<dataDir>/hook-secrets/<source>` (mode 0600; every concurrent first use ends up with the same).
 * Errors never contain a secret.
 */
export async function hookSecret(
  source: string,
  opts: { configured: Readonly<Record<string, string>>; dataDir: string; demo: boolean },
): Promise<string | null> {
  if (!HOOK_SOURCE_NAME.test(source)) return null;
  if (Object.hasOwn(opts.configured, source)) return opts.configured[source] ?? null;
  if (!opts.demo || !DEMO_HOOK_SOURCES.includes(source)) return null;
  const file = join(opts.dataDir, HOOK_SECRETS_DIR, source);
  const existing = await readSecret(file);
  if (existing) return existing;
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, `${formatSecret(randomBytes(32))}\n`, { mode: 0o600, flag: 'wx' });
  await publish(tmp, file);
  const secret = await readSecret(file);
  if (!secret) throw new Error(`webhook secret ${file} could not be created`);
  return secret;
}

async function readSecret(file: string): Promise<string | null> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (secretProblem(text) === null) return text;
  throw new Error(`webhook secret ${file} is unreadable; delete it to generate a new one (the source must then be given the new secret)`);
}

/** Read the key file, or create it; every concurrent first start ends up with the same key. */
async function loadOrCreateKey(file: string): Promise<JWK> {
  const existing = await readKey(file);
  if (existing) return existing;
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(await newKey(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  await publish(tmp, file);
  const key = await readKey(file);
  if (!key) throw new Error(`demo issuer key ${file} could not be created`);
  return key;
}

/**
 * Move a complete temp file into place without replacing a key another process published
 * first: a hard link fails if the target exists, so the first writer wins and everyone reads
 * its key. Where hard links are unsupported, an atomic rename is the fallback.
 */
async function publish(tmp: string, file: string): Promise<void> {
  try {
    await link(tmp, file);
    await unlink(tmp);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return unlink(tmp);
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') return rename(tmp, file);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

async function readKey(file: string): Promise<JWK | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const jwk = JSON.parse(text) as JWK;
    if (jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.d === 'string') return jwk;
  } catch {
    // reported below
  }
  throw new Error(`demo issuer key ${file} is unreadable; delete it to generate a new one (demo tokens issued so far stop working)`);
}

async function newKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  // The RFC 7638 thumbprint as kid: stable for the key, lets verifiers pick it from a JWKS.
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: ALG, use: 'sig' };
}
