/**
 * CanonicalFilter -> OTMM `/search/text` form fields. Each filter part becomes one
 * parenthesised group of conditions OR'ed inside, and the groups are AND'ed, so the whole
 * filter is pushed down and pages and totals are right at the source. The text becomes the
 * `keyword_query`, matched as the reader's words, never as keyword syntax (`keywordQuery`).
 *
 * Document-only parts (workspaceIds, classifications, statuses) do not apply to DAM assets
 * and are ignored here.
 */
import { MULTI_VALUED_FIELDS, type CanonicalFilter } from '../model.ts';
import { DAM_FIELDS, toVendor, type DamField, type Mapping } from '../mapping.ts';
import { UpstreamError } from '../http/errors.ts';
import {
  CONTENT_TYPES,
  OPERATORS,
  SYSTEM_FIELDS,
  type OperatorId,
  type OtmmFacetFieldRequestList,
  type OtmmScalarCondition,
  type OtmmSearchCondition,
  type OtmmSearchConditionList,
  type OtmmTabularCondition,
} from './wire.ts';

type Condition = OtmmSearchCondition;

/** One condition on a field; multi-valued fields use the tabular form the vendor shows. */
function condition(mapping: Mapping | undefined, field: DamField | string, op: OperatorId, value?: string | string[]): Condition {
  const id = mapping && (DAM_FIELDS as readonly string[]).includes(field) ? mapping.otmm.fields[field as DamField] : field;
  const operand = value === undefined ? {} : Array.isArray(value) ? { value_list: value } : { value };
  if (MULTI_VALUED_FIELDS.has(field as DamField)) {
    const tabular: OtmmTabularCondition = {
      type: 'com.artesia.search.SearchTabularCondition',
      metadata_table_id: id,
      tabular_field_list: [
        { type: 'com.artesia.search.SearchTabularFieldCondition', metadata_field_id: id, relational_operator_id: op, ...operand },
      ],
    };
    return tabular;
  }
  const scalar: OtmmScalarCondition = {
    type: 'com.artesia.search.SearchScalarCondition',
    metadata_field_id: id,
    relational_operator_id: op,
    ...operand,
  };
  return scalar;
}

/** Wrap alternatives in one parenthesised OR group, joined to what precedes it with AND. */
function group(alternatives: Condition[]): Condition[] {
  return alternatives.map((c, i) => ({
    ...c,
    relational_operator: i === 0 ? 'and' : 'or',
    ...(i === 0 ? { left_paren: '(' } : {}),
    ...(i === alternatives.length - 1 ? { right_paren: ')' } : {}),
  }));
}

/** Thrown when a present list is empty: nothing can match, so no request is needed. */
export class NothingMatches extends Error {
  override readonly name = 'NothingMatches';
}

const present = <T>(list: readonly T[] | undefined): list is readonly T[] => list !== undefined;

/** The search conditions for a filter (empty: everything). Throws NothingMatches for an unsatisfiable filter. */
export function filterConditions(filter: CanonicalFilter, mapping: Mapping): Condition[] {
  const groups: Condition[][] = [];
  const vendor = (f: DamField, values: readonly string[]) => values.map((v) => toVendor(mapping.otmm.values, f, v));
  const anyOf = (f: DamField, values: readonly string[] | undefined, extra: string[] = []) => {
    if (!present(values)) return;
    if (values.length === 0) throw new NothingMatches();
    groups.push([condition(mapping, f, OPERATORS.isOneOf, [...new Set([...vendor(f, values), ...extra])])]);
  };

  // Campaign codes and account ids are alternatives: an asset of either kind of owner matches.
  const owners: Condition[] = [];
  if (filter.campaignCodes?.length)
    owners.push(condition(mapping, 'campaignCode', OPERATORS.isOneOf, vendor('campaignCode', filter.campaignCodes)));
  if (filter.accountIds?.length) owners.push(condition(mapping, 'accountId', OPERATORS.isOneOf, vendor('accountId', filter.accountIds)));
  if ((present(filter.campaignCodes) || present(filter.accountIds)) && owners.length === 0) throw new NothingMatches();
  if (owners.length) groups.push(owners);

  anyOf('approval', filter.approvals);
  anyOf('rightsStatus', filter.rightsStatuses);
  anyOf('channels', filter.channels);
  // An asset cleared for WORLD is cleared for every territory asked about.
  anyOf('territories', filter.territories, filter.territories?.length ? ['WORLD'] : []);
  anyOf('locale', filter.locales);
  anyOf('productLine', filter.productLines);
  anyOf('region', filter.regions);
  if (present(filter.kinds)) {
    if (filter.kinds.length === 0) throw new NothingMatches();
    groups.push([
      condition(
        undefined,
        SYSTEM_FIELDS.contentType,
        OPERATORS.isOneOf,
        filter.kinds.flatMap((k) => [...CONTENT_TYPES[k]]),
      ),
    ]);
  }
  if (filter.validAt !== undefined) {
    const at = isoOrThrow(filter.validAt);
    groups.push([condition(mapping, 'validFrom', OPERATORS.dateIsEmpty), condition(mapping, 'validFrom', OPERATORS.dateIsOnOrBefore, at)]);
    groups.push([condition(mapping, 'validUntil', OPERATORS.dateIsEmpty), condition(mapping, 'validUntil', OPERATORS.dateIsAfter, at)]);
  }
  if (filter.validUntilBetween !== undefined) {
    const { from, to } = filter.validUntilBetween;
    if (from !== undefined) groups.push([condition(mapping, 'validUntil', OPERATORS.dateIsOnOrAfter, isoOrThrow(from))]);
    if (to !== undefined) groups.push([condition(mapping, 'validUntil', OPERATORS.dateIsBefore, isoOrThrow(to))]);
    // Open at both ends still means "rights that end": a missing validUntil never does.
    if (from === undefined && to === undefined) groups.push([condition(mapping, 'validUntil', OPERATORS.dateIsNotEmpty)]);
  }
  if (filter.modifiedSince !== undefined)
    groups.push([condition(undefined, SYSTEM_FIELDS.dateLastUpdated, OPERATORS.dateIsOnOrAfter, isoOrThrow(filter.modifiedSince))]);
  return groups.flatMap(group);
}

