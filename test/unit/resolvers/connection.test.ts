/** Offset connections: cursors are checked before any source is asked, and no list pages past MAX_DEPTH. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectionFromPage, connectionFromWindow, decodeOffset, offsetCursor, pageWindow } from '../../../resolvers/connection.ts';
import { MAX_DEPTH } from '../../../resolvers/input.ts';

const badInput = (f: () => unknown, message: RegExp) =>
  assert.throws(
    f,
    (e: { extensions?: { code?: string }; message: string }) => e.extensions?.code === 'BAD_USER_INPUT' && message.test(e.message),
  );

test('the deepest list page is 10,000 items down', () => {
  assert.equal(MAX_DEPTH, 10_000);
});

test('an offset cursor past MAX_DEPTH is BAD_USER_INPUT, not a page far beyond what a source serves', () => {
  badInput(() => decodeOffset(offsetCursor(999_999_999)), /past the 10000 items a list serves/);
  badInput(() => decodeOffset(offsetCursor(MAX_DEPTH - 1)), /past the 10000 items/);
  assert.equal(decodeOffset(offsetCursor(MAX_DEPTH - 2)), MAX_DEPTH - 1, 'the last item a list serves can still start a page');
});

test('a cursor that is not ours is BAD_USER_INPUT, however long', () => {
  badInput(() => decodeOffset('garbage'), /not a cursor of this list/);
  badInput(() => decodeOffset('A'.repeat(20_000)), /not a cursor of this list/);
  badInput(() => decodeOffset(Buffer.from('o:-1').toString('base64url')), /not a cursor/);
});

test('a window near MAX_DEPTH asks for no more than what is left above it', () => {
  assert.deepEqual(pageWindow({ first: 20, after: offsetCursor(MAX_DEPTH - 6) }), { first: 5, offset: MAX_DEPTH - 5 });
  assert.deepEqual(pageWindow({}), { first: 20, offset: 0 });
  assert.deepEqual(pageWindow({}, 50), { first: 50, offset: 0 });
  badInput(() => pageWindow({ first: 101 }), /between 0 and 100/);
});

test('the page that reaches MAX_DEPTH has no next page (its end cursor would be refused)', () => {
  const total = MAX_DEPTH + 500;
  const last = connectionFromPage({ items: [1, 2, 3, 4, 5], total }, MAX_DEPTH - 5);
  assert.equal(last.pageInfo.hasNextPage, false);
  assert.equal(last.totalCount, total, 'the total still counts every item');
  badInput(() => decodeOffset(last.pageInfo.endCursor), /past the 10000 items/);
  assert.equal(connectionFromPage({ items: [1], total }, MAX_DEPTH - 6).pageInfo.hasNextPage, true);
  assert.equal(connectionFromPage({ items: [1, 2], total: 2 }, 0).pageInfo.hasNextPage, false);
});

test('a window slices a full list', () => {
  const items = Array.from({ length: 30 }, (_, i) => i);
  const page = connectionFromWindow(items, { first: 10, offset: 25 });
  assert.deepEqual(page.nodes, [25, 26, 27, 28, 29]);
  assert.equal(page.pageInfo.hasNextPage, false);
  assert.equal(page.totalCount, 30);
});
