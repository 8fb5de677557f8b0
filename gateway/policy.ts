/**
 * The access policy (DESIGN.md, "Access policy v1"). This first part holds the field rules;
 * per-object visibility and the pushdown filters arrive with issue 5.
 */
import type { Principal } from './context.ts';
import { ForbiddenError } from './errors.ts';

/** Internal readers: everyone but partners (and anonymous readers). */
export function isInternal(p: Principal | null): boolean {
  return !!p && p.roles.some((r) => r !== 'partner');
}

/** Audit readers: compliance and admin. */
export function isAuditReader(p: Principal | null): boolean {
  return !!p && p.roles.some((r) => r === 'compliance' || r === 'admin');
}

/** FORBIDDEN on the field unless the reader may see audit fields. */
export function requireAuditReader(p: Principal | null): void {
  if (!isAuditReader(p)) throw new ForbiddenError('Audit fields are for compliance and admin readers');
}

/** FORBIDDEN on the field unless the reader is internal (workspace teams, campaign audiences). */
export function requireInternal(p: Principal | null, what: string): void {
  if (!isInternal(p)) throw new ForbiddenError(`${what} are for internal readers`);
}
