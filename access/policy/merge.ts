/**
 * Combining a reader's own filter with the policy's pushdown into the one filter a source is
 * asked. The result matches at least everything that matches both (a superset of the
 * conjunction, exact where the filter language can say it), or is `'empty'` when nothing can.
 */
import type { CanonicalFilter, Territory } from '../../sources/model.ts';

type Key = keyof CanonicalFilter;
/**
 * How each field combines. `oneOf`: the item has one value, so two any-of lists intersect
 * exactly. `anyOf`: the item has several (channels, territories), so an item can match two
 * disjoint lists at once and the lists cannot simply intersect.
 */
type How = 'oneOf' | 'anyOf' | 'territories' | 'instant' | 'range' | 'since' | 'text';
const HOW: { [K in Key]-?: How } = {
  campaignCodes: 'oneOf',
  accountIds: 'oneOf',
  workspaceIds: 'oneOf',
  classifications: 'oneOf',
  statuses: 'oneOf',
  approvals: 'oneOf',
  rightsStatuses: 'oneOf',
  kinds: 'oneOf',
  locales: 'oneOf',
  productLines: 'oneOf',
  regions: 'oneOf',
  channels: 'anyOf',
  territories: 'territories',
  validAt: 'instant',
  validUntilBetween: 'range',
  modifiedSince: 'since',
  text: 'text',
};

const EMPTY = Symbol('empty');
const subset = (a: readonly string[], b: readonly string[]) => a.every((x) => b.includes(x));

/**
 * Two any-of lists over a multi-valued field. When one list's matches contain the other's, the
 * smaller is the exact conjunction. Otherwise no single list says "some of A and some of B", so
 * the user's list is kept: it keeps the user's filter exact, and the policy's side is enforced
 * by the per-object check anyway.
 */
function anyOf(user: readonly string[], policy: readonly string[], ignore?: string): readonly string[] {
  const u = user.filter((x) => x !== ignore);
  const p = policy.filter((x) => x !== ignore);
  if (subset(u, p)) return user;
  if (subset(p, u)) return policy;
  return user;
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);
const earlier = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

function combine(how: How, user: unknown, policy: unknown): unknown {
  switch (how) {
    case 'oneOf': {
      const p = policy as string[];
      const both = (user as string[]).filter((x) => p.includes(x));
      return both.length ? both : EMPTY;
    }
    case 'anyOf':
      return anyOf(user as string[], policy as string[]);
    case 'territories':
      // `WORLD` on an item matches every territory, so every list's matches include WORLD items:
      // containment is decided on the regions alone.
      return anyOf(user as Territory[], policy as Territory[], 'WORLD');
    case 'instant':
      // Both instants cannot be asked at once. The user's is kept: a policy instant only ever
      // comes from `assetPushdown`, whose rule (in force at now) the per-object check re-applies
      // with the exact clock, while nothing else would apply the user's.
      return user;
    case 'range': {
      const u = user as NonNullable<CanonicalFilter['validUntilBetween']>;
      const p = policy as NonNullable<CanonicalFilter['validUntilBetween']>;
      const from = u.from && p.from ? later(u.from, p.from) : (u.from ?? p.from);
      const to = u.to && p.to ? earlier(u.to, p.to) : (u.to ?? p.to);
      if (from && to && Date.parse(from) >= Date.parse(to)) return EMPTY;
      return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
    }
    case 'since':
      return later(user as string, policy as string);
    case 'text':
      // Two full-text queries have no common form across sources; the policy never sets one,
      // and silently dropping either side would be worse than failing loudly.
      if (user !== policy) throw new RangeError('cannot combine two different full-text filters');
      return user;
  }
}

/**
 * The filter to send: the reader's `user` filter narrowed by the `policy` pushdown. Lists of
 * single-valued fields intersect (no common value: `'empty'`, do not call the source); an empty
 * list matches nothing (`'empty'`); see `anyOf` and `combine` for channels, territories and
 * instants. Fields only one side has are kept as they are (so the policy's `validAt` stays).
 */
export function mergeFilters(user: CanonicalFilter, policy: CanonicalFilter | 'empty'): CanonicalFilter | 'empty' {
  if (policy === 'empty') return 'empty';
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(HOW) as Key[]) {
    const u: unknown = user[key];
    const p: unknown = policy[key];
    if ((Array.isArray(u) && !u.length) || (Array.isArray(p) && !p.length)) return 'empty';
    const value = u === undefined ? p : p === undefined ? u : combine(HOW[key], u, p);
    if (value === EMPTY) return 'empty';
    if (value !== undefined) out[key] = Array.isArray(value) ? [...value] : value;
  }
  return out as CanonicalFilter;
}
