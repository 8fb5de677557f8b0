/**
 * One search over documents (Content Server) and assets (every DAM). Each source filters,
 * sorts and pages itself; the gateway merges.
 *
 * The cursor holds, per source, how many of its hits were consumed. A page asks each source
 * for `first` hits from its position (one request per source), then merges by always taking
 * the best *head* of the per-source lists. Consuming only prefixes means paging to the end
 * yields every hit exactly once, even where two sources collate names differently, and the
 * positions add up to totalCount at the end.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { Asset, CanonicalFilter, Document, Facet, Page, Sort, System } from '../sources/model.ts';
import { SYSTEMS } from '../sources/model.ts';
import type { Context } from '../gateway/context.ts';
import { BadUserInputError } from '../gateway/errors.ts';
import { checkFirst } from './connection.ts';
import { contentFilter, type ContentFilterInput } from './filters.ts';
import { noteFailure } from './merge.ts';

type SearchSort = 'RELEVANCE' | 'DATE' | 'NAME';
type Hit = { system: System; position: number; name: string; modifiedAt: string; id: string; node: Document | Asset; typename: 'Document' | 'Asset' };
type Positions = Partial<Record<System, number>>;

const DOC_ONLY: (keyof CanonicalFilter)[] = ['classifications', 'statuses'];
const ASSET_ONLY: (keyof CanonicalFilter)[] = ['approvals', 'kinds'];

function encodeCursor(p: Positions): string {
  return Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
}

function decodeCursor(after: string | null | undefined): Positions {
  if (!after) return {};
  try {
    const p = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown;
    if (p && typeof p === 'object' && !Array.isArray(p) && Object.entries(p).every(([k, v]) => SYSTEMS.includes(k as System) && Number.isInteger(v) && (v as number) >= 0)) return p as Positions;
  } catch {
    // fall through to the typed error
  }
  throw new BadUserInputError('`after` is not a cursor of this search');
}

/** Which sources a filter can match: document-only fields exclude DAMs and vice versa. */
export function searchSystems(filter: CanonicalFilter, only?: System[] | null): System[] {
  const docOnly = DOC_ONLY.some((k) => filter[k] !== undefined);
  const assetOnly = ASSET_ONLY.some((k) => filter[k] !== undefined);
  return SYSTEMS.filter((s) => (!only || only.includes(s)) && (s === 'OTCS' ? !assetOnly : !docOnly));
}

function sortOf(sort: SearchSort): Sort {
  return sort === 'DATE' ? { field: 'date', direction: 'desc' } : sort === 'NAME' ? { field: 'name', direction: 'asc' } : { field: 'relevance', direction: 'desc' };
}

function better(sort: SearchSort, a: Hit, b: Hit): boolean {
  const bySource = SYSTEMS.indexOf(a.system) - SYSTEMS.indexOf(b.system);
  switch (sort) {
    case 'DATE': return (b.modifiedAt.localeCompare(a.modifiedAt) || a.name.localeCompare(b.name) || bySource) < 0;
    case 'NAME': return (a.name.localeCompare(b.name) || bySource) < 0;
    case 'RELEVANCE': return (a.position - b.position || bySource) < 0;
  }
}

function mergeFacets(lists: Facet[][], totals: [System, number][]): Facet[] {
  const fields = new Map<string, Map<string, number>>();
  for (const facets of lists) for (const f of facets) {
    const values = fields.get(f.field) ?? new Map<string, number>();
    for (const v of f.values) values.set(v.value, (values.get(v.value) ?? 0) + v.count);
    fields.set(f.field, values);
  }
  const out: Facet[] = [{ field: 'system', values: totals.filter(([, n]) => n > 0).map(([value, count]) => ({ value, count })) }];
  for (const [field, values] of fields) {
    out.push({ field: field as Facet['field'], values: [...values].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)) });
  }
  return out;
}

export interface SearchArgs {
  query?: string | null;
  filter?: ContentFilterInput | null;
  sort?: SearchSort | null;
  first?: number | null;
  after?: string | null;
}

export const searchResolvers = {
  Query: {
    search: async (_: unknown, args: SearchArgs, ctx: Context, info: GraphQLResolveInfo) => {
      const first = checkFirst(args.first);
      const sortName: SearchSort = args.sort ?? 'RELEVANCE';
      const positions = decodeCursor(args.after);
      const filter: CanonicalFilter = { ...contentFilter(args.filter), ...(args.query?.trim() ? { text: args.query.trim() } : {}) };
      const systems = searchSystems(filter, args.filter?.systems);
      const sort = sortOf(sortName);
      const pages = await Promise.allSettled(systems.map((s): Promise<Page<Document | Asset>> => {
        const page = { first, offset: positions[s] ?? 0, sort };
        return s === 'OTCS' ? ctx.sources.ecm.findDocuments(filter, page, { facets: true }) : ctx.sources.dams[s].findAssets(filter, page, { facets: true });
      }));
      const heads: Hit[][] = [];
      const totals: [System, number][] = [];
      const facets: Facet[][] = [];
      const missingSources: System[] = [];
      pages.forEach((r, i) => {
        const system = systems[i] as System;
        if (r.status === 'rejected') {
          missingSources.push(system);
          noteFailure(ctx, info, r.reason, system);
          return;
        }
        const start = positions[system] ?? 0;
        totals.push([system, r.value.total]);
        facets.push(r.value.facets ?? []);
        heads.push(r.value.items.map((node, k) => ('title' in node
          ? { system, position: start + k, name: node.title, modifiedAt: node.modifiedAt, id: node.source.nativeId, node, typename: 'Asset' as const }
          : { system, position: start + k, name: node.name, modifiedAt: node.modifiedAt, id: node.source.nativeId, node, typename: 'Document' as const })));
      });
      const next: Positions = { ...positions };
      const idx = heads.map(() => 0);
      const edges: { cursor: string; node: Document | Asset }[] = [];
      while (edges.length < first) {
        let best = -1;
        heads.forEach((list, i) => {
          const h = list[idx[i] as number];
          if (h && (best < 0 || better(sortName, h, heads[best]?.[idx[best] as number] as Hit))) best = i;
        });
        if (best < 0) break;
        const hit = heads[best]?.[idx[best] as number] as Hit;
        idx[best] = (idx[best] as number) + 1;
        next[hit.system] = (next[hit.system] ?? 0) + 1;
        edges.push({ cursor: encodeCursor(next), node: { ...hit.node, __typename: hit.typename } as unknown as Document | Asset });
      }
      const totalCount = totals.reduce((n, [, t]) => n + t, 0);
      const consumed = totals.reduce((n, [s]) => n + (next[s] ?? 0), 0);
      return {
        edges,
        nodes: edges.map((e) => e.node),
        pageInfo: { hasNextPage: consumed < totalCount, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount,
        facets: mergeFacets(facets, totals),
        missingSources,
      };
    },
  },
  SearchResult: {
    __resolveType: (n: { __typename?: string }) => n.__typename ?? null,
  },
};
