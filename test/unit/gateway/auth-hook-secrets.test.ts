import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../gateway/config.ts';
import { HOOK_SECRETS_DIR, hookSecret } from '../../../gateway/demo-issuer.ts';
import { createVerifier, formatSecret, secretProblem, signedHeaders } from '../../../flows/inbound/standard-webhooks.ts';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atrium-hook-secrets-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

test('demo mode: the crm secret is generated once (whsec_, 32 bytes, mode 0600) and kept', async (t) => {
  const dataDir = await tempDir(t);
  const first = await hookSecret('crm', { configured: {}, dataDir, demo: true });
  assert.ok(first);
  assert.equal(secretProblem(first), null);
  assert.match(first, /^whsec_[A-Za-z0-9+/]{43}=$/);
  const file = join(dataDir, HOOK_SECRETS_DIR, 'crm');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await readFile(file, 'utf8')).trim(), first);
  assert.equal(await hookSecret('crm', { configured: {}, dataDir, demo: true }), first);
  // It verifies what is signed with it.
  const body = '{"type":"account.created","data":{}}';
  const v = createVerifier({ secrets: first, now: () => 1_700_000_000_000 });
  assert.equal(v.verify(signedHeaders(first, { id: 'msg_1', timestamp: 1_700_000_000, body }), body).outcome, 'ok');
});

test('concurrent first uses agree on one secret and leave no temp files', async (t) => {
  const dataDir = await tempDir(t);
  const all = await Promise.all(Array.from({ length: 8 }, () => hookSecret('crm', { configured: {}, dataDir, demo: true })));
  assert.equal(new Set(all).size, 1);
  assert.deepEqual(await readdir(join(dataDir, HOOK_SECRETS_DIR)), ['crm']);
});

test('a configured secret wins; outside demo mode only configured sources have one', async (t) => {
  const dataDir = await tempDir(t);
  const configured = { crm: formatSecret(randomBytes(32)), erp: formatSecret(randomBytes(24)) };
  assert.equal(await hookSecret('crm', { configured, dataDir, demo: true }), configured.crm);
  assert.equal(await hookSecret('erp', { configured, dataDir, demo: false }), configured.erp);
  assert.equal(await hookSecret('crm', { configured: {}, dataDir, demo: false }), null);
  // Demo mode generates for its demo sources only.
  assert.equal(await hookSecret('forms', { configured: {}, dataDir, demo: true }), null);
  assert.deepEqual(await readdir(dataDir), []);
});

test('a source name cannot reach outside the data directory', async (t) => {
  const dataDir = await tempDir(t);
  for (const source of ['../crm', 'crm/../../x', '', 'CRM', 'crm\u0000', '__proto__', 'toString', 'a'.repeat(33)])
    assert.equal(await hookSecret(source, { configured: {}, dataDir, demo: true }), null, source);
  assert.equal(await hookSecret('constructor', { configured: {}, dataDir, demo: true }), null);
  assert.deepEqual(await readdir(dataDir), []);
});

test('a damaged secret file is reported without its content', async (t) => {
  const dataDir = await tempDir(t);
  await hookSecret('crm', { configured: {}, dataDir, demo: true });
  await writeFile(join(dataDir, HOOK_SECRETS_DIR, 'crm'), 'whsec_leaked-half-written');
  await assert.rejects(
    hookSecret('crm', { configured: {}, dataDir, demo: true }),
    (e: Error) => /is unreadable; delete it/.test(e.message) && !e.message.includes('leaked'),
  );
});

test('HOOK_SECRETS: a JSON object of source to whsec_ secret, every problem named without the value', () => {
  const crm = formatSecret(randomBytes(32));
  assert.deepEqual(loadConfig({}).hooks, { secrets: {} });
  const c = loadConfig({ HOOK_SECRETS: JSON.stringify({ crm }) });
  assert.deepEqual(c.hooks.secrets, { crm });
  assert.ok(Object.isFrozen(c.hooks.secrets));
  const found = problems({
    HOOK_SECRETS: JSON.stringify({ crm: 'hunter2-plain-password', erp: 'whsec_c2hvcnQ=', '../x': crm, ok: crm }),
    GATEWAY_PORT: 'x',
  });
  assert.equal(found.length, 4, found.join(' | '));
  assert.ok(found.some((p) => p === 'HOOK_SECRETS.crm must start with "whsec_"'));
  assert.ok(found.some((p) => p === 'HOOK_SECRETS.erp must encode 24 to 64 bytes (it encodes 5)'));
  assert.ok(found.some((p) => p.startsWith('HOOK_SECRETS may only name sources')));
  assert.ok(!found.join(' ').includes('hunter2') && !found.join(' ').includes('c2hvcnQ') && !found.join(' ').includes(crm));
  assert.deepEqual(problems({ HOOK_SECRETS: '["whsec_x"]' }), [
    'HOOK_SECRETS must be a JSON object of source name to secret, e.g. {"crm":"whsec_..."}',
  ]);
  assert.deepEqual(problems({ HOOK_SECRETS: '{crm:' }), ['HOOK_SECRETS must be valid JSON']);
});

test('CRM_SIM_PORT: default 4105, overridable, checked like the other ports', () => {
  assert.equal(loadConfig({}).crmSimPort, 4105);
  assert.equal(loadConfig({ CRM_SIM_PORT: '0' }).crmSimPort, 0);
  assert.deepEqual(problems({ CRM_SIM_PORT: '70000' }), ['CRM_SIM_PORT must be an integer between 0 and 65535 (got "70000")']);
});
