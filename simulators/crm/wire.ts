/**
 * The demo CRM's wire: the status call Atrium makes back to a business object's system when a
 * document filed for it is approved, signed, archived or rejected, and the record the CRM keeps
 * of it. No vendor defines this API (the demo CRM is Atrium's own stand-in); the client that
 * makes the call shares these shapes.
 *
 * `POST /api/status` with `Authorization: Bearer <token>` and a JSON body `StatusCall`;
 * optional `Idempotency-Key` (at-least-once senders repeat calls: the same key and body answer
 * the first result again, the same key with another body is 409).
 */

/** What happened to the document, as the business object's system is told. */
export const CRM_STATUSES = ['APPROVED', 'SIGNED', 'ARCHIVED', 'REJECTED'] as const;
export type CrmStatus = (typeof CRM_STATUSES)[number];

export const STATUS_PATH = '/api/status';
/** Reads a business object with the statuses recorded on it (`:type` `Account` or `Campaign`). */
export const OBJECT_PATH = '/api/objects/:type/:id';

/** The body of `POST /api/status`. */
export interface StatusCall {
  /** The business object the document was filed for: `{ system: 'SFDC', type: 'Account' | 'Campaign', id }`. */
  businessObject: { system: string; type: string; id: string };
  status: CrmStatus;
  /** The content reference: the graph's document id, its name and version, and a link to it when there is one. */
  document: { id: string; name: string; version: number; url?: string };
}

/** `201` (or `200` when an idempotent repeat) to a status call. */
export interface StatusReceipt {
  id: string;
  receivedAt: string;
}

/** A status call as the CRM recorded it (`GET /__sim/statuses`). */
export interface RecordedStatus extends StatusCall, StatusReceipt {
  idempotencyKey?: string;
}

/** `GET /api/objects/:type/:id`: the business object and the latest status of each document filed for it. */
export interface CrmObject {
  businessObject: { system: string; type: string; id: string };
  name: string;
  documents: { document: StatusCall['document']; status: CrmStatus; at: string }[];
}

/** Errors: `{ error, problems? }` (problems name fields, never echo values). */
export interface CrmError {
  error: string;
  problems?: string[];
}
