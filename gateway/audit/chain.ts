/**
 * Tamper evidence: every stored event carries the hash of the one before it. The hash is
 * sha256 over a canonical serialization (a JSON array of every field in a fixed order, the
 * sequence number and the previous hash included), so altering, deleting, inserting or
 * reordering a row breaks the chain at that row and `verifyChain` names it.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent, StoredEvent } from './event.ts';

/** The previous hash of the first event. */
export const GENESIS = '0'.repeat(64);

/** The canonical text hashed for an event at `seq` after `prevHash`. Field order is part of the format. */
export function canonical(e: AuditEvent, seq: number, prevHash: string): string {
  return JSON.stringify([
    1, seq, e.id, e.at, e.action, e.principalId, e.email, e.org, e.ip, e.userAgent, e.objectId, e.objectType,
    e.system, e.nativeId, e.version, e.rendition, e.campaign, e.requestId, e.detail, prevHash,
  ]);
}

/** The hash of an event at `seq` after `prevHash`. */
export function hashEvent(e: AuditEvent, seq: number, prevHash: string): string {
  return createHash('sha256').update(canonical(e, seq, prevHash)).digest('hex');
}

/** Link events after a chain's tail: each gets the next sequence number and the hashes. */
export function link(events: readonly AuditEvent[], tail: { seq: number; hash: string } | null): StoredEvent[] {
  let seq = tail?.seq ?? 0;
  let prev = tail?.hash ?? GENESIS;
  return events.map((e) => {
    seq += 1;
    const hash = hashEvent(e, seq, prev);
    const stored = { ...e, seq, prevHash: prev, hash };
    prev = hash;
    return stored;
  });
}

/** Where and how a chain breaks. */
export interface ChainBreak {
  /** The first event that does not fit. */
  eventId: string;
  seq: number;
  /** Which link failed: the sequence (a row missing or inserted), the previous hash, or the row's own hash. */
  field: 'seq' | 'prevHash' | 'hash';
  expected: string;
  actual: string;
}

export type ChainResult = { ok: true; count: number } | { ok: false; count: number; break: ChainBreak };

/** Check a chain read in sequence order; stops at the first break. `count` is the events checked. */
export async function verifyChain(rows: AsyncIterable<StoredEvent>): Promise<ChainResult> {
  let count = 0;
  let prevSeq = 0;
  let prevHash = GENESIS;
  for await (const r of rows) {
    const at = (field: ChainBreak['field'], expected: string, actual: string): ChainResult =>
      ({ ok: false, count, break: { eventId: r.id, seq: r.seq, field, expected, actual } });
    if (r.seq !== prevSeq + 1) return at('seq', String(prevSeq + 1), String(r.seq));
    if (r.prevHash !== prevHash) return at('prevHash', prevHash, r.prevHash);
    const want = hashEvent(r, r.seq, r.prevHash);
    if (r.hash !== want) return at('hash', want, r.hash);
    count++;
    prevSeq = r.seq;
    prevHash = r.hash;
  }
  return { ok: true, count };
}
