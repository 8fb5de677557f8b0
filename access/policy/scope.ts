/**
 * The cache scope of a reader: two readers with the same key see exactly the same things, so
 * anything computed from what one may see can be shared with the other, and nothing else.
 */
import type { Principal, Role } from '../principal.ts';
import { normalEmail, orderedRoles } from './decision.ts';

/** Whether a role's visibility depends on the reader's own team memberships (and so on their email). */
function dependsOnMembership(role: Role): boolean {
  switch (role) {
    case 'sales':
    case 'marketing':
      return true;
    case 'admin':
    case 'compliance':
    case 'partner':
      return false;
    default: {
      // An unknown role grants nothing, so it adds no dependency.
      const _unknown: never = role;
      return false;
    }
  }
}

/**
 * A stable string naming the reader's policy scope: roles (sorted), org, regions (sorted), and
 * the email only when a role depends on team membership (sales, marketing), so partners of one
 * company in the same regions share a scope and different companies or regions never do.
 * Anonymous readers: `'anonymous'`.
 */
export function scopeKey(p: Principal | null): string {
  if (!p) return 'anonymous';
  const roles = orderedRoles(p).sort();
  const email = roles.some(dependsOnMembership) ? normalEmail(p.email) : null;
  // JSON keeps the parts unambiguous whatever characters an org or email holds.
  return `scope:${JSON.stringify({ roles, org: p.org ?? null, regions: [...new Set(p.regions)].sort(), email })}`;
}
