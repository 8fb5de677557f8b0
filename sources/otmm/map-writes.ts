/**
 * Canonical write values -> OTMM edit bodies (vendor-apis-writes.md §7.2): the inverse of
 * map.ts, so that a value written reads back as the same canonical value. Field ids come from
 * the mapping, values go through its value maps (`toVendor`), dates are written as ISO
 * instants typed `dateTime`, and multi-valued fields as one table field whose rows are the
 * values (the row form map.ts reads). Pure; bad input is UpstreamError BAD_REQUEST (nothing is
 * sent), a wrong answer structure MALFORMED.
 */
import { APPROVAL_STATUSES, MULTI_VALUED_FIELDS, REGIONS, RIGHTS_STATUSES } from '../model.ts';
import { toCanonical, toVendor, type DamField, type Mapping } from '../mapping.ts';
import type { DamFieldValues } from '../ports.ts';
import { UpstreamError } from '../http/errors.ts';
import { malformed } from './map.ts';
import type { OtmmEditedAsset, OtmmEditedField } from './wire.ts';

/** The canonical fields a write may carry (DamFieldValues), in the order they are written. */
export const WRITABLE_FIELDS = ['approval', 'rightsStatus', 'validFrom', 'validUntil', 'territories', 'channels'] as const;
type WritableField = (typeof WRITABLE_FIELDS)[number];

const DATE_FIELDS: ReadonlySet<DamField> = new Set(['validFrom', 'validUntil']);
const TERRITORIES: readonly string[] = [...REGIONS, 'WORLD'];

/** One field to write: its OTMM id, and its values canonical and vendor (`[]` clears it). */
export interface FieldWrite {
  field: WritableField;
  id: string;
  canonical: string[];
  vendor: string[];
}

const bad = (what: string) => new UpstreamError('OTMM', 'BAD_REQUEST', what);

/** The canonical values of one field as a list ([] for null or an empty list), checked. */
function canonicalList(field: WritableField, v: unknown): string[] {
  if (v === null) return [];
  if (MULTI_VALUED_FIELDS.has(field)) {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) throw bad(`${field} must be a list of values`);
    if (field === 'territories' && !v.every((t) => TERRITORIES.includes(t))) throw bad('territories must be regions or WORLD');
    return [...new Set(v as string[])];
  }
  if (typeof v !== 'string' || v === '') throw bad(`${field} must be a value`);
  if (DATE_FIELDS.has(field)) {
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw bad(`${field} is not a date`);
    return [new Date(t).toISOString()];
  }
  if (field === 'approval' && !(APPROVAL_STATUSES as readonly string[]).includes(v)) throw bad('approval is not an approval status');
  if (field === 'rightsStatus' && !(RIGHTS_STATUSES as readonly string[]).includes(v)) throw bad('rightsStatus is not a rights status');
  return [v];
}

/** The fields a write touches (those present in `values`), checked and mapped; [] when none. */
export function fieldWrites(values: DamFieldValues, mapping: Mapping): FieldWrite[] {
  const out: FieldWrite[] = [];
  for (const field of WRITABLE_FIELDS) {
    const v: unknown = values[field];
    if (v === undefined) continue;
    const canonical = canonicalList(field, v);
    const vendor = DATE_FIELDS.has(field) ? canonical : canonical.map((c) => toVendor(mapping.otmm.values, field, c));
    out.push({ field, id: mapping.otmm.fields[field], canonical, vendor });
  }
  return out;
}

/** The `metadata` list of an edit for these writes (the SEEN scalar form; the row form for lists). */
export function editedMetadata(writes: readonly FieldWrite[]): OtmmEditedField[] {
  return writes.map((w): OtmmEditedField => {
    if (MULTI_VALUED_FIELDS.has(w.field))
      return {
        id: w.id,
        type: 'com.artesia.metadata.MetadataTableField',
        values: w.vendor.map((value) => ({ value: { type: 'string', value } })),
      };
    const type = DATE_FIELDS.has(w.field) ? 'dateTime' : 'string';
    const [value] = w.vendor;
    return { id: w.id, type: 'com.artesia.metadata.MetadataField', value: { value: value === undefined ? { type } : { type, value } } };
  });
}

/** The edit body that writes these fields. */
export function metadataEdit(writes: readonly FieldWrite[]): OtmmEditedAsset {
  return { edited_asset: { data: { metadata: editedMetadata(writes) } } };
}

/** The edit body that sets an asset's security policies to exactly `ids`. */
export function policyEdit(ids: readonly number[]): OtmmEditedAsset {
  return { edited_asset: { data: { security_policy_list: ids.map((id) => ({ id })) } } };
}

/**
 * Whether the asset already holds every write, in canonical terms (value maps applied, dates
 * as instants, lists as sets), given its fields as map.ts `readFields` reads them.
 */
export function alreadyWritten(writes: readonly FieldWrite[], current: ReadonlyMap<string, readonly string[]>, mapping: Mapping): boolean {
  return writes.every((w) => {
    const now = (current.get(w.id) ?? []).map((v) => {
      if (!DATE_FIELDS.has(w.field)) return toCanonical(mapping.otmm.values, w.field, v);
      const t = Date.parse(v);
      return Number.isNaN(t) ? v : new Date(t).toISOString();
    });
    if (MULTI_VALUED_FIELDS.has(w.field)) {
      const have = new Set(now);
      return have.size === w.canonical.length && w.canonical.every((c) => have.has(c));
    }
    return now.length === w.canonical.length && now[0] === w.canonical[0];
  });
}

/** The security policy ids of an asset read at `level_of_detail=full`; MALFORMED when it carries none. */
export function policyIdsOf(asset: unknown): number[] {
  const list = typeof asset === 'object' && asset !== null ? (asset as Record<string, unknown>).security_policy_list : undefined;
  if (!Array.isArray(list)) malformed('asset.security_policy_list is missing');
  return list.map((p) => {
    const id = typeof p === 'object' && p !== null ? (p as Record<string, unknown>).id : undefined;
    const n = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) malformed('asset.security_policy_list[].id is missing');
    return n;
  });
}

/**
 * The policy ids of distribution containers named by a caller (decimal strings), each one of
 * the configured distribution policies; BAD_REQUEST otherwise (so no other policy, such as the
 * one that lets internal users see the asset, is ever taken off or put on).
 */
export function distributionIds(containers: readonly string[], configured: readonly number[]): number[] {
  const ids = containers.map((c) => (/^\d{1,15}$/.test(c) ? Number(c) : NaN));
  if (!ids.every((id) => configured.includes(id))) throw bad('not a configured distribution security policy');
  return [...new Set(ids)];
}
