/**
 * Simulated `POST /api/v2/search` (vendor-apis §1.6 Search): form fields `where` (the LQL
 * subset of lql.ts), `location_id1..N` (recursive), `page`, `limit`, `sort`, `select`
 * (extra regions to return) and `options` (`facets`). The envelope follows the SEEN pyxecm
 * example; facets and the `id`/`type` of `links.ancestors` entries are INFERRED (sources/otcs/README.md).
 */
import { all, first, type SimRequest, type SimResponse } from '../framework/server.ts';
import { fail, formOf, pageOf, type CoreSim, type SimNode } from './kit.ts';
import { dateValue, LqlError, matches, parseLql, type Lql, type RegionValue } from './lql.ts';
import { latest, nodeProperties, versionInfo } from './render.ts';

const DEFAULT_REGIONS = ['OTMIMEType', 'OTName', 'OTObjectDate', 'OTObjectSize', 'OTLocation', 'OTCreatedBy'];

interface Hit {
  node: SimNode;
  ancestors: SimNode[];
  regions: Record<string, RegionValue>;
  score: number;
}

const compactDay = (iso: string) => iso.slice(0, 10).replace(/-/g, '');

/** The searchable regions of a node: system regions plus `Attr_{cat}_{attr}` of its category. */
function regionsOf(n: SimNode, ancestors: SimNode[]): Record<string, RegionValue> {
  const r: Record<string, RegionValue> = {
    OTName: n.name,
    OTDComment: n.description,
    OTSubType: n.type,
    OTObjectID: n.id,
    OTParentID: n.parentId,
    OTMIMEType: n.document?.mimeType ?? null,
    OTObjectSize: n.document?.size ?? 0,
    OTObjectDate: compactDay(n.modifiedAt),
    OTModifyDate: n.modifiedAt,
    OTCreateDate: n.createdAt,
    OTCreatedBy: n.ownerId,
    // The ids of the path, root first, ending with the node's own: `OTLocation:<id>` matches
    // any of them, as Content Server matches the tokens of the path ("2000 6471 ... 42708").
    OTLocation: [...ancestors.map((a) => a.id), n.id],
  };
  // Documents are searchable by their category values (every category they carry).
  if (n.document) {
    for (const values of n.categories().values())
      for (const [key, value] of Object.entries(values)) r[`Attr_${key}`] = value as RegionValue;
  }
  return r;
}

/** Free-text terms outside NOT, for a simple relevance score. */
function textTerms(e: Lql, out: string[] = []): string[] {
  if (e.t === 'text') out.push(e.value.toLowerCase());
  if (e.t === 'and' || e.t === 'or') {
    textTerms(e.a, out);
    textTerms(e.b, out);
  }
  return out;
}

function compareRegion(a: RegionValue | undefined, b: RegionValue | undefined): number {
  const av = String(Array.isArray(a) ? (a[0] ?? '') : (a ?? ''));
  const bv = String(Array.isArray(b) ? (b[0] ?? '') : (b ?? ''));
  const da = dateValue(av);
  const db = dateValue(bv);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return av.localeCompare(bv);
}

/** A region as a result carries it: the location path as one space-separated string (SEEN). */
const shown = (region: string, v: RegionValue | undefined): RegionValue | undefined =>
  region === 'OTLocation' && Array.isArray(v) ? v.join(' ') : v;

/** `relevance` (score, then id) or `asc_REGION` / `desc_REGION`; ties by id. */
function sorter(sort: string): ((a: Hit, b: Hit) => number) | null {
  if (sort === 'relevance') return (a, b) => b.score - a.score || a.node.id - b.node.id;
  const m = /^(asc|desc)_(OT[A-Za-z]+|Attr_\d+_\d+)$/.exec(sort);
  if (!m) return null;
  const dir = m[1] === 'desc' ? -1 : 1;
  const region = m[2] as string;
  const value = (h: Hit) => shown(region, h.regions[region]);
  return (a, b) => dir * compareRegion(value(a), value(b)) || a.node.id - b.node.id;
}

function locationsOf(fields: Record<string, unknown>): Set<number> | null {
  const ids = Object.keys(fields)
    .filter((k) => /^location_id\d+$/.test(k))
    .flatMap((k) => all(fields[k]))
    .map(Number)
    .filter(Number.isInteger);
  return ids.length ? new Set(ids) : null;
}

