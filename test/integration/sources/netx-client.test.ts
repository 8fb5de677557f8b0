/**
 * The NetX connector against its simulator over real HTTP: retries and typed errors, the
 * batch contract (one upstream request), hostile ids, the round trip to the canonical model,
 * filters pushed down to getAssetsByQuery, paging, renditions and change polling.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import type { DemoAsset } from '../../../simulators/demo/world.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { CanonicalFilter } from '../../../sources/model.ts';
import { createNetxClient, netxChangeCursor, type NetxClientOptions } from '../../../sources/netx/client.ts';
import { createNetxSimulator } from '../../../simulators/netx/simulator.ts';
import type { DamSource } from '../../../sources/ports.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { simFaults, simRequests, simReset, simStats, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const netx = [...world.assets('NETX')];
const NOW = new Date(world.asOf + 12 * 3600_000).toISOString();

let sim: Simulator;
let url: string;
let client: DamSource;
const make = (o: Partial<NetxClientOptions> = {}) =>
  createNetxClient({ baseUrl: url, apiToken: DEMO_CREDENTIALS.netx.apiToken, mapping, backoffBaseMs: 5, timeoutMs: 2000, ...o });

before(async () => {
  sim = createNetxSimulator(world, mapping);
  url = await sim.listen(0);
  client = make();
});
after(() => sim.close());
beforeEach(() => simReset(url));

/** Rejects with an UpstreamError of this kind. */
async function rejectsWith(p: Promise<unknown>, kind: UpstreamError['kind']): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UpstreamError, `expected an UpstreamError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    assert.equal(e.system, 'NETX');
    return e;
  }
  assert.fail(`expected ${kind}`);
}

/** The world's NetX assets matching a canonical filter, by the model's semantics. */
function expected(f: CanonicalFilter): string[] {
  const t = f.validAt ? Date.parse(f.validAt) : undefined;
  const ms = (s?: string) => (s ? Date.parse(s) : undefined);
  return netx
    .filter((a) => {
      const r = a.rights;
      const inList = <T>(list: readonly T[] | undefined, v: T | undefined) => !list || (v !== undefined && list.includes(v));
      return (
        inList(f.campaignCodes, a.campaignCode) &&
        inList(f.accountIds, a.accountId) &&
        inList(f.approvals, a.approval) &&
        inList(f.rightsStatuses, r.status) &&
        inList(f.kinds, a.kind) &&
        inList(f.regions, a.region) &&
        inList(f.productLines, a.productLine) &&
        inList(f.locales, a.locale) &&
        (!f.channels || r.channels.some((c) => f.channels?.includes(c))) &&
        (!f.territories || r.territories.some((x) => x === 'WORLD' || f.territories?.includes(x))) &&
        (t === undefined || ((ms(r.validFrom) ?? -Infinity) <= t && t < (ms(r.validUntil) ?? Infinity))) &&
        (!f.validUntilBetween ||
          (r.validUntil !== undefined &&
            (f.validUntilBetween.from === undefined || Date.parse(r.validUntil) >= Date.parse(f.validUntilBetween.from)) &&
            (f.validUntilBetween.to === undefined || Date.parse(r.validUntil) < Date.parse(f.validUntilBetween.to)))) &&
        (!f.text || a.title.toLowerCase().includes(f.text.toLowerCase())) &&
        (!f.modifiedSince || Date.parse(a.modifiedAt) >= Date.parse(f.modifiedSince))
      );
    })
    .map((a) => a.nativeId)
    .sort();
}

async function findAll(c: DamSource, f: CanonicalFilter, first = 1000): Promise<{ ids: string[]; total: number; pages: number }> {
  const ids: string[] = [];
  let after: string | undefined;
  let total = -1;
  let pages = 0;
  do {
    const page = await c.findAssets(f, { first, ...(after ? { after } : {}) });
    pages++;
    total = page.total;
    ids.push(...page.items.map((a) => a.source.nativeId));
    after = page.next;
  } while (after && pages < 100);
  return { ids, total, pages };
}

describe('errors and retries', () => {
  it('retries a 5xx within the budget, then fails UNAVAILABLE', async () => {
    await simFaults(url, { route: 'POST /api/rpc', errorStatus: 503 });
    await rejectsWith(client.getAssets(['100001']), 'UNAVAILABLE');
    assert.equal((await simStats(url)).total, 3, 'one attempt and two retries');
  });

  it('recovers when the 5xx lifts within the budget', async () => {
    await simFaults(url, { route: 'POST /api/rpc', errorStatus: 502, times: 2 });
    const [a] = await client.getAssets(['100001']);
    assert.equal(a?.source.nativeId, '100001');
    assert.equal((await simStats(url)).total, 3);
  });

  it('honours Retry-After on 429', async () => {
    await simFaults(url, { route: 'POST /api/rpc', errorStatus: 429, retryAfter: 1, times: 1 });
    const t = Date.now();
    assert.equal((await client.ping()).ok, true);
    assert.ok(Date.now() - t >= 950, 'waited as asked');
    assert.equal((await simStats(url)).total, 2);
  });

  it('turns a malformed body into MALFORMED and a truncated one into UNAVAILABLE', async () => {
    await simFaults(url, { malformed: true });
    await rejectsWith(client.findAssets({}, { first: 5 }), 'MALFORMED');
    await simFaults(url, { clear: true, faults: [{ truncate: true }] });
    await rejectsWith(client.findAssets({}, { first: 5 }), 'UNAVAILABLE');
  });

  it('times out as UNAVAILABLE', async () => {
    await simFaults(url, { latencyMs: 400 });
    const e = await rejectsWith(make({ timeoutMs: 100, retries: 0 }).ping(), 'UNAVAILABLE');
    assert.match(e.message, /timed out/);
  });

  it('fails fast UNAUTHENTICATED on a refused apiToken, without retrying', async () => {
    const bad = make({ apiToken: 'not-the-token' });
    await rejectsWith(bad.getAssets(['100001']), 'UNAUTHENTICATED');
    await rejectsWith(bad.openRendition('100001', 'THUMBNAIL'), 'UNAUTHENTICATED');
    assert.equal((await simStats(url)).total, 2);
  });

  it('maps 3004 to FORBIDDEN', async () => {
    const denied = createNetxSimulator(world, mapping, { deniedMethods: ['getAssetsByQuery'] });
    const base = await denied.listen(0);
    try {
      await rejectsWith(make({ baseUrl: base }).findAssets({}, { first: 1 }), 'FORBIDDEN');
    } finally {
      await denied.close();
    }
  });

  it('refuses a response whose id does not echo the request', async () => {
    const tamper: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      const body = (await res.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...body, id: 'someone-else' }), { status: res.status, headers: res.headers });
    };
    await rejectsWith(make({ fetch: tamper }).ping(), 'MALFORMED');
  });

  it('refuses results that are not NetX assets', async () => {
    const rewrite =
      (result: unknown): typeof fetch =>
      async (input, init) => {
        const res = await fetch(input, init);
        const body = (await res.json()) as Record<string, unknown>;
        return new Response(JSON.stringify({ ...body, result }), { status: 200 });
      };
    await rejectsWith(make({ fetch: rewrite({ results: [{ id: 'x' }] }) }).getAssets(['100001']), 'MALFORMED');
    await rejectsWith(make({ fetch: rewrite({ items: [] }) }).findAssets({}, { first: 1 }), 'MALFORMED');
    await rejectsWith(make({ fetch: rewrite({ results: [], size: -1 }) }).findAssets({}, { first: 1 }), 'MALFORMED');
  });
});

describe('ids and batching', () => {
  const hostile = ['../x', '1?a=b', '%2F', '#x', 'http://evil/x', 'a\r\nb', '..', '', '-1', '1.5', '0x10', '100001 '];

  it('never sends a hostile id upstream, and answers null for it', async () => {
    assert.deepEqual(
      await client.getAssets(hostile),
      hostile.map(() => null),
    );
    for (const id of hostile) await rejectsWith(client.openRendition(id, 'ORIGINAL'), 'NOT_FOUND');
    assert.equal((await simStats(url)).total, 0);
  });

  it('keeps the path and method fixed when hostile ids ride along with a good one', async () => {
    const out = await client.getAssets([...hostile, '100001']);
    assert.deepEqual(
      out.map((a) => a?.source.nativeId ?? null),
      [...hostile.map(() => null), '100001'],
    );
    const log = await simRequests(url);
    assert.deepEqual(
      log.map((r) => [r.method, r.rawPath, r.route]),
      [['POST', '/api/rpc', 'POST /api/rpc']],
    );
  });

  it('answers 100 ids with ONE upstream request, in key order, null for missing', async () => {
    const keys = Array.from({ length: 100 }, (_, i) => (i % 10 === 9 ? String(900_000 + i) : String(100_249 - i * 2)));
    const out = await client.getAssets(keys);
    assert.equal((await simStats(url)).total, 1);
    assert.equal(out.length, 100);
    keys.forEach((k, i) => {
      const want = world.assetById('NETX', k);
      assert.equal(out[i]?.source.nativeId ?? null, want ? k : null, `key ${k}`);
    });
    assert.ok(out.some((a) => a === null) && out.some((a) => a !== null));
  });

  it('finds the assets of 20 campaign codes with ONE request', async () => {
    const codes = [...[...world.campaigns()].map((c) => c.code), ...Array.from({ length: 10 }, (_, i) => `CMP-2099-${i}`)];
    assert.equal(codes.length, 20);
    const page = await make({ maxPageSize: 1000 }).findAssets({ campaignCodes: codes }, { first: 1000 });
    assert.equal((await simStats(url)).total, 1);
    assert.deepEqual(page.items.map((a) => a.source.nativeId).sort(), expected({ campaignCodes: codes }));
    assert.equal(page.total, page.items.length);
  });
});

describe('round trip to the canonical model', () => {
  it('reads what the world holds', async () => {
    const sample = netx.filter((_, i) => i % 7 === 0 || i % 25 === 0);
    const out = await client.getAssets(sample.map((a) => a.nativeId));
    sample.forEach((w: DemoAsset, i) => {
      const a = out[i];
      assert.ok(a, w.nativeId);
      assert.equal(a.title, w.title);
      assert.equal(a.kind, w.kind);
      assert.equal(a.mimeType, w.mimeType);
      assert.equal(a.approval, w.approval);
      assert.equal(a.rights.status, w.rights.status);
      assert.equal(Date.parse(a.rights.validFrom ?? ''), Date.parse(w.rights.validFrom ?? ''));
      assert.equal(Date.parse(a.rights.validUntil ?? ''), Date.parse(w.rights.validUntil ?? ''));
      assert.deepEqual(a.rights.territories, w.rights.territories);
      assert.deepEqual(a.rights.channels, w.rights.channels);
      assert.equal(a.rights.licenceId, w.rights.licenceId);
      assert.equal(a.campaignCode, w.campaignCode);
      assert.equal(a.accountId, w.accountId);
      assert.equal(a.metadata.productLine, w.productLine);
      assert.equal(a.metadata.region, w.region);
      assert.deepEqual(
        a.renditions.map((r) => r.kind),
        w.renditions.map((r) => r.kind),
      );
      assert.equal(a.createdAt, new Date(w.createdAt).toISOString());
      assert.equal(a.modifiedAt, new Date(w.modifiedAt).toISOString());
      assert.match(a.modifiedAt, /Z$/);
    });
    assert.ok(sample.some((w) => w.rights.licenceId) && sample.some((w) => w.accountId) && sample.some((w) => w.kind === 'TEMPLATE'));
  });

  it('never puts the host or the token in a rendition ref', async () => {
    const [a] = await client.getAssets(['100001']);
    for (const r of a?.renditions ?? []) {
      assert.match(r.ref, /^\/(api\/)?file\/asset\/100001\//);
      assert.ok(!r.ref.includes(DEMO_CREDENTIALS.netx.apiToken));
    }
  });
});

describe('filters pushed down', () => {
  const cases: [string, CanonicalFilter][] = [
    [
      'partner view: approved, NA, partner channel, in force now',
      { approvals: ['APPROVED'], territories: ['NA'], channels: ['partner'], validAt: NOW },
    ],
    ['rights statuses and kinds', { rightsStatuses: ['EXPIRED', 'RESTRICTED'], kinds: ['TEMPLATE', 'DOCUMENT'] }],
    ['accounts and regions', { accountIds: ['ACC-1002', 'ACC-1005'], regions: ['EMEA', 'NA', 'APAC', 'LATAM'] }],
    ['expiring within 90 days', { validUntilBetween: { from: NOW, to: new Date(world.asOf + 90 * 86_400_000).toISOString() } }],
    ['expiring before a date (open start)', { validUntilBetween: { to: NOW } }],
    ['text and modified since', { text: 'LOGO', modifiedSince: new Date(world.asOf - 60 * 86_400_000).toISOString() }],
    ['product lines and channels', { productLines: ['Helix Wearables', 'Corporate'], channels: ['broadcast'] }],
  ];
  for (const [name, filter] of cases) {
    it(`returns exactly the world's matching set: ${name}`, async () => {
      const want = expected(filter);
      assert.ok(want.length > 0 && want.length < netx.length, `case must discriminate (${want.length})`);
      const { ids, total, pages } = await findAll(client, filter);
      assert.deepEqual([...ids].sort(), want);
      assert.equal(total, want.length);
      assert.equal((await simStats(url)).total, pages, 'one request per page');
    });
  }

  it('answers impossible filters without asking NetX', async () => {
    for (const f of [{ approvals: [] }, { classifications: ['PUBLIC'] }, { workspaceIds: ['1'] }] as CanonicalFilter[]) {
      assert.deepEqual(await client.findAssets(f, { first: 10 }), { items: [], total: 0 });
    }
    assert.equal((await simStats(url)).total, 0);
  });

  it('matches no locale: NetX demo assets carry none', async () => {
    assert.equal((await client.findAssets({ locales: ['en-US'] }, { first: 10 })).total, 0);
  });
});

