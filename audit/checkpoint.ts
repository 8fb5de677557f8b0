/**
 * Checkpoints of the audit chain. The chain proves that no record was changed, removed or
 * inserted *before* its last record; it cannot prove that records were not cut off the end.
 * A checkpoint closes that gap: a statement "record `seq` of the chain has hash `hash`", made at
 * `at` and signed with the gateway's Ed25519 checkpoint key. Checkpoints are kept beside the
 * chain (append-only), written to the log as they are made, and exportable through the graph,
 * so a copy lives outside the database. Verification checks each checkpoint's signature with
 * the public key and that the chain still holds that record with that hash: a chain that ends
 * before a checkpoint's `seq` was truncated.
 *
 * Ed25519 rather than an HMAC: whoever holds only the public key (an auditor, a log archive)
 * can verify a checkpoint but not make one.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { AuditLog } from './ports.ts';

/** A signed statement about the chain's head. */
export interface Checkpoint {
  seq: number;
  hash: string;
  /** When it was made (ISO-8601). */
  at: string;
  /** Which key signed it: the first 16 hex digits of the SHA-256 of the public key (SPKI DER). */
  keyId: string;
  /** base64url Ed25519 signature of `checkpointStatement`. */
  signature: string;
}

/** What a checkpoint signs: a versioned, line-separated statement (no JSON canonicalisation to get wrong). */
export function checkpointStatement(c: Omit<Checkpoint, 'signature'>): string {
  return `atrium-audit-checkpoint/1\n${c.seq}\n${c.hash}\n${c.at}\n${c.keyId}`;
}

/** The key id of a public key. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** The signing side: the private key, its id and its public key (PEM, for verifiers). */
export interface CheckpointKey {
  readonly keyId: string;
  readonly publicKeyPem: string;
  sign(head: { seq: number; hash: string }, at: string): Checkpoint;
}

/** A checkpoint key from a PKCS#8 PEM Ed25519 private key; throws on any other key. */
export function checkpointKey(privateKeyPem: string): CheckpointKey {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`the audit checkpoint key must be Ed25519 (got ${key.asymmetricKeyType})`);
  const pub = createPublicKey(key);
  const keyId = keyIdOf(pub);
  return {
    keyId,
    publicKeyPem: pub.export({ type: 'spki', format: 'pem' }).toString(),
    sign(head, at) {
      const unsigned = { seq: head.seq, hash: head.hash, at, keyId };
      return { ...unsigned, signature: sign(null, Buffer.from(checkpointStatement(unsigned)), key).toString('base64url') };
    },
  };
}

/** Public keys by key id, from SPKI PEM texts (a verifier's trusted keys). */
export function trustedKeys(publicKeyPems: readonly string[]): Map<string, KeyObject> {
  return new Map(
    publicKeyPems.map((pem) => {
      const k = createPublicKey(pem);
      return [keyIdOf(k), k] as const;
    }),
  );
}

/** Whether `c` is signed by one of `keys`. Never throws. */
export function signatureHolds(c: Checkpoint, keys: ReadonlyMap<string, KeyObject>): boolean {
  const key = keys.get(c.keyId);
  if (!key || typeof c.signature !== 'string') return false;
  const signature = Buffer.from(c.signature, 'base64url');
  // One spelling per signature: a decoder ignores the last character's spare bits and anything
  // outside the alphabet, so another string could otherwise pass for the signed one.
  if (signature.toString('base64url') !== c.signature) return false;
  try {
    return verify(null, Buffer.from(checkpointStatement(c)), key, signature);
  } catch {
    return false;
  }
}

/** Why a checkpoint does not hold against the chain. */
export type CheckpointProblem =
  /** Not signed by a trusted key (forged, altered, or signed by a key not configured here). */
  | 'signature'
  /** The chain ends before the checkpoint's record: its tail was cut off. */
  | 'truncated'
  /** The chain's record at `seq` has another hash. */
  | 'hash';

export interface CheckpointCheck {
  checkpoint: Checkpoint;
  problem: CheckpointProblem;
  /** What the chain holds at `seq` (the hash), or where it ends (`ends at <seq>`). */
  found: string;
}

/** The chain as a verification found it, its checkpoints included. */
export interface ChainStatus {
  ok: boolean;
  records: number;
  events: number;
  head: { seq: number; hash: string } | null;
  /** The first record that breaks the chain, if one does. */
  break: { recordId: string; seq: number; field: string; expected: string; actual: string } | null;
  /** Checkpoints checked (stored ones and any the caller brought). */
  checkpoints: number;
  /** The checkpoints that do not hold. */
  failures: CheckpointCheck[];
  /** The newest stored checkpoint. */
  latest: Checkpoint | null;
}

