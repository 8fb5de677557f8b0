import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createAuthenticator } from '../../../gateway/auth.ts';
import { loadConfig } from '../../../gateway/config.ts';
import { DEMO_CLIENTS, demoIssuer, hookSecret } from '../../../gateway/demo-issuer.ts';
import { formatSecret } from '../../../flows/inbound/standard-webhooks.ts';
import { createWorld } from '../../../simulators/demo/world.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dataDir = await mkdtemp(join(tmpdir(), 'atrium-token-'));
test.after(() => rm(dataDir, { recursive: true, force: true }));

/** Env with every ATRIUM_/AUTH_/HOOK_ variable of the outer shell dropped, so the test sees defaults. */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(ATRIUM_|AUTH_|HOOK_|OTCS_|ICONIK_|NETX_|OTMM_|CRM_)/.test(k)),
  );
  return { ...clean, ATRIUM_DATA_DIR: dataDir, ...extra };
}

function run(file: string, args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, env: env(extra) }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const token = (args: string[], extra: Record<string, string> = {}) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/token.ts', ...args], extra);

const users = createWorld(loadConfig({ ATRIUM_DATA_DIR: dataDir }).world).demoUsers();

test('--list prints every demo user with exactly the contract keys', async () => {
  const { code, stdout, stderr } = await token(['--list']);
  assert.equal(code, 0, stderr);
  const list = JSON.parse(stdout) as Record<string, unknown>[];
  assert.equal(list.length, users.length);
  assert.ok(list.length >= 5);
  for (const [i, entry] of list.entries()) {
    assert.deepEqual(Object.keys(entry), ['email', 'name', 'roles', 'org', 'regions']);
    const u = users[i]!;
    assert.deepEqual(entry, { email: u.email, name: u.name, roles: u.roles, org: u.org ?? null, regions: u.regions });
  }
  assert.ok(list.some((e) => e.org === null) && list.some((e) => typeof e.org === 'string'), 'partners carry their org, others null');
});

test('<email> prints only a token that verifies and maps to that user', async () => {
  const partner = users.find((u) => u.roles.includes('partner'))!;
  const { code, stdout, stderr } = await token([partner.email.toUpperCase()]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  const auth = createAuthenticator({ issuers: [(await demoIssuer(dataDir)).issuerConfig] });
  const p = await auth.principalFor(`Bearer ${stdout.trim()}`);
  assert.deepEqual(p, {
    id: partner.email,
    email: partner.email,
    name: partner.name,
    roles: partner.roles,
    org: partner.org,
    regions: partner.regions,
  });
});

test('through npm, as DESIGN.md documents it, stdout is the token alone', async () => {
  const { code, stdout, stderr } = await run('npm', ['run', '--silent', 'token', '--', users[0]!.email]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
});

test('an unknown email exits 1 with nothing on stdout', async () => {
  const { code, stdout, stderr } = await token(['nobody@nowhere.example']);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /no demo user "nobody@nowhere\.example"/);
});

test('no argument, a missing name or an unknown option exits 1 with the usage, naming every form', async () => {
  for (const args of [[], ['--client'], ['--hook-secret'], ['--client', 'crm', 'extra'], ['--lst'], ['--list', 'x']]) {
    const { code, stdout, stderr } = await token(args);
    assert.equal(code, 1, args.join(' '));
    assert.equal(stdout, '');
    assert.match(stderr, /usage: npm run --silent token -- <email> \| --list \| --client <name> \| --hook-secret <source>/);
  }
});

test('--client <name> prints only a token that verifies to that client and its scopes', async () => {
  const auth = createAuthenticator({ issuers: [(await demoIssuer(dataDir)).issuerConfig] });
  for (const c of DEMO_CLIENTS) {
    const { code, stdout, stderr } = await token(['--client', c.name]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    assert.deepEqual(await auth.principalFor(`Bearer ${stdout.trim()}`), {
      id: c.name,
      email: '',
      roles: [],
      regions: [],
      client: { name: c.name, scopes: [...c.scopes] },
    });
  }
  const crm = await auth.principalFor(`Bearer ${(await token(['--client', 'crm'])).stdout.trim()}`);
  assert.deepEqual(crm?.client, { name: 'crm', scopes: ['workspaces:write', 'documents:write', 'webhooks:admin'] });
});

test('an unknown client exits 1 naming the demo clients', async () => {
  const { code, stdout, stderr } = await token(['--client', 'root']);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /no demo client "root"; the demo clients are crm, exstream, hooks-admin/);
});

test('--hook-secret crm prints the generated secret, the same every time, and nothing else', async () => {
  const first = await token(['--hook-secret', 'crm']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^whsec_[A-Za-z0-9+/]{43}=\n$/);
  const again = await token(['--hook-secret', 'crm']);
  assert.equal(again.stdout, first.stdout);
  // It is the very secret the gateway resolves for the source.
  assert.equal(await hookSecret('crm', { configured: {}, dataDir, demo: true }), first.stdout.trim());
});

test("--hook-secret prints HOOK_SECRETS' value when the source is configured", async () => {
  const configured = formatSecret(randomBytes(32));
  const { code, stdout, stderr } = await token(['--hook-secret', 'erp'], { HOOK_SECRETS: JSON.stringify({ erp: configured }) });
  assert.equal(code, 0, stderr);
  assert.equal(stdout, `${configured}\n`);
});

test('--hook-secret for a source with no secret exits 1 naming the sources, and writes nothing', async () => {
  const { code, stdout, stderr } = await token(['--hook-secret', '../../etc']);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /no webhook source "\.\.\/\.\.\/etc"; the sources are crm/);
});

test('outside demo mode there are no demo tokens', async () => {
  const real = {
    ATRIUM_DEMO: 'false',
    DOWNLOAD_SECRET: 'x'.repeat(32),
    OTCS_URL: 'https://cs.example.com/otcs/cs.exe',
    OTCS_USERNAME: 'u',
    OTCS_PASSWORD: 'p',
    ICONIK_URL: 'https://app.iconik.io/API',
    ICONIK_APP_ID: 'a',
    ICONIK_AUTH_TOKEN: 't',
    NETX_URL: 'https://netx.example.com',
    NETX_API_TOKEN: 't',
    OTMM_URL: 'https://otmm.example.com',
    OTMM_USERNAME: 'u',
    OTMM_PASSWORD: 'p',
  };
  for (const args of [[users[0]!.email], ['--client', 'crm'], ['--hook-secret', 'crm']]) {
    const { code, stdout, stderr } = await token(args, { ...real, HOOK_SECRETS: JSON.stringify({ crm: formatSecret(randomBytes(32)) }) });
    assert.equal(code, 1, args.join(' '));
    assert.equal(stdout, '');
    assert.match(stderr, /demo mode only/);
  }
});
