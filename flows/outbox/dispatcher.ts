/**
 * The dispatcher: fans new outbox events out to the subscriptions that may carry them, claims
 * due deliveries (several dispatchers, one per gateway, share them: the store claims with
 * `FOR UPDATE SKIP LOCKED`), sends each as a signed CloudEvent (envelope.ts), records the attempt
 * and decides what next (retry.ts). A delivery is at least once: a dispatcher that dies between
 * sending and recording leaves the lease to run out, and the delivery is sent again with the
 * same `webhook-id`.
 *
 * It runs every `intervalMs`, and at once when a feed appends events (`port().append`), so an
 * event goes out within a few milliseconds of being recorded when its receiver answers.
 */
import { checkWebhookUrl, type GuardOptions } from '../outbound/ssrf.ts';
import { WebhookSendError, type WebhookPost } from '../outbound/post.ts';
import { cloudEvent, deliveryHeaders } from './envelope.ts';
import type { OutboxPort } from './events.ts';
import { DEFAULT_RETRY, outcomeOf, type AttemptResult, type RetryPolicy } from './retry.ts';
import type { ClaimedDelivery, OutboxStorePort } from './store.ts';

export interface DispatcherOptions {
  store: OutboxStorePort;
  post: WebhookPost;
  /** The SSRF guard's settings: every URL is checked again before each attempt. */
  guard: GuardOptions;
  log: { info(msg: string, f?: Record<string, unknown>): void; warn(msg: string, f?: Record<string, unknown>): void };
  /** How often due deliveries are looked for, in ms. Default 1000. */
  intervalMs?: number;
  /** Deliveries claimed at a time. Default 50. */
  batch?: number;
  /** Deliveries sent at once. Default 8. */
  concurrency?: number;
  /** One attempt, in ms. Default 10000. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  now?: () => number;
  random?: () => number;
}

/** Rounds of claiming in one run: a run ends once nothing is due, or after this many. */
const MAX_ROUNDS = 20;

export class Dispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly opts: DispatcherOptions) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  private at = (offsetMs = 0) => new Date(this.now() + offsetMs).toISOString();

  /**
   * How long a claim holds a delivery: its attempt (at most the timeout) and its recording, with
   * room to spare. A dispatcher that died holding one (a gateway killed mid-delivery) leaves it
   * to be sent again this long after it was claimed.
   */
  private leaseMs = () => this.timeoutMs * 2 + 5_000;

  /** Run every `intervalMs` until stopped. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run().finally(() => this.schedule(this.opts.intervalMs ?? 1000));
    }, ms);
    this.timer.unref();
  }

  /** Run soon (a feed appended events). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Stop running; resolves once the run in progress (its attempts recorded) is over. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One run: never rejects (a failing store is logged and the next run tries again). */
  private run(): Promise<void> {
    this.running ??= (async () => {
      try {
        do {
          this.again = false;
          await this.tick();
        } while (this.again && !this.stopped);
      } catch (e) {
        this.opts.log.warn('webhook dispatch failed; trying again at the next run', { error: (e as Error)?.message });
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Fan out new events, then send what is due until nothing is. Exposed for tests. */
  async tick(): Promise<{ fannedOut: number; attempted: number }> {
    const batch = this.opts.batch ?? 50;
    let fannedOut = 0;
    for (let i = 0; i < MAX_ROUNDS; i++) {
      const f = await this.opts.store.fanOut(batch, this.at());
      fannedOut += f.events;
      if (f.events < batch) break;
    }
    let attempted = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      // No more than are sent at once: every claimed delivery starts within its lease (a longer
      // queue would let another gateway's claim take the tail and send it a second time).
      const claimed = await this.opts.store.claim(this.opts.concurrency ?? 8, this.at(this.leaseMs()), this.at());
      if (claimed.length === 0) break;
      attempted += claimed.length;
      await this.sendAll(claimed);
      if (this.stopped) break;
    }
    return { fannedOut, attempted };
  }

  private async sendAll(claimed: ClaimedDelivery[]): Promise<void> {
    const queue = [...claimed];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await this.send(c);
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 8, queue.length) }, worker));
  }

  /** One attempt of one delivery, recorded. Never rejects. */
  private async send(c: ClaimedDelivery): Promise<void> {
    const started = this.now();
    let result: AttemptResult;
    const check = checkWebhookUrl(c.url, this.opts.guard);
    if (!check.ok) result = { failure: 'blocked', message: check.problem };
    else {
      try {
        const body = cloudEvent(c.event);
        const headers = deliveryHeaders(c.secrets, c.event.id, Math.floor(started / 1000), body);
        result = { response: await this.opts.post({ url: c.url, headers, body, timeoutMs: this.timeoutMs }) };
      } catch (e) {
        result =
          e instanceof WebhookSendError
            ? { failure: e.kind, message: e.message }
            : { failure: 'connection', message: (e as Error)?.message ?? String(e) };
      }
    }
    const ended = this.now();
    const d = c.delivery;
    const outcome = outcomeOf(result, d.attempts + 1, Date.parse(d.windowStart), ended, this.retry, this.random);
    const attempt = {
      at: new Date(started).toISOString(),
      statusCode: 'response' in result ? result.response.status : null,
      latencyMs: ended - started,
      error:
        'response' in result
          ? result.response.status >= 200 && result.response.status < 300
            ? null
            : `HTTP ${result.response.status}`
          : result.message.slice(0, 300),
    };
    try {
      const recorded = await this.opts.store.record(d.id, c.leaseId, attempt, outcome, new Date(ended).toISOString());
      if (!recorded) this.opts.log.warn('a webhook delivery was taken over before its attempt was recorded', { delivery: d.id });
      if (outcome.state === 'dead' || outcome.state === 'failed')
        this.opts.log.warn(`webhook delivery ${outcome.state}`, {
          delivery: d.id,
          subscription: d.subscriptionId,
          event: c.event.id,
          error: attempt.error,
        });
    } catch (e) {
      // The lease runs out and the delivery is sent again (same webhook-id): at least once.
      this.opts.log.warn('recording a webhook attempt failed', { delivery: d.id, error: (e as Error)?.message });
    }
  }

  /** The port a change feed writes through: events and cursor in one transaction, then sent at once. */
  port(): OutboxPort {
    return {
      append: async (feed, events, cursor) => {
        const r = await this.opts.store.append(feed, events, cursor, this.at());
        if (r.appended > 0) this.kick();
        return r;
      },
      cursor: (feed) => this.opts.store.cursor(feed),
    };
  }
}
