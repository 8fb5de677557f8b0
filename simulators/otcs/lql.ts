/**
 * The LQL (Livelink Query Language) subset the simulator understands in `POST /api/v2/search`
 * `where`. Real LQL is larger; this subset is what our client emits, documented in sources/otcs/README.md:
 *
 *   query   := or ; or := and (OR and)* ; and := not ([AND] not)* ; not := NOT not | primary
 *   primary := '(' query ')' | REGION ':' rhs | term
 *   rhs     := value | '*' (has a value) | op value (op: > >= < <=) | '[' value TO value ']'
 *   value   := word | "quoted \"escaped\" string"
 *
 * Keywords are case-insensitive. A bare term matches names and descriptions (case-insensitive
 * substring). `OTName`/`OTDComment` match by substring; other regions by case-insensitive
 * equality with any of their values. Comparisons are by instant for dates (ISO with or without
 * zone, zone-less meaning UTC, or `YYYYMMDD`), by number for numbers, else by text.
 */

export type RegionValue = string | number | null | (string | number)[];

export type Lql =
  | { t: 'and' | 'or'; a: Lql; b: Lql }
  | { t: 'not'; e: Lql }
  | { t: 'text'; value: string }
  | { t: 'cmp'; region: string; op: 'eq' | 'gt' | 'ge' | 'lt' | 'le' | 'exists'; value: string }
  | { t: 'range'; region: string; from: string; to: string };

type Tok = { k: 'str'; v: string; quoted: boolean } | { k: '(' | ')' | ':' | '[' | ']' | '*' } | { k: 'op'; v: '>' | '>=' | '<' | '<=' };

export class LqlError extends Error {
  override readonly name = 'LqlError';
}

const MAX_LENGTH = 8000;
const MAX_DEPTH = 64;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ('():[]*'.includes(c)) {
      out.push({ k: c as '(' });
      i++;
      continue;
    }
    if (c === '>' || c === '<') {
      const eq = src[i + 1] === '=';
      out.push({ k: 'op', v: (eq ? `${c}=` : c) as '>' });
      i += eq ? 2 : 1;
      continue;
    }
    if (c === '"') {
      let v = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        v += src[i];
        i++;
      }
      if (i >= src.length) throw new LqlError('unterminated quoted string');
      i++;
      out.push({ k: 'str', v, quoted: true });
      continue;
    }
    const m = /^[^\s():[\]*"<>]+/.exec(src.slice(i));
    if (!m) throw new LqlError(`unexpected character at ${i}`);
    out.push({ k: 'str', v: m[0], quoted: false });
    i += m[0].length;
  }
  return out;
}

