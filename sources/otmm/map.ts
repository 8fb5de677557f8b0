/**
 * OTMM wire -> canonical model. Field ids come from the mapping (never hard-coded); values go
 * through the mapping's value maps. Everything read is validated: a structurally wrong body
 * throws UpstreamError MALFORMED (never a TypeError); an unknown approval or rights value reads
 * as PENDING, the state that shows an asset to nobody who needs it cleared.
 */
import {
  APPROVAL_STATUSES,
  REGIONS,
  RIGHTS_STATUSES,
  type ApprovalStatus,
  type Asset,
  type AssetKind,
  type CanonicalField,
  type CanonicalMetadata,
  type Facet,
  type Region,
  type Rendition,
  type RenditionKind,
  type RightsStatus,
  type Territory,
} from '../model.ts';
import { DAM_FIELDS, toCanonical, type DamField, type Mapping } from '../mapping.ts';
import { UpstreamError } from '../http/errors.ts';
import { CONTENT_TYPES, OTMM_BASE_PATH, RENDITION_CONTENT_KEYS, SYSTEM_FIELDS, type OtmmMetadataElement } from './wire.ts';

export interface MapContext {
  mapping: Mapping;
  /** Origin of the OTMM server, for `source.url` (an API link; never carries credentials). */
  origin: string;
  /** A metadata field carrying the master asset id; when unset, `original_asset_id` does. */
  variantField?: string;
}

/** A rendition with the vendor's content id, which the client needs to fetch its bytes. */
export interface WireRendition extends Rendition {
  contentId: string;
}

