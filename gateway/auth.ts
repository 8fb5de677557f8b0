/**
 * Authentication: a bearer JWT from a configured issuer becomes a `Principal`, a person or an
 * integration client (the rule is `principalFromClaims`'s, and gateway/README.md's).
 *
 * Contract: no `Authorization` header means an anonymous reader (`null`); a header that is
 * present but does not carry a valid token from a configured issuer throws
 * `UnauthenticatedError` (HTTP 401) with one generic message, whatever the reason, so a
 * caller learns nothing about keys, issuers or URLs. The reason is logged, never the token.
 */
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, errors as joseErrors, jwtVerify, type JWK, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Region } from '../sources/model.ts';
import type { Principal, Role } from '../access/principal.ts';
import { UnauthenticatedError } from '../access/errors.ts';
import type { Logger } from './log.ts';

/**
 * Signature algorithms an issuer may use. Asymmetric only: `none` and the HMAC family are
 * not representable, which rules out unsigned tokens and the key-confusion attack (an HS256
 * token "signed" with the issuer's public key as the shared secret).
 */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;
export type Algorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];
export const DEFAULT_ALGORITHMS: readonly Algorithm[] = ['RS256', 'ES256', 'EdDSA'];
export const DEFAULT_CLOCK_TOLERANCE_S = 30;

/** One identity provider whose tokens the gateway accepts. Exactly one of `jwksUrl`, `publicKey`. */
export interface IssuerConfig {
  /** The exact `iss` claim. */
  issuer: string;
  /** The `aud` the gateway requires (any one of them, if several). */
  audience: string | string[];
  /** Where the issuer publishes its signing keys (JWKS, selected by `kid`). */
  jwksUrl?: string;
  /** A single verification key: SPKI/X.509 PEM text or a public JWK. */
  publicKey?: string | JWK;
  /** Allow-list of signature algorithms (default `DEFAULT_ALGORITHMS`). */
  algorithms?: Algorithm[];
}

export interface AuthenticatorOptions {
  issuers: readonly IssuerConfig[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds (default 30). */
  clockToleranceS?: number;
  /** The verification clock in ms (injectable for tests). */
  now?: () => number;
  log?: Logger;
}

export interface Authenticator {
  /** The reader behind an `Authorization` header: `null` when absent; throws `UnauthenticatedError` when bad. */
  principalFor(authorizationHeader: string | undefined): Promise<Principal | null>;
}

const ROLES: readonly Role[] = ['partner', 'sales', 'marketing', 'compliance', 'admin'];
const REGIONS: readonly Region[] = ['EMEA', 'NA', 'APAC', 'LATAM'];
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*) *$/i;
/** Every failure reads the same to the caller. */
const GENERIC = 'Invalid or expired bearer token';

interface Verifier {
  config: IssuerConfig;
  key: KeyObject | JWTVerifyGetKey;
  algorithms: Algorithm[];
}

/** Build an authenticator over the given issuers; throws on a configuration it cannot trust. */
export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  const problems = issuersProblems(opts.issuers, 'issuers');
  if (problems.length) throw new Error(`authenticator configuration is invalid:\n  - ${problems.join('\n  - ')}`);
  const verifiers = new Map<string, Verifier>(opts.issuers.map((c) => [c.issuer, verifierFor(c)]));
  const toleranceS = opts.clockToleranceS ?? DEFAULT_CLOCK_TOLERANCE_S;
  const now = opts.now ?? Date.now;

  const reject = (reason: string, fields: Record<string, unknown> = {}): never => {
    opts.log?.info('bearer token rejected', { reason, ...fields });
    throw new UnauthenticatedError(GENERIC);
  };

  return {
    async principalFor(header) {
      if (header === undefined) return null;
      const token = BEARER.exec(header)?.[1];
      if (!token) return reject('malformed authorization header');
      const verifier = verifiers.get(unverifiedIssuer(token) ?? '');
      if (!verifier) return reject('unknown issuer');
      try {
        const { payload } = await jwtVerify(token, verifier.key, {
          issuer: verifier.config.issuer,
          audience: verifier.config.audience,
          algorithms: verifier.algorithms,
          clockTolerance: toleranceS,
          currentDate: new Date(now()),
          // A token without an expiry would be a credential for ever.
          requiredClaims: ['sub', 'exp'],
        });
        const mapped = mapClaims(payload);
        return 'principal' in mapped ? mapped.principal : reject(mapped.reason, { issuer: verifier.config.issuer });
      } catch (e) {
        if (e instanceof UnauthenticatedError) throw e;
        if (e instanceof joseErrors.JOSEError) return reject(e.code, { issuer: verifier.config.issuer });
        // Not the token's fault (a JWKS endpoint down, a bug): still a 401 for the caller, but loud here.
        opts.log?.warn('bearer token could not be verified', { issuer: verifier.config.issuer, error: (e as Error)?.message });
        throw new UnauthenticatedError(GENERIC);
      }
    },
  };
}

