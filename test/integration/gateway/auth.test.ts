import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator } from '../../../gateway/auth.ts';
import { loadConfig } from '../../../gateway/config.ts';
import { demoIssuer, type DemoIssuer } from '../../../gateway/demo-issuer.ts';
import { createLogger } from '../../../gateway/log.ts';
import { startGateway, type RunningGateway } from '../../../gateway/main.ts';
import { startStack, type Stack } from '../../helpers/stack.ts';
import { testWorld } from '../../helpers/world.ts';

const VIEWER = '{ viewer { signedIn email name roles org regions } }';
const UNAUTHENTICATED = { errors: [{ message: 'Invalid or expired bearer token', extensions: { code: 'UNAUTHENTICATED' } }] };

let dataDir: string;
let issuer: DemoIssuer;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'atrium-auth-it-'));
  issuer = await demoIssuer(dataDir);
});
after(() => rm(dataDir, { recursive: true, force: true }));

const partner = () =>
  testWorld()
    .demoUsers()
    .find((u) => u.roles.includes('partner') && u.org)!;

describe('the stack, authenticating each request', () => {
  let stack: Stack;
  before(async () => {
    const authenticator = createAuthenticator({ issuers: [issuer.issuerConfig] });
    stack = await startStack({ principalFor: (h) => authenticator.principalFor(h) });
  });
  after(() => stack.close());

  test('no token: an anonymous viewer', async () => {
    const { status, body } = await stack.query(VIEWER);
    assert.equal(status, 200);
    assert.deepEqual(body.data, { viewer: { signedIn: false, email: null, name: null, roles: [], org: null, regions: [] } });
  });

  test('a demo token: the viewer is that user', async () => {
    const u = partner();
    const { status, body } = await stack.query(VIEWER, {}, { authorization: `Bearer ${await issuer.sign(u)}` });
    assert.equal(status, 200);
    assert.deepEqual(body.data, {
      viewer: { signedIn: true, email: u.email, name: u.name, roles: u.roles, org: u.org, regions: u.regions },
    });
  });

  test('a bad token: 401 with a Bearer challenge, and no upstream is asked anything', async () => {
    const good = await issuer.sign(partner());
    const forged = `${good.slice(0, good.lastIndexOf('.') + 1)}${'A'.repeat(86)}`;
    await stack.resetUpstreams();
    for (const authorization of [`Bearer ${forged}`, 'Bearer not-a-jwt', `Bearer ${await issuer.sign(partner(), -120)}`]) {
      const res = await fetch(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: '{ campaigns(first: 5) { totalCount } }' }),
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer');
      assert.ok(res.headers.get('x-request-id'));
      assert.deepEqual(await res.json(), UNAUTHENTICATED);
    }
    assert.deepEqual(await stack.upstreamCounts(), { otcs: 0, iconik: 0, netx: 0, otmm: 0 });
  });
});

describe('startGateway in demo mode', () => {
  let running: RunningGateway;
  before(async () => {
    // `viewer` reads no upstream, so the default simulator URLs need nothing listening.
    running = await startGateway(loadConfig({ ATRIUM_DATA_DIR: dataDir }), createLogger('silent'), { port: 0 });
  });
  after(() => running.close());

  const post = (headers: Record<string, string>) =>
    fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: VIEWER }),
    });

  test('accepts its own demo issuer and reads nobody in without a token', async () => {
    const u = partner();
    const signedIn = await post({ authorization: `Bearer ${await issuer.sign(u)}` });
    assert.equal(signedIn.status, 200);
    assert.deepEqual(((await signedIn.json()) as { data: unknown }).data, {
      viewer: { signedIn: true, email: u.email, name: u.name, roles: u.roles, org: u.org, regions: u.regions },
    });
    const anonymous = await post({});
    assert.deepEqual(((await anonymous.json()) as { data: { viewer: { signedIn: boolean } } }).data.viewer.signedIn, false);
  });

  test('refuses a token from another data directory (another demo key) with 401', async (t) => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'atrium-auth-other-'));
    t.after(() => rm(elsewhere, { recursive: true, force: true }));
    const stranger = await demoIssuer(elsewhere);
    const res = await post({ authorization: `Bearer ${await stranger.sign(partner())}` });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.deepEqual(await res.json(), UNAUTHENTICATED);
  });
});
