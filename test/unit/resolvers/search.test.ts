import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GraphQLResolveInfo } from 'graphql';
import { searchResolvers, searchSystems } from '../../../resolvers/search.ts';
import type { Asset, DamSystem, Document, Page, PageRequest } from '../../../sources/model.ts';
import type { Context } from '../../../resolvers/context.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';

const doc = (i: number): Document => ({
  source: { system: 'OTCS', nativeId: String(1000 + i) },
  name: `${i % 3 === 0 ? 'a' : 'B'}doc ${i}`,
  mimeType: 'application/pdf',
  size: 1,
  version: 1,
  status: 'RELEASED',
  classification: 'PUBLIC',
  metadata: {},
  workspaceId: '1',
  parentId: '1',
  createdAt: '',
  modifiedAt: `2026-0${1 + (i % 9)}-01T00:00:00Z`,
});
const asset = (system: DamSystem, i: number): Asset => ({
  source: { system, nativeId: `${system}-${i}` },
  title: `${i % 2 ? 'Zeta' : 'alpha'} ${system} ${i}`,
  kind: 'IMAGE',
  mimeType: 'image/png',
  approval: 'APPROVED',
  rights: { status: 'CLEARED', territories: ['WORLD'], channels: ['web'] },
  renditions: [],
  metadata: {},
  createdAt: '',
  modifiedAt: `2026-0${1 + (i % 7)}-15T00:00:00Z`,
});

/** A fake source: sorts with its own collation (case-sensitive here, unlike the merge), pages by offset. */
function pageOf<T extends { source: { nativeId: string } }>(
  all: T[],
  name: (x: T) => string,
  req: PageRequest,
  calls: string[],
  label: string,
): Page<T> {
  calls.push(label);
  const sorted = [...all];
  if (req.sort?.field === 'name') sorted.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  const start = req.offset ?? 0;
  return {
    items: sorted.slice(start, start + req.first),
    total: all.length,
    facets: [{ field: 'kind', values: [{ value: label, count: all.length }] }],
  };
}

function fakeCtx(failing?: DamSystem) {
  const calls: string[] = [];
  const docs = Array.from({ length: 23 }, (_, i) => doc(i));
  const assets = {
    ICONIK: Array.from({ length: 17 }, (_, i) => asset('ICONIK', i)),
    NETX: Array.from({ length: 31 }, (_, i) => asset('NETX', i)),
    OTMM: Array.from({ length: 9 }, (_, i) => asset('OTMM', i)),
  };
  const dam = (s: DamSystem) => ({
    system: s,
    findAssets: async (_f: unknown, req: PageRequest) => {
      if (s === failing) throw new UpstreamError(s, 'UNAVAILABLE', 'down');
      return pageOf(assets[s], (a) => a.title, req, calls, s);
    },
  });
  const dams = { ICONIK: dam('ICONIK'), NETX: dam('NETX'), OTMM: dam('OTMM') };
  const ctx = {
    // The reader sees everything here: one stream per source, every hit allowed.
    access: {
      searchStreams: async (_f: unknown, systems: string[], sort: unknown) =>
        systems.map((s) => ({
          id: s,
          system: s,
          find: (req: PageRequest) =>
            s === 'OTCS'
              ? Promise.resolve(pageOf(docs, (d) => d.name, { ...req, sort } as PageRequest, calls, 'OTCS'))
              : dams[s as DamSystem].findAssets(null, { ...req, sort } as PageRequest),
        })),
      checkHits: async (hits: unknown[]) => hits,
    },
    extraErrors: [],
    log: { warn: () => undefined },
  } as unknown as Context;
  const expected =
    docs.length + (['ICONIK', 'NETX', 'OTMM'] as const).filter((s) => s !== failing).reduce((n, s) => n + assets[s].length, 0);
  return { ctx, calls, expected };
}