/** The `iss` claim read before verification, only to pick the issuer's keys; `null` if unreadable. */
function unverifiedIssuer(token: string): string | null {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : null;
  } catch {
    return null;
  }
}

function verifierFor(config: IssuerConfig): Verifier {
  const algorithms = [...(config.algorithms ?? DEFAULT_ALGORITHMS)];
  if (config.jwksUrl)
    return { config, algorithms, key: createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 }) };
  return { config, algorithms, key: publicKeyObject(config.publicKey) };
}

/** A PEM (SPKI or certificate) or a JWK as one key type, so every issuer verifies alike. */
function publicKeyObject(key: string | JWK | undefined): KeyObject {
  if (typeof key === 'string') return createPublicKey(key);
  return createPublicKey({ key: key as JsonWebKey, format: 'jwk' });
}

/**
 * The scopes an integration client may be granted (DESIGN.md, access policy, writes), in the
 * order a principal lists them. Any other scope in a token is dropped, never guessed.
 */
export const CLIENT_SCOPES = ['workspaces:write', 'documents:write', 'assets:read', 'usage:write', 'webhooks:admin'] as const;
export type ClientScope = (typeof CLIENT_SCOPES)[number];

/** Claims that make a token a person's, whatever their value: a token with any of them is never a client's. */
export const PERSON_CLAIMS = ['email', 'roles', 'atrium_roles', 'org', 'regions'] as const;
/** Claims that say a token was issued to a client (RFC 9068 `client_id`, OIDC `azp`, OAuth `scope`, `scp`). */
const CLIENT_CLAIMS = ['client_id', 'azp', 'scope', 'scp'] as const;
/** A `scope` string longer than this, or a list with more entries, grants nothing (no IdP sends that much for one API). */
export const MAX_SCOPE_CHARS = 4096;
export const MAX_SCOPE_ENTRIES = 256;
const MAX_CLIENT_NAME = 256;
/** Control characters, line separators and bidirectional overrides: never in a name that reaches logs and the audit. */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/**
 * Map verified claims to the reader (`null` when they make no usable principal); unknown
 * roles, regions and scopes are dropped, never guessed. `mapClaims` says why when `null`.
 */
export function principalFromClaims(claims: JWTPayload): Principal | null {
  const mapped = mapClaims(claims);
  return 'principal' in mapped ? mapped.principal : null;
}

/**
 * Verified claims → principal, or the reason (for the log) there is none.
 *
 * - A token carrying any person claim (`email`, `roles`, `atrium_roles`, `org`, `regions`) is a
 *   person's, mapped exactly as before; any `scope` it carries is ignored, so a person never
 *   gains a client's scopes and a client never gains roles.
 * - Otherwise a token naming a client (`client_id`, `azp`, `scope` or `scp` present) is a
 *   client's: its name is `client_id`, else `azp`, else `sub` (the first present; a present one
 *   that is not a 1–256 character printable string refuses the token); its scopes are the known
 *   ones of `scope` (space-separated; also a list) or, without `scope`, of `scp` (a list or a
 *   space-separated string); it has no email, roles or regions.
 * - Anything else (a `sub` alone) is a person with nothing, as before.
 */
export function mapClaims(claims: JWTPayload): { principal: Principal } | { reason: string } {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '') return { reason: 'sub is not a non-empty string' };
  const has = (c: string) => Object.hasOwn(claims, c);
  if (!PERSON_CLAIMS.some(has) && CLIENT_CLAIMS.some(has)) {
    const nameClaim = (['client_id', 'azp', 'sub'] as const).find(has) ?? 'sub';
    const name = claims[nameClaim];
    if (typeof name !== 'string' || name === '' || name.length > MAX_CLIENT_NAME || UNPRINTABLE.test(name))
      return { reason: `${nameClaim} is not a usable client name` };
    return { principal: { id: sub, email: '', roles: [], regions: [], client: { name, scopes: scopesOf(claims) } } };
  }
  const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : '';
  const name = typeof claims.name === 'string' && claims.name !== '' ? claims.name : undefined;
  const org = typeof claims.org === 'string' && claims.org !== '' ? claims.org : undefined;
  // `atrium_roles` is ours; `roles` is what most identity providers already emit.
  const roleClaim = Array.isArray(claims.atrium_roles) ? claims.atrium_roles : claims.roles;
  return {
    principal: {
      id: sub,
      email,
      ...(name ? { name } : {}),
      roles: known(roleClaim, ROLES),
      ...(org ? { org } : {}),
      regions: known(claims.regions, REGIONS),
    },
  };
}

