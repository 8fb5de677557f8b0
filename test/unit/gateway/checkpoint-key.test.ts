import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpointKey } from '../../../gateway/checkpoint-key.ts';

test('demo mode generates the checkpoint key once, private to its owner, and reuses it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'atrium-cpkey-'));
  try {
    assert.equal(loadCheckpointKey(undefined, dir, true, { create: false }), null, 'a verifier never makes a key');
    const a = loadCheckpointKey(undefined, dir, true);
    const b = loadCheckpointKey(undefined, dir, true);
    assert.ok(a && b);
    assert.equal(a.keyId, b.keyId);
    const file = join(dir, 'audit-checkpoint-key.pem');
    assert.match(await readFile(file, 'utf8'), /^-----BEGIN PRIVATE KEY-----/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a configured key is used as it is; outside demo mode without one there are no checkpoints', () => {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const k = loadCheckpointKey(pem, '/nonexistent', false);
  assert.ok(k);
  assert.equal(k.sign({ seq: 1, hash: 'a'.repeat(64) }, '2026-12-02T00:00:00.000Z').keyId, k.keyId);
  assert.equal(loadCheckpointKey(undefined, '/nonexistent', false), null);
});
