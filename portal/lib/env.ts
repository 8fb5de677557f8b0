/**
 * The portal's only reader of `process.env`: parsed once into a frozen object; every bad or
 * missing value is reported at once. (next-auth itself also reads NEXTAUTH_URL.)
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface PortalEnv {
  /** Demo mode: credentials sign-in for the demo users, tokens from the demo issuer. */
  demo: boolean;
  /** Where the gateway answers the portal's server (GraphQL and signed downloads). */
  gatewayUrl: string;
  /** Shared with the gateway: demo keys, and the portal's terms acceptances. */
  dataDir: string;
  /** Encrypts next-auth's session cookie. */
  authSecret: string;
  /** Generic OpenID Connect provider, for real deployments. */
  oidc: { issuer: string; clientId: string; clientSecret: string; scope: string; name: string } | null;
}

class PortalConfigError extends Error {
  override readonly name = 'PortalConfigError';
  constructor(readonly problems: string[]) {
    super(`portal configuration is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Parse the portal's configuration from an environment. */
function parseEnv(env: Env): Readonly<PortalEnv> {
  const problems: string[] = [];
  const str = (name: string, fallback = ''): string => {
    const v = env[name];
    return v === undefined || v === '' ? fallback : v;
  };
  const demoRaw = str('ATRIUM_DEMO', 'true');
  let demo = true;
  if (/^(0|false|no|off)$/i.test(demoRaw)) demo = false;
  else if (!/^(1|true|yes|on)$/i.test(demoRaw)) problems.push(`ATRIUM_DEMO must be true or false (got "${demoRaw}")`);

  const gatewayUrl = str('ATRIUM_GATEWAY_URL', `http://${str('HOST', '127.0.0.1')}:${str('GATEWAY_PORT', '4000')}`).replace(/\/+$/, '');
  try {
    const u = new URL(gatewayUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    problems.push('ATRIUM_GATEWAY_URL must be an http(s) URL');
  }
  const dataDir = resolve(str('ATRIUM_DATA_DIR', '.data'));

  let authSecret = str('NEXTAUTH_SECRET');
  if (authSecret && authSecret.length < 32) problems.push('NEXTAUTH_SECRET must be at least 32 characters');
  if (!authSecret && !demo) problems.push('NEXTAUTH_SECRET is required when ATRIUM_DEMO=false');

  const issuer = str('OIDC_ISSUER');
  const oidc = issuer
    ? {
        issuer: issuer.replace(/\/+$/, ''),
        clientId: str('OIDC_CLIENT_ID'),
        clientSecret: str('OIDC_CLIENT_SECRET'),
        scope: str('OIDC_SCOPE', 'openid email profile'),
        name: str('OIDC_NAME', 'Single sign-on'),
      }
    : null;
  if (oidc && (!oidc.clientId || !oidc.clientSecret)) problems.push('OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required with OIDC_ISSUER');
  if (!oidc && !demo) problems.push('OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are required when ATRIUM_DEMO=false');

  if (problems.length) throw new PortalConfigError(problems);
  if (!authSecret) authSecret = demoSecret(dataDir);
  return Object.freeze({ demo, gatewayUrl, dataDir, authSecret, oidc: oidc ? Object.freeze(oidc) : null });
}

/** Demo mode only: a session secret generated once and kept in the data directory (mode 0600). */
function demoSecret(dataDir: string): string {
  const file = join(dataDir, 'portal-auth-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    try {
      writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      // Another process wrote it first: use theirs.
      return readFileSync(file, 'utf8').trim();
    }
  }
}

let cached: Readonly<PortalEnv> | undefined;

/** The portal's configuration (parsed on first use). */
export function portalEnv(): Readonly<PortalEnv> {
  cached ??= parseEnv(process.env);
  return cached;
}
