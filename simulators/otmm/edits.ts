/**
 * The simulator's reading of an asset edit (`{"edited_asset":{"data":{...}}}`, vendor-apis-writes.md
 * §7.2): metadata fields by id into an AssetPatch of the demo world, and a new security policy
 * list. Pure; a refused edit throws EditInputError with the message the 400 answer carries.
 *
 * Accepted field forms: a scalar `{id, value:{value:{type, value}}}` (SEEN), a table field
 * `{id, values:[{value:{type, value}}]}`, or a table `{id, metadata_element_list:[{values:[...]}]}`
 * (the row form reads carry). A leaf is read as the connector reads it: `value`, else a domain
 * entry's `field_value.value`, else `display_value`; a leaf without one (or `null`, or "") is
 * empty, so a scalar whose inner value has no `value`, or a table field with no rows, clears it.
 */
import {
  APPROVAL_STATUSES,
  MULTI_VALUED_FIELDS,
  RIGHTS_STATUSES,
  type ApprovalStatus,
  type Rights,
  type Territory,
} from '../../sources/model.ts';
import { DAM_FIELDS, toCanonical, type DamField, type Mapping } from '../../sources/mapping.ts';
import { SYSTEM_FIELDS, type OtmmLookupDomain } from '../../sources/otmm/wire.ts';
import type { AssetPatch } from '../demo/asset-changes.ts';
import { FIELD_DOMAINS, isDomainField } from './browse.ts';

/** An edit the server refuses (400). */
export class EditInputError extends Error {
  override readonly name = 'EditInputError';
}

export interface EditContext {
  mapping: Mapping;
  /** The lookup domains domain-bound fields are checked against. */
  domains: readonly OtmmLookupDomain[];
  /** Ids of the security policies that exist. */
  policies: ReadonlySet<number>;
  /** A metadata field carrying the master id (read-only). */
  variantField?: string;
}

