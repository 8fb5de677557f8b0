/**
 * The Business Workspaces half of the Content Server connector: campaigns, accounts and
 * workspaces with their teams, read from `GET /api/v2/businessworkspaces` (vendor-apis §2).
 *
 * Every filter is pushed to the source. Batches use the listing endpoint, since there is no
 * by-ids endpoint for workspaces: keys go into one `where_column_query` IN list
 * (`Attr_9840_2 IN ('CMP-2026-001','CMP-2026-002')`, `id IN (10000000,50000000)`) and teams
 * come with `fields=roles`. Both are INFERRED extensions, documented in simulators/otcs/workspaces.ts.
 * Category attribute keys always come from the mapping, never from code.
 */
import type { Mapping } from '../mapping.ts';
import type { Account, Campaign, Page, PageRequest, Workspace } from '../model.ts';
import type { AccountQuery, CampaignQuery } from '../ports.ts';
import { UpstreamError } from '../http/errors.ts';
import { offsetCursor, pageWindow } from '../http/paging.ts';
import { pathOf, type QueryValue } from '../http/path.ts';
import { parseMemberIds, parseWorkspaceList, toAccount, toCampaign, toWorkspace, type ParsedWorkspace } from './map-workspaces.ts';
import { isNodeId } from './nodes.ts';
import type { OtcsTransport, WorkspaceReads } from './shared.ts';

const p = pathOf('OTCS');
const LIST_PATH = p`/api/v2/businessworkspaces`;
const MEMBERS_PATH = p`/api/v2/members`;
/** pyxecm: "internal OTCS limit seems to be 500"; batches larger than this are split. */
const MAX_PAGE_SIZE = 500;
/** pyxecm: members "does not allow values > 20". */
const MEMBER_LIMIT = 20;

type Query = Record<string, QueryValue>;

// ---------------------------------------------------------------- where_column_query building

/** A quoted literal: quotes doubled, so no value can end the literal early. */
export const literal = (v: string): string => `'${v.replace(/'/g, "''")}'`;
/** The column of a category attribute key (`9840_2` -> `Attr_9840_2`). */
const column = (attributeKey: string): string => `Attr_${attributeKey}`;

/** `col = 'a'` or `col IN ('a','b')`. */
function anyOf(col: string, values: readonly string[]): string {
  return values.length === 1 ? `${col} = ${literal(values[0] as string)}` : `${col} IN (${values.map(literal).join(',')})`;
}

/**
 * Conditions for a list filter: `null` when a present-but-empty list makes the filter match
 * nothing (so no request is needed), else the AND-ed conditions.
 */
function conditions(parts: [string, readonly string[] | undefined][]): string[] | null {
  const out: string[] = [];
  for (const [col, values] of parts) {
    if (values === undefined) continue;
    if (values.length === 0) return null;
    out.push(anyOf(col, [...new Set(values)]));
  }
  return out;
}

function campaignConditions(f: CampaignQuery, m: Mapping): string[] | null {
  const a = m.otcs.campaignCategory.attributes;
  const out = conditions([
    [column(a.code), f.codes],
    [column(a.status), f.statuses],
    [column(a.regions), f.regions],
    [column(a.productLine), f.productLines],
  ]);
  if (out && f.audienceIncludes !== undefined) {
    out.push(`(${column(a.audience)} = ${literal(f.audienceIncludes)} OR ${column(a.openToAllPartners)} = 'true')`);
  }
  return out;
}

function accountConditions(f: AccountQuery, m: Mapping): string[] | null {
  const a = m.otcs.accountCategory.attributes;
  return conditions([
    [column(a.accountId), f.ids],
    [column(a.kind), f.kinds],
    [column(a.region), f.regions],
  ]);
}

/** Listing parameters shared by every request: the filter, the sections the mapping needs. */
function listQuery(where: string[], extra: Query, fields: string[]): Query {
  return {
    expanded_view: 'true',
    ...extra,
    ...(where.length ? { where_column_query: where.join(' AND ') } : {}),
    fields: ['properties', ...fields],
  };
}

// ---------------------------------------------------------------- paging

/** An opaque cursor: the offset of the next item. */
const pageCursor = offsetCursor('OTCS');

/** Where a page starts: the absolute `offset` when given, else the cursor's offset. */
function startOf(page: PageRequest): number {
  if (page.offset === undefined) return pageCursor.decode(page.after);
  if (!Number.isSafeInteger(page.offset) || page.offset < 0) throw new UpstreamError('OTCS', 'BAD_REQUEST', 'invalid page offset');
  return page.offset;
}

function sortOf(page: PageRequest): string {
  const dir = page.sort?.direction === 'desc' ? 'desc' : 'asc';
  return page.sort?.field === 'date' ? `${dir}_modify_date` : `${dir}_name`;
}

// ---------------------------------------------------------------- the client

