/**
 * DAM polling: a created asset is asset.created once; a change is asset.updated, plus
 * asset.approved / asset.rights.changed when the fingerprint says so; the cursor keeps re-read
 * changes out across polls and restarts; one poll over a fake source pages by modify date.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assetId } from '../../../../access/ids.ts';
import { decodeCursor } from '../../../../flows/feed/cursor.ts';
import { assetEvents, createDamFeed, fingerprint } from '../../../../flows/feed/dam.ts';
import type { Asset, CanonicalFilter, PageRequest } from '../../../../sources/model.ts';
import type { DamSource } from '../../../../sources/ports.ts';

const FROM = '2026-12-01T10:00:00.000Z';
const T = (s: number) => new Date(Date.parse(FROM) + s * 1000).toISOString();
const asset = (over: Partial<Asset> = {}): Asset => ({
  source: { system: 'NETX', nativeId: '100001' },
  title: 'Hero',
  kind: 'IMAGE',
  mimeType: 'image/png',
  approval: 'PENDING',
  rights: { status: 'CLEARED', territories: ['WORLD'], channels: ['web'] },
  campaignCode: 'CMP-1',
  accountId: 'ACC-1',
  renditions: [],
  metadata: {},
  createdAt: T(-1000),
  modifiedAt: T(5),
  ...over,
});
const types = (a: Asset, before?: string) => assetEvents('NETX', a, before, FROM).map((e) => e.type);

describe('assetEvents', () => {
  it('created inside the window: asset.created only, with the global id, campaign and account', () => {
    const [e, ...rest] = assetEvents('NETX', asset({ createdAt: T(5) }), undefined, FROM);
    assert.deepEqual(rest, []);
    assert.equal(e?.type, 'asset.created');
    assert.equal(e?.objectId, assetId('NETX', '100001'));
    assert.deepEqual([e?.campaign, e?.account, e?.time, e?.source], ['CMP-1', 'ACC-1', T(5), 'NETX']);
  });

  it('every event keeps the approvals the asset had across the change (what decides which clients hear of it)', () => {
    const before = fingerprint(asset({ approval: 'APPROVED' }));
    const withdrawn = assetEvents('NETX', asset({ approval: 'REJECTED' }), before, FROM);
    for (const e of withdrawn) assert.deepEqual(e.audience, { approvals: ['APPROVED', 'REJECTED'] }, e.type);
    for (const e of assetEvents('NETX', asset({ createdAt: T(5) }), undefined, FROM))
      assert.deepEqual(e.audience, { approvals: ['PENDING'] });
  });

  it('created and changed again in one window: asset.created, then asset.updated', () => {
    assert.deepEqual(types(asset({ createdAt: T(1), modifiedAt: T(5) })), ['asset.created', 'asset.updated']);
  });

  it('judged against the fingerprint: approval and rights changes get their own event beside asset.updated', () => {
    const before = fingerprint(asset());
    assert.deepEqual(types(asset({ title: 'Hero 2' }), before), ['asset.updated']);
    assert.deepEqual(types(asset({ approval: 'APPROVED' }), before), ['asset.updated', 'asset.approved']);
    assert.deepEqual(types(asset({ rights: { status: 'EXPIRED', territories: ['WORLD'], channels: ['web'] } }), before), [
      'asset.updated',
      'asset.rights.changed',
    ]);
    assert.deepEqual(
      types(asset({ approval: 'APPROVED' }), fingerprint(asset({ approval: 'APPROVED' }))),
      ['asset.updated'],
      'approved already',
    );
  });

  it('unknown before: asset.updated, and asset.approved when it is approved now', () => {
    assert.deepEqual(types(asset()), ['asset.updated']);
    assert.deepEqual(types(asset({ approval: 'APPROVED' })), ['asset.updated', 'asset.approved']);
  });

  it('ids are stable for the same change and differ between changes', () => {
    const a = assetEvents('NETX', asset(), undefined, FROM)[0]?.id;
    assert.equal(assetEvents('NETX', asset(), undefined, FROM)[0]?.id, a);
    assert.notEqual(assetEvents('NETX', asset({ modifiedAt: T(6) }), undefined, FROM)[0]?.id, a);
  });
});

describe('createDamFeed', () => {
  /** A DAM that answers findAssets from a list, sorted by modify date, pages of `first`. */
  function fake(list: Asset[]): DamSource & { calls: { filter: CanonicalFilter; page: PageRequest }[] } {
    const calls: { filter: CanonicalFilter; page: PageRequest }[] = [];
    return {
      system: 'NETX',
      calls,
      ping: async () => ({ system: 'NETX', ok: true }),
      changesSince: async () => ({ changes: [], cursor: '' }),
      getAssets: async () => [],
      openRendition: async () => {
        throw new Error('unused');
      },
      async findAssets(filter, page) {
        calls.push({ filter, page });
        const since = Date.parse(filter.modifiedSince ?? '1970-01-01T00:00:00Z');
        const hits = list.filter((a) => Date.parse(a.modifiedAt) >= since).sort((a, b) => a.modifiedAt.localeCompare(b.modifiedAt));
        const start = Number(page.after ?? 0);
        const items = hits.slice(start, start + page.first);
        return { items, total: hits.length, ...(start + page.first < hits.length ? { next: String(start + page.first) } : {}) };
      },
    };
  }

  it('reads from cursor minus overlap, pages, and never emits a change twice across polls and restarts', async () => {
    const list = [
      asset({ source: { system: 'NETX', nativeId: '1' }, modifiedAt: T(5) }),
      asset({ source: { system: 'NETX', nativeId: '2' }, modifiedAt: T(6) }),
    ];
    const src = fake(list);
    const feed = createDamFeed(src, { overlapMs: 60_000, pageSize: 1 });
    const first = await feed.poll(null, new Date(FROM));
    assert.deepEqual(
      first.events.map((e) => e.type),
      ['asset.updated', 'asset.updated'],
    );
    assert.equal(src.calls.length, 2, 'two pages of one');
    assert.deepEqual(src.calls[0]?.page.sort, { field: 'date', direction: 'asc' });
    assert.equal(
      src.calls[0]?.filter.modifiedSince,
      new Date(Date.parse(FROM) - 1000).toISOString(),
      'the first poll starts at the feed origin (a second back)',
    );
    const again = await createDamFeed(src, { overlapMs: 60_000 }).poll(first.cursor, new Date(T(10)));
    assert.deepEqual(again.events, [], 'a restarted feed re-reads the overlap and emits nothing');
    assert.equal(
      src.calls[src.calls.length - 1]?.filter.modifiedSince,
      new Date(Date.parse(FROM) - 1000).toISOString(),
      'overlap reaches back, not before the origin',
    );
    list.push(asset({ source: { system: 'NETX', nativeId: '1' }, modifiedAt: T(9), approval: 'APPROVED' }));
    const third = await feed.poll(again.cursor, new Date(T(11)));
    assert.deepEqual(
      third.events.map((e) => e.type),
      ['asset.updated', 'asset.approved'],
    );
    const c = decodeCursor(third.cursor, new Date());
    assert.equal(c.t, T(9));
    assert.ok(c.snap?.['1']?.startsWith('APPROVED|'));
  });
});
