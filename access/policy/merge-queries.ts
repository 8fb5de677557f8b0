/**
 * A reader's own campaign or account filter combined with the policy's pushdown: lists
 * intersect (an empty intersection is `'empty'`: no source is asked), single values must
 * agree, and what only one side sets is kept.
 */
import type { AccountQuery, CampaignQuery } from '../../sources/ports.ts';
import type { Pushdown } from './pushdown.ts';

function intersect<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): T[] | undefined | 'empty' {
  if (a === undefined) return b ? [...b] : undefined;
  if (b === undefined) return [...a];
  const out = a.filter((x) => b.includes(x));
  return out.length ? out : 'empty';
}

function same(a: string | undefined, b: string | undefined): string | undefined | 'empty' {
  if (a === undefined) return b;
  if (b === undefined || a === b) return a;
  return 'empty';
}

/** Combine lists and single values field by field; any empty field empties the whole query. */
function combine<Q extends object>(user: Q, policy: Pushdown<Q>, lists: (keyof Q)[], singles: (keyof Q)[]): Pushdown<Q> {
  if (policy === 'empty') return 'empty';
  const out = { ...user, ...policy } as Record<string, unknown>;
  for (const k of lists) {
    const v = intersect(user[k] as unknown[] | undefined, policy[k] as unknown[] | undefined);
    if (v === 'empty') return 'empty';
    if (v === undefined) delete out[k as string];
    else out[k as string] = v;
  }
  for (const k of singles) {
    const v = same(user[k] as string | undefined, policy[k] as string | undefined);
    if (v === 'empty') return 'empty';
    if (v === undefined) delete out[k as string];
    else out[k as string] = v;
  }
  return out as Q;
}

/** A campaign query within the policy's. */
export function mergeCampaignQuery(user: CampaignQuery, policy: Pushdown<CampaignQuery>): Pushdown<CampaignQuery> {
  return combine(user, policy, ['codes', 'statuses', 'regions', 'productLines'], ['audienceIncludes', 'text']);
}

/** An account query within the policy's. */
export function mergeAccountQuery(user: AccountQuery, policy: Pushdown<AccountQuery>): Pushdown<AccountQuery> {
  return combine(user, policy, ['ids', 'kinds', 'regions'], ['memberEmail', 'text']);
}
