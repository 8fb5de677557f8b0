/**
 * Content Server wire -> canonical model. Every field read is narrowed from `unknown`, so a
 * body that lacks what we need becomes UpstreamError MALFORMED, never a crash or a vendor
 * shape leaking upward. Envelope variants are normalised here: `results` as object or list,
 * dates with or without a zone (zone-less means UTC), categories as list or map.
 */
import { UpstreamError } from '../http/errors.ts';
import { DOCUMENT_FIELDS, toCanonical, type DocumentField, type Mapping } from '../mapping.ts';
import {
  CLASSIFICATIONS,
  DOCUMENT_STATUSES,
  MULTI_VALUED_FIELDS,
  REGIONS,
  RIGHTS_STATUSES,
  type AuditEntry,
  type CanonicalMetadata,
  type Classification,
  type Document,
  type DocumentStatus,
  type Hold,
  type Territory,
  type Version,
} from '../model.ts';
import { SUBTYPE } from './wire.ts';

export type Rec = Record<string, unknown>;

/** A MALFORMED error (public message: what was missing, never the body). */
export const malformed = (what: string): UpstreamError => new UpstreamError('OTCS', 'MALFORMED', `unexpected response: ${what}`);

export const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A required object field. */
export function rec(o: unknown, key: string, what = key): Rec {
  const v = isRec(o) ? o[key] : undefined;
  if (!isRec(v)) throw malformed(`${what} is missing`);
  return v;
}

