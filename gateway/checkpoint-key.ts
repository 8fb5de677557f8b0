/**
 * The key that signs the audit chain's checkpoints: configured (AUDIT_CHECKPOINT_KEY), or in
 * demo mode generated once and kept in the data directory. Outside demo mode without a key the
 * gateway makes no checkpoints and says so at start (a key generated per process would sign
 * checkpoints nobody could verify after a restart).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkpointKey, type CheckpointKey } from '../audit/checkpoint.ts';

/**
 * The checkpoint key, or null when there is none to use. `create: false` (a verifier) reads the
 * demo key but never makes one.
 */
export function loadCheckpointKey(
  configured: string | undefined,
  dataDir: string,
  demo: boolean,
  opts: { create?: boolean } = {},
): CheckpointKey | null {
  if (configured) return checkpointKey(configured);
  if (!demo) return null;
  const file = join(dataDir, 'audit-checkpoint-key.pem');
  try {
    return checkpointKey(readFileSync(file, 'utf8'));
  } catch {
    if (opts.create === false) return null;
    mkdirSync(dataDir, { recursive: true });
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
      return checkpointKey(pem);
    } catch {
      // Another process wrote it first: use theirs.
      return checkpointKey(readFileSync(file, 'utf8'));
    }
  }
}
