/**
 * Field rules: who may read which fields of an object they already see (audit fields, workspace
 * teams, campaign audiences). A reader without the right gets FORBIDDEN on the field only.
 */
import type { Principal, Role } from '../principal.ts';
import { ForbiddenError } from '../errors.ts';

const INTERNAL: readonly Role[] = ['sales', 'marketing', 'compliance', 'admin'];

/** Internal readers: anyone holding a known role other than partner (not anonymous, not unknown roles). */
export function isInternal(p: Principal | null): boolean {
  return !!p && p.roles.some((r) => INTERNAL.includes(r));
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

/** FORBIDDEN on the field unless the reader is an admin (the audit chain's verification and checkpoints). */
export function requireAdmin(p: Principal | null, what: string): void {
  if (!p?.roles.includes('admin')) throw new ForbiddenError(`${what} is for admin readers`);
}
