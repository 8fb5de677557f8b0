/**
 * Search reads of the Content Server connector: `findDocuments` and `changesSince`, each a
 * `POST /api/v2/search` with the canonical filter pushed down as LQL (the subset documented in
 * simulators/otcs/lql.ts and README.md) plus `location_id1..N` for workspaces. Values are always quoted
 * and escaped, so no filter value can change the query's structure.
 */
import { UpstreamError } from '../http/errors.ts';
import { offsetCursor, pageWindow } from '../http/paging.ts';
import { formBody, type QueryValue } from '../http/path.ts';
import { DOCUMENT_FIELDS, toCanonical, toVendor, type DocumentField, type Mapping } from '../mapping.ts';
import type { CanonicalFilter, Change, ChangeSet, Document, Facet, Page, PageRequest } from '../model.ts';
import {
  flatCategories,
  isoDate,
  isRec,
  latestVersion,
  optNum,
  optStr,
  pagingOf,
  rec,
  resultsList,
  toDocument,
  workspaceOf,
  type PagingInfo,
  type Rec,
} from './map.ts';
import { FORM, isNodeId, p } from './nodes.ts';
import type { OtcsTransport } from './shared.ts';
import { SUBTYPE } from './wire.ts';

/** Largest page we ask for (no documented cap; the simulator's default). */
const MAX_LIMIT = 500;
const SEARCH_PATH = p`/api/v2/search`;

/** A quoted LQL value: backslashes and quotes escaped. */
export const quote = (v: string): string => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

const attr = (m: Mapping, f: DocumentField) => `Attr_${m.otcs.documentCategory.attributes[f]}`;

function anyOf(region: string, values: readonly string[]): string {
  const terms = [...new Set(values)].map((v) => `${region}:${quote(v)}`);
  return terms.length === 1 ? (terms[0] as string) : `(${terms.join(' OR ')})`;
}

function dateArg(v: string): string {
  const d = isoDate(v);
  if (!d) throw new UpstreamError('OTCS', 'BAD_REQUEST', 'invalid date in filter');
  return d;
}

/** LQL for a canonical filter, or null when it can match nothing (an empty list). */
export function filterToLql(f: CanonicalFilter, m: Mapping): string | null {
  const vendor = (field: DocumentField, list: readonly string[]) => list.map((v) => toVendor(m.otcs.values, field, v));
  const lists: [DocumentField, readonly string[] | undefined][] = [
    ...(f.campaignCodes && f.accountIds
      ? []
      : ([
          ['campaignCode', f.campaignCodes],
          ['accountId', f.accountIds],
        ] as [DocumentField, readonly string[] | undefined][])),
    ['classification', f.classifications],
    ['status', f.statuses],
    ['rightsStatus', f.rightsStatuses],
    ['channels', f.channels],
    ['locale', f.locales],
    ['productLine', f.productLines],
    ['region', f.regions],
    // An item marked WORLD matches every territory.
    ['territories', f.territories && f.territories.length ? [...f.territories, 'WORLD'] : f.territories],
  ];
  const parts = [`OTSubType:${SUBTYPE.document}`];
  // Campaigns and accounts together name owners: a document belongs to any of them.
  if (f.campaignCodes && f.accountIds) {
    const owners = [
      ...f.campaignCodes.map((c) => `${attr(m, 'campaignCode')}:${quote(c)}`),
      ...f.accountIds.map((a) => `${attr(m, 'accountId')}:${quote(a)}`),
    ];
    if (owners.length === 0) return null;
    parts.push(`(${owners.join(' OR ')})`);
  }
  for (const [field, values] of lists) {
    if (values === undefined) continue;
    if (values.length === 0) return null;
    parts.push(anyOf(attr(m, field), vendor(field, values)));
  }
  const from = attr(m, 'validFrom');
  const until = attr(m, 'validUntil');
  if (f.validAt !== undefined) {
    const t = quote(dateArg(f.validAt));
    parts.push(`(NOT ${from}:* OR ${from}:<=${t})`, `(NOT ${until}:* OR ${until}:>${t})`);
  }
  if (f.validUntilBetween?.from !== undefined) parts.push(`${until}:>=${quote(dateArg(f.validUntilBetween.from))}`);
  if (f.validUntilBetween?.to !== undefined) parts.push(`${until}:<${quote(dateArg(f.validUntilBetween.to))}`);
  if (f.modifiedSince !== undefined) parts.push(`OTModifyDate:>=${quote(dateArg(f.modifiedSince))}`);
  for (const word of (f.text ?? '').split(/\s+/).filter(Boolean)) parts.push(quote(word));
  return parts.join(' AND ');
}

