/** The `where_column_query` subset: what the simulator accepts and how the client quotes values. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnQueryError, parseColumnQuery } from '../../../../simulators/otcs/column-query.ts';
import { literal } from '../../../../sources/otcs/workspaces.ts';

describe('where_column_query parser', () => {
  it('binds AND tighter than OR and honours parentheses', () => {
    assert.deepEqual(parseColumnQuery("Attr_9840_3 = 'ACTIVE' AND name LIKE 'Aurora*' OR id = 5"), {
      op: 'or',
      parts: [
        {
          op: 'and',
          parts: [
            { op: 'eq', column: 'Attr_9840_3', value: 'ACTIVE' },
            { op: 'like', column: 'name', pattern: 'Aurora*' },
          ],
        },
        { op: 'eq', column: 'id', value: '5' },
      ],
    });
    assert.deepEqual(parseColumnQuery("attr_9840_3 = 'A' and (id in (1, 2) or not name <> 'x')"), {
      op: 'and',
      parts: [
        { op: 'eq', column: 'Attr_9840_3', value: 'A' },
        {
          op: 'or',
          parts: [
            { op: 'in', column: 'id', values: ['1', '2'] },
            { op: 'not', part: { op: 'ne', column: 'name', value: 'x' } },
          ],
        },
      ],
    });
  });

  it('reads a doubled quote as one quote inside a literal', () => {
    assert.deepEqual(parseColumnQuery("name = 'O''Brien'"), { op: 'eq', column: 'name', value: "O'Brien" });
  });

  for (const [label, q] of [
    ['an unterminated literal', "name = 'abc"],
    ['an unknown column', "owner = 'x'"],
    ['a keyword as a column', "AND = 'x'"],
    ['trailing tokens', "name = 'x' 'y'"],
    ['a missing operator', "name 'x'"],
    ['an empty IN list', 'id IN ()'],
    ['a stray character', "name = 'x' ; DROP"],
    ['deep nesting', `${'('.repeat(40)}id = 1${')'.repeat(40)}`],
    ['a literal compared with a literal', "'1'='1'"],
  ] as const) {
    it(`rejects ${label}`, () => {
      assert.throws(() => parseColumnQuery(q), ColumnQueryError);
    });
  }

  it('keeps every hostile value the client quotes a single literal, byte for byte', () => {
    for (const v of ['../x', '1?a=b', "x' OR '1'='1", 'a\r\nb', "'", "''", "a') OR (id IN (1", '*']) {
      assert.deepEqual(parseColumnQuery(`Attr_9840_2 = ${literal(v)}`), { op: 'eq', column: 'Attr_9840_2', value: v });
      assert.deepEqual(parseColumnQuery(`Attr_9840_2 IN (${literal(v)},${literal('CMP')})`), {
        op: 'in',
        column: 'Attr_9840_2',
        values: [v, 'CMP'],
      });
    }
  });
});
