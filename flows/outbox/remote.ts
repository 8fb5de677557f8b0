/** The outbox's store on the storage thread (storage/worker.ts), behind the same interface as the store. */
import { fileURLToPath } from 'node:url';
import type { StorageWorker } from '../../storage/remote.ts';
import type {
  Attempt,
  AttemptOutcome,
  ClaimedDelivery,
  Delivery,
  DeliveryState,
  NewSubscription,
  OutboxStorePort,
  StoredEvent,
  Subscription,
  SubscriptionState,
} from './store.ts';
import type { ChangeEvent } from './events.ts';

/** How the storage thread makes the outbox's store. */
export const OUTBOX_SERVICE = { module: fileURLToPath(new URL('./store.ts', import.meta.url)), className: 'OutboxStore' };

export class RemoteOutboxStore implements OutboxStorePort {
  constructor(
    private readonly worker: StorageWorker,
    private readonly service = 'outbox',
  ) {}

  private call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.worker.call<T>(this.service, method, ...args);
  }
  append(feed: string, events: readonly ChangeEvent[], cursor: string, now: string): Promise<{ appended: number }> {
    return this.call('append', feed, events, cursor, now);
  }
  cursor(feed: string): Promise<string | null> {
    return this.call('cursor', feed);
  }
  fanOut(limit: number, now: string): Promise<{ events: number; deliveries: number }> {
    return this.call('fanOut', limit, now);
  }
  consume(consumer: string, limit: number): Promise<StoredEvent[]> {
    return this.call('consume', consumer, limit);
  }
  ack(consumer: string, seq: number, now: string): Promise<void> {
    return this.call('ack', consumer, seq, now);
  }
  claim(limit: number, leaseUntil: string, now: string): Promise<ClaimedDelivery[]> {
    return this.call('claim', limit, leaseUntil, now);
  }
  record(deliveryId: string, leaseId: string, attempt: Attempt, outcome: AttemptOutcome, now: string): Promise<boolean> {
    return this.call('record', deliveryId, leaseId, attempt, outcome, now);
  }
  createSubscription(s: NewSubscription, now: string): Promise<Subscription> {
    return this.call('createSubscription', s, now);
  }
  subscription(id: string): Promise<Subscription | null> {
    return this.call('subscription', id);
  }
  subscriptions(ownerId: string | null): Promise<Subscription[]> {
    return this.call('subscriptions', ownerId);
  }
  setState(id: string, state: SubscriptionState, now: string): Promise<Subscription | null> {
    return this.call('setState', id, state, now);
  }
  rotateSecret(id: string, secret: string, previousUntil: string, now: string): Promise<Subscription | null> {
    return this.call('rotateSecret', id, secret, previousUntil, now);
  }
  deleteSubscription(id: string): Promise<boolean> {
    return this.call('deleteSubscription', id);
  }
  deliveries(
    subscriptionId: string,
    state: DeliveryState | null,
    limit: number,
    offset: number,
  ): Promise<{ items: (Delivery & { attemptLog: Attempt[] })[]; total: number }> {
    return this.call('deliveries', subscriptionId, state, limit, offset);
  }
  delivery(id: string): Promise<Delivery | null> {
    return this.call('delivery', id);
  }
  replay(id: string, now: string): Promise<Delivery | null> {
    return this.call('replay', id, now);
  }
  /** The thread is its owner's to close. */
  async close(): Promise<void> {}
}
