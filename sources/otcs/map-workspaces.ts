/**
 * Extended ECM Business Workspaces: the mapping from the wire shapes (vendor-apis §2, in
 * wire.ts) to canonical Campaign, Account and Workspace.
 *
 * Everything read from the wire is validated here: a body that is not the documented
 * envelope, or a workspace without the fields a canonical record needs, becomes an
 * UpstreamError of kind MALFORMED. Nothing in this file throws anything else.
 */
import type { Mapping } from '../mapping.ts';
import {
  REGIONS,
  type Account,
  type AccountKind,
  type BusinessObject,
  type Campaign,
  type CampaignStatus,
  type Member,
  type Region,
  type SourceRef,
  type Workspace,
  type WorkspaceType,
} from '../model.ts';
import { UpstreamError } from '../http/errors.ts';
import type { WireCategoryValues } from './wire.ts';

// ---------------------------------------------------------------- validation helpers

type Json = Record<string, unknown>;

const malformed = (what: string): UpstreamError => new UpstreamError('OTCS', 'MALFORMED', `business workspaces: ${what}`);
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function objAt(o: Json, key: string, what: string): Json {
  const v = o[key];
  if (!isObj(v)) throw malformed(`${what}.${key} is missing or not an object`);
  return v;
}

function intAt(o: Json, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw malformed(`${what}.${key} is missing or not an integer`);
  return v;
}

function strAt(o: Json, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw malformed(`${what}.${key} is missing or not a string`);
  return v;
}

/** `results` as a list; a lone object counts as a one-item list (pyxecm: "both is possible"). */
function resultList(body: Json): unknown[] {
  const r = body.results;
  if (Array.isArray(r)) return r;
  if (isObj(r)) return [r];
  throw malformed('results is missing or neither a list nor an object');
}

// ---------------------------------------------------------------- parsed (vendor-neutral) form

/** A workspace read off the wire and validated, before it becomes a canonical record. */
export interface ParsedWorkspace {
  id: number;
  name: string;
  typeId: number | undefined;
  createdAt: string | undefined;
  modifiedAt: string | undefined;
  businessObject: BusinessObject | undefined;
  /** Category values, flat (`9840_2` -> value). */
  attributes: WireCategoryValues;
  /** Present when the answer carried roles. */
  team: Member[] | undefined;
}

export interface ParsedPaging {
  page: number;
  pageTotal: number;
  totalCount: number;
  limit: number;
}

/** Validate a §2.2 listing; throws MALFORMED on anything else. */
export function parseWorkspaceList(body: unknown): { paging: ParsedPaging; items: ParsedWorkspace[] } {
  if (!isObj(body)) throw malformed('the body is not an object');
  const p = objAt(body, 'paging', '$');
  const paging: ParsedPaging = {
    page: intAt(p, 'page', 'paging'),
    pageTotal: intAt(p, 'page_total', 'paging'),
    totalCount: intAt(p, 'total_count', 'paging'),
    limit: intAt(p, 'limit', 'paging'),
  };
  if (paging.totalCount < 0 || paging.pageTotal < 0) throw malformed('paging has negative counts');
  return { paging, items: resultList(body).map((r, i) => parseWorkspaceItem(r, `results[${i}]`)) };
}

/** Validate one workspace item (a listing row, or the GET-by-id `results` in either form). */
export function parseWorkspaceItem(item: unknown, what = 'results'): ParsedWorkspace {
  if (!isObj(item)) throw malformed(`${what} is not an object`);
  const data = objAt(item, 'data', what);
  const props = objAt(data, 'properties', `${what}.data`);
  const bp = isObj(data.business_properties) ? data.business_properties : undefined;
  const typeId = props.wnf_wksp_type_id ?? bp?.workspace_type_id;
  return {
    id: intAt(props, 'id', `${what}.data.properties`),
    name: strAt(props, 'name', `${what}.data.properties`),
    typeId: typeof typeId === 'number' && Number.isInteger(typeId) ? typeId : undefined,
    createdAt: optionalDate(props.create_date, `${what}.data.properties.create_date`),
    modifiedAt: optionalDate(props.modify_date, `${what}.data.properties.modify_date`),
    businessObject: businessObjectOf(bp, data.workspace_references),
    attributes: flattenCategories(data.categories, `${what}.data.categories`),
    team: data.roles === undefined ? undefined : teamOf(data.roles, `${what}.data.roles`),
  };
}

/** The business object from business_properties, else the first workspace reference. */
function businessObjectOf(bp: Json | undefined, refs: unknown): BusinessObject | undefined {
  const from = (o: Json): BusinessObject | undefined => {
    const [system, type, id] = [o.external_system_id, o.business_object_type, o.business_object_id];
    return typeof system === 'string' && typeof type === 'string' && typeof id === 'string' && id !== '' ? { system, type, id } : undefined;
  };
  const direct = bp ? from(bp) : undefined;
  if (direct) return direct;
  const first = Array.isArray(refs) ? refs.find(isObj) : undefined;
  return first ? from(first) : undefined;
}

