/**
 * The single writer of a gateway process: records (a response's views, a download, a gap) are
 * kept in a bounded in-memory buffer (never on the request path: `record` is synchronous and
 * never throws) and written in batches, every `batchMs` or as soon as `batchSize` events are
 * waiting, one batch at a time (so this process's records enter the chain in the order they
 * were recorded). Sizes and bounds count events: a record of n objects is n events.
 *
 * When the store is unreachable, batches stay in the buffer and are retried with backoff; the
 * gateway keeps serving and reports `ok: false` in /readyz. Health is judged before anything is
 * lost (see `status`): a store never reached since start-up, a failed write not yet followed by
 * a good one, a write lag past `readyLagMs` or a buffer past `readyBufferFraction` of its bound
 * all make the writer not ok, and it is ok again as soon as none holds. When the buffer is full, the
 * OLDEST event is dropped (the newest are likelier to matter to an investigation still under
 * way), counted in `dropped` and `atrium_audit_events_total{outcome="dropped"}`, and logged once
 * per outage. The loss is then written into the chain itself: the first batch that reaches the
 * store again starts with a `gap` event saying how many events were lost and between which
 * times, so a verified chain still shows where it is incomplete.
 */
import { randomUUID } from 'node:crypto';
import type { AuditLog, AuditMetrics } from './ports.ts';
import { eventsIn } from './chain.ts';
import { blankRecord, type AuditRecord } from './event.ts';

/** Where batches go (the store, or a stand-in in tests). */
export interface AuditSink {
  /** `retry`: the previous write failed, so some of these may have landed (see AppendOptions). */
  append(records: readonly AuditRecord[], opts?: { retry?: boolean }): Promise<number>;
}

export interface WriterOptions {
  /** Largest number of events held in memory (plus one batch being written); whole records are dropped past it. */
  bufferMax: number;
  /** Longest an event waits before its batch is written, in ms. */
  batchMs: number;
  /** Events per batch (whole records: a batch may hold one record more); a full batch is written at once. */
  batchSize: number;
  log: AuditLog;
  metrics?: AuditMetrics;
  /** Told after each successful write how many events it held (checkpoints count them). */
  onWritten?: (events: number) => void;
  /** Wall clock of the events (not the read-time clock of the graph). */
  now?: () => number;
  /**
   * Longest wait for retries after a failed write (and between probes), in ms (default 1000):
   * short, so a store that comes back is written to, and the writer ok, within about a second.
   */
  maxBackoffMs?: number;
  /**
   * Proves the store can be reached (opening it). Given one, the writer is not ok until the probe
   * or a write succeeds: a store unreachable at start-up reads as unready from the first check,
   * not only once events pile up. Retried with backoff until it succeeds.
   */
  probe?: () => Promise<unknown>;
  /** Write lag (age of the oldest unwritten event) past which the writer is not ok, in ms (default 1500). */
  readyLagMs?: number;
  /** Share of `bufferMax` past which the writer is not ok (default 0.5): unready well before anything is dropped. */
  readyBufferFraction?: number;
  /**
   * Where every record goes, synchronously, before `record` returns (so before its response
   * is sent), and is released once stored or accounted for by a stored gap (journal.ts).
   */
  journal?: WriterJournal;
}

/** What the writer needs of a journal. */
export interface WriterJournal {
  append(r: AuditRecord): void;
  appendGap(key: string, gap: { count: number; from: string; to: string }): void;
  release(keys: Iterable<string>): void;
}

/** Why the writer is not ok. */
export type AuditConcern =
  /** The store has not been reached since start-up (the probe and every write so far failed). */
  | 'unreached'
  /** The last write failed and none has succeeded since. */
  | 'failing'
  /** The oldest unwritten event waited longer than `readyLagMs` (a slow, locked or hung store). */
  | 'lagging'
  /** The buffer holds more than `readyBufferFraction` of `bufferMax`. */
  | 'filling';

/** Default `readyLagMs`: a healthy writer's lag is one batch interval plus one write (0.2 to 0.5 s). */
export const DEFAULT_READY_LAG_MS = 1500;
/** Default `readyBufferFraction`. */
export const DEFAULT_READY_BUFFER_FRACTION = 0.5;

/** What /readyz and /metrics show. */
export interface AuditStatus {
  /** False while any concern holds (events are then buffered, and dropped past the bound). */
  ok: boolean;
  /** Every concern that holds now, empty when ok. */
  concerns: AuditConcern[];
  /** Buffer depth: events not yet written (buffered, or in the write under way). */
  buffered: number;
  /** Write lag: age of the oldest event not yet written, in ms (0 when none waits). */
  lagMs: number;
  /** Events dropped since start because the buffer was full. */
  dropped: number;
  written: number;
  /** The store's last error while it fails or was never reached (for logs, not for /readyz). */
  error?: string;
}

