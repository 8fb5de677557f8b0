/**
 * The single writer of a gateway process: records (a response's views, a download, a gap) are
 * kept in a bounded in-memory buffer (never on the request path: `record` is synchronous and
 * never throws) and written in batches, every `batchMs` or as soon as `batchSize` events are
 * waiting, one batch at a time (so this process's records enter the chain in the order they
 * were recorded). Sizes and bounds count events: a record of n objects is n events.
 *
 * When the store is unreachable, batches stay in the buffer and are retried with backoff; the
 * gateway keeps serving and reports `ok: false` in /readyz. When the buffer is full, the
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
  /** Longest wait for retries after a failed write, in ms. */
  maxBackoffMs?: number;
}

/** What /readyz shows. */
export interface AuditStatus {
  /** False while the store is failing (events are buffered, and dropped past the bound). */
  ok: boolean;
  buffered: number;
  /** Events dropped since start because the buffer was full. */
  dropped: number;
  written: number;
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

  constructor(
    private readonly sink: AuditSink,
    private readonly opts: WriterOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => void this.tick(), Math.max(1, opts.batchMs));
    // The timer must not keep a process alive on its own; close() flushes what is left.
    this.timer.unref();
  }

  /** Record (id and time are given here). Synchronous, never throws, never waits for the store. */
  record(fields: Partial<Omit<AuditRecord, 'id' | 'at'>> & Pick<AuditRecord, 'action'>): void {
    const r: AuditRecord = { ...blankRecord(randomUUID(), new Date(this.now()).toISOString(), fields.action), ...fields };
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
    this.gap = this.gap ? { ...this.gap, count: this.gap.count + events, to: last.at } : { count: events, from: first.at, to: last.at };
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
      this.gap = null;
      const { batch, events } = this.take();
      const records = gap ? [this.gapRecord(gap), ...batch] : batch;
      const total = events + (gap ? 1 : 0);
      this.inFlight = events;
      try {
        await this.sink.append(records, { retry: this.failures > 0 });
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
        if (this.bufEvents > this.opts.bufferMax) this.drop();
        const message = (e as Error)?.message ?? String(e);
        if (!this.failing) this.opts.log.error('audit store unreachable: buffering events', { error: message, buffered: this.bufEvents });
        this.failing = message;
        this.failures++;
        this.retryAt = this.now() + Math.min(this.opts.maxBackoffMs ?? 5000, this.opts.batchMs * 2 ** Math.min(this.failures, 10));
        this.opts.metrics?.inc('atrium_audit_write_failures_total');
        return;
      } finally {
        this.inFlight = 0;
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

  /** Readiness. */
  status(): AuditStatus {
    return {
      ok: this.failing === null,
      buffered: this.bufEvents + this.inFlight,
      dropped: this.dropped,
      written: this.written,
      ...(this.failing ? { error: this.failing } : {}),
    };
  }

  /**
   * Stop the timer and write everything left, retrying a failing store until `deadlineMs`.
   * Events still unwritten then are logged as lost (counted, with the time range).
   */
  async close(deadlineMs = 30_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const until = Date.now() + deadlineMs;
    for (;;) {
      try {
        await this.flush();
        return;
      } catch (e) {
        if (Date.now() >= until) {
          const left = this.bufEvents + (this.gap?.count ?? 0);
          this.opts.log.error('audit events lost at shutdown: the store stayed unreachable', {
            lost: left,
            from: this.buf[0]?.at,
            to: this.buf.at(-1)?.at,
            error: (e as Error).message,
          });
          this.opts.metrics?.inc('atrium_audit_events_total', { outcome: 'dropped' }, this.bufEvents);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, until - Date.now()))));
      }
    }
  }
}
