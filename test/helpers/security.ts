/**
 * Shared helpers of the security suite: readers, a stack that authenticates each request by a
 * test header, the expected sets (from the INDEPENDENT oracle of test/helpers/policy-fixtures.ts
 * applied to the demo world at a fixed clock), and small assertion and paging helpers.
 *
 * Nothing here calls access/access.ts or access/policy: expectations come from the oracle and
 * the world only. Effective rights are restated here from DESIGN.md (not access/rights.ts).
 */
import assert from 'node:assert/strict';
import type { Principal } from '../../access/principal.ts';
import type { EffectiveRights } from '../../access/rights.ts';
import { accountId, assetId, campaignId, documentId, workspaceId } from '../../access/ids.ts';
import type { DemoAsset, DemoUser } from '../../simulators/demo/world.ts';
import type { Territory } from '../../sources/model.ts';
import { startStack, type Stack, type StackOptions } from './stack.ts';
import {
  accounts,
  assets,
  campaigns,
  documents,
  oracleAccount,
  oracleAsset,
  oracleCampaign,
  oracleDocument,
  principalOf,
  users,
  world,
  type AccountRow,
  type AssetRow,
  type CampaignRow,
  type DocumentRow,
} from './policy-fixtures.ts';

export { accounts, assets, campaigns, documents, principalOf, users, world };
export type { AccountRow, AssetRow, CampaignRow, DocumentRow };

export const SECOND = 1000;
export const HOUR = 3_600_000;
/** The clock of every stack in this suite unless a test moves it: noon of the world's day. */
export const AT = world.asOf + 12 * HOUR;

export const user = (email: string): DemoUser => {
  const u = users.find((x) => x.email === email);
  if (!u) throw new Error(`no demo user ${email}`);
  return u;
};

// ------------------------------------------------------------------ readers and the stack

/** The test header naming a reader (the stack maps it to that reader's principal). */
export const as = (u: DemoUser): Record<string, string> => ({ authorization: `As ${u.email}` });

/**
 * One stack for many readers: each request's principal comes from its `As <email>` header
 * (none: anonymous). An unknown reader fails the request loudly rather than reading as nobody.
 */
export function startReaderStack(opts: Omit<StackOptions, 'principal' | 'principalFor'> = {}): Promise<Stack> {
  const byHeader = new Map<string, Principal>(users.map((u) => [`As ${u.email}`, principalOf(u)]));
  return startStack({
    now: () => AT,
    // This suite tests visibility, not latency: a cold simulator's first answer may be slow.
    timeoutMs: 10_000,
    ...opts,
    principalFor: async (h) => {
      if (h === undefined) return null;
      const p = byHeader.get(h);
      if (!p) throw new Error(`test reader not known: ${h}`);
      return p;
    },
  });
}

// ------------------------------------------------------------------ global ids

export const gid = {
  campaign: (r: CampaignRow) => campaignId(r.demo.code),
  account: (r: AccountRow) => accountId(r.demo.id),
  document: (r: DocumentRow) => documentId(String(r.demo.nodeId)),
  documentNode: (nodeId: number | string) => documentId(String(nodeId)),
  asset: (a: DemoAsset) => assetId(a.system, a.nativeId),
  workspace: (nodeId: number) => workspaceId(String(nodeId)),
};

/** A readable name of a global id for messages (ids are base64url of `Type:part`). */
export const label = (id: string): string => Buffer.from(id, 'base64url').toString('utf8');

// ------------------------------------------------------------------ effective rights (restated from DESIGN.md)

const t = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

/** The canonical metadata of the ECM document a licence id names, or undefined when there is none. */
const licenceTerms = (id: string) =>
  once(`l:${id}`, () => {
    const node = world.node(Number(id));
    return node?.kind === 'document' ? node.document.metadata : undefined;
  });

/**
 * Effective rights of a demo asset at `now`, restated from DESIGN.md: the DAM's rights narrowed
 * by the ECM licence it cites (later start, earlier end, territories and channels intersected,
 * a non-cleared licence status wins); a cited licence that does not exist clears nothing.
 */