/** Check checkpoints against the hashes a verification saw (`hashAt`) and where the chain ends. */
export function checkCheckpoints(
  checkpoints: readonly Checkpoint[],
  keys: ReadonlyMap<string, KeyObject>,
  hashAt: ReadonlyMap<number, string>,
  lastSeq: number,
): CheckpointCheck[] {
  const failures: CheckpointCheck[] = [];
  for (const c of checkpoints) {
    const seen = hashAt.get(c.seq);
    if (!signatureHolds(c, keys)) failures.push({ checkpoint: c, problem: 'signature', found: seen ?? `ends at ${lastSeq}` });
    else if (c.seq > lastSeq) failures.push({ checkpoint: c, problem: 'truncated', found: `ends at ${lastSeq}` });
    else if (seen !== c.hash) failures.push({ checkpoint: c, problem: 'hash', found: seen ?? 'no record' });
  }
  return failures;
}

/** A checkpoint as it is exported (the graph's `AuditCheckpoint`, the log, a JSON-lines file). */
export interface ExportedCheckpoint {
  sequence: number;
  hash: string;
  at: string;
  keyId: string;
  signature: string;
}

/** The exported form of a checkpoint. */
export const exported = (c: Checkpoint): ExportedCheckpoint => ({
  sequence: c.seq,
  hash: c.hash,
  at: c.at,
  keyId: c.keyId,
  signature: c.signature,
});

/** A checkpoint from its exported form (a file, the graph), or null when it is not one. Never throws. */
export function parseCheckpoint(v: unknown): Checkpoint | null {
  if (typeof v !== 'object' || v === null) return null;
  const c = v as Record<string, unknown>;
  const ok =
    Number.isSafeInteger(c.sequence) &&
    (c.sequence as number) > 0 &&
    typeof c.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(c.hash) &&
    typeof c.at === 'string' &&
    !Number.isNaN(Date.parse(c.at)) &&
    typeof c.keyId === 'string' &&
    /^[0-9a-f]{16}$/.test(c.keyId) &&
    typeof c.signature === 'string' &&
    /^[A-Za-z0-9_-]{86}$/.test(c.signature);
  return ok
    ? { seq: c.sequence as number, hash: c.hash as string, at: c.at as string, keyId: c.keyId as string, signature: c.signature as string }
    : null;
}

export interface CheckpointerOptions {
  /** Make a checkpoint at least this often while records are written, in ms. */
  intervalMs: number;
  /** ... and as soon as this many events were written since the last one. */
  everyEvents: number;
  log: AuditLog;
  now?: () => number;
}

/** What the checkpointer needs of the store. */
export interface CheckpointStore {
  head(): Promise<{ seq: number; hash: string } | null>;
  appendCheckpoint(c: Checkpoint): Promise<void>;
}

/**
 * Makes checkpoints: every `intervalMs` and every `everyEvents` events written, only when the
 * chain grew since the last one, one at a time. A failure is logged and retried at the next
 * occasion; checkpoints never hold up the writer.
 */
export class Checkpointer {
  private timer: NodeJS.Timeout | null = null;
  private since = 0;
  private lastSeq = 0;
  private running: Promise<Checkpoint | null> | null = null;

  constructor(
    private readonly store: CheckpointStore,
    private readonly key: CheckpointKey,
    private readonly opts: CheckpointerOptions,
  ) {}

  /** Start the interval. */
  start(): void {
    this.timer ??= setInterval(() => void this.checkpoint(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** The writer wrote `events` events. */
  written(events: number): void {
    this.since += events;
    if (this.since >= this.opts.everyEvents) void this.checkpoint();
  }

  /** Make a checkpoint of the current head, unless nothing was written since the last one. */
  checkpoint(): Promise<Checkpoint | null> {
    this.running ??= this.make().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async make(): Promise<Checkpoint | null> {
    try {
      const head = await this.store.head();
      if (!head || head.seq <= this.lastSeq) return null;
      this.since = 0;
      const c = this.key.sign(head, new Date((this.opts.now ?? Date.now)()).toISOString());
      await this.store.appendCheckpoint(c);
      this.lastSeq = head.seq;
      // The log is the first copy outside the database.
      this.opts.log.info('audit checkpoint', { checkpoint: exported(c) });
      return c;
    } catch (e) {
      this.opts.log.warn('audit checkpoint failed; retried at the next one', { error: (e as Error).message });
      return null;
    }
  }

  /** Stop the interval and make a last checkpoint (after the writer's last write). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.checkpoint();
  }
}
