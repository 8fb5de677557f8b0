/** Unit tests of canonical filter -> iconik search criteria. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { criteriaFor, decodeCursor, encodeCursor, literalQuery, sortFor } from '../../../../sources/iconik/query.ts';
import { demoMapping } from '../../../../sources/mapping.ts';

const mapping = demoMapping();
const F = mapping.iconik.fields;

describe('iconik query: criteriaFor', () => {
  it('an empty filter asks for assets only, with nothing to match', () => {
    assert.deepEqual(criteriaFor({}, mapping), { doc_types: ['assets'], filter: { operator: 'AND', terms: [], filters: [] } });
  });

  it('campaigns and accounts together are one OR; alone they are a value_in term', () => {
    const both = criteriaFor({ campaignCodes: ['C1'], accountIds: ['A1'] }, mapping);
    assert.deepEqual(both.filter?.filters, [
      {
        operator: 'OR',
        terms: [
          { name: F.campaignCode, value_in: ['C1'] },
          { name: F.accountId, value_in: ['A1'] },
        ],
      },
    ]);
    assert.deepEqual(criteriaFor({ accountIds: ['A1'] }, mapping).filter?.terms, [{ name: F.accountId, value_in: ['A1'] }]);
  });

  it('territories always include WORLD; validAt leaves missing bounds open', () => {
    const c = criteriaFor({ territories: ['EMEA'], validAt: '2026-01-01T00:00:00.000Z' }, mapping);
    assert.deepEqual(c.filter?.terms, [{ name: F.territories, value_in: ['EMEA', 'WORLD'] }]);
    assert.deepEqual(c.filter?.filters, [
      {
        operator: 'OR',
        terms: [
          { name: F.validFrom, missing: true },
          { name: F.validFrom, range: { max: '2026-01-01T00:00:00.000Z' } },
        ],
      },
      {
        operator: 'OR',
        terms: [
          { name: F.validUntil, missing: true },
          { name: F.validUntil, range: { min: '2026-01-01T00:00:00.000Z' } },
        ],
      },
    ]);
  });

  it('kinds become media types, value maps apply, text is the query, document-only fields are not sent', () => {
    const m = { ...mapping, iconik: { ...mapping.iconik, values: { approval: { Approved: 'APPROVED' } } } };
    const c = criteriaFor(
      { kinds: ['VIDEO', 'TEMPLATE'], approvals: ['APPROVED'], text: '  hero ', classifications: ['PUBLIC'], statuses: ['RELEASED'] },
      m,
    );
    assert.deepEqual(c.filter?.terms, [
      { name: F.approval, value_in: ['Approved'] },
      { name: 'media_type', value_in: ['video', 'template'] },
    ]);
    assert.equal(c.query, 'hero');
  });

  it('validUntilBetween and modifiedSince are ranges', () => {
    const c = criteriaFor({ validUntilBetween: { to: '2027-01-01T00:00:00.000Z' }, modifiedSince: '2026-01-01T00:00:00.000Z' }, mapping);
    assert.deepEqual(c.filter?.terms, [
      { name: F.validUntil, range: { max: '2027-01-01T00:00:00.000Z' } },
      { name: 'date_modified', range: { min: '2026-01-01T00:00:00.000Z' } },
    ]);
  });
});

describe('iconik query: sort and cursor', () => {
  it('sortFor', () => {
    assert.equal(sortFor(undefined), undefined);
    assert.equal(sortFor({ field: 'relevance', direction: 'desc' }), undefined);
    assert.deepEqual(sortFor({ field: 'date', direction: 'desc' }), [{ name: 'date_modified', order: 'desc' }]);
    assert.deepEqual(sortFor({ field: 'name', direction: 'asc' }), [{ name: 'title', order: 'asc' }]);
  });

  it('cursors round-trip; foreign ones are BAD_REQUEST', () => {
    assert.deepEqual(decodeCursor(encodeCursor({ page: 3, perPage: 20 })), { page: 3, perPage: 20 });
    for (const bad of ['', 'x', Buffer.from('{"p":0,"n":1}').toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
      assert.throws(
        () => decodeCursor(bad),
        (e: unknown) => e instanceof UpstreamError && e.kind === 'BAD_REQUEST',
        bad,
      );
    }
  });
});

/**
 * Reads a query as Lucene's classic grammar would, as far as literal text goes: a bare word
 * must hold no syntax and be no operator; a quoted phrase ends at the first unescaped `"`.
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

describe('iconik query: the reader text matches literally', () => {
  const cases: [string, string][] = [
    ['hero', 'hero'],
    ['*', '"*"'],
    ['?', '"?"'],
    ['hero*', '"hero*"'],
    ['title:hero', '"title:hero"'],
    ['a AND b', 'a "AND" b'],
    ['salt and pepper', 'salt and pepper'],
    ['NOT x OR y', '"NOT" x "OR" y'],
    ['(a OR b)', '"(a" "OR" "b)"'],
    ['say "hi"', 'say "\\"hi\\""'],
    ['C:\\path', '"C:\\\\path"'],
    ['-draft +final', '"-draft" "+final"'],
    ['Pre-launch CMP-2026-002 C++', 'Pre-launch CMP-2026-002 C++'],
    ['a && b || !c', 'a "&&" b "||" "!c"'],
    ['x~2 y^3 [a TO b] {c} /re/ <d> e=f', '"x~2" "y^3" "[a" TO "b]" "{c}" "/re/" "<d>" "e=f"'],
  ];
  for (const [text, query] of cases) {
    it(`${JSON.stringify(text)} is sent as ${query}`, () => {
      assert.equal(literalQuery(text), query);
      assert.deepEqual(literalWords(query), text.split(/\s+/).filter(Boolean));
    });
  }

  it('criteriaFor sends the text quoted where it carries syntax, trimmed, and no query for blank text', () => {
    assert.equal(criteriaFor({ text: ' * ' }, mapping).query, '"*"');
    assert.equal(criteriaFor({ text: 'spring title:hero' }, mapping).query, 'spring "title:hero"');
    assert.equal(criteriaFor({ text: '   ' }, mapping).query, undefined);
  });
});