export function rightsOf(a: DemoAsset, now: number): EffectiveRights {
  const own = a.rights;
  const lic = own.licenceId ? licenceTerms(own.licenceId) : undefined;
  let status = own.status;
  if (own.licenceId && !lic) status = 'PENDING';
  let from = own.validFrom;
  let until = own.validUntil;
  let territories: Territory[] = [...own.territories];
  let channels = [...own.channels];
  if (lic) {
    if (lic.validFrom && (!from || Date.parse(lic.validFrom) > Date.parse(from))) from = lic.validFrom;
    if (lic.validUntil && (!until || Date.parse(lic.validUntil) < Date.parse(until))) until = lic.validUntil;
    if (lic.territories) {
      const theirs = lic.territories;
      territories = territories.includes('WORLD')
        ? [...theirs]
        : theirs.includes('WORLD')
          ? territories
          : territories.filter((x) => theirs.includes(x));
    }
    if (lic.channels) channels = channels.filter((c) => lic.channels?.includes(c));
    if (lic.rightsStatus && lic.rightsStatus !== 'CLEARED' && status === 'CLEARED') status = lic.rightsStatus;
  }
  if (until !== undefined && (t(until) as number) <= now) status = 'EXPIRED';
  else if (from !== undefined && (t(from) as number) > now && status === 'CLEARED') status = 'PENDING';
  return {
    status,
    territories,
    channels,
    inForce: status === 'CLEARED' && territories.length > 0 && channels.length > 0,
    verified: true,
    ...(from ? { validFrom: from } : {}),
    ...(until ? { validUntil: until } : {}),
    ...(own.licenceId ? { licenceId: own.licenceId } : {}),
  };
}

// ------------------------------------------------------------------ expected sets (the oracle at a clock)

/** The oracle's answers are pure functions of (reader, clock): computed once each. */
const memo = new Map<string, unknown>();
function once<T>(k: string, f: () => T): T {
  if (!memo.has(k)) memo.set(k, f());
  return memo.get(k) as T;
}

export const seenCampaigns = (u: DemoUser): CampaignRow[] =>
  once(`c:${u.email}`, () => campaigns.filter((r) => oracleCampaign(u, r.campaign)));
export const seenAccounts = (u: DemoUser): AccountRow[] => once(`a:${u.email}`, () => accounts.filter((r) => oracleAccount(u, r)));
export const seenDocuments = (u: DemoUser): DocumentRow[] => once(`d:${u.email}`, () => documents.filter((r) => oracleDocument(u, r)));
export const seesAsset = (u: DemoUser, r: AssetRow, now = AT): boolean => oracleAsset(u, r, rightsOf(r.demo, now));
export const seenAssets = (u: DemoUser, now = AT): AssetRow[] =>
  once(`s:${u.email}:${now}`, () => assets.filter((r) => seesAsset(u, r, now)));
export const seesDocument = (u: DemoUser, nodeId: number): boolean => seenDocuments(u).some((r) => r.demo.nodeId === nodeId);

/** The documents of one campaign or account workspace, of those given. */
export const docsOfWorkspace = (rows: readonly DocumentRow[], wsNodeId: number): DocumentRow[] =>
  rows.filter((r) => r.demo.workspaceId === wsNodeId);

// ------------------------------------------------------------------ responses

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}
export interface Gql<T> {
  status: number;
  body: { data?: T; errors?: GqlError[] };
}

/** Post a query as a reader (or anonymously) and insist on HTTP 200. */
export async function ask<T>(stack: Stack, u: DemoUser | null, query: string, variables: Record<string, unknown> = {}): Promise<Gql<T>> {
  const res = (await stack.query<T>(query, variables, u ? as(u) : {})) as Gql<T>;
  assert.equal(res.status, 200, `HTTP ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`);
  return res;
}

