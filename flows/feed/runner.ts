/**
 * The change feed runner: one loop per source feed. Each turn reads the feed's cursor (from
 * the outbox once at start, then the one it last appended), polls the source, and appends the
 * events and the new cursor in ONE call (`OutboxPort.append`), so a crash keeps both or
 * neither: after a restart the feed resumes from the stored cursor, and the cursor's keys and
 * the events' ids (the outbox dedupes on them) make a repeated poll append nothing twice.
 *
 * - Per source a poll interval (`intervalMs`); a turn that fails (a typed UpstreamError, the
 *   outbox failing) keeps the cursor and tries again after a backoff (doubling, at most
 *   `maxBackoffMs`); one source failing delays only its own feed.
 * - Lag: for every appended event, append time minus the source's time of the change, kept in
 *   a bounded window per feed (`LagStats`: count, p50, p99, max) for the gateway's metrics.
 * - Logs carry the feed, the error kind and its message: connector messages never hold URLs or
 *   tokens (sources/http/errors.ts); anything else is logged by name only.
 */
import { UpstreamError } from '../../sources/http/errors.ts';
import type { OutboxPort } from '../outbox/events.ts';
import { CursorError } from './cursor.ts';
import type { FeedSource } from './source.ts';

export interface FeedLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface ChangeFeedOptions {
  outbox: OutboxPort;
  sources: readonly FeedSource[];
  /** Poll interval per feed name (`otcs`, `iconik`, ...); `defaultIntervalMs` for the rest (default 5000). */
  intervalMs?: Readonly<Record<string, number>>;
  defaultIntervalMs?: number;
  /** Longest wait after failures. Default 60 s. */
  maxBackoffMs?: number;
  /** Lag samples kept per feed. Default 10,000. */
  lagWindow?: number;
  log?: FeedLog;
  now?: () => Date;
}

/** One feed's state for health and metrics. */
export interface FeedStatus {
  feed: string;
  system: string;
  intervalMs: number;
  polls: number;
  appended: number;
  failures: number;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastError: { kind: string; message: string; at: string } | null;
  lag: LagSummary;
}

export interface LagSummary {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** A bounded window of lag samples (ms) with percentiles. */
export class LagStats {
  private samples: number[] = [];
  private total = 0;
  constructor(private readonly size = 10_000) {}

  add(ms: number): void {
    this.total++;
    this.samples.push(Math.max(0, ms));
    if (this.samples.length > this.size) this.samples.splice(0, this.samples.length - this.size);
  }

  /** Count of every sample ever added; percentiles over the window (nearest rank). */
  summary(): LagSummary {
    if (this.samples.length === 0) return { count: this.total, p50Ms: null, p99Ms: null, maxMs: null };
    const sorted = [...this.samples].sort((a, b) => a - b);
    const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
    return { count: this.total, p50Ms: rank(0.5), p99Ms: rank(0.99), maxMs: sorted[sorted.length - 1] as number };
  }
}

const silent: FeedLog = { info() {}, warn() {} };

/** What a failure may say in a log: connector errors' kind and message, others their name. */
function describe(e: unknown): { kind: string; message: string } {
  if (e instanceof UpstreamError) return { kind: e.kind, message: e.message };
  if (e instanceof CursorError) return { kind: 'CURSOR', message: e.message };
  return { kind: 'INTERNAL', message: e instanceof Error ? e.name : 'error' };
}

interface Loop {
  source: FeedSource;
  status: FeedStatus;
  lag: LagStats;
  cursor: string | null | undefined;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

/** The change feed: start it, read its stats, stop it. */
export class ChangeFeed {
  private readonly loops: Loop[];
  private stopped = true;
  private readonly log: FeedLog;
  private readonly now: () => Date;

  constructor(private readonly opts: ChangeFeedOptions) {
    this.log = opts.log ?? silent;
    this.now = opts.now ?? (() => new Date());
    const names = new Set<string>();
    this.loops = opts.sources.map((source) => {
      if (names.has(source.feed)) throw new Error(`two feeds named ${source.feed}`);
      names.add(source.feed);
      const intervalMs = opts.intervalMs?.[source.feed] ?? opts.defaultIntervalMs ?? 5000;
      return {
        source,
        lag: new LagStats(opts.lagWindow),
        cursor: undefined,
        timer: undefined,
        running: undefined,
        status: {
          feed: source.feed,
          system: source.system,
          intervalMs,
          polls: 0,
          appended: 0,
          failures: 0,
          consecutiveFailures: 0,
          lastSuccessAt: null,
          lastError: null,
          lag: { count: 0, p50Ms: null, p99Ms: null, maxMs: null },
        },
      };
    });
  }

  /** Start polling every feed (the first poll at once). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const l of this.loops) this.schedule(l, 0);
  }

  /** Stop polling; waits for polls in flight to finish (their appends complete). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const l of this.loops) clearTimeout(l.timer);
    await Promise.all(this.loops.map((l) => l.running));
  }

  /** Poll every feed once now (tests, and a manual kick); resolves when all turns are done. Never throws. */
  async pollOnce(): Promise<void> {
    await Promise.all(this.loops.map((l) => (l.running ??= this.turn(l).finally(() => (l.running = undefined)))));
  }

  /** Per feed: counts, last error, lag percentiles. */
  stats(): FeedStatus[] {
    return this.loops.map((l) => ({ ...l.status, lag: l.lag.summary() }));
  }

  private schedule(l: Loop, delayMs: number): void {
    if (this.stopped) return;
    l.timer = setTimeout(() => {
      if (this.stopped || l.running) return;
      const began = Date.now();
      l.running = this.turn(l).finally(() => {
        l.running = undefined;
        const failures = l.status.consecutiveFailures;
        // At a fixed rate: the next poll begins an interval after this one began (a poll's own
        // time does not stretch the interval, so a change waits at most about one interval).
        const wait =
          failures === 0
            ? Math.max(0, l.status.intervalMs - (Date.now() - began))
            : Math.min(this.opts.maxBackoffMs ?? 60_000, l.status.intervalMs * 2 ** Math.min(failures, 10));
        this.schedule(l, wait);
      });
    }, delayMs);
    l.timer.unref?.();
  }

  /** One poll and append. Never throws: a failure is counted, logged and retried later. */
  private async turn(l: Loop): Promise<void> {
    const { source, status } = l;
    status.polls++;
    try {
      if (l.cursor === undefined) l.cursor = await this.opts.outbox.cursor(source.feed);
      const { events, cursor } = await source.poll(l.cursor, this.now());
      // Nothing new and the cursor unchanged: no write (an idle feed costs the store nothing).
      const res = events.length === 0 && cursor === l.cursor ? { appended: 0 } : await this.opts.outbox.append(source.feed, events, cursor);
      const at = this.now().getTime();
      for (const e of events) l.lag.add(at - Date.parse(e.time));
      l.cursor = cursor;
      status.appended += res.appended;
      status.consecutiveFailures = 0;
      status.lastSuccessAt = new Date(at).toISOString();
      if (res.appended > 0) this.log.info('change events appended', { feed: source.feed, events: res.appended });
    } catch (e) {
      const d = describe(e);
      status.failures++;
      status.consecutiveFailures++;
      status.lastError = { ...d, at: this.now().toISOString() };
      // The cursor in memory is dropped: the next turn reads the stored one (the append may have landed).
      l.cursor = undefined;
      this.log.warn('a change feed poll failed; it will be retried', { feed: source.feed, ...d, consecutive: status.consecutiveFailures });
    }
  }
}
