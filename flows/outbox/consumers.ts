/**
 * In-process consumers of the outbox: what Atrium itself does on a change event (write rights back
 * to the DAMs, report a status to a business object's system) reads the events from the outbox,
 * after its own cursor, so a crash between an event's append and its handling loses nothing: the
 * next start (or another gateway) handles it. At least once: a handler may see an event again
 * after a crash before its cursor moved, so what it does must be idempotent (it enqueues durable
 * jobs keyed by the event id). A handler that throws is called again with the same events on the
 * next round; its cursor stays where it was.
 */
import type { StoredEvent } from './store.ts';

export interface ConsumerStore {
  consume(consumer: string, limit: number): Promise<StoredEvent[]>;
  ack(consumer: string, seq: number, now: string): Promise<void>;
}

export interface OutboxConsumer {
  /** Its cursor's name: stable across versions (renaming it starts the consumer afresh). */
  name: string;
  handle(events: readonly StoredEvent[]): Promise<void>;
}

export interface ConsumersOptions {
  store: ConsumerStore;
  consumers: readonly OutboxConsumer[];
  /** How often each consumer looks for new events, in ms (a `kick` looks at once). Default 1000. */
  intervalMs?: number;
  /** Events per round. Default 100. */
  batch?: number;
  log: { warn(msg: string, f?: Record<string, unknown>): void };
  now?: () => number;
}

export class OutboxConsumers {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly opts: ConsumersOptions) {}

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => this.kick(), this.opts.intervalMs ?? 1000);
    this.timer.unref?.();
    this.kick();
  }

  /** Look now (after an append); a round under way is followed by another. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** One round: each consumer handles what is new, in batches, until nothing is left. */
  async round(): Promise<void> {
    const batch = this.opts.batch ?? 100;
    for (const c of this.opts.consumers) {
      try {
        for (let n = 0; n < 100 && !this.stopped; n++) {
          const events = await this.opts.store.consume(c.name, batch);
          if (events.length === 0) break;
          await c.handle(events);
          await this.opts.store.ack(
            c.name,
            (events[events.length - 1] as StoredEvent).seq,
            new Date((this.opts.now ?? Date.now)()).toISOString(),
          );
          if (events.length < batch) break;
        }
      } catch (e) {
        this.opts.log.warn('an outbox consumer failed; it tries again on its next round', {
          consumer: c.name,
          error: e instanceof Error ? e.message.slice(0, 300) : 'error',
        });
      }
    }
  }

  /** Stop looking; a round under way finishes first. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
