/**
 * The simulator's view of a demo asset in OTMM terms: its wire JSON (`asset_resource.asset`
 * after vendor-apis.md §5), the content ids of its renditions, and the flat field values the
 * search evaluates. Pure functions of the world and the mapping.
 */
import type { CanonicalMetadata, RenditionKind } from '../../sources/model.ts';
import type { DemoAsset, DemoRendition, DemoWorld } from '../demo/world.ts';
import { DAM_FIELDS, toVendor, type DamField, type Mapping } from '../../sources/mapping.ts';
import { MULTI_VALUED_FIELDS } from '../../sources/model.ts';
import { isDomainField } from './browse.ts';
import {
  CONTENT_TYPES,
  OTMM_BASE_PATH,
  RENDITION_CONTENT_KEYS,
  SYSTEM_FIELDS,
  type OtmmAsset,
  type OtmmContentInfo,
  type OtmmFieldValue,
  type OtmmMetadata,
  type OtmmMetadataElement,
  type OtmmSecurityPolicyRef,
  type RenditionContentKey,
} from '../../sources/otmm/wire.ts';

/** What to put in an asset: the honoured part of `load_type` / `level_of_detail` / `data_load_request`. */
export interface LoadSpec {
  metadata: boolean;
  /** master_content_info and asset_content_info. */
  master: boolean;
  thumbnail: boolean;
  preview: boolean;
  /** `level_of_detail=slim`: no security, path or access-control lists. */
  slim: boolean;
}

export const FULL_LOAD: LoadSpec = { metadata: true, master: true, thumbnail: true, preview: true, slim: false };

/**
 * How a field without a value is sent (vendor-apis.md §5 shows only filled fields).
 * `omit`: the field's `value` carries its flags but no inner `value`; `typed`: the inner
 * `value` names its type and has no `value`. Both read as "no value" in pyxecm and in a public
 * Java extractor; `{"value": null}` (what the simulator once sent) breaks pyxecm's parser.
 */
export type EmptyValueStyle = 'omit' | 'typed';

/**
 * How a lookup-domain field's value is sent. `domain`: the domain entry `{display_value,
 * field_value:{type,value}}` (what pyxecm and the Java extractor read when `domain_value` is
 * true); `typed`: `{type, value}`, the form vendor-apis-writes.md §7.1 shows in a create body.
 */
export type DomainValueStyle = 'domain' | 'typed';

export interface RenderContext {
  mapping: Mapping;
  /** A metadata field carrying the master asset id; when unset, `original_asset_id` does. */
  variantField?: string;
  /** Default `omit`. */
  emptyValue?: EmptyValueStyle;
  /** Default `domain`. */
  domainValue?: DomainValueStyle;
  /** Whether an asset is locked now (writes.ts); default never. */
  isLocked?: (nativeId: string) => boolean;
  /** An asset's security policies (writes.ts); default none. */
  policiesOf?: (a: DemoAsset) => OtmmSecurityPolicyRef[];
}

/** Kinds of content a content id can name; the code sits where asset ids hold `0000`. */
type ContentKind = RenditionKind | 'PDF_PREVIEW';
const CONTENT_CODES: Record<ContentKind, string> = {
  ORIGINAL: 'c001',
  THUMBNAIL: 'c002',
  PREVIEW: 'c003',
  WEB: 'c004',
  PDF_PREVIEW: 'c005',
};
const KIND_OF_CODE = new Map(Object.entries(CONTENT_CODES).map(([k, c]) => [c, k as ContentKind]));

/** The content id of one rendition of an asset (40 hex, like OTMM's own). */
export function contentId(assetId: string, kind: ContentKind): string {
  return assetId.slice(0, 24) + CONTENT_CODES[kind] + assetId.slice(28);
}

/** The asset and rendition a content id names, or null. */
export function resolveContent(world: DemoWorld, id: string): { asset: DemoAsset; rendition: DemoRendition } | null {
  if (!/^[0-9a-f]{40}$/.test(id)) return null;
  const kind = KIND_OF_CODE.get(id.slice(24, 28));
  const asset = kind ? world.assetById('OTMM', id.slice(0, 24) + '0000' + id.slice(28)) : null;
  if (!asset || !kind) return null;
  // A PDF preview of a document is its master PDF.
  const wanted: RenditionKind = kind === 'PDF_PREVIEW' ? 'ORIGINAL' : kind;
  if (kind === 'PDF_PREVIEW' && asset.mimeType !== 'application/pdf') return null;
  const rendition = asset.renditions.find((r) => r.kind === wanted);
  return rendition ? { asset, rendition } : null;
}

