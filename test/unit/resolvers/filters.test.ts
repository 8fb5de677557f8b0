/** Filter inputs to canonical filters, checked against the limits on the way (resolvers/filters.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountQuery, campaignQuery, contentFilter, damSystems } from '../../../resolvers/filters.ts';

const badInput = (f: () => unknown, message: RegExp) =>
  assert.throws(
    f,
    (e: { extensions?: { code?: string }; message: string }) => e.extensions?.code === 'BAD_USER_INPUT' && message.test(e.message),
  );

test('a ContentFilter becomes the canonical filter, absent fields and systems dropped', () => {
  assert.deepEqual(contentFilter({ campaignCodes: ['C1'], kinds: undefined, validAt: '2026-11-22T00:00:00Z', systems: ['NETX'] }), {
    campaignCodes: ['C1'],
    validAt: '2026-11-22T00:00:00Z',
  });
  assert.deepEqual(contentFilter(null), {});
  assert.deepEqual(damSystems({ systems: ['OTMM', 'OTCS'] }), ['OTMM']);
});

test('a ContentFilter value or list past the limits is BAD_USER_INPUT naming the field', () => {
  badInput(() => contentFilter({ campaignCodes: ['C'.repeat(20_000)] }), /`filter.campaignCodes\[0\]` must be at most 256 characters/);
  badInput(() => contentFilter({ accountIds: ['ACC-1', 'ACC\u00002'] }), /`filter.accountIds\[1\]` must not contain control characters/);
  badInput(() => contentFilter({ channels: Array.from({ length: 101 }, () => 'web') }), /`filter.channels` takes at most 100 values/);
  badInput(() => contentFilter({ kinds: Array.from({ length: 101 }, () => 'IMAGE' as const) }), /`filter.kinds` takes at most 100/);
  badInput(() => contentFilter({ validAt: `2026-11-22T00:00:00.${'0'.repeat(300)}Z` }), /`filter.validAt` must be at most/);
});

test('campaign and account filters check their text and lists', () => {
  assert.deepEqual(campaignQuery({ status: ['ACTIVE'], text: 'Nimbus', productLines: null }), { statuses: ['ACTIVE'], text: 'Nimbus' });
  assert.deepEqual(accountQuery({ kind: ['PARTNER'], regions: ['EMEA'] }), { kinds: ['PARTNER'], regions: ['EMEA'] });
  badInput(() => campaignQuery({ text: 'x'.repeat(20_000) }), /`filter.text` must be at most 500 characters/);
  badInput(() => campaignQuery({ productLines: ['x'.repeat(257)] }), /`filter.productLines\[0\]`/);
  badInput(() => accountQuery({ text: 'bank\u0000' }), /`filter.text` must not contain control characters/);
});
