/**
 * The shapes of Atrium's access audit: what the gateway records (a view, a download, or a gap
 * marker for events it had to drop), what the store keeps (the event plus its place in the
 * hash chain), and how readers filter them.
 */
import type { System } from '../sources/model.ts';

/** What happened: an object handed out in a response, bytes downloaded, or events lost. */
export type AccessAction = 'view' | 'download' | 'gap' | 'write';
export const ACCESS_ACTIONS: readonly AccessAction[] = ['view', 'download', 'gap', 'write'];

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
  /** Global id (access/ids.ts). */
  id: string;
  type: 'Campaign' | 'Account' | 'Workspace' | 'Document' | 'Asset';
  system: System;
  nativeId: string;
  /** Document version number, or an asset's modification time (DAMs have no version numbers). */
  version: string | null;
  /** Campaign code it belongs to, so compliance can filter by campaign. */
  campaign: string | null;
}

/**
 * What the gateway records at once: the objects one response handed out (a view of each), one
 * download, or one gap marker. Every object is its own access event to readers; they are
 * stored and chained together, so a response of a hundred objects costs the store one row
 * and one hash, not a hundred (the difference between auditing slowing reads or not).
 */
export interface AuditRecord extends AuditActor {
  /** UUID given when recorded, so a retried batch is never written twice. */
  id: string;
  /** When it happened (ISO-8601, milliseconds, UTC). */
  at: string;
  action: AccessAction;
  requestId: string | null;
  /** The rendition downloaded (downloads of assets). */
  rendition: string | null;
  /** Free text; JSON for gap markers (`{"dropped":n,"from":…,"to":…}`). */
  detail: string | null;
  /** The objects, in the order they were handed out (none for a gap). */
  objects: readonly AuditObject[];
}

/**
 * A record as the store takes it and the chain hashes it: each object by its canonical
 * description (`describe` in chain.ts, a JSON array of its fields, made once per object while
 * the sources cache it), with the campaigns they belong to. Descriptions are what crosses to
 * the store's thread and what the store looks up in its catalog, so neither thread takes an
 * object apart per request.
 */
export interface SignedRecord extends Omit<AuditRecord, 'objects'> {
  objects: readonly string[];
  /** The distinct campaigns of the objects (what the campaign filter finds the record under). */
  campaigns: readonly string[];
}

/** A record as stored: its position in the chain and the hashes linking it. */
export interface StoredRecord extends SignedRecord {
  seq: number;
  prevHash: string;
  hash: string;
  /** 2 for records; 1 for a single event carried over from the first schema (its own hash form). */
  format: 1 | 2;
}

/** One access event as readers see it: one object of a record (or a record without objects). */
export interface AuditEvent extends AuditActor {
  /** `<record id>:<n>`, or the record's id for a record of one object or none. */
  id: string;
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
  detail: string | null;
}

/** An event as stored: its record's position in the chain and the hashes linking it, and its place in the record. */
export interface StoredEvent extends AuditEvent {
  seq: number;
  /** Position of the object in its record, from 1. */
  n: number;
  prevHash: string;
  hash: string;
}

/** Where an event is: its record's sequence number and its position in it (cursors). */
export interface EventPosition {
  seq: number;
  n: number;
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

/** A record with every optional field empty, for building records field by field. */
export function blankRecord(id: string, at: string, action: AccessAction): AuditRecord {
  return {
    id,
    at,
    action,
    principalId: null,
    email: null,
    org: null,
    ip: null,
    userAgent: null,
    requestId: null,
    rendition: null,
    detail: null,
    objects: [],
  };
}
