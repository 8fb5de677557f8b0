/**
 * Webhook subscriptions as the graph manages them: their input checked (the SSRF guard, known
 * event types, sizes), their secrets made and rotated, their deliveries listed and replayed.
 * Who may do what is the policy's (access/policy/webhooks.ts), decided by the resolvers before
 * they call here; a bad input is BAD_USER_INPUT and stores nothing.
 */
import { randomBytes } from 'node:crypto';
import { BadUserInputError } from '../../access/errors.ts';
import { webhookEventTypeDecision, type EventObjectType, type WebhookOwner } from '../../access/policy.ts';
import { formatSecret } from '../inbound/standard-webhooks.ts';
import { BlockedAddressError, checkWebhookUrl, resolveChecked, type GuardOptions, type Resolve } from '../outbound/ssrf.ts';
import { EVENT_TYPES, type EventType } from './events.ts';
import type { Attempt, Delivery, DeliveryState, OutboxStorePort, Subscription, SubscriptionState } from './store.ts';

/** Longest description. */
export const MAX_DESCRIPTION = 500;
/** Bytes of a new secret (the spec allows 24 to 64). */
const SECRET_BYTES = 32;
/** Longest wait for the host's addresses when a subscription is made. */
const RESOLVE_TIMEOUT_MS = 3000;

/** The kind of object an event type is about. */
export function objectTypeOf(type: EventType): EventObjectType {
  return type.startsWith('workspace.') ? 'Workspace' : type.startsWith('document.') ? 'Document' : 'Asset';
}

export interface SubscriptionsOptions {
  store: OutboxStorePort;
  guard: GuardOptions;
  /** How long the secret before a rotation keeps signing beside the new one, in ms. Default 24 h. */
  secretGraceMs?: number;
  resolve?: Resolve;
  now?: () => number;
  /** Told when deliveries may have become due (a replay, a resume): the dispatcher runs at once. */
  kick?: () => void;
}

/** Who makes a subscription. */
export interface SubscriptionOwner {
  id: string;
  name: string;
  owner: WebhookOwner;
}

export interface SubscriptionInput {
  url: string;
  events: readonly string[];
  description?: string | null;
}

const CONTROL = /[\p{Cc}\p{Cs}]/u;

export class WebhookSubscriptions {
  private readonly now: () => number;

  constructor(private readonly opts: SubscriptionsOptions) {
    this.now = opts.now ?? Date.now;
  }

  private at = (offsetMs = 0) => new Date(this.now() + offsetMs).toISOString();

  /** The URL, checked without and then with resolving it (a name that does not resolve yet is let through: each delivery checks again). */
  private async checkUrl(url: string): Promise<string> {
    const check = checkWebhookUrl(url, this.opts.guard);
    if (!check.ok) throw new BadUserInputError(`\`url\`: ${check.problem}`);
    try {
      await Promise.race([
        resolveChecked(check.url.hostname.replace(/^\[|\]$/g, ''), this.opts.guard, this.opts.resolve),
        new Promise((r) => setTimeout(r, RESOLVE_TIMEOUT_MS).unref()),
      ]);
    } catch (e) {
      if (e instanceof BlockedAddressError) throw new BadUserInputError(`\`url\`: ${e.message}`);
    }
    return check.url.href;
  }

  private checkEvents(events: readonly string[], owner: WebhookOwner): EventType[] {
    if (!Array.isArray(events) || events.length === 0) throw new BadUserInputError('`events` must name at least one event type');
    const unknown = events.filter((e) => !(EVENT_TYPES as readonly string[]).includes(e));
    if (unknown.length)
      throw new BadUserInputError(
        `\`events\`: unknown event type${unknown.length > 1 ? 's' : ''} ${unknown
          .slice(0, 5)
          .map((e) => JSON.stringify(String(e).slice(0, 60)))
          .join(', ')}; known: ${EVENT_TYPES.join(', ')}`,
      );
    const types = [...new Set(events as EventType[])];
    const unseen = types.filter((t) => !webhookEventTypeDecision(owner, objectTypeOf(t)).allowed);
    if (unseen.length)
      throw new BadUserInputError(
        `\`events\`: ${unseen.join(', ')} would never be delivered: ${webhookEventTypeDecision(owner, objectTypeOf(unseen[0] as EventType)).rule.replace(/^[^:]*: /, '')}`,
      );
    return types;
  }

  private checkDescription(description: string | null | undefined): string {
    const d = description ?? '';
    if (d.length > MAX_DESCRIPTION) throw new BadUserInputError(`\`description\` must be at most ${MAX_DESCRIPTION} characters`);
    if (CONTROL.test(d.replace(/[\n\t]/g, ' '))) throw new BadUserInputError('`description` must not contain control characters');
    return d;
  }

  /** Make a subscription; the secret is in the answer and nowhere else it is shown. */
  async create(who: SubscriptionOwner, input: SubscriptionInput): Promise<{ subscription: Subscription; secret: string }> {
    const events = this.checkEvents(input.events, who.owner);
    const description = this.checkDescription(input.description);
    const url = await this.checkUrl(input.url);
    const secret = formatSecret(randomBytes(SECRET_BYTES));
    const subscription = await this.opts.store.createSubscription(
      { ownerId: who.id, owner: who.owner, ownerName: who.name, url, events, description, secret },
      this.at(),
    );
    return { subscription, secret };
  }

  get(id: string): Promise<Subscription | null> {
    return this.opts.store.subscription(id);
  }

  /** Subscriptions of one owner, or every one (`null`). */
  list(ownerId: string | null): Promise<Subscription[]> {
    return this.opts.store.subscriptions(ownerId);
  }

  /** A new secret; the old one keeps signing beside it for the grace period. */
  async rotate(id: string): Promise<{ subscription: Subscription; secret: string } | null> {
    const secret = formatSecret(randomBytes(SECRET_BYTES));
    const subscription = await this.opts.store.rotateSecret(id, secret, this.at(this.opts.secretGraceMs ?? 24 * 3_600_000), this.at());
    return subscription ? { subscription, secret } : null;
  }

  async setState(id: string, state: SubscriptionState): Promise<Subscription | null> {
    const s = await this.opts.store.setState(id, state, this.at());
    if (s && state === 'active') this.opts.kick?.();
    return s;
  }

  delete(id: string): Promise<boolean> {
    return this.opts.store.deleteSubscription(id);
  }

  deliveries(
    subscriptionId: string,
    state: DeliveryState | null,
    limit: number,
    offset: number,
  ): Promise<{ items: (Delivery & { attemptLog: Attempt[] })[]; total: number }> {
    return this.opts.store.deliveries(subscriptionId, state, limit, offset);
  }

  delivery(id: string): Promise<Delivery | null> {
    return this.opts.store.delivery(id);
  }

  /** Send a failed or dead delivery again; null when it is neither. */
  async replay(id: string): Promise<Delivery | null> {
    const d = await this.opts.store.replay(id, this.at());
    if (d) this.opts.kick?.();
    return d;
  }
}
