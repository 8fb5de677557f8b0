/**
 * The categories the simulated Content Server knows: the three of the metadata mapping (the
 * document category, the campaign and the account workspace categories), their attribute
 * definitions, and how written values are checked and stored.
 *
 * Keys are `{category}_{attribute}` (vendor-apis §1.6); the category volume of this server
 * holds exactly the mapping's categories, so any other category id, a set-row key
 * (`{cat}_{set}_{row}_{attr}`: the demo categories have no sets) or an attribute the category
 * does not define is refused by the write routes. Values are stored in the form the read
 * routes already serve for the world: multi-valued attributes as lists, dates as zone-less
 * date-times (UTC, vendor-apis §1.4), booleans as booleans, everything else as text.
 */
import {
  ACCOUNT_ATTRIBUTES,
  CAMPAIGN_ATTRIBUTES,
  DOCUMENT_FIELDS,
  toCanonical,
  toVendor,
  type DocumentField,
  type Mapping,
} from '../../sources/mapping.ts';
import { MULTI_VALUED_FIELDS, type CanonicalMetadata } from '../../sources/model.ts';
import type { WireCategoryValues } from '../../sources/otcs/wire.ts';

export type AttributeType = 'String' | 'Date' | 'Boolean';
export type CategoryValue = WireCategoryValues[string];
/** Values of one category, keyed `{cat}_{attr}`. */
export type CategoryValues = Record<string, CategoryValue>;

export interface AttributeDef {
  key: string;
  name: string;
  type: AttributeType;
  multi: boolean;
}

export interface CategoryDef {
  id: number;
  name: string;
  /** Attribute definitions by key, in the category's order. */
  attributes: Map<string, AttributeDef>;
}

const DOCUMENT_TITLES: Record<DocumentField, string> = {
  campaignCode: 'Campaign Code',
  accountId: 'Account ID',
  project: 'Project',
  productLine: 'Product Line',
  region: 'Region',
  classification: 'Classification',
  status: 'Status',
  rightsStatus: 'Rights Status',
  validFrom: 'Valid From',
  validUntil: 'Valid Until',
  territories: 'Territories',
  channels: 'Channels',
  locale: 'Locale',
};

const CAMPAIGN_DEFS: Record<(typeof CAMPAIGN_ATTRIBUTES)[number], { name: string; type: AttributeType; multi: boolean }> = {
  code: { name: 'Campaign Code', type: 'String', multi: false },
  status: { name: 'Status', type: 'String', multi: false },
  productLine: { name: 'Product Line', type: 'String', multi: false },
  regions: { name: 'Regions', type: 'String', multi: true },
  startDate: { name: 'Start Date', type: 'Date', multi: false },
  endDate: { name: 'End Date', type: 'Date', multi: false },
  openToAllPartners: { name: 'Open to All Partners', type: 'Boolean', multi: false },
  audience: { name: 'Audience', type: 'String', multi: true },
  project: { name: 'Project', type: 'String', multi: false },
};

const ACCOUNT_DEFS: Record<(typeof ACCOUNT_ATTRIBUTES)[number], string> = { accountId: 'Account ID', kind: 'Kind', region: 'Region' };

/** The mapping's categories with their attribute definitions, by category id. */
export function categoryDefs(mapping: Mapping): Map<number, CategoryDef> {
  const doc = mapping.otcs.documentCategory;
  const camp = mapping.otcs.campaignCategory;
  const acct = mapping.otcs.accountCategory;
  const defs = new Map<number, CategoryDef>();
  const add = (id: number, name: string, attrs: AttributeDef[]) =>
    defs.set(id, { id, name, attributes: new Map(attrs.map((a) => [a.key, a])) });
  add(
    doc.id,
    doc.name,
    DOCUMENT_FIELDS.map((f) => ({
      key: doc.attributes[f],
      name: DOCUMENT_TITLES[f],
      type: f === 'validFrom' || f === 'validUntil' ? 'Date' : 'String',
      multi: MULTI_VALUED_FIELDS.has(f),
    })),
  );
  add(
    camp.id,
    camp.name,
    CAMPAIGN_ATTRIBUTES.map((f) => ({ key: camp.attributes[f], ...CAMPAIGN_DEFS[f] })),
  );
  add(
    acct.id,
    acct.name,
    ACCOUNT_ATTRIBUTES.map((f) => ({ key: acct.attributes[f], name: ACCOUNT_DEFS[f], type: 'String', multi: false })),
  );
  return defs;
}

/** The category id of an attribute key (`9830_2` -> 9830), or null for anything that is not one. */
export function categoryOfKey(key: string): number | null {
  const m = /^(\d+)_\d+(_\d+_\d+)?$/.exec(key);
  return m ? Number(m[1]) : null;
}

/** Why a written value was refused (the route turns it into the vendor's answer). */
export class CategoryError extends Error {
  override readonly name = 'CategoryError';
  constructor(
    readonly reason: 'unknown-category' | 'unknown-attribute' | 'bad-value' | 'malformed',
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A date value as stored: zone-less `YYYY-MM-DDTHH:mm:ss`, UTC (zone-less input counts as UTC). */
function dateValue(raw: string, key: string): string | null {
  const s = raw.trim();
  if (s === '') return null;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s : `${s}Z`;
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(t)) throw new CategoryError('bad-value', key, `'${s.slice(0, 40)}' is not a date`);
  return new Date(t).toISOString().slice(0, 19);
}

function scalar(def: AttributeDef, raw: unknown): string | number | boolean | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')
    throw new CategoryError('bad-value', def.key, 'a value must be text, a number or a boolean');
  if (def.type === 'Boolean') {
    if (raw === true || raw === 'true' || raw === 1 || raw === '1') return true;
    if (raw === false || raw === 'false' || raw === 0 || raw === '0' || raw === '') return false;
    throw new CategoryError('bad-value', def.key, `'${String(raw).slice(0, 40)}' is not a boolean`);
  }
  if (def.type === 'Date') return dateValue(String(raw), def.key);
  return typeof raw === 'boolean' ? String(raw) : raw;
}

