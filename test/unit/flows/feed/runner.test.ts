/**
 * The runner and the cursor: events and cursor appended in one call; a failing source is
 * retried with its cursor kept and does not hold up another feed; lag percentiles; cursor
 * windows, pruning and malformed cursors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advance, CursorError, decodeCursor, encodeCursor, startCursor, windowStart } from '../../../../flows/feed/cursor.ts';
import { ChangeFeed, LagStats } from '../../../../flows/feed/runner.ts';
import { eventId, type FeedSource } from '../../../../flows/feed/source.ts';
import type { ChangeEvent, OutboxPort } from '../../../../flows/outbox/events.ts';
import { UpstreamError } from '../../../../sources/http/errors.ts';

const event = (id: string, time: string): ChangeEvent => ({
  id,
  type: 'asset.updated',
  source: 'NETX',
  objectId: 'x',
  objectType: 'Asset',
  campaign: null,
  account: null,
  time,
  data: {},
});

class Outbox implements OutboxPort {
  appends: { feed: string; ids: string[]; cursor: string }[] = [];
  cursors = new Map<string, string>();
  async append(feed: string, events: readonly ChangeEvent[], cursor: string) {
    this.appends.push({ feed, ids: events.map((e) => e.id), cursor });
    this.cursors.set(feed, cursor);
    return { appended: events.length };
  }
  async cursor(feed: string) {
    return this.cursors.get(feed) ?? null;
  }
}

describe('ChangeFeed', () => {
  it('appends events with their cursor, passes the stored cursor back, and measures lag', async () => {
    const outbox = new Outbox();
    outbox.cursors.set('a', 'c0');
    const seen: (string | null)[] = [];
    const now = new Date('2026-12-01T10:00:02.000Z');
    const src: FeedSource = {
      feed: 'a',
      system: 'NETX',
      async poll(cursor) {
        seen.push(cursor);
        return { events: [event(`e${seen.length}`, '2026-12-01T10:00:00.000Z')], cursor: `c${seen.length}` };
      },
    };
    const feed = new ChangeFeed({ outbox, sources: [src], now: () => now });
    await feed.pollOnce();
    await feed.pollOnce();
    assert.deepEqual(seen, ['c0', 'c1']);
    assert.deepEqual(outbox.appends, [
      { feed: 'a', ids: ['e1'], cursor: 'c1' },
      { feed: 'a', ids: ['e2'], cursor: 'c2' },
    ]);
    const [s] = feed.stats();
    assert.deepEqual(s?.lag, { count: 2, p50Ms: 2000, p99Ms: 2000, maxMs: 2000 });
    assert.equal(s?.appended, 2);
  });

  it('a failing source keeps its cursor, is logged without detail beyond kind and message, and does not stop another feed', async () => {
    const outbox = new Outbox();
    const warnings: Record<string, unknown>[] = [];
    let fail = true;
    const cursors: (string | null)[] = [];
    const bad: FeedSource = {
      feed: 'bad',
      system: 'OTMM',
      async poll(cursor) {
        cursors.push(cursor);
        if (fail) throw new UpstreamError('OTMM', 'UNAVAILABLE', 'HTTP 503');
        return { events: [], cursor: 'b1' };
      },
    };
    const good: FeedSource = { feed: 'good', system: 'NETX', poll: async () => ({ events: [], cursor: 'g1' }) };
    const feed = new ChangeFeed({ outbox, sources: [bad, good], log: { info() {}, warn: (_m, f) => warnings.push(f ?? {}) } });
    await feed.pollOnce();
    assert.deepEqual(
      outbox.appends.map((a) => a.feed),
      ['good'],
    );
    assert.deepEqual(warnings, [{ feed: 'bad', kind: 'UNAVAILABLE', message: 'OTMM: HTTP 503', consecutive: 1 }]);
    fail = false;
    await feed.pollOnce();
    assert.deepEqual(cursors, [null, null], 'retried from the stored cursor');
    const bads = feed.stats().find((s) => s.feed === 'bad');
    assert.equal(bads?.failures, 1);
    assert.equal(bads?.consecutiveFailures, 0);
  });

  it('an idle poll (no events, the same cursor) writes nothing', async () => {
    const outbox = new Outbox();
    const src: FeedSource = { feed: 'idle', system: 'NETX', poll: async () => ({ events: [], cursor: 'same' }) };
    const feed = new ChangeFeed({ outbox, sources: [src] });
    await feed.pollOnce();
    await feed.pollOnce();
    await feed.pollOnce();
    assert.deepEqual(
      outbox.appends.map((a) => a.cursor),
      ['same'],
      'only the first, which stores the cursor',
    );
  });

  it('refuses two feeds of one name', () => {
    const s: FeedSource = { feed: 'x', system: 'NETX', poll: async () => ({ events: [], cursor: '' }) };
    assert.throws(() => new ChangeFeed({ outbox: new Outbox(), sources: [s, s] }));
  });
});

describe('LagStats', () => {
  it('nearest-rank percentiles over a bounded window', () => {
    const l = new LagStats(100);
    for (let i = 1; i <= 200; i++) l.add(i);
    assert.deepEqual(l.summary(), { count: 200, p50Ms: 150, p99Ms: 199, maxMs: 200 });
    assert.deepEqual(new LagStats().summary(), { count: 0, p50Ms: null, p99Ms: null, maxMs: null });
  });
});

describe('cursor', () => {
  const now = new Date('2026-12-01T10:00:00.000Z');
  it('starts at the second before now; the window reaches back by the overlap but never before the origin', () => {
    const c = startCursor(new Date('2026-12-01T10:00:00.400Z'));
    // Source times are whole seconds: a change in the second the feed started is still read.
    assert.equal(windowStart(c, 60_000), '2026-12-01T09:59:59.000Z');
    const later = advance(c, 60_000, '2026-12-01T10:05:00.000Z', []);
    assert.equal(windowStart(later, 60_000), '2026-12-01T10:04:00.000Z');
  });

  it('keeps keys inside the overlap only, never moves back, round-trips, and refuses garbage', () => {
    const c = advance(startCursor(now), 60_000, '2026-12-01T10:05:00.000Z', [
      ['old', '2026-12-01T10:01:00.000Z'],
      ['new', '2026-12-01T10:04:30.000Z'],
    ]);
    assert.deepEqual(c.seen, { new: '2026-12-01T10:04:30.000Z' });
    assert.equal(advance(c, 60_000, '2026-12-01T10:00:00.000Z', []).t, '2026-12-01T10:05:00.000Z');
    assert.deepEqual(decodeCursor(encodeCursor(c), now), c);
    assert.deepEqual(decodeCursor(null, now), startCursor(now));
    assert.throws(() => decodeCursor('nope', now), CursorError);
    assert.throws(() => decodeCursor('{"v":2}', now), CursorError);
  });

  it('event ids: stable, at most 200 characters', () => {
    assert.equal(eventId('OTCS', 'document.approved', '1', '2'), 'otcs:document.approved:1:2');
    const long = eventId('ICONIK', 'asset.updated', 'x'.repeat(300));
    assert.ok(long.length <= 200);
    assert.equal(eventId('ICONIK', 'asset.updated', 'x'.repeat(300)), long);
    assert.notEqual(eventId('ICONIK', 'asset.updated', 'y'.repeat(300)), long);
  });
});
