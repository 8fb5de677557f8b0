/**
 * Tamper evidence: every stored record carries the hash of the one before it. The hash is
 * sha256 over a canonical serialization (a JSON array of every field in a fixed order, every
 * object with all its fields, the sequence number and the previous hash included), so
 * altering, deleting, inserting or reordering a row, or altering an object a row refers to,
 * breaks the chain at that row and `verifyChain` names it.
 *
 * Two forms: records (format 2: one row per response, its objects in order) and the single
 * events of the first schema (format 1), carried over with their original hashes.
 */
import { createHash } from 'node:crypto';
import type { AuditObject, AuditRecord, StoredRecord } from './event.ts';

/** The previous hash of the first record. */
export const GENESIS = '0'.repeat(64);

const objectFields = (o: AuditObject) => [o.id, o.type, o.system, o.nativeId, o.version, o.campaign];

/** The canonical text hashed for a record at `seq` after `prevHash`. Field order is part of the format. */
export function canonical(r: AuditRecord, seq: number, prevHash: string): string {
  return JSON.stringify([
    2, seq, r.id, r.at, r.action, r.principalId, r.email, r.org, r.ip, r.userAgent, r.requestId, r.rendition, r.detail,
    r.objects.map(objectFields), prevHash,
  ]);
}

/** The first schema's form: one event, its object's fields inline (null when it had none). */
export function canonicalV1(r: AuditRecord, seq: number, prevHash: string): string {
  const o = r.objects[0];
  return JSON.stringify([
    1, seq, r.id, r.at, r.action, r.principalId, r.email, r.org, r.ip, r.userAgent, o?.id ?? null, o?.type ?? null,
    o?.system ?? null, o?.nativeId ?? null, o?.version ?? null, r.rendition, o?.campaign ?? null, r.requestId, r.detail, prevHash,
  ]);
}

/** The hash of a record at `seq` after `prevHash`, in its format. */
export function hashRecord(r: AuditRecord, seq: number, prevHash: string, format: 1 | 2 = 2): string {
  return createHash('sha256').update(format === 1 ? canonicalV1(r, seq, prevHash) : canonical(r, seq, prevHash)).digest('hex');
}

/** Link records after a chain's tail: each gets the next sequence number and the hashes. */
export function link(records: readonly AuditRecord[], tail: { seq: number; hash: string } | null): StoredRecord[] {
  let seq = tail?.seq ?? 0;
  let prev = tail?.hash ?? GENESIS;
  return records.map((r) => {
    seq += 1;
    const hash = hashRecord(r, seq, prev);
    const stored: StoredRecord = { ...r, seq, prevHash: prev, hash, format: 2 };
    prev = hash;
    return stored;
  });
}

/** Where and how a chain breaks. */
export interface ChainBreak {
  /** The first record that does not fit. */
  recordId: string;
  seq: number;
  /**
   * Which link failed: the sequence (a row missing or inserted), the previous hash, the row's
   * own hash, or the campaign index (the campaigns a row is found under are not its objects').
   */
  field: 'seq' | 'prevHash' | 'hash' | 'campaigns';
  expected: string;
  actual: string;
}

/** `count`: records checked; `events`: the access events they hold (a record without objects is one event). */
export type ChainResult = { ok: true; count: number; events: number } | { ok: false; count: number; events: number; break: ChainBreak };

/** Events a record stands for. */
export const eventsIn = (r: Pick<AuditRecord, 'objects'>): number => Math.max(1, r.objects.length);

/** The distinct campaigns of a record's objects: what the campaign filter finds it under. */
export const campaignsOf = (r: Pick<AuditRecord, 'objects'>): string[] => [...new Set(r.objects.map((o) => o.campaign).filter((c): c is string => !!c))];

/**
 * Check a chain read in sequence order; stops at the first break. Rows that carry the
 * campaigns they are indexed under (the store's do) are checked against their objects too.
 */
export async function verifyChain(rows: AsyncIterable<StoredRecord & { campaigns?: readonly string[] }>): Promise<ChainResult> {
  let count = 0;
  let events = 0;
  let prevSeq = 0;
  let prevHash = GENESIS;
  for await (const r of rows) {
    const at = (field: ChainBreak['field'], expected: string, actual: string): ChainResult =>
      ({ ok: false, count, events, break: { recordId: r.id, seq: r.seq, field, expected, actual } });
    if (r.seq !== prevSeq + 1) return at('seq', String(prevSeq + 1), String(r.seq));
    if (r.prevHash !== prevHash) return at('prevHash', prevHash, r.prevHash);
    const want = hashRecord(r, r.seq, r.prevHash, r.format);
    if (r.hash !== want) return at('hash', want, r.hash);
    if (r.campaigns) {
      const expected = campaignsOf(r).sort().join(',');
      const actual = [...r.campaigns].sort().join(',');
      if (expected !== actual) return at('campaigns', expected, actual);
    }
    count++;
    events += eventsIn(r);
    prevSeq = r.seq;
    prevHash = r.hash;
  }
  return { ok: true, count, events };
}