interface Gap {
  count: number;
  from: string;
  to: string;
}

export class AuditWriter {
  private buf: AuditRecord[] = [];
  /** Events in `buf`. */
  private bufEvents = 0;
  private inFlight = 0;
  /** Time (ms) of the oldest event of the write under way. */
  private inFlightSince: number | null = null;
  private gap: Gap | null = null;
  private dropped = 0;
  private dropLoggedAt = -Infinity;
  private written = 0;
  private failing: string | null = null;
  private failures = 0;
  private retryAt = 0;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;
  private readonly pending = new Set<Promise<unknown>>();
  /** The events' clock. */
  readonly now: () => number;
  private closed = false;
  /** Whether the store answered since start-up (a probe or a write succeeded). */
  private reached: boolean;
  private probing: Promise<void> | null = null;
  private probeFailures = 0;
  private probeAt = 0;
  private probeError: string | null = null;

  constructor(
    private readonly sink: AuditSink,
    private readonly opts: WriterOptions,
  ) {
    this.now = opts.now ?? Date.now;
    // Without a probe the caller vouches for the store (tests hand in an open one).
    this.reached = !opts.probe;
    this.timer = setInterval(() => void this.tick(), Math.max(1, opts.batchMs));
    // The timer must not keep a process alive on its own; close() flushes what is left.
    this.timer.unref();
    this.probe();
  }

  /** Ask the probe, unless the store was reached, a probe is under way or its backoff runs. */
  private probe(): void {
    const probe = this.opts.probe;
    if (this.reached || !probe || this.probing || this.closed || this.now() < this.probeAt) return;
    this.probing = probe()
      .then(
        () => {
          if (this.probeError) this.opts.log.warn('audit store reachable', { buffered: this.bufEvents });
          this.reach();
        },
        (e: unknown) => {
          const message = (e as Error)?.message ?? String(e);
          if (this.probeFailures === 0) this.opts.log.error('audit store not reachable: buffering events', { error: message });
          this.probeError = message;
          this.probeFailures++;
          this.probeAt = this.now() + this.backoff(this.probeFailures);
        },
      )
      .finally(() => {
        this.probing = null;
      });
  }

  private reach(): void {
    this.reached = true;
    this.probeError = null;
  }

  /** Wait before the next attempt after `failures` failed ones. */
  private backoff(failures: number): number {
    return Math.min(this.opts.maxBackoffMs ?? 1000, this.opts.batchMs * 2 ** Math.min(failures, 10));
  }

  /** Record (id and time are given here). Synchronous, never throws, never waits for the store. */
  record(fields: Partial<Omit<AuditRecord, 'id' | 'at'>> & Pick<AuditRecord, 'action'>): void {
    const r: AuditRecord = { ...blankRecord(randomUUID(), new Date(this.now()).toISOString(), fields.action), ...fields };
    this.journaled(() => this.opts.journal?.append(r));
    this.buf.push(r);
    this.bufEvents += eventsIn(r);
    if (this.bufEvents > this.opts.bufferMax) this.drop();
    if (this.bufEvents >= this.opts.batchSize && !this.soon && !this.running && this.now() >= this.retryAt) {
      // A full batch is written on the next turn of the event loop, never inside the request's own call.
      this.soon = setImmediate(() => {
        this.soon = null;
        void this.tick();
      });
    }
  }

