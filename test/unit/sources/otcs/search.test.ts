/**
 * The Content Server connector's LQL for a reader's text: every word quoted, so wildcards,
 * quotes, backslashes, operators, parentheses and region prefixes are text. Proved by parsing the
 * LQL with the simulator's parser, which reads the subset the connector emits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoMapping } from '../../../../sources/mapping.ts';
import { filterToLql } from '../../../../sources/otcs/search.ts';
import { matches, parseLql, type Lql } from '../../../../simulators/otcs/lql.ts';

const mapping = demoMapping();

/** The terms of an AND chain, left to right. */
function conjuncts(e: Lql): Lql[] {
  return e.t === 'and' ? [...conjuncts(e.a), ...conjuncts(e.b)] : [e];
}

describe('Content Server LQL: the reader text matches literally', () => {
  const texts = [
    '*',
    '?',
    'hero*',
    'AND',
    'a OR b',
    'NOT x',
    '(draft)',
    'OTName:secret',
    'title:hero',
    'say "hi"',
    'C:\\dir\\',
    'x~2 [a TO b]',
  ];
  for (const text of texts) {
    it(`${JSON.stringify(text)} becomes one quoted text term per word`, () => {
      const lql = filterToLql({ text }, mapping) as string;
      const [subtype, ...words] = conjuncts(parseLql(lql));
      assert.deepEqual(subtype, { t: 'cmp', region: 'OTSubType', op: 'eq', value: '144' });
      assert.deepEqual(
        words,
        text
          .split(/\s+/)
          .filter(Boolean)
          .map((value) => ({ t: 'text', value })),
        lql,
      );
    });
  }

  it('the text * matches a name holding a literal *, not every document', () => {
    const ast = parseLql(filterToLql({ text: '*' }, mapping) as string);
    assert.equal(matches(ast, { OTSubType: 144, OTName: 'Partner Playbook.pdf' }), false);
    assert.equal(matches(ast, { OTSubType: 144, OTName: 'Rated *****.pdf' }), true);
  });
});