/** A written value in its stored form: lists for multi-valued attributes (empty strings dropped). */
export function normalizeValue(def: AttributeDef, raw: unknown): CategoryValue {
  if (def.multi) {
    const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
    return list.map((x) => scalar(def, x)).filter((x): x is string | number => x !== null && x !== '' && typeof x !== 'boolean');
  }
  if (Array.isArray(raw)) throw new CategoryError('bad-value', def.key, 'the attribute takes one value, not a list');
  return scalar(def, raw);
}

/**
 * `roles.categories` of a create body, flat (`{"9830_2": v}`, what uploads send) or nested
 * per category (`{"9830": {"9830_2": v}}`, what pyxecm sends for workspaces; vendor-apis-writes
 * §2.1: both are accepted). Returns the values per category, checked against the definitions.
 */
export function parseRolesCategories(raw: unknown, defs: Map<number, CategoryDef>): Map<number, CategoryValues> {
  const out = new Map<number, CategoryValues>();
  if (raw === undefined || raw === null) return out;
  if (!isObj(raw)) throw new CategoryError('malformed', '', 'categories must be an object');
  const put = (key: string, value: unknown) => {
    const catId = categoryOfKey(key);
    if (catId === null) throw new CategoryError('malformed', key, `'${key.slice(0, 40)}' is not an attribute key`);
    const def = defs.get(catId);
    if (!def) throw new CategoryError('unknown-category', key, `category ${catId} does not exist`);
    const attr = def.attributes.get(key);
    if (!attr) throw new CategoryError('unknown-attribute', key, `category ${catId} has no attribute '${key.slice(0, 40)}'`);
    out.set(catId, { ...(out.get(catId) ?? {}), [key]: normalizeValue(attr, value) });
  };
  for (const [k, v] of Object.entries(raw)) {
    if (/^\d+$/.test(k)) {
      if (!isObj(v)) throw new CategoryError('malformed', k, `category ${k} must map attribute keys to values`);
      const def = defs.get(Number(k));
      if (!def) throw new CategoryError('unknown-category', k, `category ${k} does not exist`);
      // The category key alone applies it with its defaults (no values).
      if (!out.has(def.id)) out.set(def.id, {});
      for (const [key, value] of Object.entries(v)) {
        if (categoryOfKey(key) !== def.id)
          throw new CategoryError('unknown-attribute', key, `'${key.slice(0, 40)}' is not an attribute of category ${k}`);
        put(key, value);
      }
    } else put(k, v);
  }
  return out;
}

/** A category applied with no values: every attribute empty (a list for multi-valued ones). */
export function emptyValues(def: CategoryDef): CategoryValues {
  return Object.fromEntries([...def.attributes.values()].map((a) => [a.key, a.multi ? [] : null]));
}

const DATE_FIELDS: ReadonlySet<DocumentField> = new Set(['validFrom', 'validUntil']);

/** Category date values as older servers send them: no zone (vendor-apis §1.4), meaning UTC. */
export const naiveDate = (iso: string): string => new Date(iso).toISOString().slice(0, 19);

/** Document category values of canonical metadata, keyed `{cat}_{attr}` (vendor values via the mapping). */
export function documentCategory(doc: { metadata: CanonicalMetadata }, mapping: Mapping): CategoryValues {
  const cat = mapping.otcs.documentCategory;
  const values = mapping.otcs.values;
  const out: CategoryValues = {};
  for (const field of DOCUMENT_FIELDS) {
    const key = cat.attributes[field];
    const v = doc.metadata[field];
    if (MULTI_VALUED_FIELDS.has(field)) out[key] = Array.isArray(v) ? v.map((x) => toVendor(values, field, String(x))) : [];
    else if (v === undefined) out[key] = null;
    else if (DATE_FIELDS.has(field)) out[key] = naiveDate(String(v));
    else out[key] = toVendor(values, field, String(v));
  }
  return out;
}

/**
 * Canonical metadata of document category values (the inverse of `documentCategory`): what
 * the simulator's own decisions about a written document (its permissions) go by. Values
 * outside the canonical vocabulary are kept as they are.
 */
export function metadataFromCategory(values: CategoryValues, mapping: Mapping): CanonicalMetadata {
  const cat = mapping.otcs.documentCategory.attributes;
  const m: Record<string, unknown> = {};
  for (const field of DOCUMENT_FIELDS) {
    const v = values[cat[field]];
    if (MULTI_VALUED_FIELDS.has(field)) {
      const list = (Array.isArray(v) ? v : [])
        .filter((x) => x !== null && x !== '')
        .map((x) => toCanonical(mapping.otcs.values, field, String(x)));
      if (list.length) m[field] = list;
    } else if (v !== null && v !== undefined && v !== '' && !Array.isArray(v)) {
      const text = toCanonical(mapping.otcs.values, field, String(v));
      const t = DATE_FIELDS.has(field) ? Date.parse(`${text.replace(/Z$/, '')}Z`) : NaN;
      if (!DATE_FIELDS.has(field)) m[field] = text;
      else if (!Number.isNaN(t)) m[field] = new Date(t).toISOString();
    }
  }
  return m as CanonicalMetadata;
}
