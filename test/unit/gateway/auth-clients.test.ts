import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, decodeJwt, type JWTPayload } from 'jose';
import {
  CLIENT_SCOPES,
  MAX_SCOPE_CHARS,
  createAuthenticator,
  mapClaims,
  principalFromClaims,
  type IssuerConfig,
} from '../../../gateway/auth.ts';
import { DEMO_CLIENTS, demoIssuer } from '../../../gateway/demo-issuer.ts';
import { UnauthenticatedError } from '../../../access/errors.ts';
import { testWorld } from '../../helpers/world.ts';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const NOW_S = NOW / 1000;
const ISS = 'https://login.example.com/';
const AUD = 'atrium-gateway';
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const issuers: IssuerConfig[] = [
  { issuer: ISS, audience: AUD, publicKey: ec.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
];
const logged: { msg: string; fields?: Record<string, unknown> }[] = [];
const push = (msg: string, fields?: Record<string, unknown>) => void logged.push({ msg, ...(fields ? { fields } : {}) });
const log = { debug: push, info: push, warn: push, error: push, child: () => log };
const auth = createAuthenticator({ issuers, now: () => NOW, log });

function token(claims: JWTPayload): Promise<string> {
  const { sub, ...rest } = claims;
  let jwt = new SignJWT(rest)
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(ISS)
    .setAudience(AUD)
    .setIssuedAt(NOW_S - 60)
    .setExpirationTime(NOW_S + 3600);
  if (sub !== undefined) jwt = jwt.setSubject(String(sub));
  return jwt.sign(ec.privateKey);
}
const principal = async (claims: JWTPayload) => auth.principalFor(`Bearer ${await token(claims)}`);
const client = (id: string, name: string, scopes: string[]) => ({ id, email: '', roles: [], regions: [], client: { name, scopes } });

test('a client-credentials token (RFC 9068: client_id, scope) is a client with its scopes', async () => {
  assert.deepEqual(
    await principal({ sub: 'crm-app', client_id: 'crm-app', scope: 'workspaces:write documents:write' }),
    client('crm-app', 'crm-app', ['workspaces:write', 'documents:write']),
  );
});

test('the client name: client_id wins over azp, azp over sub; the principal id is always sub', () => {
  assert.deepEqual(principalFromClaims({ sub: 's-1', client_id: 'cid', azp: 'azp', scope: '' }), client('s-1', 'cid', []));
  assert.deepEqual(principalFromClaims({ sub: 's-1', azp: 'azp', scope: 'usage:write' }), client('s-1', 'azp', ['usage:write']));
  // Okta style: the client is the subject, its scopes in scp (a list).
  assert.deepEqual(
    principalFromClaims({ sub: '0oa1', cid: '0oa1', scp: ['assets:read', 'usage:write'] }),
    client('0oa1', '0oa1', ['assets:read', 'usage:write']),
  );
  // Entra style: scp as a space-separated string.
  assert.deepEqual(
    principalFromClaims({ sub: 'sp-oid', azp: 'app-id', scp: 'documents:write' }),
    client('sp-oid', 'app-id', ['documents:write']),
  );
});

test("scope wins over scp; unknown scopes are dropped, duplicates folded, the order is CLIENT_SCOPES'", () => {
  const p = principalFromClaims({
    sub: 'c',
    client_id: 'c',
    scope: 'openid  webhooks:admin admin workspaces:write workspaces:write WORKSPACES:WRITE documents:write\tusage:write *',
    scp: ['assets:read'],
  });
  assert.deepEqual(p?.client?.scopes, ['workspaces:write', 'webhooks:admin']);
  assert.deepEqual(principalFromClaims({ sub: 'c', client_id: 'c', scope: ['usage:write', 'assets:read', 7] })?.client?.scopes, [
    'assets:read',
    'usage:write',
  ]);
  assert.deepEqual(principalFromClaims({ sub: 'c', client_id: 'c', scope: 42, scp: ['usage:write'] })?.client?.scopes, []);
  assert.deepEqual(principalFromClaims({ sub: 'c', client_id: 'c' })?.client?.scopes, []);
  assert.deepEqual([...CLIENT_SCOPES], ['workspaces:write', 'documents:write', 'assets:read', 'usage:write', 'webhooks:admin']);
});

test('a token with any person claim is a person, exactly as before: roles plus scopes grants no scope', async () => {
  const both = await principal({
    sub: 'u-1',
    email: 'Mallory@Evil.example',
    roles: ['admin'],
    client_id: 'portal',
    scope: 'workspaces:write webhooks:admin',
  });
  assert.deepEqual(both, { id: 'u-1', email: 'mallory@evil.example', roles: ['admin'], regions: [] });
  assert.equal(both && 'client' in both, false);
  // Each person claim on its own is enough, whatever its value.
  for (const extra of [
    { email: '' },
    { roles: [] },
    { roles: 'admin' },
    { atrium_roles: ['sales'] },
    { org: 'ACC-1001' },
    { regions: ['EMEA'] },
    { email: null },
  ]) {
    const p = principalFromClaims({ sub: 'x', client_id: 'crm', scope: 'workspaces:write', ...extra });
    assert.ok(p && !('client' in p), JSON.stringify(extra));
  }
  // A token with only sub stays what it was: a person who sees nothing.
  assert.deepEqual(principalFromClaims({ sub: 's' }), { id: 's', email: '', roles: [], regions: [] });
});

test('an oversized scope claim grants nothing and costs nothing (10 kB string, huge list)', () => {
  const tenK = `workspaces:write ${'x'.repeat(10_240)}`;
  assert.ok(tenK.length > MAX_SCOPE_CHARS);
  const t0 = performance.now();
  assert.deepEqual(principalFromClaims({ sub: 'c', client_id: 'c', scope: tenK })?.client?.scopes, []);
  assert.deepEqual(principalFromClaims({ sub: 'c', client_id: 'c', scp: Array(10_000).fill('workspaces:write') })?.client?.scopes, []);
  assert.ok(performance.now() - t0 < 50);
  // Just inside the limit it is read.
  const edge = `workspaces:write ${'y'.repeat(MAX_SCOPE_CHARS - 17)}`;
  assert.equal(edge.length, MAX_SCOPE_CHARS);
  assert.deepEqual(principalFromClaims({ sub: 'c', client_id: 'c', scope: edge })?.client?.scopes, ['workspaces:write']);
});

test('a client name that is not a printable string of 1-256 characters refuses the token (401, reason logged)', async () => {
  for (const bad of [
    { client_id: '' },
    { client_id: 7 },
    { client_id: ['crm'] },
    { client_id: 'x'.repeat(257) },
    { azp: 'crm\nadmin' },
    { client_id: 'crm\u202Eevil' },
  ]) {
    assert.equal(principalFromClaims({ sub: 's', scope: 'workspaces:write', ...bad }), null, JSON.stringify(bad));
    logged.length = 0;
    await assert.rejects(principal({ sub: 's', scope: 'workspaces:write', ...bad }), UnauthenticatedError);
    assert.match(String(logged.at(-1)?.fields?.reason), /is not a usable client name/);
  }
  assert.deepEqual(mapClaims({ sub: '' }), { reason: 'sub is not a non-empty string' });
  // A client id with spaces or a URL is fine.
  assert.equal(
    principalFromClaims({ sub: 's', client_id: 'https://apps.example.com/crm Sync' })?.client?.name,
    'https://apps.example.com/crm Sync',
  );
});

test('a client token still needs sub and exp, and a valid signature', async () => {
  const { sub: _s, ...noSub } = { sub: 'x', client_id: 'crm', scope: 'workspaces:write' };
  await assert.rejects(principal(noSub), UnauthenticatedError);
  const good = await token({ sub: 'crm', client_id: 'crm', scope: 'documents:write' });
  const [h, p, s] = good.split('.') as [string, string, string];
  const escalated = Buffer.from(JSON.stringify({ ...decodeJwt(good), scope: 'documents:write webhooks:admin' })).toString('base64url');
  await assert.rejects(auth.principalFor(`Bearer ${h}.${escalated}.${s}`), UnauthenticatedError);
  assert.ok(p.length > 0);
});

test('demo clients: crm, exstream and hooks-admin, each token verifying to its scopes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atrium-demo-clients-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.deepEqual(
    DEMO_CLIENTS.map((c) => [c.name, c.scopes.join(' ')]),
    [
      ['crm', 'workspaces:write documents:write webhooks:admin'],
      ['exstream', 'assets:read usage:write webhooks:admin'],
      ['hooks-admin', 'webhooks:admin'],
    ],
  );
  const issuer = await demoIssuer(dir, { now: () => NOW });
  const demo = createAuthenticator({ issuers: [issuer.issuerConfig], now: () => NOW });
  for (const c of DEMO_CLIENTS) {
    const jwt = await issuer.signClient(c.name);
    const claims = decodeJwt(jwt);
    assert.deepEqual(
      { sub: claims.sub, client_id: claims.client_id, scope: claims.scope, exp: (claims.exp ?? 0) - (claims.iat ?? 0) },
      { sub: c.name, client_id: c.name, scope: c.scopes.join(' '), exp: 8 * 3600 },
    );
    for (const personClaim of ['email', 'roles', 'org', 'regions', 'name']) assert.equal(personClaim in claims, false);
    assert.deepEqual(await demo.principalFor(`Bearer ${jwt}`), client(c.name, c.name, [...c.scopes]));
  }
  await assert.rejects(issuer.signClient('admin'), /no demo client "admin"/);
  // A person's demo token is unchanged by all this.
  const partner = testWorld()
    .demoUsers()
    .find((u) => u.roles.includes('partner') && u.org)!;
  assert.deepEqual(await demo.principalFor(`Bearer ${await issuer.sign(partner)}`), {
    id: partner.email,
    email: partner.email,
    name: partner.name,
    roles: partner.roles,
    org: partner.org,
    regions: partner.regions,
  });
});
