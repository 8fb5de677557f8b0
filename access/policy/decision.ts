/**
 * Decisions and the multi-role union. Every visibility check answers with a `Decision` that
 * names the rule that decided it, so `explainAccess` reports the same reasoning the gateway
 * enforced instead of re-deriving it.
 */
import type { Principal, Role } from '../principal.ts';
import type { Member } from '../../sources/model.ts';

/**
 * The outcome of one check. `rule` is `<stable id>: <human text>`; for a denial it is the FIRST
 * rule that failed (checks run in the order of DESIGN.md's table).
 */
export type Decision = { allowed: true; rule: string } | { allowed: false; rule: string };

/** An allowing decision for rule `id`. */
export function allow(id: string, text: string): Decision {
  return { allowed: true, rule: `${id}: ${text}` };
}

/** A denying decision for rule `id`. */
export function deny(id: string, text: string): Decision {
  return { allowed: false, rule: `${id}: ${text}` };
}

/** The stable id of the rule that decided (the text before the first `: `). */
export function ruleId(d: Decision): string {
  const i = d.rule.indexOf(': ');
  return i < 0 ? d.rule : d.rule.slice(0, i);
}

/** Roles from most to least permissive: a multi-role reader's allowance is credited to the first that grants it. */
export const ROLE_ORDER: readonly Role[] = ['admin', 'compliance', 'marketing', 'sales', 'partner'];

/** A role string outside `Role` (a token can carry anything): it grants nothing. */
export function unknownRole(role: never): Decision {
  return deny('role.unknown', `role "${String(role)}" grants nothing`);
}

/** The reader's roles, deduplicated, most permissive first; unknown strings last, in their order. */
export function orderedRoles(p: Principal): Role[] {
  const rank = (r: Role) => {
    const i = ROLE_ORDER.indexOf(r);
    return i < 0 ? ROLE_ORDER.length : i;
  };
  return [...new Set(p.roles)].sort((a, b) => rank(a) - rank(b));
}

/** An email as membership compares it (trimmed, lower case); the pushdown and the scope key use the same. */
export const normalEmail = (email: string): string => email.trim().toLowerCase();

/** Whether `p` is on the team (emails compare case-insensitively; an empty email is nobody). */
export function isMember(p: Principal, team: readonly Member[]): boolean {
  const email = normalEmail(p.email);
  return email !== '' && team.some((m) => normalEmail(m.email) === email);
}

/**
 * The union over the reader's roles (DESIGN.md gives one column per role; a reader holding
 * several gets the most permissive answer): allowed when any role allows, credited to the most
 * permissive such role. A denial carries each role's first failing rule, joined by `; `.
 * No reader (anonymous) and no role both see nothing.
 */
export function decideForRoles(p: Principal | null, byRole: (role: Role, reader: Principal) => Decision): Decision {
  if (!p) return deny('anonymous', 'no signed-in reader sees anything');
  const denials: Decision[] = [];
  for (const role of orderedRoles(p)) {
    const d = byRole(role, p);
    if (d.allowed) return d;
    denials.push(d);
  }
  const [first] = denials;
  if (!first) return deny('role.none', 'the reader has no role');
  return denials.length === 1 ? first : { allowed: false, rule: denials.map((d) => d.rule).join('; ') };
}
