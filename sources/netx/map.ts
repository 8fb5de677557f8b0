/**
 * NetX ↔ canonical. Attribute names and vendor values come from the metadata mapping
 * (`mapping.netx.attributes`, `mapping.netx.values`), never from code, so a deployment maps
 * its own NetX attributes by configuration.
 *
 * Reading is defensive: a response whose structure is wrong (ids that are not integers,
 * dates that are not epoch ms, attribute values that are not lists of strings, date
 * attributes that do not parse) fails as UpstreamError MALFORMED. Vocabulary values we do not
 * know fail closed: an unknown approval or rights status reads as PENDING, an unknown
 * territory is dropped, so nothing unknown ever widens what a reader may see.
 */
import { UpstreamError } from '../http/errors.ts';
import { toCanonical, toVendor, type DamField, type Mapping } from '../mapping.ts';
import {
  APPROVAL_STATUSES,
  ASSET_KINDS,
  REGIONS,
  RIGHTS_STATUSES,
  type Asset,
  type AssetKind,
  type CanonicalFilter,
  type CanonicalMetadata,
  type Region,
  type Rendition,
  type RenditionKind,
  type Territory,
} from '../model.ts';
import { PROXY_PREVIEW, PROXY_THUMBNAIL, VIEW_WEB, type QueryCriterion } from './wire.ts';

/** Vendor values of the kind attribute (title case, as NetX pick-lists are usually written). */
export const KIND_VALUES: Record<AssetKind, string> = {
  IMAGE: 'Image',
  VIDEO: 'Video',
  AUDIO: 'Audio',
  DOCUMENT: 'Document',
  TEMPLATE: 'Template',
};

/** The data groups the client asks for: everything a canonical Asset needs, nothing more. */
export const CLIENT_DATA_GROUPS = ['asset.id', 'asset.base', 'asset.file', 'asset.attributes', 'asset.proxies', 'asset.views'];

const malformed = (what: string) => new UpstreamError('NETX', 'MALFORMED', `malformed response: ${what}`);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** NetX asset (and folder) ids are positive integers; anything else is never sent upstream. */
export const assetNumber = (id: string): number | null => (/^[1-9]\d{0,14}$/.test(id) ? Number(id) : null);

/** File extension of a file name, lower case (`png`). */
export function fileTypeOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

// ---------------------------------------------------------------- wire → canonical (client)

export interface MapContext {
  mapping: Mapping;
  kindAttribute: string;
  /** Origin of the NetX instance, for `source.url` (a link into its UI). */
  origin: string;
}

/** Epoch ms → ISO-8601 with Z. */
function isoOf(v: unknown, what: string): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(`${what} is not epoch milliseconds`);
  return new Date(v).toISOString();
}

/** A date attribute value (ISO date or instant, or epoch-ms digits) → ISO-8601 with Z. */
function attributeDate(v: string | undefined, what: string): string | undefined {
  if (v === undefined) return undefined;
  const t = /^-?\d+$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : Date.parse(v);
  if (Number.isNaN(t)) throw malformed(`${what} is not a date`);
  return new Date(t).toISOString();
}

function readAttributes(v: unknown): Record<string, string[]> {
  if (v === undefined) return {};
  if (!isObj(v)) throw malformed('attributes is not an object');
  const out: Record<string, string[]> = {};
  for (const [k, list] of Object.entries(v)) {
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' && typeof x !== 'number'))
      throw malformed(`attribute "${k}" is not a list of values`);
    out[k] = list.map((x) => String(x).trim()).filter((x) => x !== '');
  }
  return out;
}

const oneOf = <T extends string>(allowed: readonly T[], v: string | undefined): T | undefined =>
  v !== undefined && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;

const MIME_BY_TYPE: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
};

function kindOf(vendor: string | undefined, mimeType: string): AssetKind {
  const named = ASSET_KINDS.find((k) => KIND_VALUES[k] === vendor || k === vendor);
  if (named) return named;
  if (mimeType.startsWith('image/')) return 'IMAGE';
  if (mimeType.startsWith('video/')) return 'VIDEO';
  if (mimeType.startsWith('audio/')) return 'AUDIO';
  return 'DOCUMENT';
}

/** The path (and query) of a vendor file URL: the rendition ref never carries the host. */
function refOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const u = new URL(url, 'http://netx.invalid');
    return u.pathname + u.search;
  } catch {
    return undefined;
  }
}

function rendition(kind: RenditionKind, e: unknown): Rendition | undefined {
  if (!isObj(e)) throw malformed('rendition entry is not an object');
  const ref = refOf(e.url);
  if (ref === undefined || typeof e.mimeType !== 'string') return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);
  const width = num(e.width);
  const height = num(e.height);
  const size = num(e.size);
  return {
    kind,
    mimeType: e.mimeType,
    ref,
    ...(width !== undefined ? { width } : {}),
    ...(height !== undefined ? { height } : {}),
    ...(size !== undefined ? { size } : {}),
  };
}