/** The workspace reads of the Content Server connector over an authenticated transport. */
export function createWorkspaceReads(t: OtcsTransport): WorkspaceReads {
  const m = t.mapping;
  const types = m.otcs.workspaceTypes;
  const campaignType: Query = { where_workspace_type_id: types.Campaign };
  const accountTypes: Query = { where_workspace_type_ids: `{${types.Customer},${types.Partner}}` };

  const fetchList = async (query: Query) => parseWorkspaceList((await t.http.request<unknown>({ path: LIST_PATH, query })).body);

  /** One page of a filtered listing, from an offset (or cursor), in one request. */
  async function listPage<T>(query: Query, page: PageRequest, map: (ws: ParsedWorkspace) => T): Promise<Page<T>> {
    const offset = startOf(page);
    const wanted = Math.max(0, Math.floor(page.first));
    // CS pages are fixed-size: pick a page size whose one page covers the range (else a shorter page).
    const w = pageWindow(offset, Math.max(1, wanted), MAX_PAGE_SIZE);
    const limit = w?.perPage ?? Math.min(MAX_PAGE_SIZE, Math.max(1, wanted));
    const pageNo = w?.page ?? Math.floor(offset / limit) + 1;
    const { paging, items } = await fetchList({ ...query, sort: sortOf(page), page: pageNo, limit });
    const skip = offset - (pageNo - 1) * limit;
    // Pages past the end repeat results on real servers (pyxecm), so page_total decides.
    const rows = pageNo > paging.pageTotal ? [] : items.slice(skip, skip + wanted);
    const end = offset + rows.length;
    return {
      items: rows.map(map),
      total: paging.totalCount,
      ...(rows.length > 0 && end < paging.totalCount ? { next: pageCursor.encode(end) } : {}),
    };
  }

  /** Every workspace matching `where` plus each chunk's key condition, in one request per 500 keys. */
  async function batch(keys: string[], where: (chunk: string[]) => string, extra: Query, fields: string[]): Promise<ParsedWorkspace[]> {
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += MAX_PAGE_SIZE) chunks.push(keys.slice(i, i + MAX_PAGE_SIZE));
    const pages = await Promise.all(
      chunks.map((chunk) => fetchList(listQuery([where(chunk)], { ...extra, page: 1, limit: chunk.length }, fields))),
    );
    return pages.flatMap((pg) => pg.items);
  }

  // Campaigns and accounts ARE workspaces: one listing carries both, so the graph's
  // `campaign { workspace { team } }` costs no request beyond the campaign's own.
  const recordFields = ['business_properties', 'categories', 'workspace_references', 'roles'];
  const toC = (ws: ParsedWorkspace): Campaign => ({ ...toCampaign(ws, m), workspace: toWorkspace(ws, m) });
  const toA = (ws: ParsedWorkspace): Account => ({ ...toAccount(ws, m), workspace: toWorkspace(ws, m) });

  /** Records by key, in the order asked (null where none matches): one request per 500 distinct keys. */
  async function byKeys<T>(
    keys: readonly string[],
    col: string,
    extra: Query,
    map: (ws: ParsedWorkspace) => T,
    keyOf: (r: T) => string,
  ): Promise<(T | null)[]> {
    const distinct = [...new Set(keys)];
    if (!distinct.length) return [];
    const found = new Map((await batch(distinct, (chunk) => anyOf(col, chunk), extra, recordFields)).map(map).map((r) => [keyOf(r), r]));
    return keys.map((k) => found.get(k) ?? null);
  }

  /** User ids with this business email (one members request). */
  async function userIdsByEmail(email: string): Promise<number[]> {
    const res = await t.http.request<unknown>({
      path: MEMBERS_PATH,
      query: { where_type: 0, where_business_email: email, limit: MEMBER_LIMIT },
    });
    return parseMemberIds(res.body);
  }

  return {
    async listCampaigns(filter: CampaignQuery, page: PageRequest): Promise<Page<Campaign>> {
      const where = campaignConditions(filter, m);
      if (!where) return { items: [], total: 0 };
      const name = filter.text ? { where_name: `contains_${filter.text}` } : {};
      return listPage(listQuery(where, { ...campaignType, ...name }, recordFields), page, toC);
    },

    getCampaigns(codes: readonly string[]): Promise<(Campaign | null)[]> {
      return byKeys(codes, column(m.otcs.campaignCategory.attributes.code), campaignType, toC, (c) => c.code);
    },

    async listAccounts(filter: AccountQuery, page: PageRequest): Promise<Page<Account>> {
      const where = accountConditions(filter, m);
      if (!where) return { items: [], total: 0 };
      const extra: Query = { ...accountTypes, ...(filter.text ? { where_name: `contains_${filter.text}` } : {}) };
      if (filter.memberEmail !== undefined) {
        const users = await userIdsByEmail(filter.memberEmail);
        if (!users.length) return { items: [], total: 0 };
        extra.where_member_id = users;
      }
      return listPage(listQuery(where, extra, recordFields), page, toA);
    },

    getAccounts(ids: readonly string[]): Promise<(Account | null)[]> {
      return byKeys(ids, column(m.otcs.accountCategory.attributes.accountId), accountTypes, toA, (a) => a.id);
    },

    async getWorkspaces(ids: readonly string[]): Promise<(Workspace | null)[]> {
      // Non-numeric ids cannot name a node: they are answered null without asking.
      const keys = [...new Set(ids.filter(isNodeId))];
      if (!keys.length) return ids.map(() => null);
      const rows = await batch(keys, (chunk) => `id IN (${chunk.join(',')})`, {}, recordFields);
      const found = new Map(rows.map((ws) => [String(ws.id), toWorkspace(ws, m)]));
      return ids.map((id) => found.get(id) ?? null);
    },
  };
}