export interface ParsedEdit {
  patch: AssetPatch;
  /** The asset's new security policy ids, when the edit sets them. */
  policies?: number[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const refuse = (message: string): never => {
  throw new EditInputError(message);
};
/** A field id or value as a message shows it (bounded). */
const shown = (v: unknown) => String(v).slice(0, 80);

/** Fields this simulator cannot change (the demo world's overlay has no place for them). */
const READ_ONLY: ReadonlySet<DamField> = new Set(['productLine', 'region']);
/** Fields that must keep a value. */
const REQUIRED: ReadonlySet<DamField> = new Set(['approval', 'rightsStatus', 'campaignCode', 'accountId', 'locale']);

function leafValue(leaf: unknown, id: string): string | undefined {
  if (leaf === undefined || leaf === null) return undefined;
  if (!isObj(leaf)) return refuse(`The value of field ${shown(id)} is not a typed value.`);
  const code = isObj(leaf.field_value) ? leaf.field_value.value : undefined;
  const v = leaf.value ?? code ?? leaf.display_value;
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
    return refuse(`The value of field ${shown(id)} is not a value.`);
  return String(v);
}

/** The values one edited element carries ([] clears). */
function valuesOf(el: Obj, id: string): string[] {
  const rows = (list: unknown[]) =>
    list.map((row) => leafValue(isObj(row) ? row.value : row, id)).filter((v): v is string => v !== undefined);
  if (Array.isArray(el.values)) return rows(el.values);
  if (Array.isArray(el.metadata_element_list)) {
    const child = el.metadata_element_list[0];
    if (el.metadata_element_list.length === 0) return [];
    if (!isObj(child) || !Array.isArray(child.values)) return refuse(`The table ${shown(id)} has no rows of values.`);
    return rows(child.values);
  }
  if ('value' in el) {
    if (el.value !== null && el.value !== undefined && !isObj(el.value)) refuse(`The value of field ${shown(id)} is malformed.`);
    const v = leafValue(isObj(el.value) ? el.value.value : undefined, id);
    return v === undefined ? [] : [v];
  }
  return refuse(`The field ${shown(id)} carries no value.`);
}

function dateOf(v: string, id: string): string {
  const t = Date.parse(v);
  if (Number.isNaN(t)) refuse(`The value of field ${shown(id)} is not a date.`);
  return new Date(t).toISOString();
}

/** Apply one edited field to the patch. */
function applyField(raw: unknown, patch: AssetPatch, ctx: EditContext, fieldOf: ReadonlyMap<string, DamField>): void {
  if (!isObj(raw) || typeof raw.id !== 'string' || raw.id === '') return refuse('Every edited metadata element needs an id.');
  const id = raw.id;
  const values = valuesOf(raw, id);
  if (id === SYSTEM_FIELDS.description) {
    if (values.length > 1) refuse(`The field ${shown(id)} takes one value.`);
    patch.description = values[0] ?? '';
    return;
  }
  const field = fieldOf.get(id);
  if (!field) {
    if ((Object.values(SYSTEM_FIELDS) as string[]).includes(id) || id === ctx.variantField)
      return refuse(`The field ${shown(id)} is read-only.`);
    return refuse(`The metadata field ${shown(id)} does not exist in the metadata model.`);
  }
  if (READ_ONLY.has(field)) return refuse(`The field ${shown(id)} is read-only.`);
  if (!MULTI_VALUED_FIELDS.has(field) && values.length > 1) refuse(`The field ${shown(id)} takes one value.`);
  if (REQUIRED.has(field) && values.length === 0) refuse(`The field ${shown(id)} is required.`);
  if (isDomainField(field)) {
    const domainId = FIELD_DOMAINS[field as keyof typeof FIELD_DOMAINS];
    const allowed = new Set(ctx.domains.find((d) => d.domainId === domainId)?.domainValues.map((v) => String(v.field_value.value)) ?? []);
    for (const v of values)
      if (!allowed.has(v)) refuse(`The value ${shown(v)} of field ${shown(id)} is not in the lookup domain ${domainId}.`);
  }
  const canonical = values.map((v) => toCanonical(ctx.mapping.otmm.values, field, v));
  const rights = (r: Partial<Rights>) => void (patch.rights = { ...patch.rights, ...r });
  const [one] = canonical;
  switch (field) {
    case 'approval':
      if (!(APPROVAL_STATUSES as readonly string[]).includes(one as string))
        refuse(`The value of field ${shown(id)} is not an approval status.`);
      patch.approval = one as ApprovalStatus;
      return;
    case 'rightsStatus':
      if (!(RIGHTS_STATUSES as readonly string[]).includes(one as string))
        refuse(`The value of field ${shown(id)} is not a rights status.`);
      return rights({ status: one as Rights['status'] });
    case 'validFrom':
    case 'validUntil':
      // An explicit undefined clears the date (the overlay spreads the rights patch).
      return rights({ [field]: one === undefined ? undefined : dateOf(one, id) });
    case 'territories':
      return rights({ territories: canonical as Territory[] });
    case 'channels':
      return rights({ channels: canonical });
    case 'licenceId':
      return rights({ licenceId: one });
    case 'campaignCode':
    case 'accountId':
    case 'locale':
      patch[field] = one;
      return;
    case 'productLine':
    case 'region':
      return refuse(`The field ${shown(id)} is read-only.`);
  }
}

function parsePolicies(raw: unknown, known: ReadonlySet<number>): number[] {
  if (!Array.isArray(raw)) return refuse('security_policy_list must be a list.');
  const ids = raw.map((p) => {
    const id = isObj(p) ? p.id : undefined;
    const n = typeof id === 'string' && /^\d{1,15}$/.test(id) ? Number(id) : id;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) return refuse('Every security policy needs a numeric id.');
    if (!known.has(n)) return refuse(`The security policy ${n} does not exist.`);
    return n;
  });
  if (ids.length === 0) refuse('An asset must have at least one security policy.');
  return [...new Set(ids)];
}

/** Read an edit body; throws EditInputError (a 400) for anything the server would refuse. */
export function parseEdit(body: unknown, ctx: EditContext): ParsedEdit {
  if (body === Symbol.for('invalid-json')) refuse('The request body is not valid JSON.');
  const edited = isObj(body) ? body.edited_asset : undefined;
  const data = isObj(edited) ? edited.data : undefined;
  if (!isObj(data)) return refuse('The request body must be {"edited_asset":{"data":{...}}}.');
  if (data.metadata === undefined && data.security_policy_list === undefined)
    refuse('The edit carries neither metadata nor a security_policy_list.');
  const fieldOf = new Map<string, DamField>();
  for (const f of DAM_FIELDS) if (!fieldOf.has(ctx.mapping.otmm.fields[f])) fieldOf.set(ctx.mapping.otmm.fields[f], f);
  const out: ParsedEdit = { patch: {} };
  if (data.metadata !== undefined) {
    if (!Array.isArray(data.metadata)) refuse('edited_asset.data.metadata must be a list.');
    for (const el of data.metadata as unknown[]) applyField(el, out.patch, ctx, fieldOf);
  }
  if (data.security_policy_list !== undefined) out.policies = parsePolicies(data.security_policy_list, ctx.policies);
  return out;
}