/** The canonical values a demo asset carries, as the DAM's own metadata states them. */
export function canonicalValues(a: DemoAsset): CanonicalMetadata {
  return {
    campaignCode: a.campaignCode,
    accountId: a.accountId,
    productLine: a.productLine,
    region: a.region,
    approval: a.approval,
    rightsStatus: a.rights.status,
    validFrom: a.rights.validFrom,
    validUntil: a.rights.validUntil,
    territories: a.rights.territories,
    channels: a.rights.channels,
    locale: a.locale,
    licenceId: a.rights.licenceId,
  };
}

const DATE_FIELDS: ReadonlySet<DamField> = new Set(['validFrom', 'validUntil']);
const humanName = (field: string) => field.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());

/** Vendor values of one canonical field (value maps applied), as a list. */
function vendorValues(mapping: Mapping, field: DamField, meta: CanonicalMetadata): string[] {
  const v = meta[field];
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.map((x) => toVendor(mapping.otmm.values, field, String(x)));
}

/**
 * Every searchable field of an asset, by field id: the mapped model fields plus the system
 * fields. Multi-valued fields have several values; empty fields an empty list.
 */
export function fieldValues(a: DemoAsset, ctx: RenderContext): Map<string, string[]> {
  const meta = canonicalValues(a);
  const out = new Map<string, string[]>();
  for (const f of DAM_FIELDS) out.set(ctx.mapping.otmm.fields[f], vendorValues(ctx.mapping, f, meta));
  if (ctx.variantField) out.set(ctx.variantField, a.variantOf ? [a.variantOf] : []);
  out.set(SYSTEM_FIELDS.assetId, [a.nativeId]);
  out.set(SYSTEM_FIELDS.name, [a.title]);
  out.set(SYSTEM_FIELDS.description, [a.description]);
  out.set(SYSTEM_FIELDS.contentType, [contentTypeOf(a)]);
  out.set(SYSTEM_FIELDS.mimeType, [a.mimeType]);
  out.set(SYSTEM_FIELDS.dateImported, [a.createdAt]);
  out.set(SYSTEM_FIELDS.dateLastUpdated, [a.modifiedAt]);
  return out;
}

/** OTMM content type of a demo asset. */
export function contentTypeOf(a: DemoAsset): string {
  return CONTENT_TYPES[a.kind][0] as string;
}

/** The `value` of a scalar field: its flags, and the inner value in the style the context asks for. */
function fieldValue(ctx: RenderContext, dataType: 'CHAR' | 'DATE', value: string | undefined, domain: boolean): OtmmFieldValue {
  const type = dataType === 'DATE' ? 'dateTime' : 'string';
  const flags = { is_locked: false, domain_value: domain, cascading_domain_value: false };
  if (value === undefined) return (ctx.emptyValue ?? 'omit') === 'omit' ? flags : { value: { type }, ...flags };
  if (domain && (ctx.domainValue ?? 'domain') === 'domain')
    return { value: { display_value: value, field_value: { type, value } }, ...flags };
  return { value: { type, value }, ...flags };
}

function scalarElement(
  ctx: RenderContext,
  id: string,
  name: string,
  dataType: 'CHAR' | 'DATE',
  value: string | undefined,
  domain = false,
): OtmmMetadataElement {
  return { id, name, type: 'com.artesia.metadata.MetadataField', data_type: dataType, value: fieldValue(ctx, dataType, value, domain) };
}

/** A tabular field: the table carries the field id; its one row holds the values (SEEN structure). */
function tabularElement(id: string, name: string, values: string[]): OtmmMetadataElement {
  return {
    id,
    name,
    type: 'com.artesia.metadata.MetadataTable',
    metadata_element_list: [
      {
        id,
        name,
        type: 'com.artesia.metadata.MetadataTableField',
        data_type: 'CHAR',
        values: values.map((v) => ({ value: { type: 'string', value: v, display_value: v } })),
      },
    ],
  };
}

