/**
 * Effective usage rights of an asset (DESIGN.md, Access policy v1): the DAM's own rights
 * narrowed by the ECM licence document the asset references. The earlier expiry and the later
 * start win; territories and channels intersect (`WORLD` contains every region). Evaluated at
 * read time against an injectable clock, so an expired asset is out the second it expires.
 */
import type { Document, Rights, Territory } from '../sources/model.ts';

export interface EffectiveRights extends Rights {
  /** Whether the rights are in force at the evaluation instant. */
  inForce: boolean;
  /**
   * False when the ECM licence the asset references could not be read now (its source failed):
   * these are the DAM's own rights, not narrowed by it. A state, not an error: readers who see
   * the asset regardless still get it (with links capped short), partners do not.
   */
  verified: boolean;
}

const later = (a?: string, b?: string) => (!a ? b : !b ? a : Date.parse(a) >= Date.parse(b) ? a : b);
const earlier = (a?: string, b?: string) => (!a ? b : !b ? a : Date.parse(a) <= Date.parse(b) ? a : b);

/** Intersect territory lists where `WORLD` means every region. */
export function intersectTerritories(a: readonly Territory[], b: readonly Territory[]): Territory[] {
  if (a.includes('WORLD')) return [...b];
  if (b.includes('WORLD')) return [...a];
  return a.filter((t) => b.includes(t));
}

/** Whether the rights' territories cover any of `wanted` (`WORLD` covers all). */
export function territoryOverlaps(territories: readonly Territory[], wanted: readonly string[]): boolean {
  return territories.includes('WORLD') || territories.some((t) => wanted.includes(t));
}

/**
 * Effective rights of an asset at `now`. `licence` is the referenced ECM document, `null` when
 * the asset references one that does not exist (rights then are not cleared), `undefined` when
 * it references none, `'unreadable'` when its source failed (the DAM's own rights, unverified).
 */
export function effectiveRights(own: Rights, licence: Document | null | undefined | 'unreadable', now: number): EffectiveRights {
  const verified = licence !== 'unreadable';
  if (licence === 'unreadable') licence = undefined;
  let status = own.status;
  let validFrom = own.validFrom;
  let validUntil = own.validUntil;
  let territories = [...own.territories];
  let channels = [...own.channels];
  if (own.licenceId && licence === null) status = 'PENDING'; // a licence that cannot be found clears nothing
  if (licence) {
    const m = licence.metadata;
    validFrom = later(validFrom, m.validFrom);
    validUntil = earlier(validUntil, m.validUntil);
    if (m.territories) territories = intersectTerritories(territories, m.territories);
    if (m.channels) channels = channels.filter((c) => m.channels?.includes(c));
    if (m.rightsStatus && m.rightsStatus !== 'CLEARED' && status === 'CLEARED') status = m.rightsStatus;
  }
  if (validUntil && Date.parse(validUntil) <= now) status = 'EXPIRED';
  else if (validFrom && Date.parse(validFrom) > now && status === 'CLEARED') status = 'PENDING';
  const inForce = status === 'CLEARED' && territories.length > 0 && channels.length > 0;
  return {
    status,
    territories,
    channels,
    inForce,
    verified,
    ...(validFrom ? { validFrom } : {}),
    ...(validUntil ? { validUntil } : {}),
    ...(own.licenceId ? { licenceId: own.licenceId } : {}),
  };
}
