/**
 * Pushdown: what each source is asked, so its pages, totals and facets already leave out most
 * of what the reader may not see. A pushdown is always a SUPERSET of what the per-object checks
 * (visibility.ts) allow — it may let through what the check then drops, never hide what the
 * check would allow (with one documented, bounded exception: `pushdownInstant`).
 *
 * `'empty'` means "nothing can match": do not call the source at all. It is a value of its own
 * because connectors disagree on what an empty list means (some ignore it).
 */
import type { Principal, Role } from '../principal.ts';
import type { Classification, CanonicalFilter } from '../../sources/model.ts';
import type { AccountQuery, CampaignQuery } from '../../sources/ports.ts';
import { normalEmail } from './decision.ts';

/** A pushdown query, or `'empty'` when the reader can see nothing there. */
export type Pushdown<Q> = Q | 'empty';

/** What internal readers see of workspaces whose team they are not on. */
export const NOT_CONFIDENTIAL: readonly Classification[] = ['PUBLIC', 'PARTNER', 'INTERNAL'];
const PARTNER_CLASSIFICATIONS: Classification[] = ['PUBLIC', 'PARTNER'];
/** The documents a partner sees of what is shared with their company. */
export const PARTNER_DOCUMENTS: Readonly<CanonicalFilter> = { classifications: PARTNER_CLASSIFICATIONS, statuses: ['RELEASED'] };

/** A query matching everything the union of two queries matches: common fields, lists united, equal scalars kept. */
function widen<Q extends object>(a: Q, b: Q): Q {
  const out: Record<string, unknown> = {};
  const other = b as Record<string, unknown>;
  for (const [key, value] of Object.entries(a)) {
    const theirs = other[key];
    if (value === undefined || theirs === undefined) continue;
    if (Array.isArray(value) && Array.isArray(theirs)) out[key] = [...new Set([...value, ...theirs])];
    else if (JSON.stringify(value) === JSON.stringify(theirs)) out[key] = value;
  }
  return out as Q;
}

/**
 * The multi-role union for pushdown: each role's query, widened into one that matches what any
 * of them matches (a superset of the union; the per-object check then decides exactly).
 */
function acrossRoles<Q extends object>(p: Principal | null, byRole: (role: Role, reader: Principal) => Pushdown<Q>): Pushdown<Q> {
  if (!p) return 'empty';
  const parts = [...new Set(p.roles)].map((r) => byRole(r, p)).filter((q): q is Q => q !== 'empty');
  const [first, ...rest] = parts;
  return first ? rest.reduce(widen, first) : 'empty';
}

/** Unknown role strings push down to nothing, like they decide to nothing. */
const unknownRole = (_role: never): 'empty' => 'empty';
const sorted = <T extends string>(xs: readonly T[]): T[] => [...new Set(xs)].sort();

/** What to ask Content Server for when listing campaigns. */
export function campaignPushdown(p: Principal | null): Pushdown<CampaignQuery> {
  return acrossRoles<CampaignQuery>(p, (role, reader) => {
    switch (role) {
      case 'admin':
      case 'compliance':
      case 'marketing':
        return {};
      case 'sales':
        return { statuses: ['ACTIVE', 'CLOSED'] };
      case 'partner':
        if (!reader.org || !reader.regions.length) return 'empty';
        return { statuses: ['ACTIVE'], audienceIncludes: reader.org, regions: sorted(reader.regions) };
      default:
        return unknownRole(role);
    }
  });
}

/** What to ask Content Server for when listing accounts. */
export function accountPushdown(p: Principal | null): Pushdown<AccountQuery> {
  return acrossRoles<AccountQuery>(p, (role, reader) => {
    switch (role) {
      case 'admin':
      case 'compliance':
      case 'marketing':
        return {};
      case 'sales':
        return normalEmail(reader.email) ? { memberEmail: normalEmail(reader.email) } : 'empty';
      case 'partner':
        return reader.org ? { ids: [reader.org] } : 'empty';
      default:
        return unknownRole(role);
    }
  });
}

/**
 * What to ask for when listing the documents of one workspace (or of workspaces of one kind the
 * reader sees), given whether the reader is on that workspace's team. The owner's own
 * visibility is the caller's to establish (campaignDecision / accountDecision) before listing.
 */
export function documentPushdown(
  p: Principal | null,
  ownerKind: 'campaign' | 'account',
  memberOfOwner: boolean,
): Pushdown<CanonicalFilter> {
  return acrossRoles<CanonicalFilter>(p, (role, reader) => {
    switch (role) {
      case 'admin':
      case 'compliance':
        return {};
      case 'marketing':
        return memberOfOwner ? {} : { classifications: [...NOT_CONFIDENTIAL] };
      case 'sales':
        // An account is visible to sales only through membership, and then all of it is.
        if (ownerKind === 'account') return memberOfOwner ? {} : 'empty';
        return memberOfOwner ? {} : { classifications: [...NOT_CONFIDENTIAL] };
      case 'partner':
        if (!reader.org) return 'empty';
        return { ...PARTNER_DOCUMENTS };
      default:
        return unknownRole(role);
    }
  });
}

/**
 * The instant a pushdown filter asks rights to be valid at: `now` rounded DOWN to `boundaryMs`,
 * so the filter (and the upstream cache key built from it) is the same for a whole minute.
 *
 * Why this is safe, and what it costs: rounding down can only let through an asset whose rights
 * ended in the last `boundaryMs`, and the per-object check re-evaluates the effective rights
 * with the exact `now` (visibility.ts), so that asset is never shown. The price is the other
 * edge: an asset whose rights STARTED within the last `boundaryMs` is missing from lists and
 * totals for at most that long (by id it is visible at once). Never the reverse. Pass
 * `boundaryMs = 1` for the exact instant.
 */
export function pushdownInstant(now: number, boundaryMs = 60_000): string {
  if (!Number.isFinite(now)) throw new RangeError(`now is not a time: ${now}`);
  if (!Number.isInteger(boundaryMs) || boundaryMs < 1) throw new RangeError(`boundaryMs must be a positive integer: ${boundaryMs}`);
  return new Date(Math.floor(now / boundaryMs) * boundaryMs).toISOString();
}

/**
 * What to ask each DAM for when listing or searching assets, at `now`.
 *
 * For partners this is necessarily a superset: the DAM knows its own rights metadata, not the
 * ECM licence that narrows them (earlier expiry, fewer territories and channels), so an asset
 * the DAM calls cleared may still be out; the per-object check with the EFFECTIVE rights
 * decides. `validAt` is quantized by `pushdownInstant` (see there).
 */
export function assetPushdown(p: Principal | null, now: number, boundaryMs = 60_000): Pushdown<CanonicalFilter> {
  return acrossRoles<CanonicalFilter>(p, (role, reader) => {
    switch (role) {
      case 'admin':
      case 'compliance':
      case 'marketing':
        return {};
      case 'sales':
        return { approvals: ['APPROVED'] };
      case 'partner':
        if (!reader.org || !reader.regions.length) return 'empty';
        return {
          approvals: ['APPROVED'],
          channels: ['partner'],
          territories: sorted(reader.regions),
          validAt: pushdownInstant(now, boundaryMs),
        };
      default:
        return unknownRole(role);
    }
  });
}
