/**
 * The iconik simulator's search engine: evaluates a `SearchCriteriaSchema` over documents
 * held as `field -> values` maps, the way Elasticsearch (behind iconik search) treats every
 * field as multi-valued. Pure functions; the simulator feeds it the world.
 *
 * Semantics chosen where the vendor documents none (INFERRED, see sources/iconik/README.md):
 * - `value` / `value_in` match when any of the field's values equals one given (exact, case-sensitive).
 * - `range` bounds are inclusive; values that both look like dates compare as instants, numbers
 *   numerically, anything else as strings.
 * - `exists` / `missing` test for at least one non-empty value.
 * - A filter with no terms and no sub-filters matches everything, for AND and OR alike.
 * - `query` matches when every term occurs (case-insensitively) in the title or description;
 *   a `"quoted phrase"` is matched as its literal text; `*` or an empty query matches everything.
 */
import { queryTerms } from '../framework/terms.ts';
import type { CriteriaFilter, CriteriaRange, CriteriaTerm, FacetBucket, SearchCriteria, SortSpec } from '../../sources/iconik/wire.ts';

/** A searchable document: its fields (core and metadata) as value lists, and its text. */
export interface SearchDoc {
  id: string;
  docType: string;
  fields: Readonly<Record<string, readonly unknown[]>>;
  /** Lower-cased title and description, for `query`. */
  text: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}/;

const present = (v: unknown) => v !== null && v !== undefined && v !== '';
const valuesOf = (doc: SearchDoc, name: string): unknown[] => (doc.fields[name] ?? []).filter(present);

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string' && DATE_LIKE.test(a) && DATE_LIKE.test(b)) {
    const ta = Date.parse(a);
    const tb = Date.parse(b);
    if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  }
  const na = Number(a);
  const nb = Number(b);
  if (typeof a !== 'string' || typeof b !== 'string') {
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  }
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function inRange(v: unknown, r: CriteriaRange): boolean {
  if (r.min !== undefined && r.min !== null && compare(v, r.min) < 0) return false;
  if (r.max !== undefined && r.max !== null && compare(v, r.max) > 0) return false;
  return true;
}

/** Whether one term holds for a document (every condition it carries must hold). */
export function matchTerm(doc: SearchDoc, term: CriteriaTerm): boolean {
  const values = valuesOf(doc, term.name);
  if (term.exists === true && values.length === 0) return false;
  if (term.missing === true && values.length > 0) return false;
  if (term.value !== undefined && !values.some((v) => String(v) === String(term.value))) return false;
  if (term.value_in !== undefined) {
    const wanted = new Set(term.value_in.map(String));
    if (!values.some((v) => wanted.has(String(v)))) return false;
  }
  if (term.range !== undefined && !values.some((v) => inRange(v, term.range as CriteriaRange))) return false;
  return true;
}

/** Whether a (recursive) filter holds for a document. */
export function matchFilter(doc: SearchDoc, filter: CriteriaFilter): boolean {
  const results = [
    ...(filter.terms ?? []).map((t) => () => matchTerm(doc, t)),
    ...(filter.filters ?? []).map((f) => () => matchFilter(doc, f)),
  ];
  if (results.length === 0) return true;
  return filter.operator === 'OR' ? results.some((r) => r()) : results.every((r) => r());
}

/** Whether the free-text query matches. */
export function matchQuery(doc: SearchDoc, query: string | undefined): boolean {
  const words = queryWords(query);
  return words.every((w) => doc.text.includes(w));
}

/** The query's terms as text (a quoted phrase is its literal text; see framework/terms.ts). */
function queryWords(query: string | undefined): string[] {
  return queryTerms(query).map((t) => t.text);
}

/** Relevance: how often the query's words occur (title and description). */
function score(doc: SearchDoc, words: string[]): number {
  return words.reduce((n, w) => n + doc.text.split(w).length - 1, 0);
}

/**
 * Sort documents: by the given keys (missing values last), else by relevance when there is a
 * query; ties break on id so paging is stable.
 */
