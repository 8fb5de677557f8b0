/**
 * Webhook subscriptions and their delivery log (issue 15). Who may: the policy
 * (access/policy/webhooks.ts) decides before anything is read or written: admins, and clients
 * with `webhooks:admin`; a subscription is its owner's (admins see and manage every one), and
 * one the reader may not manage does not exist for them (NOT_FOUND). Every change is audited
 * with its outcome. The work is the flows' (flows/outbox/subscriptions.ts).
 */
import { BadUserInputError, ForbiddenError, NotFoundError } from '../access/errors.ts';
import { webhookAdminDecision, webhookOwner, webhookSubscriptionDecision } from '../access/policy.ts';
import type { WriteEvent } from '../audit/ports.ts';
import type { Attempt, Delivery, DeliveryState, Subscription } from '../flows/outbox/store.ts';
import type { WebhookSubscriptions } from '../flows/outbox/subscriptions.ts';
import { connectionFromPage, pageWindow } from './connection.ts';
import type { Context } from './context.ts';
import { checkValue } from './input.ts';

type Gql<S extends string> = Uppercase<S>;

const subscriptionView = (s: Subscription) => ({
  id: s.id,
  url: s.url,
  events: s.events,
  description: s.description,
  state: s.state.toUpperCase() as Gql<Subscription['state']>,
  owner: s.ownerName,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

const deliveryView = (d: Delivery & { attemptLog?: Attempt[] }) => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  subject: d.objectId,
  state: d.state.toUpperCase() as Gql<DeliveryState>,
  attemptCount: d.attempts,
  attempts: d.attemptLog ?? [],
  nextAttemptAt: d.nextAt,
  deliveredAt: d.deliveredAt,
  createdAt: d.createdAt,
});

/** The machinery, or a clear error on a gateway built without it. */
function webhooksOf(ctx: Context): WebhookSubscriptions {
  if (!ctx.webhooks) throw new ForbiddenError('This gateway delivers no webhooks');
  return ctx.webhooks;
}

/** Audit one change of a subscription. */
function audit(ctx: Context, operation: string, outcome: WriteEvent['outcome'], subject: string | null, error?: string): void {
  ctx.audit?.write({ operation, outcome, idempotencyKey: subject, ...(error ? { error: error.slice(0, 300) } : {}) });
}

/** May the reader manage webhooks at all? FORBIDDEN (audited when it is a change) when not. */
function mayManage(ctx: Context, operation: string | null): void {
  const d = webhookAdminDecision(ctx.principal);
  if (d.allowed) return;
  if (operation) audit(ctx, operation, 'forbidden', null, d.rule);
  throw new ForbiddenError(`Not allowed: ${d.rule.replace(/^[^:]*: /, '')}`);
}

/** The subscription, when the reader may manage it; NOT_FOUND otherwise (audited when it is a change). */
async function owned(ctx: Context, id: string, operation: string | null): Promise<Subscription> {
  mayManage(ctx, operation);
  checkValue('id', id);
  const s = await webhooksOf(ctx).get(id);
  if (!s || !webhookSubscriptionDecision(ctx.principal, s.ownerId).allowed) {
    if (operation) audit(ctx, operation, 'invalid', id, 'WebhookSubscription not found');
    throw new NotFoundError('WebhookSubscription');
  }
  return s;
}

/** Run a change, auditing a refusal of its input. */
async function change<T>(ctx: Context, operation: string, subject: string | null, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BadUserInputError) audit(ctx, operation, 'invalid', subject, e.message);
    else if (!(e instanceof NotFoundError)) audit(ctx, operation, 'failed', subject, (e as Error)?.message);
    throw e;
  }
}

const STATES = new Set(['PENDING', 'DELIVERED', 'FAILED', 'DEAD']);