function isoOrThrow(v: string): string {
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UpstreamError('OTMM', 'BAD_REQUEST', 'filter date is not a date');
  return new Date(t).toISOString();
}

/** The conditions selecting assets by id (one IS_ONE_OF, so any number of ids is one request). */
export function idConditions(ids: readonly string[]): Condition[] {
  return [condition(undefined, SYSTEM_FIELDS.assetId, OPERATORS.isOneOf, [...ids])];
}

/** Assets updated at or after an instant (for change polling). */
export function updatedSinceConditions(iso: string): Condition[] {
  return [condition(undefined, SYSTEM_FIELDS.dateLastUpdated, OPERATORS.dateIsOnOrAfter, iso)];
}

/**
 * What makes a word syntax in OTMM's keyword search. The keyword syntax is not documented
 * (vendor-apis.md §5 shows only `*` for everything); we take it to be the Lucene syntax of the
 * Solr index OTMM searches (INFERRED): wildcards, field prefixes, grouping, phrases, boosts,
 * fuzziness, ranges, regular expressions, escapes and the symbol operators. `+` and `-` are
 * operators only where a word starts (`Pre-launch` is one word).
 */
const KEYWORD_SYNTAX = /^[+-]|[=&|!(){}[\]^"~*?:\\/<>]/;
/** The word operators; only in capitals (`and` is a word). */
const KEYWORD_OPERATOR = /^(AND|OR|NOT)$/;

/**
 * `keyword_query` for a reader's text: `*` (everything) when it is blank, else its words matched
 * literally: plain words as they are, and any word carrying syntax, or a word operator, as a
 * quoted phrase (inside which only `"` and `\` are syntax, so those two are escaped). The text
 * `*` finds a literal `*`, not everything.
 */
export function keywordQuery(text: string | undefined): string {
  const words = (text ?? '').split(/\s+/).filter(Boolean);
  if (words.length === 0) return '*';
  return words.map((w) => (KEYWORD_SYNTAX.test(w) || KEYWORD_OPERATOR.test(w) ? `"${w.replace(/["\\]/g, '\\$&')}"` : w)).join(' ');
}

/** `search_condition_list` as the JSON string the form carries (undefined when empty). */
export function conditionListJson(conditions: Condition[]): string | undefined {
  if (conditions.length === 0) return undefined;
  const doc: OtmmSearchConditionList = { search_condition_list: { search_condition: conditions } };
  return JSON.stringify(doc);
}

/** Canonical fields the client facets on (plus the content type, read back as `kind`). */
export const FACET_FIELDS: readonly DamField[] = [
  'campaignCode',
  'approval',
  'rightsStatus',
  'locale',
  'region',
  'productLine',
  'territories',
  'channels',
];

/** `facet_field_request_list` JSON for the canonical facets. */
export function facetRequestJson(mapping: Mapping): string {
  const ids = [...FACET_FIELDS.map((f) => mapping.otmm.fields[f]), SYSTEM_FIELDS.contentType];
  const doc: OtmmFacetFieldRequestList = {
    facet_field_request_list: {
      facet_field_request: ids.map((field_id) => ({ type: 'com.artesia.search.facet.FacetSimpleFieldRequest', field_id, max_values: 100 })),
    },
  };
  return JSON.stringify(doc);
}