const info = { path: { key: 'search', prev: undefined, typename: 'Query' } } as unknown as GraphQLResolveInfo;
type Result = {
  nodes: { source: { system: string; nativeId: string } }[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  facets: { field: string; values: { value: string; count: number }[] }[];
  missingSources: string[];
};

async function pageThrough(sort: 'RELEVANCE' | 'DATE' | 'NAME', first: number, failing?: DamSystem) {
  const { ctx, calls, expected } = fakeCtx(failing);
  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  let last: Result | undefined;
  do {
    last = (await searchResolvers.Query.search(null, { sort, first, after }, ctx, info)) as Result;
    seen.push(...last.nodes.map((n) => `${n.source.system}:${n.source.nativeId}`));
    after = last.pageInfo.endCursor;
    pages++;
  } while (last.pageInfo.hasNextPage && pages < 100);
  return { seen, total: last.totalCount, calls, pages, expected, last, ctx };
}

for (const sort of ['RELEVANCE', 'DATE', 'NAME'] as const) {
  for (const first of [1, 7, 20]) {
    test(`paging to the end by ${sort}, ${first} a page, yields every hit exactly once and agrees with totalCount`, async () => {
      const r = await pageThrough(sort, first);
      assert.equal(r.seen.length, r.total);
      assert.equal(new Set(r.seen).size, r.seen.length, 'no duplicates');
      assert.equal(r.total, r.expected);
      assert.equal(r.calls.length, r.pages * 4, 'one request per source per page');
    });
  }
}

test('a failing source costs only its hits: the rest pages correctly and the error names it', async () => {
  const r = await pageThrough('NAME', 10, 'NETX');
  assert.equal(r.seen.length, r.expected);
  assert.equal(new Set(r.seen).size, r.seen.length);
  assert.ok(!r.seen.some((s) => s.startsWith('NETX')));
  assert.deepEqual(r.last?.missingSources, ['NETX']);
  const errors = (r.ctx as unknown as { extraErrors: { extensions: Record<string, unknown> }[] }).extraErrors;
  assert.equal(errors[0]?.extensions.code, 'UPSTREAM_UNAVAILABLE');
  assert.equal(errors[0]?.extensions.source, 'NETX');
});

test('facets add up per field and count hits by system', async () => {
  const { ctx } = fakeCtx();
  const r = (await searchResolvers.Query.search(null, { first: 5 }, ctx, info)) as Result;
  const system = r.facets.find((f) => f.field === 'system');
  assert.deepEqual(Object.fromEntries(system?.values.map((v) => [v.value, v.count]) ?? []), { OTCS: 23, ICONIK: 17, NETX: 31, OTMM: 9 });
});

test('document-only filters skip the DAMs, asset-only filters skip the ECM', () => {
  assert.deepEqual(searchSystems({ classifications: ['PUBLIC'] }), ['OTCS']);
  assert.deepEqual(searchSystems({ approvals: ['APPROVED'] }), ['ICONIK', 'NETX', 'OTMM']);
  assert.deepEqual(searchSystems({}, ['NETX', 'OTCS']), ['OTCS', 'NETX']);
});

test('a cursor that is not ours is BAD_USER_INPUT', async () => {
  const { ctx } = fakeCtx();
  await assert.rejects(searchResolvers.Query.search(null, { first: 5, after: 'bogus' }, ctx, info), /not a cursor/);
  await assert.rejects(
    searchResolvers.Query.search(null, { first: 5, after: Buffer.from('{"EVIL":3}').toString('base64url') }, ctx, info),
    /not a cursor/,
  );
});

/** Whether `p` rejects with BAD_USER_INPUT and a message matching `message`. */
const badInput = (p: Promise<unknown>, message: RegExp) =>
  assert.rejects(
    p,
    (e: { extensions?: { code?: string }; message: string }) => e.extensions?.code === 'BAD_USER_INPUT' && message.test(e.message),
  );
const cursorOf = (state: unknown) => Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');

test('search text past 500 characters, or with control characters, is BAD_USER_INPUT before any source is asked', async () => {
  const { ctx, calls } = fakeCtx();
  await badInput(searchResolvers.Query.search(null, { query: 'a'.repeat(10_000) }, ctx, info), /`query` must be at most 500/);
  await badInput(searchResolvers.Query.search(null, { query: 'brief\u0000' }, ctx, info), /`query` must not contain control/);
  await badInput(searchResolvers.Query.search(null, { filter: { campaignCodes: ['C'.repeat(20_000)] } }, ctx, info), /campaignCodes/);
  assert.deepEqual(calls, []);
});

test('a cursor deeper than MAX_DEPTH (10,000 hits a stream) is BAD_USER_INPUT before any source is asked', async () => {
  const { ctx, calls } = fakeCtx();
  for (const state of [{ NETX: [10_001, 20_000] }, { ICONIK: [999_999, 1_000_000] }, { OTCS: [5, 1.5] }]) {
    await badInput(searchResolvers.Query.search(null, { after: cursorOf(state) }, ctx, info), /not a cursor of this search/);
  }
  await badInput(searchResolvers.Query.search(null, { after: 'A'.repeat(5000) }, ctx, info), /not a cursor of this search/);
  assert.deepEqual(calls, []);
});

/** A reader who sees everything, and one NETX stream of `total` hits that records what it is asked. */
function deepCtx(total: number) {
  const asked: PageRequest[] = [];
  const all = Array.from({ length: total }, (_, i) => asset('NETX', i));
  const ctx = {
    access: {
      searchStreams: async () => [
        {
          id: 'NETX',
          system: 'NETX',
          find: async (req: PageRequest) => {
            asked.push(req);
            const start = req.offset ?? 0;
            return { items: all.slice(start, start + req.first), total };
          },
        },
      ],
      checkHits: async (hits: unknown[]) => hits,
    },
    extraErrors: [],
    log: { warn: () => undefined },
  } as unknown as Context;
  return { ctx, asked };
}

test('a stream is paged to MAX_DEPTH and no further: the page reaching it is the last', async () => {
  const { ctx, asked } = deepCtx(10_050);
  const r = (await searchResolvers.Query.search(null, { first: 20, after: cursorOf({ NETX: [9_990, 10_050] }) }, ctx, info)) as Result;
  assert.deepEqual(
    asked.map((p) => [p.offset, p.first]),
    [[9_990, 10]],
    'asked only for what is left above the limit',
  );
  assert.equal(r.nodes.length, 10);
  assert.equal(r.pageInfo.hasNextPage, false);
  assert.equal(r.totalCount, 10_050, 'the total still counts every hit');
  // A client that pages on anyway gets the stream's first page again (its total and facets), and no hits.
  const again = (await searchResolvers.Query.search(null, { first: 20, after: r.pageInfo.endCursor }, ctx, info)) as Result;
  assert.deepEqual(asked.at(-1), { first: 20, offset: 0 });
  assert.deepEqual([again.nodes.length, again.pageInfo.hasNextPage, again.totalCount], [0, false, 10_050]);
});
