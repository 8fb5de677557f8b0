/**
 * The naive peer's search: every source asked for the first page (documents from Content
 * Server, assets with facets from each DAM), hits interleaved by each source's own rank,
 * facets added up. No cursor beyond the first page: the scenarios read one page.
 */
import type { Asset, CanonicalFilter, Document, Facet, System } from '../../../sources/model.ts';
import { checkFirst } from '../../../resolvers/connection.ts';
import { contentFilter, type ContentFilterInput } from '../../../resolvers/filters.ts';
import type { NaiveContext } from './resolvers.ts';

/** The arguments of `search` the naive peer honours. */
export interface SearchArgs {
  query?: string | null;
  filter?: ContentFilterInput | null;
  first?: number | null;
}

type Hit = (Document | Asset) & { __typename: 'Document' | 'Asset' };

/** Counts per field and value over every source's facets, plus hits per system. */
export function mergeFacets(totals: [System, number][], lists: Facet[][]): { field: string; values: { value: string; count: number }[] }[] {
  const fields = new Map<string, Map<string, number>>();
  for (const f of lists.flat()) {
    const values = fields.get(f.field) ?? new Map<string, number>();
    for (const v of f.values) values.set(v.value, (values.get(v.value) ?? 0) + v.count);
    fields.set(f.field, values);
  }
  return [
    { field: 'system', values: totals.filter(([, n]) => n > 0).map(([value, count]) => ({ value, count })) },
    ...[...fields].map(([field, values]) => ({
      field,
      values: [...values].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count),
    })),
  ];
}

/** One page of search hits over every source. */
export async function naiveSearch(ctx: NaiveContext, args: SearchArgs) {
  const first = checkFirst(args.first);
  const filter: CanonicalFilter = { ...contentFilter(args.filter), ...(args.query?.trim() ? { text: args.query.trim() } : {}) };
  const { ecm, dams } = ctx.sources;
  const [docs, ...assets] = await Promise.all([
    ecm.findDocuments(filter, { first }),
    dams.ICONIK.findAssets(filter, { first }, { facets: true }),
    dams.NETX.findAssets(filter, { first }, { facets: true }),
    dams.OTMM.findAssets(filter, { first }, { facets: true }),
  ]);
  const lists: Hit[][] = [
    docs.items.map((d) => ({ ...d, __typename: 'Document' as const })),
    ...assets.map((p) => p.items.map((a) => ({ ...a, __typename: 'Asset' as const }))),
  ];
  const nodes: Hit[] = [];
  for (let rank = 0; nodes.length < first && lists.some((l) => l.length > rank); rank++) {
    for (const l of lists) if (l[rank] && nodes.length < first) nodes.push(l[rank] as Hit);
  }
  const totals: [System, number][] = [
    ['OTCS', docs.total],
    ['ICONIK', assets[0]?.total ?? 0],
    ['NETX', assets[1]?.total ?? 0],
    ['OTMM', assets[2]?.total ?? 0],
  ];
  const totalCount = totals.reduce((n, [, t]) => n + t, 0);
  return {
    edges: nodes.map((node) => ({ cursor: '', node })),
    nodes,
    pageInfo: { hasNextPage: totalCount > nodes.length, endCursor: null },
    totalCount,
    facets: mergeFacets(totals, [docs.facets ?? [], ...assets.map((p) => p.facets ?? [])]),
    missingSources: [],
  };
}