describe('paging', () => {
  it('yields each asset once across pages, and the count equals the total', async () => {
    const filter: CanonicalFilter = { approvals: ['APPROVED'] };
    const { ids, total, pages } = await findAll(client, filter, 17);
    assert.equal(ids.length, total);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), expected(filter));
    assert.equal(pages, Math.ceil(total / 17));
  });

  it('sorts by name or date when asked', async () => {
    const byName = await client.findAssets({}, { first: 50, sort: { field: 'name', direction: 'asc' } });
    const names = byName.items.map((a) => a.title);
    assert.deepEqual(
      names,
      [...names].sort((x, y) => x.localeCompare(y)),
    );
    const byDate = await client.findAssets({}, { first: 50, sort: { field: 'date', direction: 'desc' } });
    const dates = byDate.items.map((a) => a.modifiedAt);
    assert.deepEqual(dates, [...dates].sort().reverse());
  });

  it('clamps the page to maxPageSize and refuses a forged cursor', async () => {
    const page = await make({ maxPageSize: 20 }).findAssets({}, { first: 500 });
    assert.equal(page.items.length, 20);
    assert.ok(page.next);
    await rejectsWith(client.findAssets({}, { first: 5, after: 'not-a-cursor' }), 'BAD_REQUEST');
  });

  it('pages with a configured total key, and without any total', async () => {
    for (const totalKey of ['totalCount', null] as const) {
      const s = createNetxSimulator(world, mapping, { totalKey });
      const base = await s.listen(0);
      try {
        const c = make({ baseUrl: base, ...(totalKey ? { totalKey } : {}) });
        const { ids, total } = await findAll(c, {}, 60);
        assert.equal(ids.length, netx.length);
        assert.equal(total, netx.length);
        assert.equal(new Set(ids).size, netx.length);
      } finally {
        await s.close();
      }
    }
  });

  it('returns no facets: NetX documents no facet API', async () => {
    const page = await client.findAssets({}, { first: 1 }, { facets: true });
    assert.equal(page.facets, undefined);
    assert.equal((await simStats(url)).total, 1);
  });
});