/** `location_id1..N` for workspace ids; null when ids were given but none is a node id. */
function locations(ids: readonly string[] | undefined): Record<string, string> | null {
  if (ids === undefined) return {};
  const valid = [...new Set(ids.filter(isNodeId))];
  if (valid.length === 0) return null;
  return Object.fromEntries(valid.map((id, i) => [`location_id${i + 1}`, id]));
}

function sortParam(page: PageRequest): string {
  const dir = page.sort?.direction === 'asc' ? 'asc' : 'desc';
  switch (page.sort?.field) {
    case 'date':
      return `${dir}_OTModifyDate`;
    case 'name':
      return `${page.sort.direction === 'desc' ? 'desc' : 'asc'}_OTName`;
    default:
      return 'relevance';
  }
}

/** A search hit as a canonical document (metadata from the selected `Attr_` regions). */
function hitToDocument(hit: Rec, m: Mapping): Document | null {
  const data = rec(hit, 'data', 'result data');
  const regions = isRec(data.regions) ? data.regions : {};
  const attrs = flatCategories(
    Object.fromEntries(
      Object.entries(regions)
        .filter(([k]) => k.startsWith('Attr_'))
        .map(([k, v]) => [k.slice(5), v]),
    ),
  );
  const links = isRec(hit.links) ? hit.links : {};
  const version = latestVersion(data.versions);
  return toDocument(
    {
      props: rec(data, 'properties', 'data.properties'),
      attrs,
      ...(version ? { version } : {}),
      workspaceId: workspaceOf(links.ancestors),
    },
    m,
  );
}

function facetsOf(body: unknown, m: Mapping): Facet[] {
  const searching = isRec(body) && isRec(body.collection) && isRec(body.collection.searching) ? body.collection.searching : {};
  const available = isRec(searching.facets) && Array.isArray(searching.facets.available) ? searching.facets.available : [];
  const byRegion = new Map(DOCUMENT_FIELDS.map((f) => [attr(m, f), f]));
  const out: Facet[] = [];
  for (const f of available.filter(isRec)) {
    const field = byRegion.get(optStr(f, 'name') ?? '');
    if (!field) continue;
    const items = Array.isArray(f.facet_items) ? f.facet_items.filter(isRec) : [];
    out.push({
      field,
      values: items.flatMap((i) => {
        const value = optStr(i, 'value');
        return value === undefined ? [] : [{ value: toCanonical(m.otcs.values, field, value), count: optNum(i, 'count') ?? 0 }];
      }),
    });
  }
  return out;
}

/** An opaque cursor: the offset of the next item. */
const pageCursor = offsetCursor('OTCS');

/** Pages to ask for `[start, start + wanted)`: one page whenever some page size covers the range, else two. */
export function pagePlan(start: number, wanted: number): { limit: number; pages: number[]; skip: number } {
  const w = pageWindow(start, wanted, MAX_LIMIT);
  if (w) return { limit: w.perPage, pages: [w.page], skip: w.skip };
  const first = Math.floor(start / wanted) + 1;
  return { limit: wanted, pages: [first, first + 1], skip: start - (first - 1) * wanted };
}

export interface SearchPage {
  paging: PagingInfo;
  hits: Rec[];
  body: unknown;
}

export async function searchPage(t: OtcsTransport, fields: Record<string, QueryValue>): Promise<SearchPage> {
  const res = await t.http.request<unknown>({ method: 'POST', path: SEARCH_PATH, headers: FORM, idempotent: true, body: formBody(fields) });
  const paging = pagingOf(res.body);
  // Real servers answer pages past the end with results (pyxecm), so page_total decides.
  const hits = paging.page > paging.pageTotal ? [] : resultsList(res.body);
  return { paging, hits, body: res.body };
}