function facetsOf(ctx: CoreSim, hits: Hit[]): Record<string, unknown> {
  const cat = ctx.mapping.otcs.documentCategory;
  const facet = (field: 'classification' | 'status', displayName: string) => {
    const region = `Attr_${cat.attributes[field]}`;
    const counts = new Map<string, number>();
    for (const h of hits) {
      const v = h.regions[region];
      if (typeof v === 'string' && v) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const items = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    return {
      count: items.length,
      display_name: displayName,
      name: region,
      type: 'text',
      facet_items: items.map(([value, count]) => ({ count, display_name: value, value })),
    };
  };
  return { available: [facet('classification', 'Classification'), facet('status', 'Status')], selected: [] };
}

function resultOf(ctx: CoreSim, h: Hit, select: string[]): Record<string, unknown> {
  const n = h.node;
  const regions: Record<string, unknown> = {
    OTName: n.name,
    OTMIMEType: n.document?.mimeType ?? null,
    OTObjectDate: h.regions.OTObjectDate,
    OTObjectDate_formatted: n.modifiedAt.slice(0, 10),
    OTObjectSize: n.document?.size ?? 0,
    OTLocation: shown('OTLocation', h.regions.OTLocation),
    OTLocation_path: h.ancestors.map((a) => a.name),
    OTCreatedBy: n.ownerId,
  };
  for (const r of select) if (r in h.regions) regions[r] = shown(r, h.regions[r]);
  const parent = h.ancestors[h.ancestors.length - 1];
  const doc = n.document;
  return {
    data: {
      properties: { ...nodeProperties(n, 0), short_summary: n.description, summary: n.description },
      regions,
      ...(doc ? { versions: versionInfo(doc, latest(doc)) } : {}),
    },
    links: {
      parent: parent ? { href: `api/v1/nodes/${parent.id}`, name: parent.name } : {},
      // [INFERRED] the example shows an empty list; we list ancestors with id and subtype.
      ancestors: h.ancestors.map((a) => ({ href: `api/v1/nodes/${a.id}`, name: a.name, id: a.id, type: a.type })),
    },
    search_result_metadata: {
      current_version: true,
      object_href: null,
      object_id: `DataId=${n.id}&Version=${doc ? latest(doc).number : 1}`,
      result_type: '264',
      source_id: '2275',
      version_type: null,
    },
  };
}

function search(ctx: CoreSim, req: SimRequest): SimResponse {
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const f = form.fields;
  const where = first(f.where) ?? '';
  let query: Lql | null = null;
  try {
    if (where.trim()) query = parseLql(where);
  } catch (e) {
    return fail(400, 'One or more parameters are invalid', `where: ${e instanceof LqlError ? e.message : 'invalid query'}`);
  }
  const sortKey = first(f.sort) ?? 'relevance';
  const sort = sorter(sortKey);
  if (!sort) return fail(400, 'One or more parameters are invalid', `Unknown sort '${sortKey.slice(0, 40)}'.`);
  const locations = locationsOf(f);
  const terms = query ? textTerms(query) : [];
  const hits: Hit[] = [];
  // Locations restrict the walk to their workspaces (the ancestor check below stays exact for folders).
  for (const node of locations ? ctx.nodes.within(locations) : ctx.nodes.all()) {
    const ancestors = ctx.nodes.ancestors(node.id);
    if (locations && !ancestors.some((a) => locations.has(a.id))) continue;
    const regions = regionsOf(node, ancestors);
    if (query && !matches(query, regions)) continue;
    const name = node.name.toLowerCase();
    hits.push({ node, ancestors, regions, score: terms.filter((t) => name.includes(t)).length });
  }
  hits.sort(sort);
  const { slice, paging } = pageOf(ctx, hits, f.page, f.limit, 10);
  const select = all(f.select).flatMap((s) => s.match(/[A-Za-z][A-Za-z0-9_]*/g) ?? []);
  const hasNext = paging.page < paging.page_total;
  const withFacets = all(f.options).some((o) => o.includes('facets'));
  return {
    body: {
      collection: {
        paging: {
          ...paging,
          links: hasNext
            ? {
                next: {
                  body: '',
                  content_type: '',
                  href: `/api/v2/search?page=${paging.page + 1}&limit=${paging.limit}`,
                  method: 'POST',
                  name: 'Next',
                },
              }
            : {},
          result_header_string: `Results ${paging.range_min} to ${paging.range_max} of ${paging.total_count} sorted by ${sortKey === 'relevance' ? 'Relevance' : sortKey}`,
        },
        searching: {
          cache_id: 507204350,
          regions_metadata: Object.fromEntries(DEFAULT_REGIONS.map((r) => [r, { key: r }])),
          regions_order: DEFAULT_REGIONS,
          result_title: 'Search results: Atrium',
          ...(withFacets ? { facets: facetsOf(ctx, hits) } : {}),
        },
        sorting: { links: { relevance: { href: '/api/v2/search?sort=relevance' } }, sort: [sortKey] },
      },
      links: { data: {} },
      results: slice.map((h) => resultOf(ctx, h, select)),
    },
  };
}

/** Register `POST /api/v2/search`. */
export function registerSearchRoutes(ctx: CoreSim): void {
  ctx.route('POST', '/api/v2/search', (r) => search(ctx, r));
}