describe('renditions, ping and changes', () => {
  const bytes = async (s: ReadableStream<Uint8Array>) => Buffer.from(await new Response(s).arrayBuffer());

  it('streams real bytes of each rendition kind', async () => {
    for (const kind of ['THUMBNAIL', 'PREVIEW', 'WEB', 'ORIGINAL'] as const) {
      const c = await client.openRendition('100001', kind);
      assert.equal(c.mimeType, 'image/png');
      assert.ok(c.body instanceof ReadableStream);
      const b = await bytes(c.body);
      assert.deepEqual([...b.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      assert.equal(c.size, b.length);
    }
    const pdfAsset = netx.find((a) => a.kind === 'DOCUMENT') as DemoAsset;
    const pdf = await client.openRendition(pdfAsset.nativeId, 'ORIGINAL');
    assert.equal(pdf.mimeType, 'application/pdf');
    assert.equal((await bytes(pdf.body)).subarray(0, 5).toString('latin1'), '%PDF-');
    await rejectsWith(client.openRendition(pdfAsset.nativeId, 'WEB'), 'NOT_FOUND');
    await rejectsWith(client.openRendition('999999', 'ORIGINAL'), 'NOT_FOUND');
  });

  it('pings with getSelf, and reports a dead source as UNAVAILABLE', async () => {
    const h = await client.ping();
    assert.equal(h.system, 'NETX');
    assert.equal(h.ok, true);
    await simFaults(url, { down: true });
    await rejectsWith(make({ retries: 0 }).ping(), 'UNAVAILABLE');
  });

  it('polls changes by modDate, each reported once, across cursors', async () => {
    assert.deepEqual((await client.changesSince()).changes, [], 'nothing changed since the client was created');
    const since = world.asOf - 40 * 86_400_000;
    const want = netx
      .filter((a) => Date.parse(a.modifiedAt) >= since)
      .map((a) => a.nativeId)
      .sort();
    assert.ok(want.length > 5);
    const small = make({ maxPageSize: 5 });
    const seen: string[] = [];
    let cursor = netxChangeCursor(new Date(since));
    for (let i = 0; i < 100; i++) {
      const set = await small.changesSince(cursor);
      if (set.changes.length === 0) break;
      for (const ch of set.changes) {
        assert.equal(ch.kind, 'asset');
        assert.equal(ch.at, new Date(world.assetById('NETX', ch.nativeId)?.modifiedAt ?? 0).toISOString());
      }
      seen.push(...set.changes.map((c) => c.nativeId));
      cursor = set.cursor;
    }
    assert.deepEqual([...seen].sort(), want);
    await rejectsWith(client.changesSince('garbage'), 'BAD_REQUEST');
  });
});