/** The data of an answer that must carry no error. */
export async function askClean<T>(stack: Stack, u: DemoUser | null, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await ask<T>(stack, u, query, variables);
  assert.equal(res.body.errors, undefined, `unexpected errors: ${JSON.stringify(res.body.errors?.slice(0, 3))}`);
  assert.ok(res.body.data, 'no data');
  return res.body.data;
}

export const pathKey = (p: readonly (string | number)[] | undefined): string => (p ?? []).join('.');

/** Errors by path (joined with dots). */
export function errorsByPath(errors: readonly GqlError[] | undefined): Map<string, GqlError[]> {
  const m = new Map<string, GqlError[]>();
  for (const e of errors ?? []) m.set(pathKey(e.path), [...(m.get(pathKey(e.path)) ?? []), e]);
  return m;
}

/** Exact set equality of ids, naming leaks (returned but outside the policy) and misses. */
export function assertSameIds(actual: readonly string[], expected: readonly string[], what: string): void {
  const dupes = actual.filter((x, i) => actual.indexOf(x) !== i);
  assert.deepEqual(dupes.map(label), [], `${what}: returned more than once`);
  const want = new Set(expected);
  const got = new Set(actual);
  const leaked = [...got]
    .filter((x) => !want.has(x))
    .map(label)
    .sort();
  const missing = [...want]
    .filter((x) => !got.has(x))
    .map(label)
    .sort();
  assert.deepEqual(
    { leaked, missing },
    { leaked: [], missing: [] },
    `${what}: leaked = outside the policy but returned; missing = inside but not returned`,
  );
}

// ------------------------------------------------------------------ paging

export interface Conn<N> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: N[];
}

/**
 * Every node of a connection, paging with `$after` until `hasNextPage` is false. `pick` finds the
 * connection in the data (null: the parent is absent). Every page must report the same totalCount.
 */
export async function pageAll<N>(
  stack: Stack,
  u: DemoUser | null,
  query: string,
  variables: Record<string, unknown>,
  pick: (data: Record<string, unknown>) => Conn<N> | null,
): Promise<{ nodes: N[]; totalCount: number; pages: number; last: Conn<N> }> {
  const nodes: N[] = [];
  let after: string | null = null;
  let totalCount = -1;
  let pages = 0;
  for (;;) {
    const data = await askClean<Record<string, unknown>>(stack, u, query, { ...variables, after });
    const conn = pick(data);
    assert.ok(conn, `no connection in ${JSON.stringify(data).slice(0, 300)}`);
    if (totalCount < 0) totalCount = conn.totalCount;
    assert.equal(conn.totalCount, totalCount, 'totalCount changed between pages');
    nodes.push(...conn.nodes);
    pages++;
    assert.ok(pages <= 60, 'paging does not end');
    if (!conn.pageInfo.hasNextPage) return { nodes, totalCount, pages, last: conn };
    assert.ok(conn.pageInfo.endCursor, 'hasNextPage without an endCursor');
    assert.ok(conn.nodes.length > 0, 'an empty page that says more follow');
    after = conn.pageInfo.endCursor;
  }
}

/** Split a list into chunks (aliased by-id queries stay under the gateway's alias limit). */
export function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

// ------------------------------------------------------------------ search

export interface Facet {
  field: string;
  values: { value: string; count: number }[];
}
export interface SearchHit {
  __typename: 'Document' | 'Asset';
  id: string;
  source: { system: string };
}
export interface SearchAnswer {
  hits: SearchHit[];
  totalCount: number;
  firstFacets: Facet[];
  pages: number;
}

export const SEARCH = `query($q: String, $filter: ContentFilter, $after: String, $first: Int) {
  search(query: $q, filter: $filter, sort: NAME, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    facets { field values { value count } }
    nodes { __typename ... on Document { id source { system } } ... on Asset { id source { system } } }
  }
}`;

