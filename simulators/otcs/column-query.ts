/**
 * The `where_column_query` subset the Business Workspaces simulator accepts (INFERRED: no
 * public source documents the grammar; see workspaces.ts's header for the evidence). A public
 * C# client sends `name LIKE '<id> -*'`; we add `=`, `<>`, `IN (...)`, `AND`, `OR`, `NOT`,
 * parentheses, and category attribute columns `Attr_<categoryId>_<attributeId>`. Pure: text in,
 * a tree out, or a ColumnQueryError.
 */
const MAX_QUERY_LENGTH = 65_536;
const MAX_IN_VALUES = 1000;
const MAX_DEPTH = 32;

/** The parsed form of the `where_column_query` subset. */
export type ColumnQuery =
  | { op: 'and' | 'or'; parts: ColumnQuery[] }
  | { op: 'not'; part: ColumnQuery }
  | { op: 'eq' | 'ne'; column: string; value: string }
  | { op: 'like'; column: string; pattern: string }
  | { op: 'in'; column: string; values: string[] };

type Token = { k: 'punc' | 'op' | 'str' | 'num' | 'word'; v: string };

export class ColumnQueryError extends Error {
  override readonly name = 'ColumnQueryError';
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'LIKE', 'IN']);
const COLUMN = /^(name|id|Attr_\d+_\d+(_\d+_\d+)?)$/i;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    const two = src.slice(i, i + 2);
    if (/\s/.test(ch)) {
      i++;
    } else if ('(),'.includes(ch)) {
      out.push({ k: 'punc', v: ch });
      i++;
    } else if (two === '<>' || two === '!=') {
      out.push({ k: 'op', v: '<>' });
      i += 2;
    } else if (ch === '=') {
      out.push({ k: 'op', v: '=' });
      i++;
    } else if (ch === "'") {
      i = readString(src, i, out);
    } else {
      const m = /^(-?\d+|[A-Za-z_][A-Za-z0-9_]*)/.exec(src.slice(i, i + 256));
      if (!m) throw new ColumnQueryError(`unexpected character at ${i}`);
      out.push({ k: /^-?\d/.test(m[0]) ? 'num' : 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** A single-quoted literal; a doubled quote stands for one quote. Returns the next index. */
function readString(src: string, start: number, out: Token[]): number {
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    if (src[i] !== "'") {
      value += src[i];
      i++;
    } else if (src[i + 1] === "'") {
      value += "'";
      i += 2;
    } else {
      out.push({ k: 'str', v: value });
      return i + 1;
    }
  }
  throw new ColumnQueryError('unterminated string literal');
}

/**
 * Parse the `where_column_query` subset (INFERRED; see the module comment):
 * `expr := term (OR term)*`, `term := factor (AND factor)*`,
 * `factor := NOT factor | '(' expr ')' | column ('=' | '<>' | '!=') literal | column LIKE 'pat*' | column IN '(' literal, ... ')'`,
 * columns `name`, `id`, `Attr_<cat>_<attr>`; literals are 'quoted' ('' escapes a quote) or integers.
 */
export function parseColumnQuery(src: string): ColumnQuery {
  if (src.length > MAX_QUERY_LENGTH) throw new ColumnQueryError('query too long');
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const isWord = (w: string) => peek()?.k === 'word' && peek()?.v.toUpperCase() === w;
  const expect = (k: Token['k'], v?: string): Token => {
    const t = toks[pos++];
    if (!t || t.k !== k || (v !== undefined && t.v !== v)) throw new ColumnQueryError(`expected ${v ?? k} at token ${pos}`);
    return t;
  };
  const literal = (): string => {
    const t = toks[pos++];
    if (!t || (t.k !== 'str' && t.k !== 'num')) throw new ColumnQueryError(`expected a literal at token ${pos}`);
    return t.v;
  };
  const column = (): string => {
    const t = expect('word');
    if (KEYWORDS.has(t.v.toUpperCase()) || !COLUMN.test(t.v)) throw new ColumnQueryError(`unknown column "${t.v}"`);
    return t.v.toLowerCase().startsWith('attr_') ? `Attr_${t.v.slice(5)}` : t.v.toLowerCase();
  };
  const predicate = (): ColumnQuery => {
    const col = column();
    if (isWord('LIKE')) {
      pos++;
      const t = expect('str');
      return { op: 'like', column: col, pattern: t.v };
    }
    if (isWord('IN')) {
      pos++;
      expect('punc', '(');
      const values = [literal()];
      while (peek()?.v === ',' && peek()?.k === 'punc') {
        pos++;
        values.push(literal());
        if (values.length > MAX_IN_VALUES) throw new ColumnQueryError('too many IN values');
      }
      expect('punc', ')');
      return { op: 'in', column: col, values };
    }
    const op = expect('op');
    return { op: op.v === '=' ? 'eq' : 'ne', column: col, value: literal() };
  };
  const factor = (depth: number): ColumnQuery => {
    if (depth > MAX_DEPTH) throw new ColumnQueryError('nested too deeply');
    if (isWord('NOT')) {
      pos++;
      return { op: 'not', part: factor(depth + 1) };
    }
    if (peek()?.k === 'punc' && peek()?.v === '(') {
      pos++;
      const e = expr(depth + 1);
      expect('punc', ')');
      return e;
    }
    return predicate();
  };
  const chain = (op: 'and' | 'or', next: () => ColumnQuery): ColumnQuery => {
    const parts = [next()];
    while (isWord(op.toUpperCase())) {
      pos++;
      parts.push(next());
    }
    return parts.length === 1 ? (parts[0] as ColumnQuery) : { op, parts };
  };
  const expr = (depth: number): ColumnQuery => chain('or', () => chain('and', () => factor(depth)));
  const q = expr(0);
  if (pos !== toks.length) throw new ColumnQueryError(`unexpected token at ${pos}`);
  return q;
}