export function sortDocs(docs: SearchDoc[], sort: SortSpec[] | undefined, query: string | undefined): SearchDoc[] {
  const words = queryWords(query);
  const scores = new Map(words.length ? docs.map((d) => [d.id, score(d, words)]) : []);
  const byKey = (a: SearchDoc, b: SearchDoc, s: SortSpec): number => {
    const va = valuesOf(a, s.name)[0];
    const vb = valuesOf(b, s.name)[0];
    if (va === undefined || vb === undefined) return va === vb ? 0 : va === undefined ? 1 : -1;
    const c = typeof va === 'string' && typeof vb === 'string' && !DATE_LIKE.test(va) ? va.localeCompare(vb, 'en') : compare(va, vb);
    return s.order === 'desc' ? -c : c;
  };
  return [...docs].sort((a, b) => {
    for (const s of sort ?? []) {
      const c = byKey(a, b, s);
      if (c !== 0) return c;
    }
    const r = (scores.get(b.id) ?? 0) - (scores.get(a.id) ?? 0);
    if (r !== 0) return r;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** Buckets per facet field over the matching documents, by count then key. */
export function facetBuckets(docs: SearchDoc[], names: string[]): Record<string, FacetBucket[]> {
  const out: Record<string, FacetBucket[]> = {};
  for (const name of names) {
    const counts = new Map<string, number>();
    for (const d of docs) {
      for (const v of new Set(valuesOf(d, name).map(String))) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    out[name] = [...counts]
      .map(([key, doc_count]) => ({ key, doc_count }))
      .sort((a, b) => b.doc_count - a.doc_count || (a.key < b.key ? -1 : 1));
  }
  return out;
}

/** Run a search: the matching documents in order, and the set the facets count over. */
export function runSearch(docs: Iterable<SearchDoc>, c: SearchCriteria): { hits: SearchDoc[]; facetSet: SearchDoc[] } {
  const types = c.doc_types?.length ? new Set(c.doc_types) : undefined;
  const matched: SearchDoc[] = [];
  for (const d of docs) {
    if (types && !types.has(d.docType)) continue;
    if (!matchQuery(d, c.query)) continue;
    if (c.filter && !matchFilter(d, c.filter)) continue;
    matched.push(d);
  }
  // facets_filters narrow the hits but not the facet counts (an Elasticsearch post_filter).
  const post = c.facets_filters ?? [];
  const hits = post.length ? matched.filter((d) => post.every((t) => matchTerm(d, t))) : matched;
  return { hits: sortDocs(hits, c.sort, c.query), facetSet: matched };
}

function termProblems(t: unknown, path: string): string[] {
  if (!isObj(t)) return [`${path} must be an object`];
  const out: string[] = [];
  if (typeof t.name !== 'string' || t.name === '') out.push(`${path}.name is required`);
  if (t.value_in !== undefined && !Array.isArray(t.value_in)) out.push(`${path}.value_in must be a list`);
  if (t.range !== undefined && !isObj(t.range)) out.push(`${path}.range must be an object`);
  return out;
}

function filterProblems(f: unknown, path: string, depth: number): string[] {
  if (!isObj(f)) return [`${path} must be an object`];
  if (depth > 16) return [`${path} is nested too deeply`];
  const out: string[] = [];
  if (f.operator !== 'AND' && f.operator !== 'OR') out.push(`${path}.operator must be AND or OR`);
  if (f.terms !== undefined) {
    if (!Array.isArray(f.terms)) out.push(`${path}.terms must be a list`);
    else f.terms.forEach((t, i) => out.push(...termProblems(t, `${path}.terms[${i}]`)));
  }
  if (f.filters !== undefined) {
    if (!Array.isArray(f.filters)) out.push(`${path}.filters must be a list`);
    else f.filters.forEach((x, i) => out.push(...filterProblems(x, `${path}.filters[${i}]`, depth + 1)));
  }
  return out;
}

/**
 * Validate a search body; answers the criteria or the field errors iconik would report in
 * its `{"errors": {field: [...]}}` form.
 */
export function parseCriteria(body: unknown): { criteria: SearchCriteria } | { errors: Record<string, string[]> } {
  if (body === undefined) return { criteria: {} };
  if (!isObj(body)) return { errors: { _schema: ['Invalid input type.'] } };
  const errors: Record<string, string[]> = {};
  const add = (k: string, msgs: string[]) => {
    if (msgs.length) errors[k] = msgs;
  };
  if (body.query !== undefined && typeof body.query !== 'string') add('query', ['Not a valid string.']);
  for (const k of ['doc_types', 'facets', 'include_fields', 'exclude_fields', 'search_fields'] as const) {
    const v = body[k];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) add(k, ['Not a valid list of strings.']);
  }
  if (body.filter !== undefined) add('filter', filterProblems(body.filter, 'filter', 0));
  if (body.facets_filters !== undefined) {
    add(
      'facets_filters',
      Array.isArray(body.facets_filters)
        ? body.facets_filters.flatMap((t, i) => termProblems(t, `facets_filters[${i}]`))
        : ['Not a valid list.'],
    );
  }
  if (body.sort !== undefined) {
    const ok =
      Array.isArray(body.sort) &&
      body.sort.every((s) => isObj(s) && typeof s.name === 'string' && (s.order === undefined || s.order === 'asc' || s.order === 'desc'));
    if (!ok) add('sort', ['Each sort needs a name and an order of asc or desc.']);
  }
  return Object.keys(errors).length ? { errors } : { criteria: body as SearchCriteria };
}
