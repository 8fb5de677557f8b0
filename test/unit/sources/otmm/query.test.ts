/**
 * CanonicalFilter -> OTMM conditions, evaluated by the simulator's engine on synthetic field
 * values: covers what the demo world cannot (missing rights dates, value maps).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoMapping, type Mapping } from '../../../../sources/mapping.ts';
import type { CanonicalFilter } from '../../../../sources/model.ts';
import { NothingMatches, conditionListJson, filterConditions, idConditions, keywordQuery } from '../../../../sources/otmm/query.ts';
import { compileConditions, type SearchDoc } from '../../../../simulators/otmm/search.ts';
import { SYSTEM_FIELDS } from '../../../../sources/otmm/wire.ts';

const base = demoMapping();
const mapping: Mapping = { ...base, otmm: { ...base.otmm, values: { approval: { Approved: 'APPROVED', Pending: 'PENDING' } } } };
const F = mapping.otmm.fields;
const doc = (name: string, fields: Partial<Record<keyof typeof F, string[]>>, system: Record<string, string[]> = {}) => ({
  name,
  doc: {
    fields: new Map([
      ...Object.entries(fields).map(([k, v]) => [F[k as keyof typeof F], v] as [string, string[]]),
      ...Object.entries(system),
    ]),
    text: '',
  } satisfies SearchDoc,
});
const DOCS = [
  doc('open', { approval: ['Approved'], territories: ['WORLD'], channels: ['partner'] }),
  doc('future', { approval: ['Approved'], validFrom: ['2027-01-01T00:00:00Z'], territories: ['EMEA'], channels: ['web'] }),
  doc(
    'ending',
    { approval: ['Pending'], validUntil: ['2026-12-01T00:00:00Z'], territories: ['APAC'], channels: ['partner', 'web'] },
    { [SYSTEM_FIELDS.contentType]: ['ACROBAT'] },
  ),
  doc('account', { approval: ['Approved'], accountId: ['ACC-1'], campaignCode: ['CMP-9'] }, { [SYSTEM_FIELDS.contentType]: ['BITMAP'] }),
];
const known = () => true;
const hits = (filter: CanonicalFilter) => {
  const json = conditionListJson(filterConditions(filter, mapping));
  const p = compileConditions(json === undefined ? undefined : JSON.parse(json), known);
  return DOCS.filter((d) => p(d.doc)).map((d) => d.name);
};

test('validAt treats missing bounds as open', () => {
  assert.deepEqual(hits({ validAt: '2026-11-22T00:00:00Z' }), ['open', 'ending', 'account']);
  assert.deepEqual(hits({ validAt: '2027-06-01T00:00:00Z' }), ['open', 'future', 'account']);
});

test('validUntilBetween: open ends, and a missing validUntil never ends', () => {
  assert.deepEqual(hits({ validUntilBetween: {} }), ['ending']);
  assert.deepEqual(hits({ validUntilBetween: { from: '2026-12-01T00:00:00Z' } }), ['ending'], 'from is inclusive');
  assert.deepEqual(hits({ validUntilBetween: { to: '2026-12-01T00:00:00Z' } }), [], 'to is exclusive');
});

test('value maps are applied to pushed-down values', () => {
  assert.deepEqual(hits({ approvals: ['PENDING'] }), ['ending']);
  assert.deepEqual(hits({ approvals: ['APPROVED'], channels: ['partner'] }), ['open']);
});

test('territories: WORLD matches any asked territory; campaign and account ids are alternatives', () => {
  assert.deepEqual(hits({ territories: ['APAC'] }), ['open', 'ending']);
  assert.deepEqual(hits({ campaignCodes: ['CMP-1'], accountIds: ['ACC-1'] }), ['account']);
  assert.deepEqual(hits({ kinds: ['DOCUMENT'] }), ['ending']);
  assert.deepEqual(
    hits({}),
    DOCS.map((d) => d.name),
  );
});

test('each filter part is one parenthesised group joined with and', () => {
  const list = filterConditions({ approvals: ['APPROVED'], validAt: '2026-11-22T00:00:00Z' }, mapping);
  assert.deepEqual(
    list.map((c) => [c.relational_operator, c.left_paren ?? '', c.right_paren ?? '']),
    [
      ['and', '(', ')'],
      ['and', '(', ''],
      ['or', '', ')'],
      ['and', '(', ''],
      ['or', '', ')'],
    ],
  );
  const [territory] = filterConditions({ territories: ['NA'] }, mapping);
  assert.equal(territory?.type, 'com.artesia.search.SearchTabularCondition');
});

test('empty lists match nothing; ids become one IS_ONE_OF', () => {
  assert.throws(() => filterConditions({ locales: [] }, mapping), NothingMatches);
  assert.throws(() => filterConditions({ campaignCodes: [], accountIds: [] }, mapping), NothingMatches);
  assert.doesNotThrow(() => filterConditions({ campaignCodes: [], accountIds: ['ACC-1'] }, mapping));
  const [c] = idConditions(['a', 'b']);
  assert.deepEqual(c && 'value_list' in c ? c.value_list : undefined, ['a', 'b']);
});

/**
 * Reads a keyword query as Lucene's classic grammar would, as far as literal text goes: a bare
 * word must hold no syntax and be no operator; a quoted phrase ends at the first unescaped `"`.
 * Returns the words the query matches, or fails where the query would be syntax.
 */
