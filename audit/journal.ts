/**
 * The audit's journal: every record is appended to a local file before the response it
 * describes goes out, and forgotten once the store has it. A process that is killed (SIGKILL,
 * a crash, the OOM killer) loses the records still in the writer's memory, but not the
 * journal's lines: the next start reads them back and writes them to the store, skipping any
 * the store already has (a record's id is written with it). So every answered request's events
 * reach the store, or, when the buffer overflowed before the crash, the loss is in a gap line
 * that becomes a gap record.
 *
 * Lines are written with one synchronous write each and no fsync: what a process wrote is in
 * the operating system's page cache and survives the process, not the machine (a machine that
 * loses power loses the last writes, as PGlite without fsync does; PostgreSQL deployments that
 * need more run on durable disks anyway). The file is cut into segments; a segment is deleted
 * once every line in it is stored (or accounted for by a stored gap), so the journal holds about
 * what the writer buffers.
 *
 * Format: JSON lines, `{"r": <AuditRecord>}` or `{"gap": {count, from, to}}`. A line cut short by
 * the crash itself is the only one that can be unreadable, and is skipped.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from './event.ts';

export interface JournalGap {
  count: number;
  from: string;
  to: string;
}

/** What the previous process left unwritten. */
export interface Recovered {
  records: AuditRecord[];
  gaps: JournalGap[];
}

const SEGMENT = /^(\d{13})-(\d{6})\.ndjson$/;

export class AuditJournal {
  private fd: number | null = null;
  private segment = '';
  private bytes = 0;
  private seq = 0;
  /** Lines not yet stored, per segment file. */
  private readonly pending = new Map<string, number>();
  /** Which segment holds each record (by id) or gap (by a key of its own). */
  private readonly where = new Map<string, string>();
  /** Segments of the previous process, deleted once what they held is stored. */
  private readonly old: string[] = [];

  private locked = false;

  constructor(
    private readonly dir: string,
    private readonly segmentBytes = 4 * 1024 * 1024,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /**
   * Take the journal for this process (a lock file with its pid). Two gateways sharing one
   * journal would replay each other's records; a lock left by a process that is gone is taken
   * over. Throws when a live process holds it.
   */
  lock(): void {
    const file = join(this.dir, 'journal.lock');
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
    } catch {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new Error(`the audit journal in ${this.dir} is in use by process ${pid}: give each gateway a data directory of its own`);
      writeFileSync(file, String(process.pid), { mode: 0o600 });
    }
    this.locked = true;
  }

  /**
   * The lines a previous process left (oldest first). Call once, before the first append; their
   * segments are deleted by `recovered()` once the writer has stored what they held.
   */
  recover(): Recovered {
    const out: Recovered = { records: [], gaps: [] };
    const files = readdirSync(this.dir)
      .filter((f) => SEGMENT.test(f))
      .sort();
    for (const f of files) {
      this.old.push(f);
      for (const line of readFileSync(join(this.dir, f), 'utf8').split('\n')) {
        if (!line) continue;
        let v: { r?: AuditRecord; gap?: JournalGap };
        try {
          v = JSON.parse(line) as typeof v;
        } catch {
          continue; // the line the crash cut short
        }
        if (v.r && typeof v.r.id === 'string') out.records.push(v.r);
        else if (v.gap && Number.isInteger(v.gap.count)) out.gaps.push(v.gap);
      }
    }
    return out;
  }

  /** The previous process's lines are all stored: delete its segments. */
  recovered(): void {
    for (const f of this.old.splice(0)) this.remove(f);
  }

  /** Append a record before its response goes out. Synchronous; throws only if the disk refuses. */
  append(r: AuditRecord): void {
    this.write(r.id, `${JSON.stringify({ r })}\n`);
  }

  /** Append a gap (records dropped from a full buffer), keyed so it can be released when its gap record is stored. */
  appendGap(key: string, gap: JournalGap): void {
    this.write(key, `${JSON.stringify({ gap })}\n`);
  }

  /** These records (ids) or gaps (keys) are stored, or accounted for: forget them. */
  release(keys: Iterable<string>): void {
    for (const k of keys) {
      const f = this.where.get(k);
      if (f === undefined) continue;
      this.where.delete(k);
      const n = (this.pending.get(f) ?? 1) - 1;
      this.pending.set(f, n);
      if (n === 0 && f !== this.segment) this.remove(f);
    }
    // Everything in the open segment is stored: start it again rather than let it grow.
    if (this.fd !== null && (this.pending.get(this.segment) ?? 0) === 0 && this.bytes > 0) this.rotate();
  }

  /** Close the file and let the lock go; a journal with nothing pending leaves no segment behind. */
  close(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
      if ((this.pending.get(this.segment) ?? 0) === 0) this.remove(this.segment);
    }
    if (this.locked) {
      this.locked = false;
      try {
        unlinkSync(join(this.dir, 'journal.lock'));
      } catch {
        // already gone
      }
    }
  }

  private write(key: string, line: string): void {
    if (this.fd === null || this.bytes >= this.segmentBytes) this.rotate();
    const buf = Buffer.from(line, 'utf8');
    writeSync(this.fd as number, buf);
    this.bytes += buf.length;
    this.where.set(key, this.segment);
    this.pending.set(this.segment, (this.pending.get(this.segment) ?? 0) + 1);
  }

  private rotate(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      if ((this.pending.get(this.segment) ?? 0) === 0) this.remove(this.segment);
    }
    this.segment = `${Date.now()}-${String(this.seq++ % 1_000_000).padStart(6, '0')}.ndjson`;
    this.fd = openSync(join(this.dir, this.segment), 'a', 0o600);
    this.bytes = 0;
  }

  private remove(f: string): void {
    this.pending.delete(f);
    try {
      unlinkSync(join(this.dir, f));
    } catch {
      // already gone
    }
  }

  /** Segment files on disk (for tests and status). */
  segments(): string[] {
    return readdirSync(this.dir).filter((f) => SEGMENT.test(f));
  }
}

/** Whether a process with this pid runs (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
