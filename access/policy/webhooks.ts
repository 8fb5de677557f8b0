/**
 * Who may manage webhook subscriptions and which events a subscription may carry (issue 15),
 * pure. Managing: admins, and integration clients holding `webhooks:admin`; a subscription is
 * its owner's (admins manage every one). Carrying: a subscription never carries an object its
 * owner could not read. A client reads by its scopes, object by object:
 * - `assets:read`: approved assets (what composition may pull). An asset event goes to the
 *   client when the asset was approved before the change or is after it (a client using an
 *   asset hears that its rights ended or its approval was withdrawn); a draft never reaches it.
 * - `documents:write`: documents not `CONFIDENTIAL` (a client that files documents is the system
 *   of record's partner for them; no read scope exists for them yet).
 * - `workspaces:write`: workspace events.
 * The facts are the event's `audience` (flows/outbox/events.ts); an event without them is not
 * sent to clients (fail closed). A person's subscription (only admins make one) carries what
 * admins see: everything; a person-owned subscription without the admin role carries nothing.
 */
import type { Principal } from '../principal.ts';
import { allow, deny, type Decision } from './decision.ts';

/** The scope a client needs to manage webhook subscriptions. */
export const WEBHOOKS_SCOPE = 'webhooks:admin';

/** The kinds of object an event is about. */
export type EventObjectType = 'Workspace' | 'Document' | 'Asset';

/** The scope a client needs to receive the events of each kind of object. */
export const EVENT_READ_SCOPES: Record<EventObjectType, string> = {
  Workspace: 'workspaces:write',
  Document: 'documents:write',
  Asset: 'assets:read',
};

/**
 * The owner of a subscription as its events' visibility is decided: a person with their roles,
 * or a client with its scopes, as they were when the subscription was made (or last changed).
 */
export interface WebhookOwner {
  kind: 'person' | 'client';
  /** Roles of a person, scopes of a client. */
  grants: readonly string[];
}

/** The owner record of a principal (what a subscription it makes keeps). */
export function webhookOwner(p: Principal): WebhookOwner {
  return p.client ? { kind: 'client', grants: [...p.client.scopes] } : { kind: 'person', grants: [...p.roles] };
}

/** Whether `p` may manage webhook subscriptions at all. */
export function webhookAdminDecision(p: Principal | null): Decision {
  if (!p) return deny('webhooks.anonymous', 'anonymous readers manage no webhooks');
  if (p.client)
    return p.client.scopes.includes(WEBHOOKS_SCOPE)
      ? allow('webhooks.client.scope', `client ${p.client.name} holds the scope ${WEBHOOKS_SCOPE}`)
      : deny('webhooks.client.scope', `client ${p.client.name} lacks the scope ${WEBHOOKS_SCOPE}`);
  return p.roles.includes('admin')
    ? allow('webhooks.admin', 'admins manage webhooks')
    : deny('webhooks.role', `the roles ${p.roles.join(', ') || '(none)'} may not manage webhooks`);
}

/** Whether `p` may see and manage the subscription owned by `ownerId`: its owner, or an admin. */
export function webhookSubscriptionDecision(p: Principal | null, ownerId: string): Decision {
  const may = webhookAdminDecision(p);
  if (!may.allowed || !p) return may;
  if (!p.client && p.roles.includes('admin')) return allow('webhooks.admin', 'admins manage every subscription');
  return p.id === ownerId
    ? allow('webhooks.owner', 'the subscription is its own')
    : deny('webhooks.owner', 'the subscription belongs to another principal');
}

/** Whether a subscription of `owner` may carry events about objects of `objectType` at all (when it is made). */
export function webhookEventTypeDecision(owner: WebhookOwner, objectType: EventObjectType): Decision {
  if (owner.kind === 'client') {
    const scope = EVENT_READ_SCOPES[objectType];
    return owner.grants.includes(scope)
      ? allow('webhooks.event.scope', `the client holds ${scope}`)
      : deny('webhooks.event.scope', `a client without ${scope} receives no ${objectType.toLowerCase()} events`);
  }
  return owner.grants.includes('admin')
    ? allow('webhooks.event.admin', 'admins see everything')
    : deny('webhooks.event.role', 'only admins own person subscriptions');
}

/** What an event says of its object for this decision (flows/outbox/events.ts `audience`). */
export interface EventFacts {
  objectType: EventObjectType;
  audience?: { approvals?: readonly string[]; classification?: string };
}

/** Whether a subscription of `owner` may carry this event: its kind of object, then the object itself. */
export function webhookEventDecision(owner: WebhookOwner, e: EventFacts): Decision {
  const kind = webhookEventTypeDecision(owner, e.objectType);
  if (!kind.allowed || owner.kind !== 'client') return kind;
  if (e.objectType === 'Asset')
    return e.audience?.approvals?.includes('APPROVED')
      ? allow('webhooks.event.asset', 'the asset is approved (before or after the change): the client may read it')
      : deny('webhooks.event.asset', 'a client reads approved assets only');
  if (e.objectType === 'Document') {
    const c = e.audience?.classification;
    if (!c) return deny('webhooks.event.document', "the document's classification is unknown");
    return c === 'CONFIDENTIAL'
      ? deny('webhooks.event.document', 'a client reads no confidential document')
      : allow('webhooks.event.document', `the document is ${c}`);
  }
  return kind;
}
