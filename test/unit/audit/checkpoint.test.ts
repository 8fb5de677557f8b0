import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  checkCheckpoints,
  checkpointKey,
  Checkpointer,
  exported,
  parseCheckpoint,
  signatureHolds,
  trustedKeys,
  type Checkpoint,
} from '../../../audit/checkpoint.ts';

const pem = (type: 'ed25519' | 'ec' = 'ed25519') =>
  (type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519')).privateKey
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
const key = checkpointKey(pem());
const keys = trustedKeys([key.publicKeyPem]);
const HASH = 'a'.repeat(64);
const AT = '2026-12-02T10:00:00.000Z';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('checkpoint signatures', () => {
  it('hold for the signed statement and for nothing else', () => {
    const c = key.sign({ seq: 42, hash: HASH }, AT);
    assert.equal(c.keyId, key.keyId);
    assert.equal(signatureHolds(c, keys), true);
    const bytes = Buffer.from(c.signature, 'base64url');
    bytes[10] = (bytes[10] as number) ^ 0x01;
    const last = c.signature.at(-1) as string;
    // The last character carries 4 bits and 2 spare ones: flipping a spare bit decodes to the same bytes.
    const spare = BASE64URL[BASE64URL.indexOf(last) ^ 0x01] as string;
    for (const altered of [
      { seq: 43 },
      { hash: 'b'.repeat(64) },
      { at: '2026-12-02T10:00:01.000Z' },
      { signature: bytes.toString('base64url') },
      { signature: `${c.signature.slice(0, -1)}${spare}` },
      { signature: `${c.signature}=` },
      { signature: ` ${c.signature}` },
    ])
      assert.equal(signatureHolds({ ...c, ...altered }, keys), false, JSON.stringify(altered));
    assert.equal(signatureHolds(c, trustedKeys([checkpointKey(pem()).publicKeyPem])), false, 'another key');
    assert.equal(signatureHolds({ ...c, keyId: checkpointKey(pem()).keyId }, keys), false, 'a key id nobody trusts');
  });

  it('only an Ed25519 key signs', () => {
    assert.throws(() => checkpointKey(pem('ec')), /must be Ed25519/);
  });

  it('the exported form parses back; anything else is not a checkpoint', () => {
    const c = key.sign({ seq: 7, hash: HASH }, AT);
    assert.deepEqual(parseCheckpoint(JSON.parse(JSON.stringify(exported(c)))), c);
    for (const bad of [
      null,
      'x',
      { ...exported(c), sequence: 0 },
      { ...exported(c), hash: 'abc' },
      { ...exported(c), at: 'yesterday' },
      { seq: 7 },
    ])
      assert.equal(parseCheckpoint(bad), null, JSON.stringify(bad));
  });

  it('checked against a chain: truncated past its end, altered where the hash differs', () => {
    const ok = key.sign({ seq: 2, hash: HASH }, AT);
    const past = key.sign({ seq: 9, hash: HASH }, AT);
    const other = key.sign({ seq: 3, hash: HASH }, AT);
    const seen = new Map([
      [2, HASH],
      [3, 'c'.repeat(64)],
    ]);
    assert.deepEqual(checkCheckpoints([ok, past, other], keys, seen, 5), [
      { checkpoint: past, problem: 'truncated', found: 'ends at 5' },
      { checkpoint: other, problem: 'hash', found: 'c'.repeat(64) },
    ]);
  });
});

describe('the checkpointer', () => {
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

  it('checkpoints the head when the chain grew, every N events, and once more at close', async () => {
    let head = { seq: 10, hash: HASH };
    const stored: Checkpoint[] = [];
    const logged: unknown[] = [];
    const cp = new Checkpointer({ head: async () => head, appendCheckpoint: async (c) => void stored.push(c) }, key, {
      intervalMs: 3_600_000,
      everyEvents: 100,
      log: { ...quiet, info: (_m, f) => void logged.push(f) },
      now: () => Date.parse(AT),
    });
    cp.written(99);
    await cp.checkpoint();
    assert.equal(stored.length, 1, 'an explicit checkpoint');
    cp.written(99);
    assert.equal(await cp.checkpoint(), null, 'nothing written since: no new checkpoint');
    head = { seq: 12, hash: 'd'.repeat(64) };
    cp.written(1);
    await new Promise((r) => setImmediate(r));
    await cp.checkpoint();
    assert.deepEqual(
      stored.map((c) => c.seq),
      [10, 12],
    );
    assert.deepEqual(logged.at(-1), { checkpoint: exported(stored[1] as Checkpoint) }, 'the log carries the exported form');
    head = { seq: 13, hash: 'e'.repeat(64) };
    await cp.close();
    assert.deepEqual(
      stored.map((c) => c.seq),
      [10, 12, 13],
    );
  });

  it('a store that fails is logged and tried again at the next occasion', async () => {
    let fail = true;
    const warned: string[] = [];
    const stored: Checkpoint[] = [];
    const cp = new Checkpointer(
      {
        head: async () => ({ seq: 5, hash: HASH }),
        appendCheckpoint: async (c) => {
          if (fail) throw new Error('connection refused');
          stored.push(c);
        },
      },
      key,
      { intervalMs: 3_600_000, everyEvents: 10, log: { ...quiet, warn: (m) => void warned.push(m) } },
    );
    assert.equal(await cp.checkpoint(), null);
    assert.match(warned[0] as string, /checkpoint failed/);
    fail = false;
    assert.equal((await cp.checkpoint())?.seq, 5);
    assert.equal(stored.length, 1);
  });
});