/** The known scopes a client token grants, in `CLIENT_SCOPES` order; none when the claim is oversized or of another type. */
function scopesOf(claims: JWTPayload): ClientScope[] {
  const raw = Object.hasOwn(claims, 'scope') ? claims.scope : claims.scp;
  let entries: unknown[];
  if (typeof raw === 'string') {
    if (raw.length > MAX_SCOPE_CHARS) return [];
    entries = raw.split(' ');
  } else if (Array.isArray(raw)) {
    if (raw.length > MAX_SCOPE_ENTRIES) return [];
    entries = raw;
  } else {
    return [];
  }
  const granted = new Set(entries);
  return CLIENT_SCOPES.filter((s) => granted.has(s));
}

function known<T extends string>(value: unknown, allowed: readonly T[]): T[] {
  if (!Array.isArray(value)) return [];
  return [...new Set(value.filter((v): v is T => allowed.includes(v as T)))];
}

/**
 * What is wrong with one issuer configuration, each problem prefixed with `where`
 * (e.g. `AUTH_ISSUERS[1]`). Shared by config.ts, so a bad variable is reported at startup.
 */
export function issuerProblems(raw: unknown, where: string): string[] {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [`${where} must be an object`];
  const c = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof c.issuer !== 'string' || c.issuer === '') problems.push(`${where}.issuer must be a non-empty string`);
  const aud = c.audience;
  if (
    !(typeof aud === 'string' && aud !== '') &&
    !(Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string' && a !== ''))
  ) {
    problems.push(`${where}.audience must be a non-empty string or array of strings`);
  }
  if ((c.jwksUrl === undefined) === (c.publicKey === undefined)) problems.push(`${where} needs exactly one of jwksUrl and publicKey`);
  if (c.jwksUrl !== undefined) problems.push(...jwksUrlProblems(c.jwksUrl, where));
  if (c.publicKey !== undefined) problems.push(...publicKeyProblems(c.publicKey, where));
  if (c.algorithms !== undefined) problems.push(...algorithmProblems(c.algorithms, where));
  const extra = Object.keys(c).filter((k) => !['issuer', 'audience', 'jwksUrl', 'publicKey', 'algorithms'].includes(k));
  if (extra.length) problems.push(`${where} has unknown keys: ${extra.join(', ')}`);
  return problems;
}

/** Problems of a list of issuers: each one's, plus duplicates (an `iss` must name one key source). */
export function issuersProblems(raw: unknown, where: string): string[] {
  if (!Array.isArray(raw)) return [`${where} must be a JSON array of issuers`];
  const problems = raw.flatMap((r, i) => issuerProblems(r, `${where}[${i}]`));
  const names = raw.map((r) => (r as { issuer?: unknown } | null)?.issuer).filter((n) => typeof n === 'string');
  const dupes = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (dupes.length) problems.push(`${where} lists issuer ${dupes.map((d) => JSON.stringify(d)).join(', ')} more than once`);
  return problems;
}

function jwksUrlProblems(value: unknown, where: string): string[] {
  try {
    const u = new URL(String(value));
    // Keys fetched in clear text could be swapped in transit; plain HTTP only on this machine.
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
    if (typeof value === 'string' && (u.protocol === 'https:' || (u.protocol === 'http:' && local))) return [];
  } catch {
    // reported below
  }
  return [`${where}.jwksUrl must be an https URL (http only for localhost)`];
}

function publicKeyProblems(value: unknown, where: string): string[] {
  if (typeof value === 'string') {
    if (/PRIVATE KEY/.test(value)) return [`${where}.publicKey must be a public key, not a private one`];
    return usable(value) ? [] : [`${where}.publicKey is not a PEM public key or certificate`];
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${where}.publicKey must be PEM text or a JWK object`];
  const jwk = value as Record<string, unknown>;
  if (!['RSA', 'EC', 'OKP'].includes(String(jwk.kty))) return [`${where}.publicKey must be an RSA, EC or OKP JWK`];
  if ('d' in jwk) return [`${where}.publicKey must be a public key, not a private one`];
  return usable(jwk as JWK) ? [] : [`${where}.publicKey is not a valid public JWK`];
}

function usable(key: string | JWK): boolean {
  try {
    publicKeyObject(key);
    return true;
  } catch {
    return false;
  }
}

function algorithmProblems(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0) return [`${where}.algorithms must be a non-empty array`];
  const bad = value.filter((a) => !ASYMMETRIC_ALGORITHMS.includes(a as Algorithm));
  return bad.length
    ? [`${where}.algorithms may only hold ${ASYMMETRIC_ALGORITHMS.join(', ')} (got ${bad.map((b) => JSON.stringify(b)).join(', ')})`]
    : [];
}
