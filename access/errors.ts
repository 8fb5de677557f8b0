/**
 * Public error codes and the classes that carry them. The gateway's `formatError`
 * (gateway/format-error.ts) passes these through and masks everything else (logged with the
 * request id): no stack, URL, token or upstream body ever reaches a client.
 */
import { GraphQLError } from 'graphql';
import type { System } from '../sources/model.ts';
import { UpstreamError } from '../sources/http/errors.ts';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  CONFLICT: 'CONFLICT',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

class CodedError extends GraphQLError {
  constructor(message: string, code: ErrorCode, status?: number, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra, ...(status ? { http: { status } } : {}) } });
  }
}

/** No or bad credentials (HTTP 401). */
export class UnauthenticatedError extends CodedError {
  constructor(message = 'Authentication required') {
    super(message, ErrorCode.UNAUTHENTICATED, 401);
  }
}

/** The reader may not see this field. */
export class ForbiddenError extends CodedError {
  constructor(message = 'Not allowed') {
    super(message, ErrorCode.FORBIDDEN);
  }
}

/** Nothing the reader may see has this id. */
export class NotFoundError extends CodedError {
  constructor(what = 'Object') {
    super(`${what} not found`, ErrorCode.NOT_FOUND);
  }
}

/** Arguments the caller must fix. */
export class BadUserInputError extends CodedError {
  constructor(message: string) {
    super(message, ErrorCode.BAD_USER_INPUT);
  }
}

/** The request would cost more than allowed (HTTP 400, refused before any upstream call). */
export class QueryTooComplexError extends CodedError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(message, ErrorCode.QUERY_TOO_COMPLEX, 400, extra);
  }
}

/** A source failed or timed out; only the fields it feeds are affected. */
export class UpstreamUnavailableError extends CodedError {
  constructor(
    readonly system: System,
    reason = 'unavailable',
  ) {
    super(`Source ${system} is ${reason}`, ErrorCode.UPSTREAM_UNAVAILABLE, undefined, { source: system });
  }
}

/**
 * The write conflicts with another: its idempotency key was used for a different request, the
 * same request is still being carried out, or the object changed under it (HTTP 409 on routes).
 */
export class ConflictError extends CodedError {
  constructor(message: string) {
    super(message, ErrorCode.CONFLICT);
  }
}

/** The audit store cannot answer now (or auditing is off); nothing else of the answer is affected. */
export class AuditUnavailableError extends CodedError {
  constructor(message = 'The audit store is unavailable') {
    super(message, ErrorCode.AUDIT_UNAVAILABLE);
  }
}

/** Turn a source failure into its public error (not-found and forbidden stay what they are). */
export function fromUpstream(e: unknown): GraphQLError {
  if (e instanceof GraphQLError) return e;
  if (e instanceof UpstreamError) {
    if (e.kind === 'NOT_FOUND') return new NotFoundError();
    if (e.kind === 'CONFLICT') return new ConflictError(e.message.replace(/^[A-Z]+: /, ''));
    return new UpstreamUnavailableError(
      e.system,
      e.kind === 'RATE_LIMITED' ? 'rate limited' : e.kind === 'MALFORMED' ? 'answering malformed data' : 'unavailable',
    );
  }
  throw e;
}