const CATEGORY_KEY = /^\d+_\d+(_\d+_\d+)?$/;

/**
 * Category values as one flat map. Accepts a list of per-category flat maps (what the
 * simulator sends), a single flat map, or a map of category id -> flat map, since the
 * sources disagree on which of these a real server sends for workspaces.
 */
export function flattenCategories(raw: unknown, what: string): WireCategoryValues {
  if (raw === undefined || raw === null) return {};
  const out: WireCategoryValues = {};
  const take = (o: Json) => {
    for (const [k, v] of Object.entries(o)) {
      if (isObj(v) && /^\d+$/.test(k)) take(v);
      else if (CATEGORY_KEY.test(k) && isAttributeValue(v)) out[k] = v;
    }
  };
  if (Array.isArray(raw))
    raw.forEach((c, i) => {
      if (!isObj(c)) throw malformed(`${what}[${i}] is not an object`);
      take(c);
    });
  else if (isObj(raw)) take(raw);
  else throw malformed(`${what} is neither a list nor an object`);
  return out;
}

function isAttributeValue(v: unknown): v is WireCategoryValues[string] {
  const scalar = (x: unknown) => x === null || ['string', 'number', 'boolean'].includes(typeof x);
  return scalar(v) || (Array.isArray(v) && v.every((x) => x === null || typeof x === 'string' || typeof x === 'number'));
}

/** Team members from §2.4 roles: one Member per (role, user); groups are skipped. */
function teamOf(raw: unknown, what: string): Member[] {
  if (!Array.isArray(raw)) throw malformed(`${what} is not a list`);
  const team: Member[] = [];
  raw.forEach((r, i) => {
    const data = objAt(isObj(r) ? r : {}, 'data', `${what}[${i}]`);
    const role = strAt(objAt(data, 'properties', `${what}[${i}].data`), 'name', `${what}[${i}].data.properties`);
    const members = data.members ?? [];
    if (!Array.isArray(members)) throw malformed(`${what}[${i}].data.members is not a list`);
    for (const m of members) {
      if (!isObj(m)) throw malformed(`${what}[${i}].data.members has a non-object`);
      if (m.type !== 0) continue;
      const email = m.business_email;
      if (typeof email !== 'string' || email === '') continue; // a user without a mail address cannot be matched to a reader
      const name = typeof m.display_name === 'string' && m.display_name !== '' ? m.display_name : String(m.name ?? email);
      team.push({ email: email.toLowerCase(), name, role });
    }
  });
  return team;
}

// ---------------------------------------------------------------- dates

const NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * An ISO instant with a zone. Workspace listings send local-looking times without a zone
 * (`2017-03-08T04:32:15`, vendor-apis §1.4); we read those as UTC, the server's usual setting.
 */
export function isoInstant(v: unknown, what: string): string {
  if (typeof v !== 'string') throw malformed(`${what} is not a date string`);
  const s = DATE_ONLY.test(v) ? `${v}T00:00:00Z` : NO_ZONE.test(v) ? `${v}Z` : v;
  const t = Date.parse(s);
  if (Number.isNaN(t) || !/^\d{4}-\d{2}-\d{2}/.test(v)) throw malformed(`${what} is not an ISO date`);
  return new Date(t).toISOString();
}

/** A `YYYY-MM-DD` business date from a date attribute (date-only or a date-time, zone or not). */
export function isoDay(v: unknown, what: string): string {
  if (typeof v === 'string' && (DATE_ONLY.test(v) || NO_ZONE.test(v))) {
    isoInstant(v, what);
    return v.slice(0, 10);
  }
  return isoInstant(v, what).slice(0, 10);
}

function optionalDate(v: unknown, what: string): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : isoInstant(v, what);
}

// ---------------------------------------------------------------- canonical records

const CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['PLANNED', 'ACTIVE', 'CLOSED'];
const ACCOUNT_KINDS: readonly AccountKind[] = ['PARTNER', 'CUSTOMER'];

function attrString(ws: ParsedWorkspace, key: string, what: string): string {
  const v = ws.attributes[key];
  const s = Array.isArray(v) ? v.find((x) => x !== null) : v;
  if (typeof s !== 'string' && typeof s !== 'number') throw malformed(`workspace ${ws.id}: ${what} (${key}) is missing`);
  return String(s);
}

