/**
 * What the audit needs from the layers that call it, as narrow interfaces: a logger and a
 * counter (the gateway's own satisfy them), where a request came from, the request's reader and
 * loaders, and what a download served. The audit knows nothing of HTTP or of the GraphQL context.
 */
import type { Loaders } from '../access/loaders.ts';
import type { Principal } from '../access/principal.ts';
import type { RenditionKind } from '../sources/model.ts';
import type { AuditObject } from './event.ts';

/** Where the audit reports trouble. */
export interface AuditLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Counters the audit increments (Prometheus names, e.g. `atrium_audit_events_total`). */
export interface AuditMetrics {
  inc(name: string, labels?: Record<string, string>, by?: number): void;
}

/** Where a request came from, for audit events. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** The request an event belongs to: its reader, its id, and its loaders (which already hold what was served). */
export interface AuditedRequest {
  requestId: string;
  principal: Pick<Principal, 'id' | 'email' | 'org'> | null;
  loaders: Pick<Loaders, 'asset' | 'document'>;
}

/** A download the gateway served. */
export interface DownloadEvent {
  kind: 'asset' | 'document';
  /** Global id of the asset or document. */
  id: string;
  rendition?: RenditionKind;
  version?: number;
}

/** A write, as the audit records it (an event of action `write` in the same chain as views). */
export interface WriteEvent {
  /** What was asked: the mutation, or the inbound event's command. */
  operation: string;
  /**
   * How it ended: done, replayed (the same key answered again), accepted (queued durably,
   * inbound webhooks), pending (waiting for a failing source), forbidden, conflict, invalid,
   * failed.
   */
  outcome: 'done' | 'replayed' | 'accepted' | 'pending' | 'forbidden' | 'conflict' | 'invalid' | 'failed';
  idempotencyKey: string | null;
  /** The object written (its global id, type, source and version), when there is one. */
  object?: AuditObject | null;
  /** A short public reason when it did not succeed. */
  error?: string;
}
