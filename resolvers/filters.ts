/** GraphQL filter inputs to canonical filters (what sources are asked for). */
import type { CanonicalFilter, DamSystem, System } from '../sources/model.ts';
import { DAM_SYSTEMS } from '../sources/model.ts';
import type { CampaignQuery, AccountQuery } from '../sources/ports.ts';

export interface ContentFilterInput extends Omit<CanonicalFilter, 'workspaceIds' | 'text'> {
  systems?: System[] | null;
}

/** The canonical filter of a ContentFilter input (nulls dropped). */
export function contentFilter(input: ContentFilterInput | null | undefined): CanonicalFilter {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input ?? {})) if (v !== null && v !== undefined && k !== 'systems') out[k] = v;
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

export function campaignQuery(f: CampaignFilterInput | null | undefined): CampaignQuery {
  return {
    ...(f?.status ? { statuses: f.status } : {}),
    ...(f?.regions ? { regions: f.regions } : {}),
    ...(f?.productLines ? { productLines: f.productLines } : {}),
    ...(f?.text ? { text: f.text } : {}),
  };
}

export interface AccountFilterInput {
  kind?: AccountQuery['kinds'] | null;
  regions?: AccountQuery['regions'] | null;
  text?: string | null;
}

export function accountQuery(f: AccountFilterInput | null | undefined): AccountQuery {
  return {
    ...(f?.kind ? { kinds: f.kind } : {}),
    ...(f?.regions ? { regions: f.regions } : {}),
    ...(f?.text ? { text: f.text } : {}),
  };
}