/** A search paged to the end (every page's totalCount the same), with the first page's facets. */
export async function searchAll(
  stack: Stack,
  u: DemoUser | null,
  q: string | null,
  filter: Record<string, unknown> | null = null,
  first = 100,
): Promise<SearchAnswer> {
  let facets: Facet[] | null = null;
  const { nodes, totalCount, pages } = await pageAll<SearchHit>(stack, u, SEARCH, { q, filter, first }, (d) => {
    const s = d.search as Conn<SearchHit> & { facets: Facet[] };
    facets ??= s.facets;
    return s;
  });
  return { hits: nodes, totalCount, firstFacets: facets ?? [], pages };
}

/** Search hits the oracle expects: documents and assets a reader sees, restricted to `within` (ids) when given. */
export function expectedHits(u: DemoUser, now = AT, within?: ReadonlySet<string>): string[] {
  const ids = [...seenDocuments(u).map(gid.document), ...seenAssets(u, now).map((r) => gid.asset(r.demo))];
  return within ? ids.filter((id) => within.has(id)) : ids;
}

// ------------------------------------------------------------------ seeded randomness

/** mulberry32: a small seeded RNG, so shuffles are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(xs: readonly T[], random: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

// ------------------------------------------------------------------ facets

/** The canonical values of an item, field by field, as its source states them (facets count these). */
function facetValues(item: { kind: 'document'; row: DocumentRow } | { kind: 'asset'; row: AssetRow }): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  const put = (k: string, v: unknown) => {
    if (v === undefined || v === null) return;
    out[k] = Array.isArray(v) ? v.map(String) : [String(v)];
  };
  if (item.kind === 'document') {
    put('system', 'OTCS');
    for (const [k, v] of Object.entries(item.row.demo.metadata)) put(k, v);
  } else {
    const a = item.row.demo;
    put('system', a.system);
    put('kind', a.kind);
    put('approval', a.approval);
    put('rightsStatus', a.rights.status);
    put('territories', a.rights.territories);
    put('channels', a.rights.channels);
    put('campaignCode', a.campaignCode);
    put('accountId', a.accountId);
    put('region', a.region);
    put('productLine', a.productLine);
    put('locale', a.locale);
  }
  return out;
}

/**
 * Facets never count what the reader may not see: each value's count is at most the number of
 * items the reader sees that carry it (fields this suite does not know: at most all they see).
 * The `system` facet equals, per system, the hits returned when paging to the end.
 */
export function assertFacets(
  facets: readonly Facet[],
  u: DemoUser,
  now: number,
  hits: readonly SearchHit[],
  within: ReadonlySet<string> | undefined,
  what: string,
): void {
  const items = [
    ...seenDocuments(u)
      .filter((r) => !within || within.has(gid.document(r)))
      .map((row) => facetValues({ kind: 'document', row })),
    ...seenAssets(u, now)
      .filter((r) => !within || within.has(gid.asset(r.demo)))
      .map((row) => facetValues({ kind: 'asset', row })),
  ];
  const bound = (field: string, value: string): number => {
    const known = items.some((i) => field in i);
    return known ? items.filter((i) => i[field]?.includes(value)).length : items.length;
  };
  const over: string[] = [];
  for (const f of facets) {
    for (const v of f.values)
      if (v.count > bound(f.field, v.value)) over.push(`${f.field}=${v.value}: ${v.count} > ${bound(f.field, v.value)} visible`);
  }
  assert.deepEqual(over, [], `${what}: facet counts exceed what the reader may see (of what the search matches)`);
  const returned = new Map<string, number>();
  for (const h of hits) returned.set(h.source.system, (returned.get(h.source.system) ?? 0) + 1);
  const systemFacet = facets.find((f) => f.field === 'system');
  assert.ok(systemFacet, `${what}: no system facet`);
  const facetMap = Object.fromEntries(systemFacet.values.filter((v) => v.count > 0).map((v) => [v.value, v.count]));
  assert.deepEqual(
    facetMap,
    Object.fromEntries([...returned].sort()),
    `${what}: the system facet differs from the hits returned per system`,
  );
}