/** An Asset whose renditions still carry their content ids. */
export type WireAsset = Omit<Asset, 'renditions'> & { renditions: WireRendition[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throw MALFORMED with a public message (names the field, never a value). */
export function malformed(what: string): never {
  throw new UpstreamError('OTMM', 'MALFORMED', `unexpected response: ${what}`);
}

/** The object at `key`, or MALFORMED. */
export function objAt(o: unknown, key: string, where: string): Obj {
  const v = isObj(o) ? o[key] : undefined;
  if (!isObj(v)) malformed(`${where}.${key} is missing`);
  return v;
}

function reqString(o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') malformed(`asset.${key} is missing`);
  return v;
}

/** An ISO instant with Z from any date string the vendor sends; MALFORMED when unparseable. */
export function isoDate(v: unknown, what: string): string {
  const t = typeof v === 'string' || typeof v === 'number' ? new Date(v).getTime() : NaN;
  if (Number.isNaN(t)) malformed(`${what} is not a date`);
  return new Date(t).toISOString();
}

/**
 * The value of one leaf: `value`, else a domain entry's `field_value.value` (the stored code),
 * else `display_value`. Undefined for an empty leaf (`null`, or no value of any kind).
 */
function leafValue(leaf: unknown): unknown {
  if (!isObj(leaf)) return undefined;
  const code = isObj(leaf.field_value) ? leaf.field_value.value : undefined;
  return leaf.value ?? code ?? leaf.display_value;
}

/**
 * Every field value in a metadata tree, by field id. Scalars come from `value.value` (see
 * leafValue), tabular rows from `values[].value`; elements without an id (table rows) belong
 * to the nearest ancestor that has one. An empty field (inner `value` absent, `null`, or
 * without a value) contributes nothing.
 */
export function readFields(metadata: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (id: string | undefined, v: unknown) => {
    if (id === undefined || v === undefined || v === null || v === '') return;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return;
    const list = out.get(id) ?? [];
    list.push(String(v));
    out.set(id, list);
  };
  const walk = (el: unknown, inherited: string | undefined, depth: number) => {
    if (!isObj(el) || depth > 16) return;
    const e = el as OtmmMetadataElement;
    const id = typeof e.id === 'string' ? e.id : inherited;
    if (isObj(e.value)) add(id, leafValue(e.value.value));
    if (Array.isArray(e.values)) for (const row of e.values) if (isObj(row)) add(id, leafValue(row.value));
    if (Array.isArray(e.metadata_element_list)) for (const child of e.metadata_element_list) walk(child, id, depth + 1);
  };
  if (isObj(metadata) && Array.isArray(metadata.metadata_element_list))
    for (const el of metadata.metadata_element_list) walk(el, undefined, 0);
  return out;
}

/** The canonical kind of an OTMM content type, falling back to the MIME type. */
export function kindOf(contentType: unknown, mimeType: string): AssetKind {
  for (const [kind, types] of Object.entries(CONTENT_TYPES) as [AssetKind, readonly string[]][]) {
    if (typeof contentType === 'string' && types.includes(contentType.toUpperCase())) return kind;
  }
  if (mimeType.startsWith('image/')) return 'IMAGE';
  if (mimeType.startsWith('video/')) return 'VIDEO';
  if (mimeType.startsWith('audio/')) return 'AUDIO';
  return 'DOCUMENT';
}

const positive = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);

function renditionOf(info: unknown, kind: RenditionKind, path: (id: string) => string): WireRendition | undefined {
  if (!isObj(info)) return undefined;
  const fromUrl = typeof info.url === 'string' ? /\/renditions\/([^/?#]+)$/.exec(info.url)?.[1] : undefined;
  const contentId = typeof info.id === 'string' && info.id !== '' ? info.id : fromUrl ? decodeURIComponent(fromUrl) : undefined;
  if (!contentId) return undefined;
  const r: WireRendition = {
    kind,
    mimeType: typeof info.mime_type === 'string' ? info.mime_type : 'application/octet-stream',
    ref: path(contentId),
    contentId,
  };
  const width = positive(info.width);
  const height = positive(info.height);
  const size = positive(info.content_size);
  if (width) r.width = width;
  if (height) r.height = height;
  if (size) r.size = size;
  return r;
}

/**
 * Renditions from `master_content_info` (ORIGINAL) and `rendition_content` (by the keys of
 * RENDITION_CONTENT_KEYS; others such as `pdf_preview_content` have no canonical kind).
 */
export function renditionsOf(asset: Obj, assetId: string): WireRendition[] {
  const out: WireRendition[] = [];
  const contentsPath = () => `${OTMM_BASE_PATH}/assets/${encodeURIComponent(assetId)}/contents`;
  const renditionPath = (id: string) => `${OTMM_BASE_PATH}/renditions/${encodeURIComponent(id)}`;
  const content = isObj(asset.rendition_content) ? asset.rendition_content : {};
  for (const [kind, key] of Object.entries(RENDITION_CONTENT_KEYS) as [RenditionKind, string][]) {
    const r = renditionOf(content[key], kind, renditionPath);
    if (r) out.push(r);
  }
  const master = renditionOf(asset.master_content_info, 'ORIGINAL', contentsPath);
  if (master) out.push(master);
  return out;
}

const oneOf = <T extends string>(allowed: readonly T[], v: string | undefined): T | undefined =>
  v !== undefined && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;

/** Canonical metadata from the mapped fields (value maps applied, vocabularies checked). */
export function metadataOf(fields: Map<string, string[]>, mapping: Mapping): CanonicalMetadata {
  const values = (f: DamField) => (fields.get(mapping.otmm.fields[f]) ?? []).map((v) => toCanonical(mapping.otmm.values, f, v));
  const one = (f: DamField) => values(f)[0];
  const date = (f: DamField) => {
    const v = one(f);
    return v === undefined ? undefined : isoDate(v, f);
  };
  const meta: CanonicalMetadata = {
    campaignCode: one('campaignCode'),
    accountId: one('accountId'),
    productLine: one('productLine'),
    region: oneOf<Region>(REGIONS, one('region')),
    approval: oneOf<ApprovalStatus>(APPROVAL_STATUSES, one('approval')),
    rightsStatus: oneOf<RightsStatus>(RIGHTS_STATUSES, one('rightsStatus')),
    validFrom: date('validFrom'),
    validUntil: date('validUntil'),
    territories: values('territories').filter((t): t is Territory => t === 'WORLD' || (REGIONS as readonly string[]).includes(t)),
    channels: values('channels'),
    locale: one('locale'),
    licenceId: one('licenceId'),
  };
  for (const k of Object.keys(meta) as (keyof CanonicalMetadata)[]) if (meta[k] === undefined) delete meta[k];
  return meta;
}

function variantOf(asset: Obj, fields: Map<string, string[]>, assetId: string, ctx: MapContext): string | undefined {
  const master = ctx.variantField
    ? fields.get(ctx.variantField)?.[0]
    : typeof asset.original_asset_id === 'string'
      ? asset.original_asset_id
      : undefined;
  return master && master !== assetId ? master : undefined;
}

/** A canonical Asset with its renditions' content ids, from one `asset` object. */
export function toWireAsset(raw: unknown, ctx: MapContext): WireAsset {
  if (!isObj(raw)) malformed('asset is not an object');
  const id = reqString(raw, 'asset_id');
  const mimeType = typeof raw.mime_type === 'string' && raw.mime_type !== '' ? raw.mime_type : 'application/octet-stream';
  const fields = readFields(raw.metadata);
  const metadata = metadataOf(fields, ctx.mapping);
  const asset: WireAsset = {
    source: { system: 'OTMM', nativeId: id, url: `${ctx.origin}${OTMM_BASE_PATH}/assets/${encodeURIComponent(id)}` },
    title: reqString(raw, 'name'),
    kind: kindOf(raw.content_type, mimeType),
    mimeType,
    approval: metadata.approval ?? 'PENDING',
    rights: {
      status: metadata.rightsStatus ?? 'PENDING',
      territories: metadata.territories ?? [],
      channels: metadata.channels ?? [],
      ...(metadata.validFrom ? { validFrom: metadata.validFrom } : {}),
      ...(metadata.validUntil ? { validUntil: metadata.validUntil } : {}),
      ...(metadata.licenceId ? { licenceId: metadata.licenceId } : {}),
    },
    renditions: renditionsOf(raw, id),
    metadata,
    createdAt: isoDate(raw.date_imported, 'asset.date_imported'),
    modifiedAt: isoDate(raw.date_last_updated, 'asset.date_last_updated'),
  };
  if (metadata.campaignCode) asset.campaignCode = metadata.campaignCode;
  if (metadata.accountId) asset.accountId = metadata.accountId;
  if (metadata.locale) asset.locale = metadata.locale;
  const master = variantOf(raw, fields, id, ctx);
  if (master) asset.variantOf = master;
  return asset;
}

/** A canonical Asset (renditions without the client's content ids). */
export function toAsset(raw: unknown, ctx: MapContext): Asset {
  const a = toWireAsset(raw, ctx);
  return { ...a, renditions: a.renditions.map(({ contentId: _contentId, ...r }) => r) };
}

/** Canonical facets from `facet_field_response_list`; unknown fields are skipped. */
export function toFacets(raw: unknown, mapping: Mapping): Facet[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) malformed('search_result.facet_field_response_list is not a list');
  const byField = new Map<string, CanonicalField>(DAM_FIELDS.map((f) => [mapping.otmm.fields[f], f]));
  const out: Facet[] = [];
  for (const f of raw) {
    if (!isObj(f) || typeof f.field_id !== 'string' || !Array.isArray(f.facet_value_list)) malformed('facet response entry');
    const canonical = byField.get(f.field_id);
    const field: Facet['field'] | undefined =
      canonical ?? (f.field_id === SYSTEM_FIELDS.contentType ? 'kind' : f.field_id === SYSTEM_FIELDS.mimeType ? 'mimeType' : undefined);
    if (!field) continue;
    const counts = new Map<string, number>();
    for (const v of f.facet_value_list) {
      if (!isObj(v) || typeof v.asset_count !== 'number') malformed('facet value entry');
      if (typeof v.value !== 'string') continue;
      const value = field === 'kind' ? kindOf(v.value, '') : canonical ? toCanonical(mapping.otmm.values, canonical, v.value) : v.value;
      counts.set(value, (counts.get(value) ?? 0) + v.asset_count);
    }
    out.push({ field, values: [...counts].map(([value, count]) => ({ value, count })) });
  }
  return out;
}