function literalWords(query: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < query.length) {
    if (query[i] === ' ') {
      i++;
    } else if (query[i] === '"') {
      let w = '';
      for (i++; query[i] !== '"'; i++) {
        assert.ok(i < query.length, `unterminated phrase in ${query}`);
        if (query[i] === '\\') i++;
        w += query[i];
      }
      i++;
      assert.ok(i >= query.length || query[i] === ' ', `nothing may follow a phrase (a ~ or ^ would be syntax): ${query}`);
      words.push(w);
    } else {
      const w = /^\S+/.exec(query.slice(i))?.[0] ?? '';
      // Lucene reads + and - as operators only where a term starts.
      assert.doesNotMatch(w, /^[+-]|[=&|!(){}[\]^"~*?:\\/<>]/, `bare word with syntax: ${w}`);
      assert.doesNotMatch(w, /^(AND|OR|NOT)$/, `bare operator: ${w}`);
      words.push(w);
      i += w.length;
    }
  }
  return words;
}

test('keywordQuery: blank text is everything (*), the text * is a literal *', () => {
  assert.equal(keywordQuery(undefined), '*');
  assert.equal(keywordQuery('  '), '*');
  assert.equal(keywordQuery('*'), '"*"');
  assert.equal(keywordQuery(' print insert '), 'print insert');
});

test('keywordQuery: wildcards, quotes, backslashes, operators, parentheses and field prefixes match literally', () => {
  const cases: [string, string][] = [
    ['hero?', '"hero?"'],
    ['title:hero', '"title:hero"'],
    ['a AND b', 'a "AND" b'],
    ['salt and pepper', 'salt and pepper'],
    ['NOT (x OR y)', '"NOT" "(x" "OR" "y)"'],
    ['say "hi"', 'say "\\"hi\\""'],
    ['C:\\path', '"C:\\\\path"'],
    ['-draft +final && x || !y', '"-draft" "+final" "&&" x "||" "!y"'],
    ['Pre-launch CMP-2026-002', 'Pre-launch CMP-2026-002'],
    ['x~2 y^3 [a TO b] {c} /re/ <d> e=f', '"x~2" "y^3" "[a" TO "b]" "{c}" "/re/" "<d>" "e=f"'],
  ];
  for (const [text, query] of cases) {
    assert.equal(keywordQuery(text), query, text);
    assert.deepEqual(literalWords(query), text.split(/\s+/).filter(Boolean), text);
  }
});
