/** The simulator's search engine on synthetic documents: operators, boundaries, grouping, restrictions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SearchInputError,
  compileConditions,
  countFacet,
  keywordPredicate,
  parseFacetRequests,
  parseRestrictions,
  satisfies,
  type SearchDoc,
} from '../../../../simulators/otmm/search.ts';
import { OPERATORS, type OtmmSearchCondition } from '../../../../sources/otmm/wire.ts';

const doc = (fields: Record<string, string[]>, text = ''): SearchDoc => ({ fields: new Map(Object.entries(fields)), text });
const DOCS = {
  a: doc({ NAME: ['Hero Banner'], TAGS: ['EMEA', 'WORLD'], UNTIL: ['2026-06-01T00:00:00Z'] }, 'hero banner spring'),
  b: doc({ NAME: ['Print Insert'], TAGS: ['APAC'], UNTIL: [] }, 'print insert'),
  c: doc({ NAME: ['hero shot'], TAGS: [], UNTIL: ['2026-07-01T00:00:00Z'] }, 'hero shot'),
};
const known = (id: string) => ['NAME', 'TAGS', 'UNTIL'].includes(id);
const cond = (field: string, op: string, value?: string | string[], extra: Record<string, string> = {}): OtmmSearchCondition =>
  ({
    type: 'com.artesia.search.SearchScalarCondition',
    metadata_field_id: field,
    relational_operator_id: op,
    ...(Array.isArray(value) ? { value_list: value } : value === undefined ? {} : { value }),
    ...extra,
  }) as OtmmSearchCondition;
const run = (list: OtmmSearchCondition[]) => {
  const p = compileConditions({ search_condition_list: { search_condition: list } }, known);
  return Object.entries(DOCS)
    .filter(([, d]) => p(d))
    .map(([k]) => k)
    .join('');
};

test('char operators compare case-insensitively; multi-valued fields match on any value', () => {
  assert.equal(run([cond('NAME', OPERATORS.is, 'HERO BANNER')]), 'a');
  assert.equal(run([cond('NAME', OPERATORS.isNot, 'hero banner')]), 'bc');
  assert.equal(run([cond('NAME', OPERATORS.contains, 'hero')]), 'ac');
  assert.equal(run([cond('NAME', OPERATORS.startsWith, 'print')]), 'b');
  assert.equal(run([cond('TAGS', OPERATORS.isOneOf, ['apac', 'WORLD'])]), 'ab');
  assert.equal(run([cond('TAGS', OPERATORS.isEmpty)]), 'c');
  assert.equal(run([cond('TAGS', OPERATORS.isNotEmpty)]), 'ab');
});

test('date operators: strict and inclusive bounds differ at the boundary; empty dates match only IS_EMPTY', () => {
  const at = '2026-06-01T00:00:00Z';
  assert.equal(run([cond('UNTIL', OPERATORS.dateIsAfter, at)]), 'c');
  assert.equal(run([cond('UNTIL', OPERATORS.dateIsOnOrAfter, at)]), 'ac');
  assert.equal(run([cond('UNTIL', OPERATORS.dateIsBefore, '2026-07-01T00:00:00Z')]), 'a');
  assert.equal(run([cond('UNTIL', OPERATORS.dateIsOnOrBefore, '2026-07-01T00:00:00Z')]), 'ac');
  assert.equal(run([cond('UNTIL', OPERATORS.dateIsEmpty)]), 'b');
  assert.equal(run([cond('UNTIL', OPERATORS.dateIsNotEmpty)]), 'ac');
});

test('and binds tighter than or; parentheses and tabular groups regroup', () => {
  const hero = cond('NAME', OPERATORS.contains, 'hero');
  const apac = cond('TAGS', OPERATORS.is, 'APAC', { relational_operator: 'or' });
  const undated = cond('UNTIL', OPERATORS.dateIsEmpty, undefined, { relational_operator: 'and' });
  assert.equal(run([hero, apac, undated]), 'abc', 'hero OR (APAC AND undated)');
  assert.equal(run([{ ...hero, left_paren: '(' }, { ...apac, right_paren: ')' }, undated]), 'b', '(hero OR APAC) AND undated');
  assert.equal(
    run([
      { ...hero, left_paren: '((' },
      { ...apac, right_paren: '))' },
      { ...undated, relational_operator: 'or' },
    ]),
    'abc',
  );
  assert.equal(run([hero, { ...undated, relational_operator: 'and' }]), '', 'hero AND undated');
  const tabular: OtmmSearchCondition = {
    type: 'com.artesia.search.SearchTabularCondition',
    metadata_table_id: 'TAGS',
    relational_operator: 'and',
    tabular_field_list: [
      {
        type: 'com.artesia.search.SearchTabularFieldCondition',
        metadata_field_id: 'TAGS',
        relational_operator_id: OPERATORS.is,
        value: 'EMEA',
        left_paren: '(',
      },
      {
        type: 'com.artesia.search.SearchTabularFieldCondition',
        metadata_field_id: 'TAGS',
        relational_operator_id: OPERATORS.is,
        value: 'APAC',
        relational_operator: 'or',
        right_paren: ')',
      },
    ],
  };
  assert.equal(run([cond('UNTIL', OPERATORS.dateIsEmpty), tabular]), 'b', 'empty date AND (EMEA OR APAC)');
});

test('bad input throws SearchInputError', () => {
  const bad: unknown[] = [
    { search_condition_list: {} },
    { search_condition_list: { search_condition: ['x'] } },
    { search_condition_list: { search_condition: [cond('NOPE', OPERATORS.is, 'x')] } },
    { search_condition_list: { search_condition: [cond('NAME', 'ARTESIA.OPERATOR.CHAR.SOUNDS_LIKE', 'x')] } },
    { search_condition_list: { search_condition: [cond('NAME', OPERATORS.is)] } },
    { search_condition_list: { search_condition: [cond('NAME', OPERATORS.is, 'x', { right_paren: ')' })] } },
    { search_condition_list: { search_condition: [cond('NAME', OPERATORS.is, 'x', { left_paren: '[' })] } },
    {
      search_condition_list: {
        search_condition: [cond('NAME', OPERATORS.is, 'x'), cond('NAME', OPERATORS.is, 'y', { relational_operator: 'xor' })],
      },
    },
    {
      search_condition_list: {
        search_condition: [{ type: 'com.artesia.search.SearchTabularCondition', metadata_table_id: 'TAGS', tabular_field_list: [] }],
      },
    },
  ];
  for (const b of bad) assert.throws(() => compileConditions(b, known), SearchInputError, JSON.stringify(b));
  assert.equal(compileConditions(undefined, known)(DOCS.a), true);
});

test('restrictions: value lists, null for "no value"; facets count each value once per doc', () => {
  const [r] = parseRestrictions({
    facet_restriction_list: {
      facet_field_restriction: [{ type: 't', field_id: 'TAGS', value_list: ['APAC', null], facet_generation_behavior: 'EXCLUDE' }],
    },
  });
  assert.ok(r?.exclude);
  assert.deepEqual(
    Object.values(DOCS).map((d) => satisfies(d, r as NonNullable<typeof r>)),
    [false, true, true],
  );
  assert.throws(() => parseRestrictions({ facet_restriction_list: { facet_field_restriction: [{ field_id: 'X' }] } }), SearchInputError);
  assert.deepEqual(parseFacetRequests({ facet_field_request_list: { facet_field_request: [{ field_id: 'TAGS', max_values: 1 }] } }), [
    { field: 'TAGS', max: 1 },
  ]);
  const facet = countFacet([...Object.values(DOCS), doc({ TAGS: ['EMEA', 'EMEA'] })], 'TAGS', 2);
  assert.deepEqual(
    facet.facet_value_list.map((v) => [v.value, v.asset_count]),
    [
      ['EMEA', 2],
      ['APAC', 1],
    ],
  );
});

test('keyword: every term must occur; * matches all', () => {
  const hits = (q: string) =>
    Object.entries(DOCS)
      .filter(([, d]) => keywordPredicate(q)(d))
      .map(([k]) => k)
      .join('');
  assert.equal(hits('*'), 'abc');
  assert.equal(hits('HERO'), 'ac');
  assert.equal(hits('hero spring'), 'a');
  assert.equal(hits('print  insert'), 'b');
});