function attrOptional(ws: ParsedWorkspace, key: string): string | undefined {
  const v = ws.attributes[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function attrList(ws: ParsedWorkspace, key: string): string[] {
  const v = ws.attributes[key];
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.filter((x): x is string | number => x !== null && x !== '').map(String);
}

function attrBool(ws: ParsedWorkspace, key: string, what: string): boolean {
  const v = ws.attributes[key];
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0' || v === null || v === undefined) return false;
  throw malformed(`workspace ${ws.id}: ${what} (${key}) is not a boolean`);
}

function oneOf<T extends string>(allowed: readonly T[], v: string, ws: ParsedWorkspace, what: string): T {
  if (!(allowed as readonly string[]).includes(v))
    throw malformed(`workspace ${ws.id}: ${what} "${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

function regionsOf(ws: ParsedWorkspace, key: string, what: string): Region[] {
  return attrList(ws, key).map((r) => oneOf(REGIONS, r, ws, what));
}

function sourceOf(ws: ParsedWorkspace): SourceRef {
  return { system: 'OTCS', nativeId: String(ws.id) };
}

function requireBusinessObject(ws: ParsedWorkspace): BusinessObject {
  if (!ws.businessObject) throw malformed(`workspace ${ws.id} has no business object reference`);
  return ws.businessObject;
}

/**
 * The display name of the business object: workspace names follow the pattern
 * `<name> (<business key>)`, so the key suffix is dropped when it is there.
 */
export function nameWithoutKey(workspaceName: string, key: string): string {
  const suffix = ` (${key})`;
  return workspaceName.endsWith(suffix) && workspaceName.length > suffix.length ? workspaceName.slice(0, -suffix.length) : workspaceName;
}

/** A campaign workspace as a canonical Campaign (attribute keys from the mapping). */
export function toCampaign(ws: ParsedWorkspace, mapping: Mapping): Campaign {
  const a = mapping.otcs.campaignCategory.attributes;
  const code = attrString(ws, a.code, 'campaign code');
  const project = attrOptional(ws, a.project);
  return {
    code,
    name: nameWithoutKey(ws.name, code),
    status: oneOf(CAMPAIGN_STATUSES, attrString(ws, a.status, 'status'), ws, 'status'),
    productLine: attrString(ws, a.productLine, 'product line'),
    regions: regionsOf(ws, a.regions, 'region'),
    startDate: isoDay(attrString(ws, a.startDate, 'start date'), `workspace ${ws.id} start date`),
    endDate: isoDay(attrString(ws, a.endDate, 'end date'), `workspace ${ws.id} end date`),
    openToAllPartners: attrBool(ws, a.openToAllPartners, 'open to all partners'),
    audience: attrList(ws, a.audience),
    ...(project ? { project } : {}),
    businessObject: requireBusinessObject(ws),
    workspaceId: String(ws.id),
    source: sourceOf(ws),
  };
}

/** An account workspace (Customer or Partner) as a canonical Account. */
export function toAccount(ws: ParsedWorkspace, mapping: Mapping): Account {
  const a = mapping.otcs.accountCategory.attributes;
  const id = attrString(ws, a.accountId, 'account id');
  return {
    id,
    name: nameWithoutKey(ws.name, id),
    kind: oneOf(ACCOUNT_KINDS, attrString(ws, a.kind, 'kind'), ws, 'kind'),
    region: oneOf(REGIONS, attrString(ws, a.region, 'region'), ws, 'region'),
    businessObject: requireBusinessObject(ws),
    workspaceId: String(ws.id),
    source: sourceOf(ws),
  };
}

/** The canonical workspace type of a vendor workspace type id, by the mapping. */
export function workspaceTypeOf(typeId: number | undefined, mapping: Mapping): WorkspaceType | undefined {
  const types = mapping.otcs.workspaceTypes;
  return (Object.keys(types) as WorkspaceType[]).find((t) => types[t] === typeId);
}

/** A workspace with its team as a canonical Workspace. */
export function toWorkspace(ws: ParsedWorkspace, mapping: Mapping): Workspace {
  const type = workspaceTypeOf(ws.typeId, mapping);
  if (!type) throw malformed(`workspace ${ws.id} has an unmapped workspace type ${String(ws.typeId)}`);
  if (!ws.createdAt || !ws.modifiedAt) throw malformed(`workspace ${ws.id} lacks create_date or modify_date`);
  return {
    source: sourceOf(ws),
    name: ws.name,
    type,
    businessObject: requireBusinessObject(ws),
    team: ws.team ?? [],
    createdAt: ws.createdAt,
    modifiedAt: ws.modifiedAt,
    ...ownerOf(ws, type, mapping),
  };
}

/** The campaign code or account id a workspace's category names, when the answer carried it. */
function ownerOf(ws: ParsedWorkspace, type: Workspace['type'], mapping: Mapping): Pick<Workspace, 'owner'> {
  const key = type === 'Campaign' ? mapping.otcs.campaignCategory.attributes.code : mapping.otcs.accountCategory.attributes.accountId;
  const v = attrOptional(ws, key);
  if (!v) return {};
  return { owner: type === 'Campaign' ? { campaignCode: v } : { accountId: v } };
}

/** Validate a members collection (`collection.paging`, `results[].data.properties`): the user ids. */
export function parseMemberIds(body: unknown): number[] {
  if (!isObj(body)) throw malformed('members: the body is not an object');
  return resultList(body).map((r, i) => {
    const data = objAt(isObj(r) ? r : {}, 'data', `results[${i}]`);
    return intAt(objAt(data, 'properties', `results[${i}].data`), 'id', `results[${i}].data.properties`);
  });
}