function renditionsOf(raw: Record<string, unknown>): Rendition[] {
  const named = (list: unknown, name: string): unknown => {
    if (list === undefined) return undefined;
    if (!Array.isArray(list)) throw malformed('proxies/views is not a list');
    return list.find((e) => isObj(e) && e.name === name);
  };
  const found: [RenditionKind, unknown][] = [
    ['THUMBNAIL', named(raw.proxies, PROXY_THUMBNAIL)],
    ['PREVIEW', named(raw.proxies, PROXY_PREVIEW)],
    ['WEB', named(raw.views, VIEW_WEB)],
    ['ORIGINAL', raw.file],
  ];
  return found
    .filter(([, e]) => e !== undefined)
    .map(([k, e]) => rendition(k, e))
    .filter((r): r is Rendition => r !== undefined);
}

/** A NetX asset object → canonical Asset; throws UpstreamError MALFORMED on a bad structure. */
export function toAsset(raw: unknown, ctx: MapContext): Asset {
  if (!isObj(raw)) throw malformed('asset is not an object');
  if (!Number.isSafeInteger(raw.id) || (raw.id as number) <= 0) throw malformed('asset id is not a positive integer');
  const id = String(raw.id);
  const name = typeof raw.name === 'string' ? raw.name : typeof raw.fileName === 'string' ? raw.fileName : undefined;
  if (name === undefined) throw malformed(`asset ${id} has no name`);
  const attrs = readAttributes(raw.attributes);
  const { attributes: names, values } = ctx.mapping.netx;
  const all = (f: DamField) => attrs[names[f]] ?? [];
  const first = (f: DamField) => all(f)[0];
  const file = isObj(raw.file) ? raw.file : undefined;
  const fileType =
    typeof raw.fileType === 'string' ? raw.fileType.toLowerCase() : typeof raw.fileName === 'string' ? fileTypeOf(raw.fileName) : '';
  const mimeType = typeof file?.mimeType === 'string' ? file.mimeType : (MIME_BY_TYPE[fileType] ?? 'application/octet-stream');
  const approval = oneOf(APPROVAL_STATUSES, mapped(values, 'approval', first('approval'))) ?? 'PENDING';
  const rightsStatus = oneOf(RIGHTS_STATUSES, mapped(values, 'rightsStatus', first('rightsStatus'))) ?? 'PENDING';
  const validFrom = attributeDate(first('validFrom'), `asset ${id} ${names.validFrom}`);
  const validUntil = attributeDate(first('validUntil'), `asset ${id} ${names.validUntil}`);
  const territories = all('territories').filter((t): t is Territory => t === 'WORLD' || (REGIONS as readonly string[]).includes(t));
  const channels = all('channels');
  const licenceId = first('licenceId');
  const campaignCode = first('campaignCode');
  const accountId = first('accountId');
  const locale = first('locale');
  const productLine = first('productLine');
  const region = oneOf<Region>(REGIONS, first('region'));
  const metadata: CanonicalMetadata = {
    ...(campaignCode ? { campaignCode } : {}),
    ...(accountId ? { accountId } : {}),
    ...(productLine ? { productLine } : {}),
    ...(region ? { region } : {}),
    approval,
    rightsStatus,
    ...(validFrom ? { validFrom } : {}),
    ...(validUntil ? { validUntil } : {}),
    territories,
    channels,
    ...(locale ? { locale } : {}),
    ...(licenceId ? { licenceId } : {}),
  };
  return {
    source: { system: 'NETX', nativeId: id, url: `${ctx.origin}/app/#asset/${id}` },
    title: name,
    kind: kindOf(attrs[ctx.kindAttribute]?.[0], mimeType),
    mimeType,
    approval,
    rights: {
      status: rightsStatus,
      ...(validFrom ? { validFrom } : {}),
      ...(validUntil ? { validUntil } : {}),
      territories,
      channels,
      ...(licenceId ? { licenceId } : {}),
    },
    ...(campaignCode ? { campaignCode } : {}),
    ...(accountId ? { accountId } : {}),
    ...(locale ? { locale } : {}),
    renditions: renditionsOf(raw),
    metadata,
    createdAt: isoOf(raw.creationDate, `asset ${id} creationDate`),
    modifiedAt: isoOf(raw.modDate, `asset ${id} modDate`),
  };
}

const mapped = (values: Mapping['netx']['values'], field: 'approval' | 'rightsStatus', v: string | undefined) =>
  v === undefined ? undefined : toCanonical(values, field, v);

// ---------------------------------------------------------------- canonical filter → criteria (client)

/** `exact` on one attribute for any of the values: one criterion, or an OR subquery. */
function anyOf(attribute: string, list: readonly string[]): QueryCriterion {
  const unique = [...new Set(list)];
  if (unique.length === 1) return { operator: 'and', exact: { attribute, value: unique[0] as string } };
  return { operator: 'and', subquery: { query: unique.map((value) => ({ operator: 'or', exact: { attribute, value } })) } };
}

