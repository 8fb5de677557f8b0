/**
 * Canonical field values -> the `metadata_values` of an iconik view PUT (vendor-apis-writes
 * §4.1): the inverse of what map.ts reads, so a value written reads back as the same canonical
 * value. Field names come from the mapping (`iconik.fields`), values through its value maps
 * (`toVendor`, the inverse of the reads' `toCanonical`); dates leave in iconik's wire format
 * (`iconikDate`), which the reads parse back to the same instant. Every field is written whole
 * (`mode: "overwrite"`); `null` or an empty list clears it (`field_values: []`).
 *
 * Pure, and strict: a value the reads would not give back (an approval or rights status that is
 * not one, a territory that is not a region or WORLD, a date that does not parse, an empty
 * channel) is refused here as BAD_REQUEST before any request, naming the field, never the value.
 */
import { UpstreamError } from '../http/errors.ts';
import { toVendor, type Mapping } from '../mapping.ts';
import { APPROVAL_STATUSES, REGIONS, RIGHTS_STATUSES } from '../model.ts';
import type { DamFieldValues } from '../ports.ts';
import { iconikDate, type MetadataValuesPut } from './wire.ts';

/** The canonical fields a write-back sets, in the order they are sent. */
export const WRITABLE_FIELDS = [
  'approval',
  'rightsStatus',
  'validFrom',
  'validUntil',
  'territories',
  'channels',
] as const satisfies readonly (keyof DamFieldValues)[];
export type WritableField = (typeof WRITABLE_FIELDS)[number];

/** Longest channel name accepted (a tag, not a text). */
const MAX_CHANNEL = 200;

const bad = (message: string) => new UpstreamError('ICONIK', 'BAD_REQUEST', message);

function oneOf(allowed: readonly string[], v: unknown, field: WritableField): string {
  if (typeof v !== 'string' || !allowed.includes(v)) throw bad(`${field}: not one of ${allowed.join(', ')}`);
  return v;
}

function dateValue(v: unknown, field: WritableField): string[] {
  if (v === '') return [];
  const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t)) throw bad(`${field}: not an ISO date-time`);
  return [iconikDate(t)];
}

function listOf(v: unknown, field: WritableField, check: (x: unknown) => string): string[] {
  if (!Array.isArray(v)) throw bad(`${field}: not a list`);
  return [...new Set(v.map(check))];
}

const territory = (x: unknown): string => {
  if (x !== 'WORLD' && !(REGIONS as readonly unknown[]).includes(x)) throw bad(`territories: not a region or WORLD`);
  return x as string;
};

const channel = (x: unknown): string => {
  // Control characters would not survive as a tag; a blank one reads back as nothing.
  if (typeof x !== 'string' || x.trim() === '' || x.length > MAX_CHANNEL || /\p{Cc}/u.test(x))
    throw bad(`channels: a channel is empty, too long or not text`);
  return x;
};

/**
 * The vendor values one canonical field is written as (the mapping's value map applied); `[]`
 * clears the field. Throws BAD_REQUEST for a value the reads would not map back.
 */
export function vendorValuesOf(field: WritableField, value: unknown, mapping: Mapping): string[] {
  if (value === null || value === undefined) return [];
  const values = mapping.iconik.values;
  switch (field) {
    case 'approval':
      return [toVendor(values, field, oneOf(APPROVAL_STATUSES, value, field))];
    case 'rightsStatus':
      return [toVendor(values, field, oneOf(RIGHTS_STATUSES, value, field))];
    case 'validFrom':
    case 'validUntil':
      return dateValue(value, field);
    case 'territories':
      return listOf(value, field, territory).map((t) => toVendor(values, field, t));
    case 'channels':
      return listOf(value, field, channel).map((c) => toVendor(values, field, c));
  }
}

/**
 * The `metadata_values` of one view PUT for the fields given (an absent or `undefined` field is
 * left out, so the asset keeps its value); `{}` when none is given.
 */
export function metadataValuesFor(values: DamFieldValues, mapping: Mapping): MetadataValuesPut['metadata_values'] {
  const out: MetadataValuesPut['metadata_values'] = {};
  for (const field of WRITABLE_FIELDS) {
    if (!(field in values) || values[field] === undefined) continue;
    const name = mapping.iconik.fields[field];
    out[name] = { field_values: vendorValuesOf(field, values[field], mapping).map((value) => ({ value })), mode: 'overwrite' };
  }
  return out;
}