export const webhookResolvers = {
  Query: {
    webhookSubscriptions: async (_: unknown, _a: unknown, ctx: Context) => {
      mayManage(ctx, null);
      const p = ctx.principal;
      const all = !p?.client && p?.roles.includes('admin');
      return (await webhooksOf(ctx).list(all ? null : (p?.id ?? ''))).map(subscriptionView);
    },
    webhookDeliveries: async (
      _: unknown,
      a: { subscription: string; status?: string | null; first?: number | null; after?: string | null },
      ctx: Context,
    ) => {
      const window = pageWindow(a);
      const s = await owned(ctx, a.subscription, null);
      const state = a.status && STATES.has(a.status) ? (a.status.toLowerCase() as DeliveryState) : null;
      const page = await webhooksOf(ctx).deliveries(s.id, state, window.first, window.offset);
      return connectionFromPage({ items: page.items.map(deliveryView), total: page.total }, window.offset);
    },
  },
  Mutation: {
    createWebhookSubscription: async (
      _: unknown,
      a: { input: { url: string; events: string[]; description?: string | null } },
      ctx: Context,
    ) => {
      const operation = 'createWebhookSubscription';
      mayManage(ctx, operation);
      const p = ctx.principal as NonNullable<Context['principal']>;
      const who = { id: p.id, name: p.client?.name || p.email || p.id, owner: webhookOwner(p) };
      const out = await change(ctx, operation, null, () => webhooksOf(ctx).create(who, a.input));
      audit(ctx, operation, 'done', out.subscription.id);
      return { subscription: subscriptionView(out.subscription), secret: out.secret };
    },
    rotateWebhookSecret: async (_: unknown, a: { id: string }, ctx: Context) => {
      const operation = 'rotateWebhookSecret';
      const s = await owned(ctx, a.id, operation);
      const out = await change(ctx, operation, s.id, () => webhooksOf(ctx).rotate(s.id));
      if (!out) throw new NotFoundError('WebhookSubscription');
      audit(ctx, operation, 'done', s.id);
      return { subscription: subscriptionView(out.subscription), secret: out.secret };
    },
    pauseWebhookSubscription: (_: unknown, a: { id: string }, ctx: Context) => setState(ctx, a.id, 'paused'),
    resumeWebhookSubscription: (_: unknown, a: { id: string }, ctx: Context) => setState(ctx, a.id, 'active'),
    deleteWebhookSubscription: async (_: unknown, a: { id: string }, ctx: Context) => {
      const operation = 'deleteWebhookSubscription';
      const s = await owned(ctx, a.id, operation);
      const deleted = await change(ctx, operation, s.id, () => webhooksOf(ctx).delete(s.id));
      audit(ctx, operation, 'done', s.id);
      return deleted;
    },
    replayWebhookDelivery: async (_: unknown, a: { id: string }, ctx: Context) => {
      const operation = 'replayWebhookDelivery';
      mayManage(ctx, operation);
      checkValue('id', a.id);
      const w = webhooksOf(ctx);
      const d = await w.delivery(a.id);
      const s = d ? await w.get(d.subscriptionId) : null;
      if (!d || !s || !webhookSubscriptionDecision(ctx.principal, s.ownerId).allowed) {
        audit(ctx, operation, 'invalid', a.id, 'WebhookDelivery not found');
        throw new NotFoundError('WebhookDelivery');
      }
      if (d.state !== 'failed' && d.state !== 'dead') {
        audit(ctx, operation, 'invalid', a.id, `the delivery is ${d.state}`);
        throw new BadUserInputError(`Only a failed or dead delivery can be replayed; this one is ${d.state}`);
      }
      const replayed = await change(ctx, operation, a.id, () => w.replay(a.id));
      if (!replayed) throw new BadUserInputError('Only a failed or dead delivery can be replayed; this one is being sent');
      audit(ctx, operation, 'done', a.id);
      return deliveryView(replayed);
    },
  },
};

async function setState(ctx: Context, id: string, state: Subscription['state']) {
  const operation = state === 'paused' ? 'pauseWebhookSubscription' : 'resumeWebhookSubscription';
  const s = await owned(ctx, id, operation);
  const out = await change(ctx, operation, s.id, () => webhooksOf(ctx).setState(s.id, state));
  if (!out) throw new NotFoundError('WebhookSubscription');
  audit(ctx, operation, 'done', s.id);
  return subscriptionView(out);
}
