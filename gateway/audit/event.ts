/**
 * The shapes of Atrium's access audit: what the gateway records (a view, a download, or a gap
 * marker for events it had to drop), what the store keeps (the event plus its place in the
 * hash chain), and how readers filter them.
 */
import type { System } from '../../sources/model.ts';

/** What happened: an object handed out in a response, bytes downloaded, or events lost. */
export type AccessAction = 'view' | 'download' | 'gap';
export const ACCESS_ACTIONS: readonly AccessAction[] = ['view', 'download', 'gap'];

/** Who read, from where. */
export interface AuditActor {
  principalId: string | null;
  email: string | null;
  /** CRM id of a partner's company. */
  org: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** Which object, where it came from, and the version handed out. */
export interface AuditObject {
  /** Global id (resolvers/ids.ts). */
  id: string;
  type: 'Campaign' | 'Account' | 'Workspace' | 'Document' | 'Asset';
  system: System;
  nativeId: string;
  /** Document version number, or an asset's modification time (DAMs have no version numbers). */
  version: string | null;
  /** Campaign code it belongs to, so compliance can filter by campaign. */
  campaign: string | null;
}

/** One event as recorded, before it has a place in the chain. */
export interface AuditEvent extends AuditActor {
  /** UUID given when recorded, so a retried batch is never written twice. */
  id: string;
  /** When it happened (ISO-8601, milliseconds, UTC). */
  at: string;
  action: AccessAction;
  objectId: string | null;
  objectType: string | null;
  system: string | null;
  nativeId: string | null;
  version: string | null;
  rendition: string | null;
  campaign: string | null;
  requestId: string | null;
  /** Free text; JSON for gap markers (`{"dropped":n,"from":…,"to":…}`). */
  detail: string | null;
}

/** An event as stored: its position in the chain and the hashes linking it. */
export interface StoredEvent extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Filter of `auditEvents` and the CSV export. Every present field narrows. */
export interface AuditFilter {
  /** Email (case-insensitive) or principal id. */
  user?: string;
  /** CRM id of the reader's company. */
  company?: string;
  /** Global id of the object. */
  object?: string;
  /** Campaign code. */
  campaign?: string;
  action?: AccessAction;
  /** Inclusive lower bound (ISO-8601). */
  from?: string;
  /** Exclusive upper bound (ISO-8601). */
  to?: string;
}

/** An event with every optional field empty, for building events field by field. */
export function blankEvent(id: string, at: string, action: AccessAction): AuditEvent {
  return {
    id, at, action, principalId: null, email: null, org: null, ip: null, userAgent: null, objectId: null, objectType: null,
    system: null, nativeId: null, version: null, rendition: null, campaign: null, requestId: null, detail: null,
  };
}