/** Documents matching a canonical filter: ONE search request per page (two only past MAX_LIMIT). */
export async function findDocuments(
  t: OtcsTransport,
  f: CanonicalFilter,
  page: PageRequest,
  opts: { facets?: boolean; pageSize?: number } = {},
): Promise<Page<Document>> {
  const where = filterToLql(f, t.mapping);
  const locs = locations(f.workspaceIds);
  const start = page.offset ?? pageCursor.decode(page.after);
  if (!Number.isSafeInteger(start) || start < 0) throw new UpstreamError('OTCS', 'BAD_REQUEST', 'invalid page offset');
  if (where === null || locs === null) return { items: [], total: 0, ...(opts.facets ? { facets: [] } : {}) };
  const wanted = Math.min(MAX_LIMIT, Math.max(1, Math.floor(page.first || opts.pageSize || 1)));
  const plan = pagePlan(start, wanted);
  const base = {
    where,
    ...locs,
    sort: sortParam(page),
    limit: plan.limit,
    select: ['OTName', 'OTMIMEType', 'OTObjectSize', 'OTLocation', ...DOCUMENT_FIELDS.map((x) => attr(t.mapping, x))],
    ...(opts.facets ? { options: 'facets' } : {}),
  };
  const pages = await Promise.all(plan.pages.map((n) => searchPage(t, { ...base, page: n })));
  const total = (pages[0] as SearchPage).paging.totalCount;
  const hits = pages.flatMap((x) => x.hits).slice(plan.skip, plan.skip + (page.first > 0 ? wanted : 0));
  const items = hits.map((h) => hitToDocument(h, t.mapping)).filter((d): d is Document => d !== null);
  const end = start + hits.length;
  return {
    items,
    total,
    ...(hits.length > 0 && end < total ? { next: pageCursor.encode(end) } : {}),
    ...(opts.facets ? { facets: facetsOf((pages[0] as SearchPage).body, t.mapping) } : {}),
  };
}

interface ChangeCursor {
  t: string;
  inclusive?: boolean;
}

const MAX_CHANGE_PAGES = 10;
const CHANGE_PAGE = 100;

function decodeChangeCursor(cursor: string): ChangeCursor {
  try {
    const c: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isRec(c) && typeof c.t === 'string' && isoDate(c.t)) return { t: c.t, ...(c.inclusive === true ? { inclusive: true } : {}) };
  } catch {
    // reported below as a typed error
  }
  throw new UpstreamError('OTCS', 'BAD_REQUEST', 'invalid change cursor');
}

/**
 * Documents modified after the cursor's instant, oldest first: a search sorted by
 * `asc_OTModifyDate` (CS has no change feed, vendor-apis §1.8). Reads up to 10 pages; when more
 * remain, the next cursor is inclusive of the last instant seen, so nothing is skipped (a few
 * changes may repeat, which is harmless for cache invalidation).
 */
export async function changesSince(t: OtcsTransport, cursor: string | undefined, startedAt: string): Promise<ChangeSet> {
  const decoded = cursor === undefined ? { t: startedAt } : decodeChangeCursor(cursor);
  const since: ChangeCursor = { ...decoded, t: isoDate(decoded.t) as string };
  const where = `OTSubType:${SUBTYPE.document} AND OTModifyDate:${since.inclusive ? '>=' : '>'}${quote(since.t)}`;
  const changes: Change[] = [];
  let last = since.t;
  let more = false;
  for (let n = 1; n <= MAX_CHANGE_PAGES; n++) {
    const { paging, hits } = await searchPage(t, { where, sort: 'asc_OTModifyDate', page: n, limit: CHANGE_PAGE });
    for (const h of hits) {
      const props = rec(rec(h, 'data', 'result data'), 'properties', 'data.properties');
      const at = isoDate(props.modify_date);
      const id = optStr(props, 'id');
      if (!at || !id) continue;
      const created = isoDate(props.create_date);
      changes.push({ system: 'OTCS', kind: 'document', nativeId: id, at, operation: created && created > since.t ? 'create' : 'update' });
      if (at > last) last = at;
    }
    more = n < paging.pageTotal;
    if (!more) break;
  }
  const next: ChangeCursor = { t: last, ...(more ? { inclusive: true } : {}) };
  return { changes, cursor: Buffer.from(JSON.stringify(next)).toString('base64url') };
}
