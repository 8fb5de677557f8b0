/**
 * Typed upstream errors. Every connector failure becomes one of these; nothing else escapes a
 * client. Messages are public: they name the system and what went wrong, never a URL, a
 * token, a ticket or a response body.
 */
import type { System } from '../model.ts';

export type UpstreamErrorKind =
  | 'UNAUTHENTICATED' // credentials refused (after one re-authentication)
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_REQUEST' // the upstream rejected our request's parameters
  | 'CONFLICT' // a write clashed with what is there (a name or business object taken, an edit conflict)
  | 'RATE_LIMITED' // 429 after the retry budget
  | 'UNAVAILABLE' // timeout, connection failure, 5xx after the retry budget
  | 'MALFORMED'; // a body we could not parse or that lacks required fields

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  constructor(
    readonly system: System,
    readonly kind: UpstreamErrorKind,
    message: string,
    readonly status?: number,
    /** For RATE_LIMITED: how long the upstream asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(`${system}: ${message}`);
  }

  /** Whether an idempotent read may be tried again. */
  get retryable(): boolean {
    return this.kind === 'UNAVAILABLE' || this.kind === 'RATE_LIMITED';
  }
}

/** The kind for an HTTP status. */
export function kindForStatus(status: number): UpstreamErrorKind {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404 || status === 410) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'UNAVAILABLE';
  return 'BAD_REQUEST';
}
