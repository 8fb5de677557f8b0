/**
 * iconik wire -> canonical model. Every body is validated as it is read: a structure we
 * cannot use (not an object, no id, no title, a list that is not a list, an unparsable date)
 * throws UpstreamError MALFORMED; unknown enum values fall back to the safe side (approval and
 * rights `PENDING`), so an odd value never makes an asset more visible than it should be.
 * Metadata field names come from the mapping, never from code.
 */
import { UpstreamError } from '../http/errors.ts';
import { DAM_FIELDS, toCanonical, type DamField, type Mapping } from '../mapping.ts';
import {
  APPROVAL_STATUSES,
  ASSET_KINDS,
  REGIONS,
  RIGHTS_STATUSES,
  type ApprovalStatus,
  type Asset,
  type AssetKind,
  type CanonicalMetadata,
  type Facet,
  type Region,
  type Rendition,
  type RenditionKind,
  type RightsStatus,
  type Territory,
} from '../model.ts';
import { MEDIA_TYPES, UUID_RE, type SearchCriteria } from './wire.ts';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A MALFORMED error naming what was wrong (never the body itself). */
export const malformed = (what: string) => new UpstreamError('ICONIK', 'MALFORMED', `malformed response: ${what}`);

/** What mapping needs besides the wire object. */
export interface MapContext {
  mapping: Mapping;
  /** API base (for `source.url`), without credentials. */
  apiBase: string;
  /** Proxy name (lower-case) -> rendition kind. */
  proxyKinds: Readonly<Record<string, RenditionKind>>;
}

/** Default proxy naming: the simulator's and a sensible deployment's. */
export const DEFAULT_PROXY_KINDS: Readonly<Record<string, RenditionKind>> = { thumbnail: 'THUMBNAIL', preview: 'PREVIEW', web: 'WEB' };

/** ISO-8601 with `Z` (`2026-01-19T06:57:04.000Z`), from any date-time iconik sends; MALFORMED if unparsable. */
export function isoDate(v: unknown, what: string): string {
  const t = typeof v === 'string' || typeof v === 'number' ? Date.parse(String(v)) : Number.NaN;
  if (Number.isNaN(t)) throw malformed(`${what} is not a date`);
  return new Date(t).toISOString();
}

const optionalIsoDate = (v: unknown, what: string) => (v === undefined || v === null || v === '' ? undefined : isoDate(v, what));

const EXT_MIME: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  mxf: 'application/mxf',
  webm: 'video/webm',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  aac: 'audio/aac',
  pdf: 'application/pdf',
};

/** MIME type from a file name's extension (iconik stores no MIME type on files). */
export function mimeFromName(name: string | undefined): string | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(name ?? '')?.[1]?.toLowerCase();
  return ext ? EXT_MIME[ext] : undefined;
}

const KIND_BY_MEDIA = new Map(Object.entries(MEDIA_TYPES).map(([k, v]) => [v, k as AssetKind]));

/** Canonical kind of an iconik `media_type` (unknown types: from the MIME type, else DOCUMENT). */
export function kindOf(mediaType: unknown, mime: string | undefined): AssetKind {
  const k = typeof mediaType === 'string' ? KIND_BY_MEDIA.get(mediaType.toLowerCase()) : undefined;
  if (k) return k;
  const top = mime?.split('/')[0]?.toUpperCase();
  return ASSET_KINDS.find((x) => x === top) ?? 'DOCUMENT';
}