/** A bound that holds, or an unset attribute (a missing rights bound is open). */
function boundOrUnset(attribute: string, range: { min?: number; max?: number }): QueryCriterion {
  return {
    operator: 'and',
    subquery: {
      query: [
        { operator: 'or', range: { attribute, ...range } },
        { operator: 'or', exact: { attribute, value: '' } },
      ],
    },
  };
}

function millis(iso: string, what: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new UpstreamError('NETX', 'BAD_REQUEST', `filter ${what} is not a date`);
  return t;
}

/** Filter fields that only documents carry: an asset can never match them. */
const DOCUMENT_ONLY = ['workspaceIds', 'classifications', 'statuses'] as const;

/**
 * A reader's text as the value of a `contains` criterion that matches it literally. A criterion
 * is structured (field and value), so boolean words, parentheses, quotes and `field:` prefixes
 * are plain text in it; what NetX documents nothing about is how the value itself is matched
 * (vendor-apis.md §4.3 names the criterion only). NetX searches an Elasticsearch index, where a
 * "contains" match is a wildcard pattern (INFERRED): there `*` and `?` are wildcards and `\`
 * escapes, so those three are escaped and `*` finds a literal `*`, not everything.
 */
export const literalContains = (text: string): string => text.replace(/[\\*?]/g, '\\$&');

/**
 * Translate a canonical filter into `getAssetsByQuery` criteria, ANDed (each OR-list is one
 * subquery). Returns `null` when nothing can match (an empty list, or a document-only field),
 * so the caller answers without asking NetX. The text is matched literally (`literalContains`).
 */
export function toQuery(filter: CanonicalFilter, mapping: Mapping, kindAttribute: string): QueryCriterion[] | null {
  const { attributes: names, values } = mapping.netx;
  // Campaigns and accounts together name owners: an asset of any of them (CanonicalFilter).
  const bothOwners = filter.campaignCodes !== undefined && filter.accountIds !== undefined;
  const lists: [string, readonly string[] | undefined][] = [
    ...(bothOwners
      ? []
      : ([
          [names.campaignCode, filter.campaignCodes],
          [names.accountId, filter.accountIds],
        ] as [string, readonly string[] | undefined][])),
    [names.approval, filter.approvals?.map((v) => toVendor(values, 'approval', v))],
    [names.rightsStatus, filter.rightsStatuses?.map((v) => toVendor(values, 'rightsStatus', v))],
    [kindAttribute, filter.kinds?.map((k) => KIND_VALUES[k])],
    [names.channels, filter.channels],
    // An asset marked WORLD is usable in every territory.
    [names.territories, filter.territories && (filter.territories.length ? [...filter.territories, 'WORLD'] : [])],
    [names.locale, filter.locales],
    [names.productLine, filter.productLines],
    [names.region, filter.regions],
  ];
  if (DOCUMENT_ONLY.some((k) => filter[k] !== undefined)) return null;
  if (lists.some(([, l]) => l !== undefined && l.length === 0)) return null;
  const query: QueryCriterion[] = lists.filter((e): e is [string, readonly string[]] => e[1] !== undefined).map(([a, l]) => anyOf(a, l));
  if (bothOwners) {
    const owners = [
      ...[...new Set(filter.campaignCodes)].map((value) => ({ operator: 'or' as const, exact: { attribute: names.campaignCode, value } })),
      ...[...new Set(filter.accountIds)].map((value) => ({ operator: 'or' as const, exact: { attribute: names.accountId, value } })),
    ];
    if (owners.length === 0) return null;
    query.unshift({ operator: 'and', subquery: { query: owners } });
  }
  if (filter.validAt !== undefined) {
    const t = millis(filter.validAt, 'validAt');
    // In force: validFrom <= t < validUntil; range bounds are inclusive and dates are whole ms.
    query.push(boundOrUnset(names.validFrom, { max: t }), boundOrUnset(names.validUntil, { min: t + 1 }));
  }
  const between = filter.validUntilBetween;
  if (between && (between.from !== undefined || between.to !== undefined)) {
    const range: { min?: number; max?: number } = {};
    if (between.from !== undefined) range.min = millis(between.from, 'validUntilBetween.from');
    if (between.to !== undefined) range.max = millis(between.to, 'validUntilBetween.to') - 1;
    query.push({ operator: 'and', range: { attribute: names.validUntil, ...range } });
  }
  if (filter.text !== undefined && filter.text.trim() !== '')
    query.push({ operator: 'and', contains: { field: 'name', value: literalContains(filter.text.trim()) } });
  if (filter.modifiedSince !== undefined)
    query.push({ operator: 'and', range: { field: 'modDate', min: millis(filter.modifiedSince, 'modifiedSince') } });
  return query;
}