  /** Run a journal call; a journal that fails is logged (once a minute), never thrown into a request. */
  private journaled(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const now = this.now();
      if (now - this.journalLoggedAt >= 60_000) {
        this.journalLoggedAt = now;
        this.opts.log.error('audit journal not written: a crash now would lose the buffered events', { error: (e as Error)?.message });
      }
    }
  }
  private journalLoggedAt = -Infinity;
  /** Journal keys of the gap lines that the pending gap accounts for. */
  private gapKeys: string[] = [];
  /** Records from the journal of a previous run: the store may have some already, so their write skips those. */
  private readonly replayed = new Set<string>();

  /**
   * Records and gaps a previous run journaled but may not have stored, put before anything
   * recorded now (they are older) and re-journaled; their first write skips records the store
   * already has.
   */
  replay(records: readonly AuditRecord[], gaps: readonly { count: number; from: string; to: string }[]): void {
    for (const r of records) {
      this.journaled(() => this.opts.journal?.append(r));
      this.replayed.add(r.id);
    }
    this.buf = [...records, ...this.buf];
    this.bufEvents += records.reduce((n, r) => n + eventsIn(r), 0);
    for (const g of gaps) this.addGap(g);
    if (this.bufEvents > this.opts.bufferMax) this.drop();
  }

  /** Account for lost events in the pending gap, journaled so a crash keeps the count. */
  private addGap(g: { count: number; from: string; to: string }): void {
    const key = `gap:${randomUUID()}`;
    this.journaled(() => this.opts.journal?.appendGap(key, g));
    this.gapKeys.push(key);
    this.gap = this.gap
      ? {
          count: this.gap.count + g.count,
          from: this.gap.from < g.from ? this.gap.from : g.from,
          to: this.gap.to > g.to ? this.gap.to : g.to,
        }
      : { ...g };
  }

  /** Keep `p` (an event being enriched before it is recorded) in view, so close() waits for it. */
  track(p: Promise<unknown>): void {
    const q = p.catch((e: unknown) => this.opts.log.error('audit event lost while being prepared', { error: (e as Error)?.message }));
    this.pending.add(q);
    void q.finally(() => this.pending.delete(q));
  }

  /** Drop the oldest records until the buffer is within its bound. */
  private drop(): void {
    let n = 0;
    let events = 0;
    while (this.bufEvents - events > this.opts.bufferMax && n < this.buf.length) events += eventsIn(this.buf[n++] as AuditRecord);
    const lost = this.buf.splice(0, n);
    this.bufEvents -= events;
    const first = lost[0];
    const last = lost[lost.length - 1];
    if (!first || !last) return;
    // Logged once a minute at most: a store that cannot keep up drops on every batch.
    const now = this.now();
    if (now - this.dropLoggedAt >= 60_000) {
      this.dropLoggedAt = now;
      this.opts.log.error(
        this.failing
          ? 'audit buffer full: dropping the oldest events until the store is back'
          : 'audit buffer full: the store does not keep up, dropping the oldest events',
        { bufferMax: this.opts.bufferMax, dropped: this.dropped + events, error: this.failing },
      );
    }
    this.dropped += events;
    // The gap line goes in before the dropped records are released: a crash between keeps one or the other.
    this.addGap({ count: events, from: first.at, to: last.at });
    this.journaled(() => this.opts.journal?.release(lost.map((r) => r.id)));
    this.opts.metrics?.inc('atrium_audit_events_total', { outcome: 'dropped' }, events);
  }

  /** Take the oldest records holding up to batchSize events (at least one record). */
  private take(): { batch: AuditRecord[]; events: number } {
    let n = 0;
    let events = 0;
    while (n < this.buf.length && (n === 0 || events + eventsIn(this.buf[n] as AuditRecord) <= this.opts.batchSize))
      events += eventsIn(this.buf[n++] as AuditRecord);
    this.bufEvents -= events;
    return { batch: this.buf.splice(0, n), events };
  }

  private tick(all = false): Promise<void> {
    this.probe();
    if (this.running || this.now() < this.retryAt || (this.buf.length === 0 && !this.gap)) return this.running ?? Promise.resolve();
    this.running = this.drain(all).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * Write a batch, then more while full batches are waiting (or, with `all`, until the buffer is
   * empty), stopping at a failed write. A partial batch waits for the next tick: writing each
   * trickle as it arrives would pay a transaction per handful of records.
   */
  private async drain(all: boolean): Promise<void> {
    for (let first = true; (this.buf.length > 0 || this.gap) && (first || all || this.bufEvents >= this.opts.batchSize); first = false) {
      const gap = this.gap;
      const gapKeys = this.gapKeys;
      this.gap = null;
      this.gapKeys = [];
      const { batch, events } = this.take();
      const records = gap ? [this.gapRecord(gap), ...batch] : batch;
      const total = events + (gap ? 1 : 0);
      this.inFlight = events;
      this.inFlightSince = batch[0] ? Date.parse(batch[0].at) : null;
      try {
        await this.sink.append(records, { retry: this.failures > 0 || batch.some((r) => this.replayed.has(r.id)) });
        for (const r of batch) this.replayed.delete(r.id);
        this.journaled(() => this.opts.journal?.release([...batch.map((r) => r.id), ...gapKeys]));
        this.reach();
        this.written += total;
        this.opts.metrics?.inc('atrium_audit_events_total', { outcome: 'written' }, total);
        this.opts.onWritten?.(total);
        if (this.failing) this.opts.log.warn('audit store reachable again', { dropped: this.dropped, recovered: this.bufEvents + events });
        this.failing = null;
        this.failures = 0;
        this.retryAt = 0;
      } catch (e) {
        // Back in front, in order; past the bound the oldest go (and become a gap).
        this.buf = batch.concat(this.buf);
        this.bufEvents += events;
        // Drops recorded while this batch was in flight came after the gap being retried.
        const later = this.gap as Gap | null;
        if (gap) this.gap = later ? { count: gap.count + later.count, from: gap.from, to: later.to } : gap;
        this.gapKeys = [...gapKeys, ...this.gapKeys];
        if (this.bufEvents > this.opts.bufferMax) this.drop();
        const message = (e as Error)?.message ?? String(e);
        if (!this.failing) this.opts.log.error('audit store unreachable: buffering events', { error: message, buffered: this.bufEvents });
        this.failing = message;
        this.failures++;
        this.retryAt = this.now() + this.backoff(this.failures);
        this.opts.metrics?.inc('atrium_audit_write_failures_total');
        return;
      } finally {
        this.inFlight = 0;
        this.inFlightSince = null;
      }
    }
  }

  private gapRecord(g: Gap): AuditRecord {
    return {
      ...blankRecord(randomUUID(), new Date(this.now()).toISOString(), 'gap'),
      detail: JSON.stringify({ dropped: g.count, from: g.from, to: g.to }),
    };
  }

  /** Write everything buffered now. Rejects with the store's error if it is failing. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
    if (this.running) await this.running;
    this.retryAt = 0;
    await this.tick(true);
    if (this.failing) throw new Error(`audit store unreachable: ${this.failing}`);
  }

  /** Write lag: age of the oldest event not yet written, in ms. */
  lagMs(): number {
    const buffered = this.buf[0];
    const oldest = this.inFlightSince ?? (buffered ? Date.parse(buffered.at) : null);
    return oldest === null ? 0 : Math.max(0, this.now() - oldest);
  }

  /**
   * Health, judged before anything is dropped: not ok while the store was never reached, while
   * the last write failed, while the lag passes `readyLagMs`, or while the buffer passes
   * `readyBufferFraction` of `bufferMax`. Each is re-judged on every call, so the writer is ok
   * again as soon as the store catches up.
   */
  status(): AuditStatus {
    const buffered = this.bufEvents + this.inFlight;
    const lagMs = this.lagMs();
    const concerns: AuditConcern[] = [];
    if (!this.reached) concerns.push('unreached');
    if (this.failing !== null) concerns.push('failing');
    if (lagMs > (this.opts.readyLagMs ?? DEFAULT_READY_LAG_MS)) concerns.push('lagging');
    if (buffered > this.opts.bufferMax * (this.opts.readyBufferFraction ?? DEFAULT_READY_BUFFER_FRACTION)) concerns.push('filling');
    const error = this.failing ?? (this.reached ? null : this.probeError);
    return {
      ok: concerns.length === 0,
      concerns,
      buffered,
      lagMs,
      dropped: this.dropped,
      written: this.written,
      ...(error ? { error } : {}),
    };
  }

  /**
   * Stop the timer and write everything left, retrying a failing store until `deadlineMs`; a
   * write that hangs (a locked table) is given up on at the deadline too. Events still unwritten
   * then are logged as lost (counted, with the time range); those of a write still under way are
   * logged as unconfirmed (it may yet land).
   */
  async close(deadlineMs = 30_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const until = Date.now() + deadlineMs;
    let error = 'the store did not answer in time';
    for (;;) {
      const outcome = await settledWithin(this.flush(), until - Date.now());
      if (outcome.settled && !outcome.error) return;
      if (outcome.error) error = outcome.error.message;
      if (Date.now() >= until) {
        const left = this.bufEvents + (this.gap?.count ?? 0);
        this.opts.log.error('audit events lost at shutdown: the store stayed unreachable', {
          lost: left,
          unconfirmed: this.inFlight,
          from: this.buf[0]?.at,
          to: this.buf.at(-1)?.at,
          error,
        });
        this.opts.metrics?.inc('atrium_audit_events_total', { outcome: 'dropped' }, this.bufEvents);
        return;
      }
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, until - Date.now()))));
    }
  }
}

/** Whether `p` settled within `ms`, and its error if it rejected (a later rejection is ignored). */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<{ settled: boolean; error?: Error }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ settled: boolean }>((r) => {
    timer = setTimeout(() => r({ settled: false }), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      p.then(
        () => ({ settled: true }),
        (e: unknown) => ({ settled: true, error: e instanceof Error ? e : new Error(String(e)) }),
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
