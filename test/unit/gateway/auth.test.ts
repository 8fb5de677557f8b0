import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type JWK, type JWTPayload } from 'jose';
import { createAuthenticator, issuersProblems, principalFromClaims, type IssuerConfig } from '../../../gateway/auth.ts';
import { ErrorCode, UnauthenticatedError } from '../../../access/errors.ts';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const NOW_S = NOW / 1000;
const ISS = 'https://login.example.com/';
const AUD = 'atrium-gateway';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const rsaJwk = rsa.publicKey.export({ format: 'jwk' }) as JWK;

const CLAIMS: JWTPayload = {
  sub: 'u-1',
  email: 'Anna@Northwind.example',
  name: 'Anna Lindqvist',
  roles: ['partner'],
  org: 'ACC-1001',
  regions: ['EMEA'],
};

/** A token as an identity provider would issue it, valid at NOW unless overridden. */
function sign(
  opts: {
    key?: KeyObject;
    alg?: string;
    kid?: string;
    claims?: JWTPayload;
    iss?: string;
    aud?: string;
    iat?: number;
    exp?: number | null;
    nbf?: number;
  } = {},
): Promise<string> {
  const { sub, ...rest } = opts.claims ?? CLAIMS;
  let jwt = new SignJWT(rest)
    .setProtectedHeader({ alg: opts.alg ?? 'ES256', ...(opts.kid ? { kid: opts.kid } : {}) })
    .setIssuer(opts.iss ?? ISS)
    .setAudience(opts.aud ?? AUD)
    .setIssuedAt(opts.iat ?? NOW_S - 60);
  if (sub !== undefined) jwt = jwt.setSubject(String(sub));
  if (opts.exp !== null) jwt = jwt.setExpirationTime(opts.exp ?? NOW_S + 3600);
  if (opts.nbf !== undefined) jwt = jwt.setNotBefore(opts.nbf);
  return jwt.sign(opts.key ?? ec.privateKey);
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

const issuers: IssuerConfig[] = [
  { issuer: ISS, audience: AUD, publicKey: ecPem },
  { issuer: 'https://rsa.example.com', audience: [AUD, 'other'], publicKey: rsaJwk, algorithms: ['RS256'] },
];
type Line = { msg: string; fields?: Record<string, unknown> };
function recordingLog(lines: Line[]) {
  const push = (msg: string, fields?: Record<string, unknown>) => void lines.push({ msg, ...(fields ? { fields } : {}) });
  const log = { debug: push, info: push, warn: push, error: push, child: () => log };
  return log;
}
const logged: Line[] = [];
const auth = createAuthenticator({ issuers, now: () => NOW, log: recordingLog(logged) });

/** Expect a 401; `reason` (logged server-side only) proves it failed for the right cause. */
async function rejects401(header: string | Promise<string>, reason?: string): Promise<void> {
  const h = await header;
  logged.length = 0;
  await assert.rejects(auth.principalFor(h), (e: unknown) => {
    assert.ok(e instanceof UnauthenticatedError, `expected UnauthenticatedError, got ${String(e)}`);
    assert.equal(e.extensions.code, ErrorCode.UNAUTHENTICATED);
    assert.deepEqual(e.extensions.http, { status: 401 });
    // The message is the same for every failure and carries nothing of the token, issuer or key.
    assert.equal(e.message, 'Invalid or expired bearer token');
    return true;
  });
  if (reason) assert.equal(logged.at(-1)?.fields?.reason, reason);
  // Nothing of the token reaches the log either.
  const secretPart = h.split('.')[1];
  if (secretPart && secretPart.length > 16) assert.ok(!JSON.stringify(logged).includes(secretPart));
}
const bearer = async (t: string | Promise<string>) => `Bearer ${await t}`;

test('no Authorization header is an anonymous reader', async () => {
  assert.equal(await auth.principalFor(undefined), null);
});

test('a valid token maps to the principal', async () => {
  const p = await auth.principalFor(await bearer(sign()));
  assert.deepEqual(p, {
    id: 'u-1',
    email: 'anna@northwind.example',
    name: 'Anna Lindqvist',
    roles: ['partner'],
    org: 'ACC-1001',
    regions: ['EMEA'],
  });
});

test('a second issuer with a JWK key and an audience list is accepted on its own algorithm', async () => {
  const p = await auth.principalFor(
    await bearer(sign({ key: rsa.privateKey, alg: 'RS256', iss: 'https://rsa.example.com', aud: 'other' })),
  );
  assert.equal(p?.id, 'u-1');
  // Its allow-list holds RS256 only: PS256 with the very same key is refused.
  await rejects401(bearer(sign({ key: rsa.privateKey, alg: 'PS256', iss: 'https://rsa.example.com' })), 'ERR_JOSE_ALG_NOT_ALLOWED');
});

test('the scheme is case-insensitive, but it must be Bearer', async () => {
  assert.equal((await auth.principalFor(`bearer ${await sign()}`))?.id, 'u-1');
  await rejects401(`Basic ${Buffer.from('a:b').toString('base64')}`, 'malformed authorization header');
  await rejects401(`Token ${await sign()}`);
});

test('clock tolerance: 10 s past expiry passes with the default 30 s, 40 s does not', async () => {
  assert.equal((await auth.principalFor(await bearer(sign({ exp: NOW_S - 10 }))))?.id, 'u-1');
  await rejects401(bearer(sign({ exp: NOW_S - 40 })), 'ERR_JWT_EXPIRED');
  const strict = createAuthenticator({ issuers, now: () => NOW, clockToleranceS: 0 });
  await assert.rejects(strict.principalFor(await bearer(sign({ exp: NOW_S - 10 }))), UnauthenticatedError);
});

test('expired token is 401', () => rejects401(bearer(sign({ iat: NOW_S - 7200, exp: NOW_S - 3600 })), 'ERR_JWT_EXPIRED'));

test('not yet valid (nbf beyond the tolerance) is 401; within it passes', async () => {
  await rejects401(bearer(sign({ nbf: NOW_S + 120 })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  assert.equal((await auth.principalFor(await bearer(sign({ nbf: NOW_S + 10 }))))?.id, 'u-1');
});

test('a token without exp is 401 (it would never expire)', () =>
  rejects401(bearer(sign({ exp: null })), 'ERR_JWT_CLAIM_VALIDATION_FAILED'));

test('unknown issuer is 401', () => rejects401(bearer(sign({ iss: 'https://evil.example.com/' })), 'unknown issuer'));

test('a known issuer name signed with another key is 401', () =>
  rejects401(bearer(sign({ key: other.privateKey })), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'));

test('wrong audience is 401', () => rejects401(bearer(sign({ aud: 'someone-else' })), 'ERR_JWT_CLAIM_VALIDATION_FAILED'));

test('alg none (unsigned) is 401', async () => {
  const payload = { ...CLAIMS, iss: ISS, aud: AUD, iat: NOW_S, exp: NOW_S + 3600 };
  await rejects401(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`, 'ERR_JOSE_ALG_NOT_ALLOWED');
  await rejects401(`Bearer ${b64({ alg: 'none' })}.${b64(payload)}`);
});

test('a tampered payload is 401', async () => {
  const [h, p, s] = (await sign()).split('.') as [string, string, string];
  const escalated = b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['admin'] });
  await rejects401(`Bearer ${h}.${escalated}.${s}`, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  // One character flipped anywhere in the payload.
  const flipped = p.slice(0, 10) + (p[10] === 'A' ? 'B' : 'A') + p.slice(11);
  await rejects401(`Bearer ${h}.${flipped}.${s}`);
});

test('key confusion: HS256 with the public key bytes as HMAC secret is 401', async () => {
  const payload = { ...CLAIMS, iss: ISS, aud: AUD, iat: NOW_S, exp: NOW_S + 3600 };
  for (const secret of [Buffer.from(ecPem), ec.publicKey.export({ type: 'spki', format: 'der' })]) {
    await rejects401(
      bearer(new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(secret))),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
  }
  const rsaPem = Buffer.from(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  await rejects401(
    bearer(new SignJWT({ ...payload, iss: 'https://rsa.example.com' }).setProtectedHeader({ alg: 'HS256' }).sign(new Uint8Array(rsaPem))),
    'ERR_JOSE_ALG_NOT_ALLOWED',
  );
});

test('garbage is 401', async () => {
  for (const h of ['Bearer garbage', 'Bearer a.b.c', 'Bearer ', 'Bearer', '', 'Bearer ....', `Bearer ${b64('{')}.${b64('}')}.x`])
    await rejects401(h);
});

test('missing sub is 401', async () => {
  const { sub: _sub, ...noSub } = CLAIMS;
  await rejects401(bearer(sign({ claims: noSub })), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
  await rejects401(bearer(sign({ claims: { ...CLAIMS, sub: '' } })), 'sub is not a non-empty string');
});

test('claims: unknown roles and regions are dropped, atrium_roles wins over roles', () => {
  const p = principalFromClaims({ sub: 's', email: 'x@y.example', roles: ['admin', 'root', 'admin', 7], regions: ['EMEA', 'MARS'] });
  assert.deepEqual(p, { id: 's', email: 'x@y.example', roles: ['admin'], regions: ['EMEA'] });
  assert.deepEqual(principalFromClaims({ sub: 's', roles: ['Everyone'], atrium_roles: ['sales'] })?.roles, ['sales']);
  assert.deepEqual(principalFromClaims({ sub: 's', roles: 'admin', regions: 'EMEA' }), { id: 's', email: '', roles: [], regions: [] });
  assert.equal(principalFromClaims({ email: 'x@y.example' }), null);
});

test('a configuration that would accept HMAC or none is refused', () => {
  for (const algorithms of [['HS256'], ['none'], ['ES256', 'HS512'], []]) {
    assert.throws(
      () => createAuthenticator({ issuers: [{ issuer: ISS, audience: AUD, publicKey: ecPem, algorithms: algorithms as never }] }),
      /algorithms/,
    );
  }
});

test('issuer problems are named, each one', () => {
  const problems = issuersProblems(
    [
      { issuer: '', audience: [], publicKey: 'not a key' },
      { issuer: 'a', audience: 'b', jwksUrl: 'http://idp.example.com/jwks' },
      { issuer: 'a', audience: 'b', publicKey: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
      { issuer: 'c', audience: 'b', jwksUrl: 'https://idp.example.com/jwks', publicKey: ecPem, extra: 1 },
      { issuer: 'd', audience: 'b', publicKey: { kty: 'oct', k: 'c2VjcmV0' } },
      { issuer: 'e', audience: 'b', publicKey: ec.privateKey.export({ format: 'jwk' }) },
    ],
    'AUTH_ISSUERS',
  );
  const expect = [
    /^AUTH_ISSUERS\[0\]\.issuer/,
    /^AUTH_ISSUERS\[0\]\.audience/,
    /^AUTH_ISSUERS\[0\]\.publicKey is not a PEM/,
    /^AUTH_ISSUERS\[1\]\.jwksUrl must be an https URL/,
    /^AUTH_ISSUERS\[2\]\.publicKey must be a public key/,
    /^AUTH_ISSUERS\[3\] needs exactly one/,
    /^AUTH_ISSUERS\[3\] has unknown keys: extra/,
    /^AUTH_ISSUERS\[4\]\.publicKey must be an RSA, EC or OKP JWK/,
    /^AUTH_ISSUERS\[5\]\.publicKey must be a public key/,
    /^AUTH_ISSUERS lists issuer "a" more than once/,
  ];
  for (const re of expect)
    assert.ok(
      problems.some((p) => re.test(p)),
      `missing ${re}: ${problems.join(' | ')}`,
    );
  assert.equal(problems.length, expect.length, problems.join(' | '));
  assert.deepEqual(issuersProblems({}, 'AUTH_ISSUERS'), ['AUTH_ISSUERS must be a JSON array of issuers']);
});

/** A JWKS endpoint on a free port, counting its fetches. */
async function jwksServer(keys: JWK[]): Promise<{ url: string; hits: () => number; server: Server }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`, hits: () => hits, server };
}

test('JWKS: a token whose kid is published verifies; an unknown kid is 401', async (t) => {
  const published = { ...(ec.publicKey.export({ format: 'jwk' }) as JWK), kid: 'k1', alg: 'ES256', use: 'sig' };
  const jwks = await jwksServer([published]);
  t.after(() => jwks.server.close());
  const lines: Line[] = [];
  const viaJwks = createAuthenticator({
    issuers: [{ issuer: ISS, audience: AUD, jwksUrl: jwks.url, algorithms: ['ES256'] }],
    now: () => NOW,
    log: recordingLog(lines),
  });
  const p = await viaJwks.principalFor(await bearer(sign({ kid: 'k1' })));
  assert.equal(p?.email, 'anna@northwind.example');
  assert.equal(jwks.hits(), 1);
  // Keys are cached: a second token costs no fetch.
  await viaJwks.principalFor(await bearer(sign({ kid: 'k1', claims: { ...CLAIMS, sub: 'u-2' } })));
  assert.equal(jwks.hits(), 1);
  await assert.rejects(viaJwks.principalFor(await bearer(sign({ kid: 'k2', key: other.privateKey }))), UnauthenticatedError);
  assert.equal(lines.at(-1)?.fields?.reason, 'ERR_JWKS_NO_MATCHING_KEY');
  // The right kid with another key's signature is no better.
  await assert.rejects(viaJwks.principalFor(await bearer(sign({ kid: 'k1', key: other.privateKey }))), UnauthenticatedError);
  assert.equal(lines.at(-1)?.fields?.reason, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
});

test('JWKS endpoint down: 401 for the caller, and the reason is logged without the token', async () => {
  const jwks = await jwksServer([]);
  const url = jwks.url;
  await new Promise<void>((r) => jwks.server.close(() => r()));
  const lines: Line[] = [];
  const down = createAuthenticator({ issuers: [{ issuer: ISS, audience: AUD, jwksUrl: url }], now: () => NOW, log: recordingLog(lines) });
  const token = await sign({ kid: 'k1' });
  await assert.rejects(down.principalFor(`Bearer ${token}`), UnauthenticatedError);
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['bearer token could not be verified'],
  );
  assert.ok(!JSON.stringify(lines).includes(token.split('.')[2] as string));
});
