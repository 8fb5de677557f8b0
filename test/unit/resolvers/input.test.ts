/** The limits on what a reader may send (resolvers/input.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TEXT, MAX_VALUE, MAX_VALUES, checkList, checkText, checkValue, cursorText, isPlausibleId } from '../../../resolvers/input.ts';

/** Whether `f` throws BAD_USER_INPUT with a message matching `message`. */
const badInput = (f: () => unknown, message: RegExp) =>
  assert.throws(
    f,
    (e: { extensions?: { code?: string }; message: string }) => e.extensions?.code === 'BAD_USER_INPUT' && message.test(e.message),
  );

test('text and values up to their limits pass as they are; one character more is BAD_USER_INPUT naming the argument', () => {
  assert.equal(checkText('query', 'x'.repeat(MAX_TEXT)), 'x'.repeat(MAX_TEXT));
  badInput(() => checkText('query', 'x'.repeat(MAX_TEXT + 1)), /^`query` must be at most 500 characters$/);
  assert.equal(checkValue('filter.campaignCodes[0]', 'c'.repeat(MAX_VALUE)), 'c'.repeat(MAX_VALUE));
  badInput(() => checkValue('filter.campaignCodes[0]', 'c'.repeat(MAX_VALUE + 1)), /`filter.campaignCodes\[0\]` must be at most 256/);
});

test('control characters and unpaired surrogates are BAD_USER_INPUT; other Unicode is text', () => {
  for (const bad of ['a\u0000b', 'tab\there', 'line\n', '\u007f', '\u0085', '\ud800', 'x\udc00y']) {
    badInput(() => checkText('query', bad), /must not contain control characters/);
    assert.equal(isPlausibleId(bad), false, JSON.stringify(bad));
  }
  for (const good of ['Café Crème', '東京 キャンペーン', 'emoji 👍🏽', 'a\u200db', 'R&D: "Q3" (draft)*']) {
    assert.equal(checkText('query', good), good);
    assert.equal(isPlausibleId(good), true, good);
  }
});

test('a list holds at most 100 values, each checked as a value', () => {
  const list = Array.from({ length: MAX_VALUES }, (_, i) => `v${i}`);
  assert.deepEqual(checkList('filter.channels', list), list);
  badInput(() => checkList('filter.channels', [...list, 'one more']), /`filter.channels` takes at most 100 values/);
  badInput(() => checkList('filter.channels', ['web', 'x'.repeat(MAX_VALUE + 1)]), /`filter.channels\[1\]` must be at most/);
});

test('an id longer than any of ours cannot be one', () => {
  assert.equal(isPlausibleId('CMP-2026-001'), true);
  assert.equal(isPlausibleId('x'.repeat(MAX_VALUE + 1)), false);
});

test('cursorText reads base64url up to 1,000 characters, and nothing else', () => {
  const c = Buffer.from('o:41', 'utf8').toString('base64url');
  assert.equal(cursorText(c), 'o:41');
  assert.equal(cursorText('A'.repeat(1001)), null);
  assert.equal(cursorText('not base64!'), null);
  assert.equal(cursorText('a+b/c='), null);
});
