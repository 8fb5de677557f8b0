/**
 * One search over documents (Content Server) and assets (every DAM). Each source filters,
 * sorts and pages itself; the gateway merges.
 *
 * The cursor holds, per source stream, how many of its hits were consumed and the stream's
 * total when the cursor was made. A page asks each stream for `first` hits from its position
 * (one request per stream), then merges by always taking the best *head* of the per-stream
 * lists. Consuming only prefixes means paging to the end yields every hit exactly once, even
 * where two sources collate names differently, and the positions add up to totalCount at the end.
 *
 * A stream the cursor says is used up is never asked past its end (iconik answers such a page
 * with 404, Content Server with its last page again): it is asked for its first page instead,
 * the very request the first page of this search made (so usually a cache hit), which keeps its
 * total and facets in the answer, identical on every page.
 *
 * No stream is paged deeper than MAX_DEPTH hits (input.ts): past it a stream counts as used up,
 * so paging ends there and no cursor of ours points further; a cursor that does is forged, and
 * refused before any source is asked. The search text and filter are checked the same way.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { Asset, CanonicalFilter, Document, Facet, Sort, System } from '../sources/model.ts';
import { SYSTEMS } from '../sources/model.ts';
import type { Context } from './context.ts';
import { BadUserInputError } from '../access/errors.ts';
import { checkFirst } from './connection.ts';
import { MAX_DEPTH, checkText, cursorText } from './input.ts';
import { contentFilter, type ContentFilterInput } from './filters.ts';
import { noteFailure } from './merge.ts';
import { typed, typeOf } from './typename.ts';

type SearchSort = 'RELEVANCE' | 'DATE' | 'NAME';
type Hit = {
  stream: string;
  system: System;
  position: number;
  name: string;
  modifiedAt: string;
  id: string;
  node: Document | Asset;
  typename: 'Document' | 'Asset';
};
/** Hits consumed per stream (a source asked with one filter). */
type Positions = Record<string, number>;
/** Per stream: hits consumed, and the stream's total as the page that made the cursor saw it. */
type CursorState = Record<string, [position: number, total: number]>;
const STREAM_ID = /^(OTCS|ICONIK|NETX|OTMM)(#[a-z]+)?$/;

const DOC_ONLY: (keyof CanonicalFilter)[] = ['classifications', 'statuses'];
const ASSET_ONLY: (keyof CanonicalFilter)[] = ['approvals', 'kinds'];

function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/** A stream's total as a source counted it: any non-negative safe integer. */
const isTotal = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
/**
 * Hits consumed from a stream: never past MAX_DEPTH. (Not bounded by the total: a stream that
 * shrank between two pages leaves a position past its new total, and is then used up.)
 */
const isPosition = (v: unknown): v is number => isTotal(v) && v <= MAX_DEPTH;

/** The state an `after` carries; BAD_USER_INPUT for anything this search did not make, before any source is asked. */
function decodeCursor(after: string | null | undefined): CursorState {
  if (!after) return {};
  const text = cursorText(after);
  try {
    const p = text === null ? null : (JSON.parse(text) as unknown);
    if (
      p &&
      typeof p === 'object' &&
      !Array.isArray(p) &&
      Object.entries(p).every(([k, v]) => STREAM_ID.test(k) && Array.isArray(v) && v.length === 2 && isPosition(v[0]) && isTotal(v[1]))
    )
      return p as CursorState;
  } catch {
    // fall through to the typed error
  }
  throw new BadUserInputError('`after` is not a cursor of this search');
}

/** The search text, trimmed (undefined when blank); BAD_USER_INPUT past MAX_TEXT or with control characters. */
function searchText(query: string | null | undefined): string | undefined {
  if (query === null || query === undefined) return undefined;
  return checkText('query', query).trim() || undefined;
}

/** Which sources a filter can match: document-only fields exclude DAMs and vice versa. */
export function searchSystems(filter: CanonicalFilter, only?: System[] | null): System[] {
  const docOnly = DOC_ONLY.some((k) => filter[k] !== undefined);
  const assetOnly = ASSET_ONLY.some((k) => filter[k] !== undefined);
  return SYSTEMS.filter((s) => (!only || only.includes(s)) && (s === 'OTCS' ? !assetOnly : !docOnly));
}

function sortOf(sort: SearchSort): Sort {
  return sort === 'DATE'
    ? { field: 'date', direction: 'desc' }
    : sort === 'NAME'
      ? { field: 'name', direction: 'asc' }
      : { field: 'relevance', direction: 'desc' };
}

function better(sort: SearchSort, a: Hit, b: Hit): boolean {
  const bySource = SYSTEMS.indexOf(a.system) - SYSTEMS.indexOf(b.system);
  switch (sort) {
    case 'DATE':
      return (b.modifiedAt.localeCompare(a.modifiedAt) || a.name.localeCompare(b.name) || bySource) < 0;
    case 'NAME':
      return (a.name.localeCompare(b.name) || bySource) < 0;
    case 'RELEVANCE':
      return (a.position - b.position || bySource) < 0;
  }
}

function mergeFacets(lists: Facet[][], totals: [System, number][]): Facet[] {
  const fields = new Map<string, Map<string, number>>();
  for (const facets of lists)
    for (const f of facets) {
      const values = fields.get(f.field) ?? new Map<string, number>();
      for (const v of f.values) values.set(v.value, (values.get(v.value) ?? 0) + v.count);
      fields.set(f.field, values);
    }
  const bySystem = new Map<string, number>();
  for (const [system, n] of totals) if (n > 0) bySystem.set(system, (bySystem.get(system) ?? 0) + n);
  const out: Facet[] = [{ field: 'system', values: [...bySystem].map(([value, count]) => ({ value, count })) }];
  for (const [field, values] of fields) {
    out.push({
      field: field as Facet['field'],
      values: [...values].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    });
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
      const cursor = decodeCursor(args.after);
      const positions: Positions = Object.fromEntries(Object.entries(cursor).map(([id, [position]]) => [id, position]));
      const text = searchText(args.query);
      const filter: CanonicalFilter = { ...contentFilter(args.filter), ...(text ? { text } : {}) };
      const systems = searchSystems(filter, args.filter?.systems);
      const sort = sortOf(sortName);
      // The reader's policy shapes which streams are asked and with what filters (access/access.ts).
      const streams = await ctx.access.searchStreams(filter, systems, sort);
      // A used-up stream (at its end, or at MAX_DEPTH) is asked for its first page again (its
      // total and facets), never past its end; the others for at most what is left above MAX_DEPTH.
      const usedUp = (id: string) => cursor[id] !== undefined && cursor[id][0] >= Math.min(cursor[id][1], MAX_DEPTH);
      const pageOf = (id: string) => {
        const at = positions[id] ?? 0;
        return usedUp(id) ? { first, offset: 0 } : { first: Math.min(first, MAX_DEPTH - at), offset: at };
      };
      const pages = await Promise.allSettled(streams.map((st) => st.find(pageOf(st.id))));
      const heads: Hit[][] = [];
      const totals: [string, System, number][] = [];
      const facets: Facet[][] = [];
      const missingSources = new Set<System>();
      const results = await Promise.all(
        pages.map(async (r, i) => {
          const st = streams[i] as (typeof streams)[number];
          if (r.status === 'rejected') {
            if (!missingSources.has(st.system)) noteFailure(ctx, info, r.reason, st.system);
            missingSources.add(st.system);
            return null;
          }
          // The final word: every hit is checked against the reader (pushdown already excluded the rest).
          return { st, page: r.value, allowed: new Set(await ctx.access.checkHits(r.value.items)) };
        }),
      );
      for (const res of results) {
        if (!res) continue;
        const { st, page, allowed } = res;
        const start = positions[st.id] ?? 0;
        totals.push([st.id, st.system, page.total]);
        facets.push(page.facets ?? []);
        if (usedUp(st.id)) continue;
        heads.push(
          page.items.map((node, k) => {
            const base = { stream: st.id, system: st.system, position: start + k, modifiedAt: node.modifiedAt, id: node.source.nativeId };
            return 'title' in node
              ? { ...base, name: node.title, node, typename: 'Asset' as const, hidden: !allowed.has(node) }
              : { ...base, name: node.name, node, typename: 'Document' as const, hidden: !allowed.has(node) };
          }),
        );
      }
      const next: Positions = { ...positions };
      const totalOf = new Map(totals.map(([id, , t]) => [id, t]));
      // Streams that failed on this page keep what the cursor knew of them.
      const stateOf = (at: Positions): CursorState =>
        Object.fromEntries(Object.entries(at).map(([id, n]) => [id, [n, totalOf.get(id) ?? cursor[id]?.[1] ?? n]]));
      const idx = heads.map(() => 0);
      const edges: { cursor: string; node: Document | Asset }[] = [];
      while (edges.length < first) {
        let best = -1;
        heads.forEach((list, i) => {
          const h = list[idx[i] as number];
          if (h && (best < 0 || better(sortName, h, heads[best]?.[idx[best] as number] as Hit))) best = i;
        });
        if (best < 0) break;
        const hit = heads[best]?.[idx[best] as number] as Hit & { hidden: boolean };
        idx[best] = (idx[best] as number) + 1;
        next[hit.stream] = (next[hit.stream] ?? 0) + 1;
        if (!hit.hidden)
          edges.push({ cursor: encodeCursor(stateOf(next)), node: typed(hit.node, hit.typename) as unknown as Document | Asset });
      }
      const totalCount = totals.reduce((n, [, , t]) => n + t, 0);
      // More follows while some stream that answered has hits left within MAX_DEPTH.
      const hasNextPage = totals.some(([id, , t]) => (next[id] ?? 0) < Math.min(t, MAX_DEPTH));
      return {
        edges,
        nodes: edges.map((e) => e.node),
        pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount,
        facets: mergeFacets(
          facets,
          totals.map(([, system, t]) => [system, t] as [System, number]),
        ),
        missingSources: [...missingSources],
      };
    },
  },
  SearchResult: {
    __resolveType: typeOf,
  },
};