/** Parse a `where` expression; throws LqlError on anything outside the subset. */
export function parseLql(src: string): Lql {
  if (src.length > MAX_LENGTH) throw new LqlError('query too long');
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const isKw = (t: Tok | undefined, kw: string) => t?.k === 'str' && !t.quoted && t.v.toUpperCase() === kw;
  const expect = (k: Tok['k']) => {
    const t = toks[pos++];
    if (t?.k !== k) throw new LqlError(`expected ${k}`);
    return t;
  };
  const value = (): string => {
    const t = toks[pos++];
    if (t?.k !== 'str') throw new LqlError('expected a value');
    return t.v;
  };
  const orExpr = (depth: number): Lql => {
    if (depth > MAX_DEPTH) throw new LqlError('query nested too deeply');
    let e = andExpr(depth);
    while (isKw(peek(), 'OR')) {
      pos++;
      e = { t: 'or', a: e, b: andExpr(depth) };
    }
    return e;
  };
  const startsTerm = (t: Tok | undefined) => t !== undefined && (t.k === '(' || (t.k === 'str' && !isKw(t, 'OR')));
  const andExpr = (depth: number): Lql => {
    let e = notExpr(depth);
    for (;;) {
      if (isKw(peek(), 'AND')) {
        pos++;
        e = { t: 'and', a: e, b: notExpr(depth) };
        continue;
      }
      if (startsTerm(peek())) {
        e = { t: 'and', a: e, b: notExpr(depth) };
        continue;
      }
      return e;
    }
  };
  const notExpr = (depth: number): Lql => {
    if (isKw(peek(), 'NOT')) {
      pos++;
      return { t: 'not', e: notExpr(depth + 1) };
    }
    return primary(depth);
  };
  const primary = (depth: number): Lql => {
    const t = toks[pos++];
    if (t?.k === '(') {
      const e = orExpr(depth + 1);
      expect(')');
      return e;
    }
    if (t?.k !== 'str') throw new LqlError('expected a term');
    if (peek()?.k !== ':' || t.quoted) return { t: 'text', value: t.v };
    pos++;
    return rhs(t.v);
  };
  const rhs = (region: string): Lql => {
    const t = peek();
    if (t?.k === '*') {
      pos++;
      return { t: 'cmp', region, op: 'exists', value: '' };
    }
    if (t?.k === 'op') {
      pos++;
      const op = t.v === '>' ? 'gt' : t.v === '>=' ? 'ge' : t.v === '<' ? 'lt' : 'le';
      return { t: 'cmp', region, op, value: value() };
    }
    if (t?.k === '[') {
      pos++;
      const from = value();
      if (!isKw(peek(), 'TO')) throw new LqlError('expected TO');
      pos++;
      const to = value();
      expect(']');
      return { t: 'range', region, from, to };
    }
    return { t: 'cmp', region, op: 'eq', value: value() };
  };
  if (toks.length === 0) throw new LqlError('empty query');
  const e = orExpr(0);
  if (pos !== toks.length) throw new LqlError('unexpected trailing input');
  return e;
}

/** Epoch ms of a date-like value (ISO with or without zone, or YYYYMMDD), else NaN. */
export function dateValue(v: string): number {
  const s = v.trim();
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (compact) return Date.UTC(Number(compact[1]), Number(compact[2]) - 1, Number(compact[3]));
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return NaN;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(s) || s.length === 10 ? s : `${s}Z`;
  return Date.parse(zoned);
}

function compare(a: string, b: string): number {
  const da = dateValue(a);
  const db = dateValue(b);
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a.localeCompare(b);
}

const SUBSTRING_REGIONS = new Set(['OTName', 'OTDComment']);

const valuesOf = (v: RegionValue | undefined): string[] =>
  v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String).filter((x) => x !== '');

/** Evaluate a parsed query against a node's regions (`OTName`, `Attr_9830_2`, ...). */
export function matches(e: Lql, regions: Record<string, RegionValue>): boolean {
  switch (e.t) {
    case 'and':
      return matches(e.a, regions) && matches(e.b, regions);
    case 'or':
      return matches(e.a, regions) || matches(e.b, regions);
    case 'not':
      return !matches(e.e, regions);
    case 'text': {
      const needle = e.value.toLowerCase();
      return [...valuesOf(regions.OTName), ...valuesOf(regions.OTDComment)].some((v) => v.toLowerCase().includes(needle));
    }
    case 'range':
      return valuesOf(regions[e.region]).some((v) => compare(v, e.from) >= 0 && compare(v, e.to) <= 0);
    case 'cmp': {
      const vs = valuesOf(regions[e.region]);
      switch (e.op) {
        case 'exists':
          return vs.length > 0;
        case 'eq': {
          const needle = e.value.toLowerCase();
          return SUBSTRING_REGIONS.has(e.region)
            ? vs.some((v) => v.toLowerCase().includes(needle))
            : vs.some((v) => v.toLowerCase() === needle);
        }
        case 'gt':
          return vs.some((v) => compare(v, e.value) > 0);
        case 'ge':
          return vs.some((v) => compare(v, e.value) >= 0);
        case 'lt':
          return vs.some((v) => compare(v, e.value) < 0);
        case 'le':
          return vs.some((v) => compare(v, e.value) <= 0);
      }
    }
  }
}
