/**
 * The contract between the change feed (what notices changes in the sources) and the outbox
 * (what stores and delivers them): the canonical event and the port a feed writes through.
 */

export const EVENT_TYPES = [
  'workspace.created',
  'document.created',
  'document.version.released',
  'document.approved',
  'document.retention.changed',
  'document.hold.changed',
  'asset.created',
  'asset.updated',
  'asset.approved',
  'asset.rights.changed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A change noticed in a source, in canonical form. `id` is stable for the same change (dedupe key). */
export interface ChangeEvent {
  /** e.g. `otcs:document.approved:<nodeId>:<version or audit id>`; at most 200 chars. */
  id: string;
  type: EventType;
  source: 'OTCS' | 'ICONIK' | 'NETX' | 'OTMM';
  /** The graph's global id (base64url "Type:parts", see access/ids.ts). */
  objectId: string;
  objectType: 'Workspace' | 'Document' | 'Asset';
  /** Campaign code. */
  campaign: string | null;
  /** Account CRM id. */
  account: string | null;
  /** ISO date-time, the source's own time of the change. */
  time: string;
  data: { before?: unknown; after?: unknown };
  /**
   * What the access policy decides a client's subscription by (access/policy/webhooks.ts),
   * stored with the event, never delivered. Absent or incomplete: clients are not sent the event.
   */
  audience?: EventAudience;
}

/** The object's facts the read policy of a client looks at, across the change. */
export interface EventAudience {
  /** An asset's approval before the change (when known) and after it. */
  approvals?: string[];
  /** A document's classification (`PUBLIC`, `PARTNER`, `INTERNAL`, `CONFIDENTIAL`). */
  classification?: string;
}

/** Where a feed records its events and its cursor, in one transaction. */
export interface OutboxPort {
  /** Append events not seen before (dedupe on id) and move the feed's cursor, atomically. */
  append(feed: string, events: readonly ChangeEvent[], cursor: string): Promise<{ appended: number }>;
  cursor(feed: string): Promise<string | null>;
}
