/**
 * Canonical filter, sort and cursor -> iconik search criteria. Everything the canonical
 * filter can say about an asset is pushed down into one `POST /search/v1/search/` body, so
 * pages and totals are right at the source.
 *
 * - Lists become `value_in` (any-of; on multi-valued fields, any value matching).
 * - campaignCodes and accountIds together: an asset of either (one OR sub-filter).
 * - territories: any of them, or `WORLD` (worldwide rights match every territory).
 * - validAt t: (validFrom missing OR validFrom <= t) AND (validUntil missing OR validUntil >= t).
 *   iconik ranges are inclusive, so an asset whose rights end exactly at t still matches; the
 *   gateway re-checks effective rights on every object, so that instant costs nothing.
 * - validUntilBetween: a range on validUntil (inclusive at both ends, same caveat).
 * - workspaceIds, classifications and statuses describe Content Server documents; assets
 *   carry none of them, so they are not sent.
 * - text is the reader's words, matched as words: never as iconik's query syntax (`literalQuery`).
 */
import { UpstreamError } from '../http/errors.ts';
import { toVendor, type DamField, type Mapping } from '../mapping.ts';
import type { CanonicalFilter, PageRequest } from '../model.ts';
import { MEDIA_TYPES, type CriteriaFilter, type CriteriaTerm, type SearchCriteria, type SortSpec } from './wire.ts';

/** The criteria for a canonical filter (without paging). */
export function criteriaFor(filter: CanonicalFilter, mapping: Mapping): SearchCriteria {
  const { fields, values } = mapping.iconik;
  const vendor = (f: DamField, list: readonly string[]) => list.map((v) => toVendor(values, f, v));
  const terms: CriteriaTerm[] = [];
  const filters: CriteriaFilter[] = [];
  const anyOf = (f: DamField, list: readonly string[] | undefined) => {
    if (list?.length) terms.push({ name: fields[f], value_in: vendor(f, list) });
  };

  const campaigns = filter.campaignCodes?.length
    ? { name: fields.campaignCode, value_in: vendor('campaignCode', filter.campaignCodes) }
    : undefined;
  const accounts = filter.accountIds?.length ? { name: fields.accountId, value_in: vendor('accountId', filter.accountIds) } : undefined;
  if (campaigns && accounts) filters.push({ operator: 'OR', terms: [campaigns, accounts] });
  else if (campaigns ?? accounts) terms.push((campaigns ?? accounts) as CriteriaTerm);

  anyOf('approval', filter.approvals);
  anyOf('rightsStatus', filter.rightsStatuses);
  anyOf('channels', filter.channels);
  anyOf('locale', filter.locales);
  anyOf('productLine', filter.productLines);
  anyOf('region', filter.regions);
  if (filter.territories?.length) anyOf('territories', [...new Set([...filter.territories, 'WORLD'])]);
  if (filter.kinds?.length) terms.push({ name: 'media_type', value_in: filter.kinds.map((k) => MEDIA_TYPES[k]) });
  if (filter.validAt) {
    const t = filter.validAt;
    filters.push({
      operator: 'OR',
      terms: [
        { name: fields.validFrom, missing: true },
        { name: fields.validFrom, range: { max: t } },
      ],
    });
    filters.push({
      operator: 'OR',
      terms: [
        { name: fields.validUntil, missing: true },
        { name: fields.validUntil, range: { min: t } },
      ],
    });
  }
  const between = filter.validUntilBetween;
  if (between && (between.from || between.to)) {
    terms.push({
      name: fields.validUntil,
      range: { ...(between.from ? { min: between.from } : {}), ...(between.to ? { max: between.to } : {}) },
    });
  }
  if (filter.modifiedSince) terms.push({ name: 'date_modified', range: { min: filter.modifiedSince } });

  const criteria: SearchCriteria = { doc_types: ['assets'], filter: { operator: 'AND', terms, filters } };
  if (filter.text?.trim()) criteria.query = literalQuery(filter.text);
  return criteria;
}

/**
 * What makes a word syntax in iconik's search `query`. vendor-apis.md §3.5 shows only a word; we
 * take the query to be Lucene syntax as Elasticsearch's `query_string` reads it, iconik's search
 * being Elasticsearch (INFERRED): wildcards, field prefixes, grouping, phrases, boosts, ranges,
 * regular expressions, escapes and the symbol operators. `+` and `-` are operators only where a
 * word starts (`Pre-launch` is one word); `<` and `>` cannot be escaped there at all, but inside a
 * phrase they are text.
 */
const SYNTAX = /^[+-]|[=&|!(){}[\]^"~*?:\\/<>]/;
/** The word operators; only in capitals (`and` is a word). */
const OPERATOR = /^(AND|OR|NOT)$/;

/**
 * A reader's text as an iconik `query` that matches it literally: plain words as they are, and
 * any word carrying syntax, or a word operator, as a quoted phrase (inside which only `"` and
 * `\` are syntax, so those two are escaped). `*` finds a literal `*`, not everything.
 */
export function literalQuery(text: string): string {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => (SYNTAX.test(w) || OPERATOR.test(w) ? `"${w.replace(/["\\]/g, '\\$&')}"` : w))
    .join(' ');
}

/** iconik sort for a canonical sort: `date` is the modification date; `relevance` is iconik's own order. */
export function sortFor(sort: PageRequest['sort']): SortSpec[] | undefined {
  if (!sort || sort.field === 'relevance') return undefined;
  return [{ name: sort.field === 'date' ? 'date_modified' : 'title', order: sort.direction }];
}

interface Cursor {
  page: number;
  perPage: number;
}

/** An opaque cursor: the next page number with the page size it belongs to. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify({ p: c.page, n: c.perPage })).toString('base64url');
}

/** Decode a cursor; a cursor we did not make is a BAD_REQUEST, not a crash. */
export function decodeCursor(s: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { p?: unknown; n?: unknown };
    if (Number.isInteger(v.p) && Number.isInteger(v.n) && (v.p as number) >= 1 && (v.n as number) >= 1)
      return { page: v.p as number, perPage: v.n as number };
  } catch {
    // fall through to the typed error
  }
  throw new UpstreamError('ICONIK', 'BAD_REQUEST', 'invalid page cursor');
}