const list = (v: unknown, what: string): unknown[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw malformed(`${what} is not a list`);
  return v;
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** Values of one search-metadata field (a list per the wire; a lone scalar is tolerated). */
function fieldValues(metadata: Obj, name: string): string[] {
  const v = metadata[name];
  const raw = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  // Values may also come as {value: x} objects (the metadata_values form).
  return raw.map((x) => (isObj(x) ? str(x.value) : str(x))).filter((x): x is string => x !== undefined);
}

function oneOf<T extends string>(allowed: readonly T[], v: string | undefined): T | undefined {
  return allowed.find((a) => a === v);
}

/** The canonical metadata an asset's mapped fields carry. */
export function canonicalMetadata(metadata: Obj, mapping: Mapping): CanonicalMetadata {
  const { fields, values } = mapping.iconik;
  const all = (f: DamField) => fieldValues(metadata, fields[f]).map((v) => toCanonical(values, f, v));
  const one = (f: DamField) => all(f)[0];
  const out: CanonicalMetadata = {};
  const set = <K extends keyof CanonicalMetadata>(k: K, v: CanonicalMetadata[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('campaignCode', one('campaignCode'));
  set('accountId', one('accountId'));
  set('productLine', one('productLine'));
  set('region', oneOf<Region>(REGIONS, one('region')));
  set('approval', oneOf<ApprovalStatus>(APPROVAL_STATUSES, one('approval')));
  set('rightsStatus', oneOf<RightsStatus>(RIGHTS_STATUSES, one('rightsStatus')));
  set('validFrom', optionalIsoDate(one('validFrom'), 'validFrom'));
  set('validUntil', optionalIsoDate(one('validUntil'), 'validUntil'));
  const territories = all('territories').filter((t): t is Territory => t === 'WORLD' || (REGIONS as readonly string[]).includes(t));
  if (fieldValues(metadata, fields.territories).length) out.territories = territories;
  if (fieldValues(metadata, fields.channels).length) out.channels = all('channels');
  set('locale', one('locale'));
  set('licenceId', one('licenceId'));
  return out;
}

interface RenditionSource {
  kind: RenditionKind;
  rendition: Rendition;
}

function proxyRendition(p: unknown, assetId: string, ctx: MapContext): RenditionSource | undefined {
  if (!isObj(p) || typeof p.id !== 'string') throw malformed('a proxy has no id');
  const kind = ctx.proxyKinds[String(p.name ?? '').toLowerCase()];
  if (!kind) return undefined;
  const res = isObj(p.resolution) ? p.resolution : {};
  return {
    kind,
    rendition: {
      kind,
      mimeType: mimeFromName(str(p.filename)) ?? 'application/octet-stream',
      ref: `iconik:proxies:${assetId}:${p.id}`,
      ...(typeof res.width === 'number' ? { width: res.width } : {}),
      ...(typeof res.height === 'number' ? { height: res.height } : {}),
      ...(typeof p.size === 'number' ? { size: p.size } : {}),
    },
  };
}

function fileRendition(f: unknown, assetId: string, fallbackMime: string): RenditionSource | undefined {
  if (!isObj(f) || typeof f.id !== 'string') throw malformed('a file has no id');
  if (f.type !== undefined && f.type !== 'FILE') return undefined;
  return {
    kind: 'ORIGINAL',
    rendition: {
      kind: 'ORIGINAL',
      mimeType: mimeFromName(str(f.original_name) ?? str(f.name)) ?? fallbackMime,
      ref: `iconik:files:${assetId}:${f.id}`,
      ...(typeof f.size === 'number' ? { size: f.size } : {}),
    },
  };
}

/** Renditions of a search object: proxies by name, the first FILE as ORIGINAL; one per kind. */
export function renditionsOf(doc: Obj, assetId: string, fallbackMime: string, ctx: MapContext): Rendition[] {
  const found = [
    ...list(doc.proxies, 'proxies').map((p) => proxyRendition(p, assetId, ctx)),
    ...list(doc.files, 'files').map((f) => fileRendition(f, assetId, fallbackMime)),
  ];
  const byKind = new Map<RenditionKind, Rendition>();
  for (const r of found) if (r && !byKind.has(r.kind)) byKind.set(r.kind, r.rendition);
  const order: RenditionKind[] = ['THUMBNAIL', 'PREVIEW', 'WEB', 'ORIGINAL'];
  return order.filter((k) => byKind.has(k)).map((k) => byKind.get(k) as Rendition);
}

const FALLBACK_MIME: Record<AssetKind, string> = {
  IMAGE: 'image/png',
  VIDEO: 'video/mp4',
  AUDIO: 'audio/mpeg',
  DOCUMENT: 'application/pdf',
  TEMPLATE: 'application/pdf',
};

/** A search object (AssetElasticSchema) as a canonical Asset. */
export function toAsset(doc: unknown, ctx: MapContext): Asset {
  if (!isObj(doc)) throw malformed('an object is not an asset');
  if (typeof doc.id !== 'string' || !UUID_RE.test(doc.id)) throw malformed('an asset has no valid id');
  if (typeof doc.title !== 'string') throw malformed('an asset has no title');
  const metadataObj = doc.metadata === undefined || doc.metadata === null ? {} : doc.metadata;
  if (!isObj(metadataObj)) throw malformed('asset metadata is not an object');
  const firstFile = list(doc.files, 'files').find((f) => isObj(f) && (f.type === undefined || f.type === 'FILE')) as Obj | undefined;
  const fileMime = mimeFromName(str(firstFile?.original_name) ?? str(firstFile?.name));
  const kind = kindOf(doc.media_type, fileMime);
  const mimeType = fileMime ?? FALLBACK_MIME[kind];
  const metadata = canonicalMetadata(metadataObj, ctx.mapping);
  const rights: Asset['rights'] = {
    status: metadata.rightsStatus ?? 'PENDING',
    territories: metadata.territories ?? [],
    channels: metadata.channels ?? [],
    ...(metadata.validFrom ? { validFrom: metadata.validFrom } : {}),
    ...(metadata.validUntil ? { validUntil: metadata.validUntil } : {}),
    ...(metadata.licenceId ? { licenceId: metadata.licenceId } : {}),
  };
  return {
    source: { system: 'ICONIK', nativeId: doc.id, url: `${ctx.apiBase}/assets/v1/assets/${doc.id}/` },
    title: doc.title,
    kind,
    mimeType,
    approval: metadata.approval ?? 'PENDING',
    rights,
    ...(metadata.campaignCode ? { campaignCode: metadata.campaignCode } : {}),
    ...(metadata.accountId ? { accountId: metadata.accountId } : {}),
    ...(metadata.locale ? { locale: metadata.locale } : {}),
    renditions: renditionsOf(doc, doc.id, mimeType, ctx),
    metadata,
    createdAt: isoDate(doc.date_created, 'date_created'),
    modifiedAt: isoDate(doc.date_modified ?? doc.date_created, 'date_modified'),
  };
}

/** A validated page-style envelope. */
export interface Envelope {
  objects: unknown[];
  total: number;
  page: number;
  pages: number;
  facets?: unknown;
}

/** One search request, validated (the transport the client's parts share). */
export type IconikSearch = (criteria: SearchCriteria, page: number, perPage: number) => Promise<Envelope>;

/** Validate `{objects, page, pages, total, ...}`. */
export function parseEnvelope(body: unknown): Envelope {
  if (!isObj(body)) throw malformed('body is not an object');
  if (!Array.isArray(body.objects)) throw malformed('objects is not a list');
  const num = (k: string, dflt: number) => {
    const v = body[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw malformed(`${k} is not a number`);
    return v;
  };
  const total = num('total', body.objects.length);
  return { objects: body.objects, total, page: num('page', 1), pages: num('pages', 1), facets: body.facets };
}

/** Facet fields to ask iconik for, and the canonical field each one answers. */
export function facetFields(mapping: Mapping): Map<string, Facet['field']> {
  const m = new Map<string, Facet['field']>([['media_type', 'kind']]);
  const asked: DamField[] = [
    'approval',
    'rightsStatus',
    'campaignCode',
    'accountId',
    'territories',
    'channels',
    'region',
    'productLine',
    'locale',
  ];
  for (const f of asked) m.set(mapping.iconik.fields[f], f);
  return m;
}

/** Buckets of one facet, in either shape the simulator (and possibly iconik) uses. */
function bucketsOf(v: unknown): { key: string; count: number }[] {
  const raw = isObj(v) ? v.buckets : v;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw malformed('facet buckets are not a list');
  return raw.map((b) => {
    if (!isObj(b) || str(b.key) === undefined || typeof b.doc_count !== 'number') throw malformed('a facet bucket lacks key or doc_count');
    return { key: str(b.key) as string, count: b.doc_count };
  });
}

/** iconik facets -> canonical facets (values through the value maps; media types as kinds). */
export function mapFacets(facets: unknown, mapping: Mapping): Facet[] {
  if (facets === undefined || facets === null) return [];
  if (!isObj(facets)) throw malformed('facets is not an object');
  const out: Facet[] = [];
  for (const [name, field] of facetFields(mapping)) {
    if (!(name in facets)) continue;
    const values = bucketsOf(facets[name]).map((b) => ({
      value:
        field === 'kind'
          ? kindOf(b.key, undefined)
          : (DAM_FIELDS as readonly string[]).includes(field)
            ? toCanonical(mapping.iconik.values, field as DamField, b.key)
            : b.key,
      count: b.count,
    }));
    out.push({ field, values });
  }
  return out;
}
