/**
 * Metadata mapping: which vendor field carries each canonical field, per system. It is
 * configuration (config/mapping.*.json, or MAPPING_FILE), not code, so a real deployment maps
 * its own category attributes, iconik view fields, NetX attributes and OTMM field ids.
 * `parseMapping` reports every missing or malformed entry at once, naming each.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CanonicalField } from './model.ts';

/** Canonical fields every DAM mapping must carry. */
export const DAM_FIELDS = [
  'campaignCode',
  'accountId',
  'productLine',
  'region',
  'approval',
  'rightsStatus',
  'validFrom',
  'validUntil',
  'territories',
  'channels',
  'locale',
  'licenceId',
] as const satisfies readonly CanonicalField[];
export type DamField = (typeof DAM_FIELDS)[number];

/** Canonical fields a Content Server document category must carry. */
export const DOCUMENT_FIELDS = [
  'campaignCode',
  'accountId',
  'project',
  'productLine',
  'region',
  'classification',
  'status',
  'rightsStatus',
  'validFrom',
  'validUntil',
  'territories',
  'channels',
  'locale',
] as const satisfies readonly CanonicalField[];
export type DocumentField = (typeof DOCUMENT_FIELDS)[number];

export const CAMPAIGN_ATTRIBUTES = [
  'code',
  'status',
  'productLine',
  'regions',
  'startDate',
  'endDate',
  'openToAllPartners',
  'audience',
  'project',
] as const;
export const ACCOUNT_ATTRIBUTES = ['accountId', 'kind', 'region'] as const;

/** Vendor value -> canonical value, per canonical field (e.g. NetX "Approved" -> APPROVED). */
export type ValueMap = Partial<Record<CanonicalField, Record<string, string>>>;

export interface CategoryMapping<K extends string> {
  id: number;
  name: string;
  attributes: Record<K, string>;
}

export interface Mapping {
  otcs: {
    documentCategory: CategoryMapping<DocumentField>;
    campaignCategory: CategoryMapping<(typeof CAMPAIGN_ATTRIBUTES)[number]>;
    accountCategory: CategoryMapping<(typeof ACCOUNT_ATTRIBUTES)[number]>;
    workspaceTypes: { Campaign: number; Customer: number; Partner: number };
    values?: ValueMap;
  };
  iconik: { metadataViewId: string; fields: Record<DamField, string>; values?: ValueMap };
  netx: { attributes: Record<DamField, string>; values?: ValueMap };
  otmm: { metadataModelId: string; fields: Record<DamField, string>; values?: ValueMap };
}

export class MappingError extends Error {
  override readonly name = 'MappingError';
  constructor(readonly problems: string[]) {
    super(`metadata mapping is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validate a parsed mapping document; throws MappingError naming every bad field. */
export function parseMapping(doc: unknown): Mapping {
  const problems: string[] = [];
  const obj = (v: unknown, path: string): Record<string, unknown> => {
    if (!isObj(v)) {
      problems.push(`${path} is missing or not an object`);
      return {};
    }
    return v;
  };
  const str = (o: Record<string, unknown>, key: string, path: string, re?: RegExp) => {
    const v = o[key];
    if (typeof v !== 'string' || v.trim() === '') problems.push(`${path}.${key} is missing or not a non-empty string`);
    else if (re && !re.test(v)) problems.push(`${path}.${key} is malformed: "${v}" does not match ${re}`);
  };
  const int = (o: Record<string, unknown>, key: string, path: string) => {
    if (!Number.isInteger(o[key]) || (o[key] as number) <= 0) problems.push(`${path}.${key} is missing or not a positive integer`);
  };
  const values = (o: Record<string, unknown>, path: string) => {
    if (o.values === undefined) return;
    const v = obj(o.values, `${path}.values`);
    for (const [field, m] of Object.entries(v)) {
      if (!isObj(m) || Object.values(m).some((x) => typeof x !== 'string'))
        problems.push(`${path}.values.${field} must map vendor strings to canonical strings`);
    }
  };
  const root = obj(doc, 'mapping');
  const otcs = obj(root.otcs, 'otcs');
  const category = (key: string, fields: readonly string[]) => {
    const path = `otcs.${key}`;
    const c = obj(otcs[key], path);
    int(c, 'id', path);
    str(c, 'name', path);
    const attrs = obj(c.attributes, `${path}.attributes`);
    const prefix = Number.isInteger(c.id) ? `${c.id as number}_` : '';
    for (const f of fields) {
      str(attrs, f, `${path}.attributes`, /^\d+_\d+(_\d+_\d+)?$/);
      const v = attrs[f];
      if (prefix && typeof v === 'string' && /^\d+_/.test(v) && !v.startsWith(prefix)) {
        problems.push(`${path}.attributes.${f} is malformed: "${v}" does not belong to category ${c.id as number}`);
      }
    }
  };
  category('documentCategory', DOCUMENT_FIELDS);
  category('campaignCategory', CAMPAIGN_ATTRIBUTES);
  category('accountCategory', ACCOUNT_ATTRIBUTES);
  const wt = obj(otcs.workspaceTypes, 'otcs.workspaceTypes');
  for (const t of ['Campaign', 'Customer', 'Partner']) int(wt, t, 'otcs.workspaceTypes');
  values(otcs, 'otcs');

  const iconik = obj(root.iconik, 'iconik');
  str(iconik, 'metadataViewId', 'iconik', /^[0-9a-f-]{36}$/i);
  const ifields = obj(iconik.fields, 'iconik.fields');
  for (const f of DAM_FIELDS) str(ifields, f, 'iconik.fields', /^[A-Za-z_][A-Za-z0-9_]*$/);
  values(iconik, 'iconik');

  const netx = obj(root.netx, 'netx');
  const nattrs = obj(netx.attributes, 'netx.attributes');
  for (const f of DAM_FIELDS) str(nattrs, f, 'netx.attributes');
  values(netx, 'netx');

  const otmm = obj(root.otmm, 'otmm');
  str(otmm, 'metadataModelId', 'otmm');
  const ofields = obj(otmm.fields, 'otmm.fields');
  for (const f of DAM_FIELDS) str(ofields, f, 'otmm.fields', /^[A-Z0-9_.]+$/);
  values(otmm, 'otmm');

  if (problems.length) throw new MappingError(problems);
  return Object.freeze(root) as unknown as Mapping;
}

/** Read and validate a mapping file (JSON). */
export function loadMapping(path: string): Mapping {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new MappingError([`cannot read ${path}: ${(e as Error).message}`]);
  }
  return parseMapping(doc);
}

/** The demo mapping, matching the simulators. */
export const DEMO_MAPPING_FILE = fileURLToPath(new URL('../config/mapping.demo.json', import.meta.url));
export const demoMapping = (): Mapping => loadMapping(DEMO_MAPPING_FILE);

/** Canonical value of a vendor value (identity when the field has no value map). */
export function toCanonical(values: ValueMap | undefined, field: CanonicalField, vendor: string): string {
  return values?.[field]?.[vendor] ?? vendor;
}

/** Vendor value of a canonical value (identity when the field has no value map). */
export function toVendor(values: ValueMap | undefined, field: CanonicalField, canonical: string): string {
  const m = values?.[field];
  if (!m) return canonical;
  return Object.entries(m).find(([, c]) => c === canonical)?.[0] ?? canonical;
}