/** An optional string field (numbers are stringified; empty strings count as absent). */
export function optStr(o: Rec, key: string): string | undefined {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A required non-empty string field. */
export function str(o: Rec, key: string, what = key): string {
  const v = optStr(o, key);
  if (v === undefined) throw malformed(`${what} is missing`);
  return v;
}

/** An optional finite number (numeric strings accepted). */
export function optNum(o: Rec, key: string): number | undefined {
  const v = o[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** A required finite number. */
export function num(o: Rec, key: string, what = key): number {
  const v = optNum(o, key);
  if (v === undefined) throw malformed(`${what} is missing`);
  return v;
}

/**
 * A date as canonical ISO (`...T...Z` with milliseconds). Zone-less values are UTC
 * (vendor-apis §1.4: older servers send `2017-03-08T04:32:15`). Undefined for absent/invalid.
 */
export function isoDate(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const s = v.trim();
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  const text = compact
    ? `${compact[1]}-${compact[2]}-${compact[3]}T00:00:00Z`
    : /^\d{4}-\d{2}-\d{2}$/.test(s)
      ? `${s}T00:00:00Z`
      : /(Z|[+-]\d{2}:?\d{2})$/i.test(s)
        ? s
        : `${s}Z`;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** A required date field. */
export function date(o: Rec, key: string, what = key): string {
  const d = isoDate(o[key]);
  if (d === undefined) throw malformed(`${what} is not a date`);
  return d;
}

/** `results` as a list, whether the server sent a list or a single object (pyxecm get_result_value). */
export function resultsList(body: unknown): Rec[] {
  if (!isRec(body)) throw malformed('body is not an object');
  const r = body.results;
  if (Array.isArray(r)) return r.filter(isRec);
  if (isRec(r)) return [r];
  if (r === undefined || r === null) return [];
  throw malformed('results has an unknown shape');
}

export interface PagingInfo {
  page: number;
  pageTotal: number;
  totalCount: number;
}

/** `collection.paging` (required on collections). */
export function pagingOf(body: unknown): PagingInfo {
  const paging = rec(rec(body, 'collection'), 'paging', 'collection.paging');
  return {
    page: num(paging, 'page', 'paging.page'),
    pageTotal: num(paging, 'page_total', 'paging.page_total'),
    totalCount: num(paging, 'total_count', 'paging.total_count'),
  };
}

/** Flat `{cat}_{attr}` values from `data.categories`, sent as a list of maps or a map (flat or per category). */
export function flatCategories(v: unknown): Rec {
  const out: Rec = {};
  const merge = (m: unknown) => {
    if (!isRec(m)) return;
    for (const [k, x] of Object.entries(m)) {
      if (/^\d+_\d+/.test(k)) out[k] = x;
      else if (/^\d+$/.test(k)) merge(x);
    }
  };
  if (Array.isArray(v)) v.forEach(merge);
  else merge(v);
  return out;
}

const single = (v: unknown): unknown => (Array.isArray(v) ? v.find((x) => x !== null && x !== '') : v);
const listOf = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v])
    .filter((x) => (typeof x === 'string' && x !== '') || typeof x === 'number')
    .map(String);
const oneOf = <T extends string>(allowed: readonly T[], v: string | undefined): T | undefined =>
  (allowed as readonly string[]).includes(v ?? '') ? (v as T) : undefined;

const DATE_FIELDS: ReadonlySet<DocumentField> = new Set(['validFrom', 'validUntil']);
const TERRITORIES: readonly Territory[] = [...REGIONS, 'WORLD'];

/** Canonical metadata from flat category values, keys from the mapping; unknown values are dropped. */
export function metadataOf(attrs: Rec, mapping: Mapping): CanonicalMetadata {
  const cat = mapping.otcs.documentCategory.attributes;
  const values = mapping.otcs.values;
  const m: Record<string, unknown> = {};
  for (const field of DOCUMENT_FIELDS) {
    const raw = attrs[cat[field]];
    if (MULTI_VALUED_FIELDS.has(field)) {
      const list = listOf(raw).map((x) => toCanonical(values, field, x));
      const valid = field === 'territories' ? list.filter((x) => (TERRITORIES as readonly string[]).includes(x)) : list;
      if (valid.length) m[field] = valid;
      continue;
    }
    const one = single(raw);
    if (typeof one !== 'string' && typeof one !== 'number') continue;
    const text = toCanonical(values, field, String(one));
    const value = DATE_FIELDS.has(field)
      ? isoDate(text)
      : field === 'region'
        ? oneOf(REGIONS, text)
        : field === 'classification'
          ? oneOf(CLASSIFICATIONS, text)
          : field === 'status'
            ? oneOf(DOCUMENT_STATUSES, text)
            : field === 'rightsStatus'
              ? oneOf(RIGHTS_STATUSES, text)
              : text || undefined;
    if (value !== undefined) m[field] = value;
  }
  return m as CanonicalMetadata;
}

/** One node as read from any endpoint: properties plus the optional sections we use. */
export interface ParsedNode {
  props: Rec;
  attrs: Rec;
  version?: Rec;
  workspaceId: string;
}

/** The workspace among ancestors: the nearest one of subtype 848 (entries carry `id` or an `href`). */
export function workspaceOf(ancestors: unknown): string {
  if (!Array.isArray(ancestors)) return '';
  for (const a of [...ancestors].reverse()) {
    if (!isRec(a) || optNum(a, 'type') !== SUBTYPE.businessWorkspace) continue;
    const id = optNum(a, 'id') ?? Number(/nodes\/(\d+)/.exec(optStr(a, 'href') ?? '')?.[1]);
    if (Number.isSafeInteger(id) && id > 0) return String(id);
  }
  return '';
}

/** The latest version object of `data.versions` (an object, or a list: highest number wins). */
export function latestVersion(v: unknown): Rec | undefined {
  if (isRec(v)) return v;
  if (!Array.isArray(v)) return undefined;
  return v.filter(isRec).sort((a, b) => (optNum(b, 'version_number') ?? 0) - (optNum(a, 'version_number') ?? 0))[0];
}

/** A result entry `{data:{properties, categories?, versions?, ancestors?}}` of nodes/list or a node GET. */
export function parseNodeEntry(entry: Rec): ParsedNode {
  const data = rec(entry, 'data', 'result data');
  const props = rec(data, 'properties', 'data.properties');
  const version = latestVersion(data.versions);
  return { props, attrs: flatCategories(data.categories), ...(version ? { version } : {}), workspaceId: workspaceOf(data.ancestors) };
}

/** A canonical Document, or null when the node is not a document. Missing labels fail closed. */
export function toDocument(n: ParsedNode, mapping: Mapping): Document | null {
  const p = n.props;
  const id = num(p, 'id', 'properties.id');
  if (num(p, 'type', 'properties.type') !== SUBTYPE.document) return null;
  const metadata = metadataOf(n.attrs, mapping);
  return {
    source: { system: 'OTCS', nativeId: String(id) },
    name: str(p, 'name', 'properties.name'),
    mimeType: optStr(p, 'mime_type') ?? (n.version ? optStr(n.version, 'mime_type') : undefined) ?? 'application/octet-stream',
    size: optNum(p, 'size') ?? (n.version ? optNum(n.version, 'file_size') : undefined) ?? 0,
    version: (n.version ? optNum(n.version, 'version_number') : undefined) ?? 1,
    // Unlabelled documents are treated as the most restricted, so policy never over-shares them.
    status: (metadata.status ?? 'DRAFT') satisfies DocumentStatus,
    classification: (metadata.classification ?? 'CONFIDENTIAL') satisfies Classification,
    metadata,
    workspaceId: n.workspaceId,
    parentId: String(num(p, 'parent_id', 'properties.parent_id')),
    createdAt: date(p, 'create_date', 'properties.create_date'),
    modifiedAt: date(p, 'modify_date', 'properties.modify_date'),
  };
}

/** A canonical Version from a version object. */
export function toVersion(v: Rec): Version {
  const description = optStr(v, 'description');
  return {
    number: num(v, 'version_number', 'versions.version_number'),
    fileName: str(v, 'file_name', 'versions.file_name'),
    mimeType: optStr(v, 'mime_type') ?? 'application/octet-stream',
    size: optNum(v, 'file_size') ?? 0,
    createdAt: date(v, 'create_date', 'versions.create_date'),
    ...(description ? { description } : {}),
  };
}

/** A canonical audit entry; the actor is the expanded user's e-mail, else login name, else id. */
export function toAuditEntry(e: Rec, documentId: string): AuditEntry {
  const user = isRec(e.user_id_expand) ? e.user_id_expand : {};
  const at = date(e, 'audit_date', 'audit.audit_date');
  const eventType = num(e, 'event_type', 'audit.event_type');
  const userId = optStr(e, 'user_id') ?? '';
  return {
    // Audit events carry the node id, not an event id (pyxecm example), so we compose one.
    id: `${documentId}:${Date.parse(at)}:${eventType}:${userId}`,
    objectId: documentId,
    system: 'OTCS',
    action: optStr(e, 'audit_name') ?? `event ${eventType}`,
    actor: optStr(user, 'business_email') ?? optStr(user, 'name') ?? userId,
    at,
  };
}

/** A canonical Hold from a `GET /holds` entry. */
export function toHold(h: Rec): Hold {
  const appliedAt = isoDate(h.DateApplied);
  const removeAt = isoDate(h.DateToRemove);
  return {
    id: str(h, 'HoldID', 'hold.HoldID'),
    name: str(h, 'HoldName', 'hold.HoldName'),
    type: optStr(h, 'HoldType') ?? '',
    reason: optStr(h, 'HoldComment') ?? '',
    ...(appliedAt ? { appliedAt } : {}),
    ...(removeAt ? { removeAt } : {}),
  };
}
