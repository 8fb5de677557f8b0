/**
 * The simulator's `/search/text` engine: parses the JSON-in-form fields
 * (`search_condition_list`, `facet_restriction_list`, `facet_field_request_list`), evaluates
 * them over per-asset field values, and counts facets. Bad input throws SearchInputError,
 * which the route answers with 400.
 */
import { queryTerms } from '../framework/terms.ts';
import {
  OPERATORS,
  OPERATOR_IDS,
  type OtmmFacetFieldResponse,
  type OtmmFieldCondition,
  type OtmmSearchCondition,
} from '../../sources/otmm/wire.ts';

/** A searchable asset: its field values by field id and its keyword text (lower case). */
export interface SearchDoc {
  fields: Map<string, string[]>;
  text: string;
}

export class SearchInputError extends Error {
  override readonly name = 'SearchInputError';
}

type Predicate = (doc: SearchDoc) => boolean;
type Token = { t: 'pred'; fn: Predicate } | { t: 'and' } | { t: 'or' } | { t: '(' } | { t: ')' };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse a JSON form field, or throw SearchInputError naming it. */
export function parseJsonField(raw: string | undefined, name: string): unknown {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new SearchInputError(`${name} is not valid JSON`);
  }
}

const lower = (s: string) => s.toLowerCase();
const time = (s: string) => Date.parse(s);

function fieldPredicate(c: OtmmFieldCondition, known: (id: string) => boolean): Predicate {
  const field = c.metadata_field_id;
  if (typeof field !== 'string' || !known(field)) throw new SearchInputError(`unknown metadata_field_id: ${String(field)}`);
  const op = c.relational_operator_id;
  if (typeof op !== 'string' || !OPERATOR_IDS.has(op)) throw new SearchInputError(`unsupported relational_operator_id: ${String(op)}`);
  const values = (d: SearchDoc) => d.fields.get(field) ?? [];
  if (op === OPERATORS.isEmpty || op === OPERATORS.dateIsEmpty) return (d) => values(d).length === 0;
  if (op === OPERATORS.isNotEmpty || op === OPERATORS.dateIsNotEmpty) return (d) => values(d).length > 0;
  if (op === OPERATORS.isOneOf) {
    if (!Array.isArray(c.value_list) || c.value_list.some((v) => typeof v !== 'string')) {
      throw new SearchInputError(`${op} needs a value_list of strings`);
    }
    const wanted = new Set(c.value_list.map(lower));
    return (d) => values(d).some((v) => wanted.has(lower(v)));
  }
  if (typeof c.value !== 'string') throw new SearchInputError(`${op} needs a string value`);
  const value = c.value;
  if (op.startsWith('ARTESIA.OPERATOR.DATE.')) {
    const t = time(value);
    if (Number.isNaN(t)) throw new SearchInputError(`${op} needs a date value`);
    const cmp = dateComparison(op, t);
    return (d) => values(d).some((v) => cmp(time(v)));
  }
  const want = lower(value);
  switch (op) {
    case OPERATORS.is:
      return (d) => values(d).some((v) => lower(v) === want);
    case OPERATORS.isNot:
      return (d) => !values(d).some((v) => lower(v) === want);
    case OPERATORS.contains:
      return (d) => values(d).some((v) => lower(v).includes(want));
    case OPERATORS.startsWith:
      return (d) => values(d).some((v) => lower(v).startsWith(want));
    default:
      throw new SearchInputError(`unsupported relational_operator_id: ${op}`);
  }
}

function dateComparison(op: string, t: number): (v: number) => boolean {
  switch (op) {
    case OPERATORS.dateIsAfter:
      return (v) => v > t;
    case OPERATORS.dateIsOnOrAfter:
      return (v) => v >= t;
    case OPERATORS.dateIsBefore:
      return (v) => v < t;
    case OPERATORS.dateIsOnOrBefore:
      return (v) => v <= t;
    default:
      throw new SearchInputError(`unsupported relational_operator_id: ${op}`);
  }
}

function parens(raw: unknown, ch: '(' | ')'): Token[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (typeof raw !== 'string' || ![...raw.trim()].every((c) => c === ch))
    throw new SearchInputError(`bad ${ch === '(' ? 'left' : 'right'}_paren`);
  return [...raw.trim()].map(() => ({ t: ch }));
}

function joiner(raw: unknown): Token {
  if (raw === undefined || raw === null || raw === '') return { t: 'and' };
  const op = String(raw).toLowerCase();
  if (op !== 'and' && op !== 'or') throw new SearchInputError(`bad relational_operator: ${String(raw)}`);
  return { t: op };
}

/** Conditions in order, with their joins and parentheses, as one token stream. */
function tokenize(conditions: unknown[], known: (id: string) => boolean): Token[] {
  const out: Token[] = [];
  conditions.forEach((raw, i) => {
    if (!isObj(raw)) throw new SearchInputError('each search_condition must be an object');
    const c = raw as unknown as OtmmSearchCondition;
    if (i > 0) out.push(joiner(c.relational_operator));
    out.push(...parens(c.left_paren, '('));
    if (c.type === 'com.artesia.search.SearchTabularCondition') {
      if (!Array.isArray(c.tabular_field_list) || c.tabular_field_list.length === 0)
        throw new SearchInputError('tabular_field_list must not be empty');
      c.tabular_field_list.forEach((f, j) => {
        if (!isObj(f)) throw new SearchInputError('each tabular field condition must be an object');
        if (j > 0) out.push(joiner(f.relational_operator));
        out.push(...parens(f.left_paren, '('), { t: 'pred', fn: fieldPredicate(f, known) }, ...parens(f.right_paren, ')'));
      });
    } else {
      out.push({ t: 'pred', fn: fieldPredicate(c, known) });
    }
    out.push(...parens(c.right_paren, ')'));
  });
  return out;
}

