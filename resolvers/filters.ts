/**
 * GraphQL filter inputs to canonical filters (what sources are asked for), checked against the
 * limits of input.ts on the way: every string a filter carries reaches a source's query.
 */
import type { CanonicalFilter, DamSystem, System } from '../sources/model.ts';
import { DAM_SYSTEMS } from '../sources/model.ts';
import type { CampaignQuery, AccountQuery } from '../sources/ports.ts';
import { checkList, checkText, checkValue } from './input.ts';

export interface ContentFilterInput extends Omit<CanonicalFilter, 'workspaceIds' | 'text'> {
  systems?: System[] | null;
}

/** The canonical filter of a ContentFilter input (nulls dropped); BAD_USER_INPUT for a list or value past the limits. */
export function contentFilter(input: ContentFilterInput | null | undefined): CanonicalFilter {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input ?? {})) {
    if (v === null || v === undefined) continue;
    // Lists hold codes, ids and enum values; the one scalar (validAt) is a string too.
    const value = Array.isArray(v) ? checkList(`filter.${k}`, v as string[]) : typeof v === 'string' ? checkValue(`filter.${k}`, v) : v;
    if (k !== 'systems') out[k] = value;
  }
  return out as CanonicalFilter;
}

/** DAMs a filter allows. */
export function damSystems(input: ContentFilterInput | null | undefined): DamSystem[] {
  const only = input?.systems;
  return only ? DAM_SYSTEMS.filter((s) => only.includes(s)) : [...DAM_SYSTEMS];
}

export interface CampaignFilterInput {
  status?: CampaignQuery['statuses'] | null;
  regions?: CampaignQuery['regions'] | null;
  productLines?: string[] | null;
  text?: string | null;
}

/** The campaign query of a CampaignFilter input; BAD_USER_INPUT for a list or text past the limits. */
export function campaignQuery(f: CampaignFilterInput | null | undefined): CampaignQuery {
  return {
    ...(f?.status ? { statuses: checkList('filter.status', f.status) } : {}),
    ...(f?.regions ? { regions: checkList('filter.regions', f.regions) } : {}),
    ...(f?.productLines ? { productLines: checkList('filter.productLines', f.productLines) } : {}),
    ...(f?.text ? { text: checkText('filter.text', f.text) } : {}),
  };
}

export interface AccountFilterInput {
  kind?: AccountQuery['kinds'] | null;
  regions?: AccountQuery['regions'] | null;
  text?: string | null;
}

/** The account query of an AccountFilter input; BAD_USER_INPUT for a list or text past the limits. */
export function accountQuery(f: AccountFilterInput | null | undefined): AccountQuery {
  return {
    ...(f?.kind ? { kinds: checkList('filter.kind', f.kind) } : {}),
    ...(f?.regions ? { regions: checkList('filter.regions', f.regions) } : {}),
    ...(f?.text ? { text: checkText('filter.text', f.text) } : {}),
  };
}
