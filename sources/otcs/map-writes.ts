/**
 * Canonical → Content Server for writes: the category attribute values of a workspace draft
 * (the campaign or account category, the same attributes map-workspaces.ts reads back) and of
 * a document draft (the document category map.ts reads back), the workspace name, and the
 * checks a draft must pass before anything is sent. Attribute keys always come from the
 * mapping; values are mapped to vendor values through it (`toVendor`).
 *
 * Every check here runs before the first request: a draft the read side could not read back
 * (a campaign without dates, an account without a region, a name Content Server refuses) is
 * BAD_REQUEST and nothing is written.
 */
import { UpstreamError } from '../http/errors.ts';
import { toVendor, type Mapping } from '../mapping.ts';
import { CLASSIFICATIONS, DOCUMENT_STATUSES, REGIONS, type CanonicalField, type Region, type WorkspaceType } from '../model.ts';
import type { DocumentDraft, WorkspaceDraft } from '../ports.ts';

/** An attribute value as a write sends it: text, a flag, or a list (multi-valued attributes). */
export type AttrValue = string | boolean | string[];
/** Values of one category, keyed `{cat}_{attr}`. */
export type AttrValues = Record<string, AttrValue>;

/** Longest node name Content Server takes (its documented limit; the simulator enforces it too). */
export const MAX_NAME = 248;
const CAMPAIGN_STATUSES = ['PLANNED', 'ACTIVE', 'CLOSED'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const bad = (what: string): UpstreamError => new UpstreamError('OTCS', 'BAD_REQUEST', what);

/** A name safe to show in a message: control characters replaced, at most 80 characters. */
export function shown(name: string): string {
  const clean = [...name].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '?' : c)).join('');
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
}

/**
 * A node name Content Server will take: not empty, no control characters (a NUL or a line
 * break in a name is refused here rather than stored), at most 248 characters.
 */