/** Recursive descent over the tokens: or-expr of and-terms of parenthesised groups or predicates. */
function parseExpr(tokens: Token[]): Predicate {
  let pos = 0;
  const peek = () => tokens[pos];
  const factor = (): Predicate => {
    const tok = tokens[pos++];
    if (tok?.t === 'pred') return tok.fn;
    if (tok?.t === '(') {
      const inner = orExpr();
      if (tokens[pos++]?.t !== ')') throw new SearchInputError('unbalanced parentheses');
      return inner;
    }
    throw new SearchInputError('malformed condition sequence');
  };
  const andExpr = (): Predicate => {
    const parts = [factor()];
    while (peek()?.t === 'and') {
      pos++;
      parts.push(factor());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (d) => parts.every((p) => p(d));
  };
  const orExpr = (): Predicate => {
    const parts = [andExpr()];
    while (peek()?.t === 'or') {
      pos++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? (parts[0] as Predicate) : (d) => parts.some((p) => p(d));
  };
  const expr = orExpr();
  if (pos !== tokens.length) throw new SearchInputError('unbalanced parentheses');
  return expr;
}

/** Compile `search_condition_list` (already JSON-parsed) into a predicate; absent means "all". */
export function compileConditions(doc: unknown, known: (id: string) => boolean): Predicate {
  if (doc === undefined) return () => true;
  const list = isObj(doc) && isObj(doc.search_condition_list) ? doc.search_condition_list.search_condition : undefined;
  if (!Array.isArray(list)) throw new SearchInputError('search_condition_list.search_condition must be a list');
  if (list.length === 0) return () => true;
  return parseExpr(tokenize(list, known));
}

/** A facet restriction: keeps docs whose field has one of the values (`null`: no value). */
export interface Restriction {
  field: string;
  values: (string | null)[];
  /** Not applied when counting this field's own facet. */
  exclude: boolean;
}

/** Parse `facet_restriction_list` (already JSON-parsed). */
export function parseRestrictions(doc: unknown): Restriction[] {
  if (doc === undefined) return [];
  const list = isObj(doc) && isObj(doc.facet_restriction_list) ? doc.facet_restriction_list.facet_field_restriction : undefined;
  if (!Array.isArray(list)) throw new SearchInputError('facet_restriction_list.facet_field_restriction must be a list');
  return list.map((r: unknown) => {
    if (!isObj(r) || typeof r.field_id !== 'string' || !Array.isArray(r.value_list))
      throw new SearchInputError('each facet_field_restriction needs field_id and value_list');
    const values = r.value_list.map((v: unknown) => (v === null ? null : String(v)));
    return { field: r.field_id, values, exclude: String(r.facet_generation_behavior ?? '').toUpperCase() === 'EXCLUDE' };
  });
}

/** Parse `facet_field_request_list` (already JSON-parsed) into field ids and value caps. */
export function parseFacetRequests(doc: unknown): { field: string; max: number }[] | undefined {
  if (doc === undefined) return undefined;
  const list = isObj(doc) && isObj(doc.facet_field_request_list) ? doc.facet_field_request_list.facet_field_request : undefined;
  if (!Array.isArray(list)) throw new SearchInputError('facet_field_request_list.facet_field_request must be a list');
  return list.map((r: unknown) => {
    if (!isObj(r) || typeof r.field_id !== 'string') throw new SearchInputError('each facet_field_request needs a field_id');
    const max = typeof r.max_values === 'number' && r.max_values > 0 ? Math.floor(r.max_values) : 100;
    return { field: r.field_id, max };
  });
}

export const satisfies = (doc: SearchDoc, r: Restriction): boolean => {
  const values = doc.fields.get(r.field) ?? [];
  return r.values.some((v) => (v === null ? values.length === 0 : values.includes(v)));
};

/** Keyword match: every term occurs in the doc's text (`*` matches anything; in a bare word it is dropped; a quoted term is literal). */
export function keywordPredicate(query: string | undefined): Predicate {
  const terms = queryTerms(query).map((t) => (t.quoted ? t.text : t.text.replace(/\*/g, '')));
  if (terms.length === 0) return () => true;
  return (d) => terms.every((t) => d.text.includes(t));
}

/** Count one facet over docs: values by count, then value. */
export function countFacet(docs: Iterable<SearchDoc>, field: string, max: number): OtmmFacetFieldResponse {
  const counts = new Map<string, number>();
  for (const d of docs) {
    for (const v of new Set(d.fields.get(field) ?? [])) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const facet_value_list = [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([value, asset_count]) => ({ type: 'com.artesia.search.facet.FacetSimpleValue', value, asset_count }));
  return { type: 'com.artesia.search.facet.FacetSimpleFieldResponse', field_id: field, facet_value_list };
}
