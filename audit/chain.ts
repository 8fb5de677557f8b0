/**
 * Tamper evidence: every stored record carries the hash of the one before it. The hash is
 * sha256 over a canonical serialization (a JSON array of every field in a fixed order, with the
 * sequence number and the previous hash, then each object's full description on a line of
 * its own), so altering, deleting, inserting or reordering a row, or altering an object a row
 * refers to, breaks the chain at that row and `verifyChain` names it.
 *
 * Two forms: records (format 2: one row per response, its objects in order) and the single
 * events of the first schema (format 1), carried over with their original hashes.
 */
import { createHash } from 'node:crypto';
import type { AuditObject, AuditRecord, SignedRecord, StoredRecord } from './event.ts';

/** The previous hash of the first record. */
export const GENESIS = '0'.repeat(64);

/** Descriptions already made, by object (the gateway's objects are cached and reused). */
const descriptions = new WeakMap<AuditObject, string>();

/**
 * A description from an object's fields in the fixed order: id, type, system, native id,
 * version, campaign (part of the format; the store's catalog columns follow it too).
 */
export const describeFields = (fields: readonly (string | null)[]): string => JSON.stringify(fields);

/** An object's canonical description: a JSON array of its fields in a fixed order. */
export function describe(o: AuditObject): string {
  let d = descriptions.get(o);
  if (d === undefined) {
    d = describeFields([o.id, o.type, o.system, o.nativeId, o.version, o.campaign]);
    descriptions.set(o, d);
  }
  return d;
}

/** The object a description describes. */
export function undescribe(d: string): AuditObject {
  const [id, type, system, nativeId, version, campaign] = JSON.parse(d) as (string | null)[];
  return { id, type, system, nativeId, version, campaign } as AuditObject;
}

/** The distinct campaigns of objects. */
export const campaignsOf = (objects: readonly AuditObject[]): string[] => [
  ...new Set(objects.map((o) => o.campaign).filter((c): c is string => !!c)),
];

/** A record with its objects described. */
export function sign(r: AuditRecord): SignedRecord {
  return { ...r, objects: r.objects.map(describe), campaigns: campaignsOf(r.objects) };
}

/** The canonical text hashed for a record at `seq` after `prevHash`. Field order is part of the format. */
export function canonical(r: SignedRecord, seq: number, prevHash: string): string {
  const head = JSON.stringify([
    2,
    seq,
    r.id,
    r.at,
    r.action,
    r.principalId,
    r.email,
    r.org,
    r.ip,
    r.userAgent,
    r.requestId,
    r.rendition,
    r.detail,
    prevHash,
  ]);
  // Descriptions are JSON text: they hold no raw line break, so one per line is unambiguous.
  return r.objects.length ? `${head}\n${r.objects.join('\n')}` : head;
}

/** The first schema's form: one event, its object's fields inline (null when it had none). */
export function canonicalV1(r: SignedRecord, seq: number, prevHash: string): string {
  const o = r.objects[0] !== undefined ? undescribe(r.objects[0]) : undefined;
  return JSON.stringify([
    1,
    seq,
    r.id,
    r.at,
    r.action,
    r.principalId,
    r.email,
    r.org,
    r.ip,
    r.userAgent,
    o?.id ?? null,
    o?.type ?? null,
    o?.system ?? null,
    o?.nativeId ?? null,
    o?.version ?? null,
    r.rendition,
    o?.campaign ?? null,
    r.requestId,
    r.detail,
    prevHash,
  ]);
}

/** The hash of a record at `seq` after `prevHash`, in its format. */
export function hashRecord(r: SignedRecord, seq: number, prevHash: string, format: 1 | 2 = 2): string {
  return createHash('sha256')
    .update(format === 1 ? canonicalV1(r, seq, prevHash) : canonical(r, seq, prevHash))
    .digest('hex');
}

/** Link records after a chain's tail: each gets the next sequence number and the hashes. */
export function link(records: readonly SignedRecord[], tail: { seq: number; hash: string } | null): StoredRecord[] {
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
export const eventsIn = (r: { objects: readonly unknown[] }): number => Math.max(1, r.objects.length);

/** Check a chain read in sequence order, objects and campaign index included; stops at the first break. */
export async function verifyChain(rows: AsyncIterable<StoredRecord>): Promise<ChainResult> {
  let count = 0;
  let events = 0;
  let prevSeq = 0;
  let prevHash = GENESIS;
  for await (const r of rows) {
    const at = (field: ChainBreak['field'], expected: string, actual: string): ChainResult => ({
      ok: false,
      count,
      events,
      break: { recordId: r.id, seq: r.seq, field, expected, actual },
    });
    if (r.seq !== prevSeq + 1) return at('seq', String(prevSeq + 1), String(r.seq));
    if (r.prevHash !== prevHash) return at('prevHash', prevHash, r.prevHash);
    const want = hashRecord(r, r.seq, r.prevHash, r.format);
    if (r.hash !== want) return at('hash', want, r.hash);
    const expected = campaignsOf(r.objects.map(undescribe)).sort().join(',');
    const actual = [...r.campaigns].sort().join(',');
    if (expected !== actual) return at('campaigns', expected, actual);
    count++;
    events += eventsIn(r);
    prevSeq = r.seq;
    prevHash = r.hash;
  }
  return { ok: true, count, events };
}
