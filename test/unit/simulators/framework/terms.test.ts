import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryTerms } from '../../../../simulators/framework/terms.ts';

test('free-text terms: bare words, quoted phrases with escapes, and * as everything', () => {
  assert.deepEqual(queryTerms('Aurora  Launch'), [
    { text: 'aurora', quoted: false },
    { text: 'launch', quoted: false },
  ]);
  assert.deepEqual(queryTerms('"(en-US)" "say \\"hi\\"" back\\slash'), [
    { text: '(en-us)', quoted: true },
    { text: 'say "hi"', quoted: true },
    { text: 'back\\slash', quoted: false },
  ]);
  assert.deepEqual(queryTerms('*'), []);
  assert.deepEqual(queryTerms('"*"'), [{ text: '*', quoted: true }], 'a quoted star is a literal star');
  assert.deepEqual(queryTerms(undefined), []);
});