/** `metadata` of an asset: the model, one category with the mapped fields, one with the description. */
export function metadataOf(a: DemoAsset, ctx: RenderContext): OtmmMetadata {
  const meta = canonicalValues(a);
  const fields = DAM_FIELDS.map((f): OtmmMetadataElement => {
    const id = ctx.mapping.otmm.fields[f];
    const values = vendorValues(ctx.mapping, f, meta);
    if (MULTI_VALUED_FIELDS.has(f)) return tabularElement(id, humanName(f), values);
    return scalarElement(ctx, id, humanName(f), DATE_FIELDS.has(f) ? 'DATE' : 'CHAR', values[0], isDomainField(f));
  });
  if (ctx.variantField) fields.push(scalarElement(ctx, ctx.variantField, 'Master Asset', 'CHAR', a.variantOf));
  return {
    type: 'com.artesia.metadata.MetadataModel',
    id: ctx.mapping.otmm.metadataModelId,
    name: 'Atrium Marketing',
    metadata_element_list: [
      { id: 'ATRIUM.CATEGORY.MARKETING', name: 'Marketing', type: 'com.artesia.metadata.MetadataCategory', metadata_element_list: fields },
      {
        id: 'ARTESIA.CATEGORY.GENERAL',
        name: 'General',
        type: 'com.artesia.metadata.MetadataCategory',
        metadata_element_list: [scalarElement(ctx, SYSTEM_FIELDS.description, 'Description', 'CHAR', a.description)],
      },
    ],
  };
}

function contentInfo(a: DemoAsset, r: DemoRendition, kind: ContentKind, contentKind: string): OtmmContentInfo {
  const id = contentId(a.nativeId, kind);
  return {
    id,
    name:
      kind === 'ORIGINAL' || kind === 'PDF_PREVIEW' ? a.fileName : `${a.fileName.replace(/\.[a-z0-9]+$/, '')}-${kind.toLowerCase()}.png`,
    mime_type: r.mimeType,
    // Bytes are generated on demand and a full-size PNG costs tens of ms, so lists report
    // OTMM's "unknown" (-1, as the vendor example does for dimensions); bytes carry Content-Length.
    content_size: -1,
    content_kind: contentKind,
    content_manager_id: 'ARTESIA.CONTENT.DEFAULT',
    height: r.height ?? -1,
    width: r.width ?? -1,
    unit_of_size: 'BYTES',
    url: `${OTMM_BASE_PATH}/renditions/${id}`,
  };
}

function renditionContent(a: DemoAsset, load: LoadSpec): Partial<Record<RenditionContentKey, OtmmContentInfo>> {
  const out: Partial<Record<RenditionContentKey, OtmmContentInfo>> = {};
  for (const r of a.renditions) {
    if (r.kind === 'THUMBNAIL' && load.thumbnail) out[RENDITION_CONTENT_KEYS.THUMBNAIL] = contentInfo(a, r, r.kind, 'THUMBNAIL');
    if (r.kind === 'PREVIEW' && load.preview) out[RENDITION_CONTENT_KEYS.PREVIEW] = contentInfo(a, r, r.kind, 'PREVIEW');
    if (r.kind === 'WEB' && load.preview) out[RENDITION_CONTENT_KEYS.WEB] = contentInfo(a, r, r.kind, 'WEB');
    if (r.kind === 'ORIGINAL' && load.preview && r.mimeType === 'application/pdf')
      out.pdf_preview_content = contentInfo(a, r, 'PDF_PREVIEW', 'PDF_PREVIEW');
  }
  return out;
}

/** The `asset` object of `asset_resource` / `asset_list`, loaded as `load` asks. */
export function renderAsset(a: DemoAsset, ctx: RenderContext, load: LoadSpec): OtmmAsset {
  const original = a.renditions.find((r) => r.kind === 'ORIGINAL') ?? { kind: 'ORIGINAL', mimeType: a.mimeType };
  const master = contentInfo(a, original, 'ORIGINAL', 'MASTER');
  const asset: OtmmAsset = {
    asset_id: a.nativeId,
    name: a.title,
    mime_type: a.mimeType,
    content_type: contentTypeOf(a),
    content_size: -1,
    asset_state: 'NORMAL',
    content_state: 'NORMAL',
    date_imported: a.createdAt,
    date_last_updated: a.modifiedAt,
    deleted: false,
    expired: false,
    locked: ctx.isLocked?.(a.nativeId) ?? false,
    checked_out: false,
    latest_version: true,
    version: 1,
    metadata_model_id: ctx.mapping.otmm.metadataModelId,
    original_asset_id: ctx.variantField ? a.nativeId : (a.variantOf ?? a.nativeId),
  };
  if (load.master) {
    asset.master_content_info = master;
    if (!load.slim) {
      asset.asset_content_info = { master_content: master };
      asset.delivery_service_url = `/adaptivemedia/rendition?id=${master.id}`;
    }
  }
  if (load.thumbnail || load.preview) asset.rendition_content = renditionContent(a, load);
  if (load.metadata) asset.metadata = metadataOf(a, ctx);
  if (!load.slim) {
    asset.security_policy_list = ctx.policiesOf?.(a) ?? [];
    asset.path_list = [];
    asset.access_control_descriptor = { permissions_map: {} };
  }
  return asset;
}
