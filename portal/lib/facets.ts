/**
 * Search facets and the filters they drive. The URL carries each ticked facet value under the
 * facet's field name (`?kind=IMAGE&system=ICONIK`); this maps them onto the gateway's
 * ContentFilter, dropping values an enum does not have (a hand-edited URL must not break the page).
 */

interface FacetFilter {
  /** ContentFilter field. */
  filter: string;
  /** Heading in the facet list. */
  title: string;
  /** Allowed values, for enum-typed filters. */
  values?: readonly string[];
}

export const FACETS: Record<string, FacetFilter> = {
  system: { filter: 'systems', title: 'Source', values: ['OTCS', 'ICONIK', 'NETX', 'OTMM'] },
  kind: { filter: 'kinds', title: 'Asset kind', values: ['IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT', 'TEMPLATE'] },
  classification: { filter: 'classifications', title: 'Classification', values: ['PUBLIC', 'PARTNER', 'INTERNAL', 'CONFIDENTIAL'] },
  status: { filter: 'statuses', title: 'Document status', values: ['DRAFT', 'IN_REVIEW', 'APPROVED', 'RELEASED', 'ARCHIVED'] },
  approval: { filter: 'approvals', title: 'Approval', values: ['PENDING', 'APPROVED', 'REJECTED'] },
  campaignCode: { filter: 'campaignCodes', title: 'Campaign' },
  accountId: { filter: 'accountIds', title: 'Account' },
  productLine: { filter: 'productLines', title: 'Product line' },
  territories: { filter: 'territories', title: 'Territory' },
  channels: { filter: 'channels', title: 'Channel' },
  locale: { filter: 'locales', title: 'Locale' },
};

export const SORTS = ['RELEVANCE', 'DATE', 'NAME'] as const;
export type Sort = (typeof SORTS)[number];

/** The ContentFilter the URL asks for. */
export function filterFromParams(get: (field: string) => string[]): Record<string, string[]> {
  const filter: Record<string, string[]> = {};
  for (const [field, f] of Object.entries(FACETS)) {
    const values = get(field).filter((v) => v.length <= 200 && (!f.values || f.values.includes(v)));
    if (values.length) filter[f.filter] = values;
  }
  return filter;
}