export function checkName(name: string, what: string): string {
  const n = name.trim();
  if (n === '') throw bad(`${what} has no name`);
  if ([...n].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw bad(`${what} name contains control characters`);
  if (n.length > MAX_NAME) throw bad(`${what} name is longer than ${MAX_NAME} characters`);
  return n;
}

function oneOf<T extends string>(allowed: readonly T[], v: string, what: string): T {
  if (!(allowed as readonly string[]).includes(v)) throw bad(`${what} "${shown(v)}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

function day(v: string, what: string): string {
  if (!DAY.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw bad(`${what} "${shown(v)}" is not a YYYY-MM-DD date`);
  return v;
}

/** The workspace type a draft makes: Campaign, or Partner / Customer by the account's kind. */
export function draftWorkspaceType(draft: WorkspaceDraft): WorkspaceType {
  if (draft.kind === 'campaign') return 'Campaign';
  return draft.account.kind === 'PARTNER' ? 'Partner' : 'Customer';
}

/**
 * The workspace name: `<name> (<business key>)`, the pattern the read side strips again
 * (`nameWithoutKey`), so a campaign reads back with the name it was given.
 */
export function workspaceName(draft: WorkspaceDraft): string {
  const [name, key] = draft.kind === 'campaign' ? [draft.campaign.name, draft.campaign.code] : [draft.account.name, draft.account.id];
  return checkName(`${checkName(name, 'the workspace')} (${key})`, 'the workspace');
}

/** The business object of a draft, checked: three non-empty parts. */
export function checkBusinessObject(draft: WorkspaceDraft): WorkspaceDraft['businessObject'] {
  const bo = draft.businessObject;
  for (const part of ['system', 'type', 'id'] as const) {
    if (typeof bo?.[part] !== 'string' || bo[part].trim() === '') throw bad(`the business object has no ${part}`);
  }
  return { system: bo.system.trim(), type: bo.type.trim(), id: bo.id.trim() };
}

/** The category a draft's workspace carries: its id. */
export function workspaceCategoryId(draft: WorkspaceDraft, m: Mapping): number {
  return draft.kind === 'campaign' ? m.otcs.campaignCategory.id : m.otcs.accountCategory.id;
}

/**
 * The workspace category values a draft sets. On create (`complete`) every attribute the read
 * side needs must be there (defaults: status PLANNED, no regions, no audience, not open to
 * all partners); on update only what the draft carries is set, the rest is left as it is.
 */
export function workspaceAttributes(draft: WorkspaceDraft, m: Mapping, complete: boolean): AttrValues {
  const out: AttrValues = {};
  if (draft.kind === 'campaign') {
    const c = draft.campaign;
    const a = m.otcs.campaignCategory.attributes;
    const values = m.otcs.values;
    if (typeof c.code !== 'string' || c.code.trim() === '') throw bad('the campaign has no code');
    out[a.code] = c.code.trim();
    const missing = complete ? (['productLine', 'startDate', 'endDate'] as const).filter((k) => !c[k]) : [];
    if (missing.length) throw bad(`the campaign lacks ${missing.join(', ')}`);
    const status = c.status ?? (complete ? 'PLANNED' : undefined);
    if (status !== undefined) out[a.status] = oneOf(CAMPAIGN_STATUSES, status, 'campaign status');
    if (c.productLine !== undefined) out[a.productLine] = c.productLine;
    const regions = c.regions ?? (complete ? [] : undefined);
    if (regions !== undefined) out[a.regions] = regions.map((r) => toVendor(values, 'region', oneOf(REGIONS, r, 'region')));
    if (c.startDate !== undefined) out[a.startDate] = day(c.startDate, 'start date');
    if (c.endDate !== undefined) out[a.endDate] = day(c.endDate, 'end date');
    if (c.startDate && c.endDate && c.endDate < c.startDate) throw bad('the campaign ends before it starts');
    const open = c.openToAllPartners ?? (complete ? false : undefined);
    if (open !== undefined) out[a.openToAllPartners] = open;
    const audience = c.audience ?? (complete ? [] : undefined);
    if (audience !== undefined) out[a.audience] = audience.map(String);
    return out;
  }
  const acc = draft.account;
  const a = m.otcs.accountCategory.attributes;
  if (typeof acc.id !== 'string' || acc.id.trim() === '') throw bad('the account has no id');
  out[a.accountId] = acc.id.trim();
  out[a.kind] = oneOf(['PARTNER', 'CUSTOMER'] as const, acc.kind, 'account kind');
  if (acc.region === undefined && complete) throw bad('the account lacks region');
  if (acc.region !== undefined) out[a.region] = toVendor(m.otcs.values, 'region', oneOf(REGIONS, acc.region, 'region'));
  return out;
}

/** The document category values of a draft: its labels and owners, where given, as vendor values. */
export function documentAttributes(draft: DocumentDraft, m: Mapping): AttrValues {
  const a = m.otcs.documentCategory.attributes;
  const values = m.otcs.values;
  const out: AttrValues = {};
  const set = (field: CanonicalField & keyof typeof a, v: string | undefined) => {
    if (v !== undefined) out[a[field]] = toVendor(values, field, v);
  };
  set('classification', draft.classification === undefined ? undefined : oneOf(CLASSIFICATIONS, draft.classification, 'classification'));
  set('status', draft.status === undefined ? undefined : oneOf(DOCUMENT_STATUSES, draft.status, 'status'));
  set('campaignCode', draft.campaignCode);
  set('accountId', draft.accountId);
  set('productLine', draft.productLine);
  set('region', draft.region === undefined ? undefined : oneOf<Region>(REGIONS, draft.region, 'region'));
  return out;
}

/**
 * Attribute values as plain form fields (what pyxecm sends to the category routes):
 * lists repeat the key (an empty list is one empty value, which clears it), flags are
 * `true`/`false`.
 */
export function attributeFields(values: AttrValues): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, Array.isArray(v) ? (v.length ? v : ['']) : typeof v === 'boolean' ? String(v) : v]),
  );
}

/** A written value and a read one mean the same (dates by day, lists by their members in order). */
export function sameValue(written: AttrValue, read: unknown): boolean {
  if (Array.isArray(written)) {
    const list = (Array.isArray(read) ? read : read === null || read === undefined ? [] : [read])
      .filter((x) => x !== null && x !== '')
      .map(String);
    return list.length === written.length && list.every((x, i) => x === written[i]);
  }
  if (typeof written === 'boolean') return written === (read === true || read === 'true' || read === 1 || read === '1');
  const text = Array.isArray(read) ? read.find((x) => x !== null) : read;
  if (text === null || text === undefined) return written === '';
  return DAY.test(written) ? String(text).slice(0, 10) === written : String(text) === written;
}

/** The values of `desired` that differ from what the workspace carries now. */
export function changedAttributes(desired: AttrValues, current: Record<string, unknown>): AttrValues {
  return Object.fromEntries(Object.entries(desired).filter(([k, v]) => !sameValue(v, current[k])));
}
