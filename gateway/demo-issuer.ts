/**
 * The demo issuer: in demo mode the gateway mints and accepts its own tokens for the demo
 * users (`npm run token`, the portal's demo sign-in). Its ES256 key pair is generated on the
 * first start and kept in the data directory, so tokens survive restarts; real deployments
 * never load it.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { DemoUser } from '../simulators/demo/world.ts';
import type { IssuerConfig } from './auth.ts';

export const DEMO_ISSUER = 'atrium-demo';
export const DEMO_AUDIENCE = 'atrium-gateway';
export const DEMO_KEY_FILE = 'demo-issuer.jwk.json';
export const DEMO_TOKEN_TTL_S = 8 * 3600;
const ALG = 'ES256';

export interface DemoIssuer {
  /** A bearer token for a demo user (default lifetime 8 h). */
  sign(user: DemoUser, ttlSeconds?: number): Promise<string>;
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
      const iat = Math.floor(now() / 1000);
      return new SignJWT({
        email: user.email,
        name: user.name,
        roles: user.roles,
        ...(user.org ? { org: user.org } : {}),
        regions: user.regions,
      })
        .setProtectedHeader({ alg: ALG, typ: 'JWT', ...(verifyKey.kid ? { kid: verifyKey.kid } : {}) })
        .setSubject(user.email)
        .setIssuer(DEMO_ISSUER)
        .setAudience(DEMO_AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(signingKey);
    },
  };
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
