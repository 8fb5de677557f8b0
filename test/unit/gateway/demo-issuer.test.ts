import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { createAuthenticator } from '../../../gateway/auth.ts';
import { DEMO_AUDIENCE, DEMO_ISSUER, DEMO_KEY_FILE, demoIssuer } from '../../../gateway/demo-issuer.ts';
import { UnauthenticatedError } from '../../../access/errors.ts';
import { testWorld } from '../../helpers/world.ts';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atrium-demo-issuer-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const partner = () => {
  const u = testWorld()
    .demoUsers()
    .find((d) => d.roles.includes('partner'));
  assert.ok(u?.org);
  return u;
};

test('the key is created on first use with mode 0600 and reused afterwards', async (t) => {
  const dir = join(await tempDir(t), 'nested', '.data');
  const first = await demoIssuer(dir);
  const file = join(dir, DEMO_KEY_FILE);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal('d' in first.verifyKey, false, 'the verify key is the public half only');
  const token = await first.sign(partner());
  const second = await demoIssuer(dir);
  assert.deepEqual(second.verifyKey, first.verifyKey);
  // A token minted before a restart still verifies after it.
  const auth = createAuthenticator({ issuers: [second.issuerConfig] });
  assert.equal((await auth.principalFor(`Bearer ${token}`))?.email, partner().email);
});

test('concurrent first starts agree on one key and leave no temp files', async (t) => {
  const dir = await tempDir(t);
  const issuers = await Promise.all(Array.from({ length: 8 }, () => demoIssuer(dir)));
  const kids = new Set(issuers.map((i) => i.verifyKey.kid));
  assert.equal(kids.size, 1);
  assert.deepEqual(await readdir(dir), [DEMO_KEY_FILE]);
  const token = await issuers[3]!.sign(partner());
  const auth = createAuthenticator({ issuers: [(await demoIssuer(dir)).issuerConfig] });
  assert.equal((await auth.principalFor(`Bearer ${token}`))?.email, partner().email);
});

test('tokens carry the user and last 8 hours by default', async (t) => {
  const now = Date.parse('2026-11-22T09:00:00Z');
  const issuer = await demoIssuer(await tempDir(t), { now: () => now });
  const user = partner();
  const token = await issuer.sign(user);
  const claims = decodeJwt(token);
  assert.deepEqual(
    {
      sub: claims.sub,
      email: claims.email,
      name: claims.name,
      roles: claims.roles,
      org: claims.org,
      regions: claims.regions,
      iss: claims.iss,
      aud: claims.aud,
    },
    {
      sub: user.email,
      email: user.email,
      name: user.name,
      roles: user.roles,
      org: user.org,
      regions: user.regions,
      iss: DEMO_ISSUER,
      aud: DEMO_AUDIENCE,
    },
  );
  assert.equal(claims.iat, now / 1000);
  assert.equal(claims.exp, now / 1000 + 8 * 3600);
  assert.equal(decodeProtectedHeader(token).alg, 'ES256');
  assert.equal(decodeProtectedHeader(token).kid, issuer.verifyKey.kid);
  const admin = testWorld()
    .demoUsers()
    .find((d) => d.roles.includes('admin'))!;
  assert.equal('org' in decodeJwt(await issuer.sign(admin)), false);
});

test('a demo token maps to the user as a principal; an expired one is refused', async (t) => {
  const dir = await tempDir(t);
  const issuer = await demoIssuer(dir);
  const user = partner();
  const auth = createAuthenticator({ issuers: [issuer.issuerConfig] });
  assert.deepEqual(await auth.principalFor(`Bearer ${await issuer.sign(user)}`), {
    id: user.email,
    email: user.email,
    name: user.name,
    roles: user.roles,
    org: user.org,
    regions: user.regions,
  });
  const yesterday = await demoIssuer(dir, { now: () => Date.now() - 86_400_000 });
  await assert.rejects(auth.principalFor(`Bearer ${await yesterday.sign(user)}`), UnauthenticatedError);
  await assert.rejects(auth.principalFor(`Bearer ${await issuer.sign(user, -60)}`), UnauthenticatedError);
});

test('a damaged key file is reported, not silently replaced', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, DEMO_KEY_FILE), '{"kty":"EC"', { mode: 0o600 });
  await assert.rejects(demoIssuer(dir), /demo issuer key .* is unreadable; delete it/);
});
