/** Unit tests of the iconik simulator's search semantics. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { facetBuckets, matchFilter, matchTerm, parseCriteria, runSearch, type SearchDoc } from '../../../../simulators/iconik/search.ts';

const doc = (id: string, fields: Record<string, unknown[]>, text = ''): SearchDoc => ({ id, docType: 'assets', fields, text });
const a = doc('a', { t: ['EMEA', 'NA'], d: ['2026-01-10T00:00:00.000000+00:00'], n: [5] }, 'hero film');
const b = doc('b', { t: ['WORLD'], n: [50] }, 'radio spot');

describe('iconik sim search: terms and filters', () => {
  it('value and value_in match any of a multi-valued field', () => {
    assert.equal(matchTerm(a, { name: 't', value: 'NA' }), true);
    assert.equal(matchTerm(a, { name: 't', value_in: ['APAC', 'EMEA'] }), true);
    assert.equal(matchTerm(b, { name: 't', value_in: ['EMEA'] }), false);
  });

  it('ranges compare dates as instants and numbers numerically, inclusively', () => {
    assert.equal(matchTerm(a, { name: 'd', range: { min: '2026-01-10T00:00:00Z', max: '2026-01-10T00:00:00Z' } }), true);
    assert.equal(matchTerm(a, { name: 'd', range: { min: '2026-01-10T00:00:01Z' } }), false);
    assert.equal(matchTerm(b, { name: 'n', range: { min: 6 } }), true);
    assert.equal(matchTerm(a, { name: 'n', range: { min: 6 } }), false);
    assert.equal(matchTerm(b, { name: 'd', range: { min: '2000-01-01' } }), false);
  });

  it('exists and missing', () => {
    assert.equal(matchTerm(a, { name: 'd', exists: true }), true);
    assert.equal(matchTerm(b, { name: 'd', exists: true }), false);
    assert.equal(matchTerm(b, { name: 'd', missing: true }), true);
  });

  it('AND / OR nest; an empty filter matches everything', () => {
    const f = {
      operator: 'AND' as const,
      terms: [{ name: 'n', range: { max: 100 } }],
      filters: [
        {
          operator: 'OR' as const,
          terms: [
            { name: 't', value: 'WORLD' },
            { name: 't', value: 'APAC' },
          ],
        },
      ],
    };
    assert.equal(matchFilter(a, f), false);
    assert.equal(matchFilter(b, f), true);
    assert.equal(matchFilter(a, { operator: 'OR' }), true);
  });
});

describe('iconik sim search: runSearch, facets, validation', () => {
  it('query words must all occur; facets_filters narrow hits but not facets', () => {
    assert.deepEqual(
      runSearch([a, b], { query: 'hero' }).hits.map((d) => d.id),
      ['a'],
    );
    assert.deepEqual(
      runSearch([a, b], { query: '*' }).hits.map((d) => d.id),
      ['a', 'b'],
    );
    const r = runSearch([a, b], { facets_filters: [{ name: 't', value: 'WORLD' }] });
    assert.deepEqual(
      r.hits.map((d) => d.id),
      ['b'],
    );
    assert.equal(r.facetSet.length, 2);
  });

  it('sorts by a key with stable id ties', () => {
    assert.deepEqual(
      runSearch([a, b], { sort: [{ name: 'n', order: 'desc' }] }).hits.map((d) => d.id),
      ['b', 'a'],
    );
  });

  it('facet buckets count documents per value', () => {
    assert.deepEqual(facetBuckets([a, b], ['t']), {
      t: [
        { key: 'EMEA', doc_count: 1 },
        { key: 'NA', doc_count: 1 },
        { key: 'WORLD', doc_count: 1 },
      ],
    });
  });

  it('parseCriteria reports field errors', () => {
    assert.ok('criteria' in parseCriteria({ query: 'x', filter: { operator: 'OR', terms: [{ name: 'a' }] } }));
    const bad = parseCriteria({ query: 1, filter: { operator: 'NOT', terms: [{ value: 1 }] }, sort: [{ order: 'up' }] });
    assert.ok('errors' in bad);
    assert.deepEqual(Object.keys(bad.errors).sort(), ['filter', 'query', 'sort']);
  });
});
