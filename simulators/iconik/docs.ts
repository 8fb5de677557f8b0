/**
 * The demo world in iconik's wire shapes: assets, their files, formats, proxies and keyframes,
 * collections (one per campaign and per account with assets, under two root collections, and
 * the partner distribution collections of distribution.ts under a third), the metadata view
 * and metadata values, and the search documents the search engine runs on. What iconik's own
 * write API changed (edits.ts) is served over the world.
 *
 * Renditions (decided here, documented in sources/iconik/README.md): ORIGINAL is the asset's file (FileSchema);
 * THUMBNAIL, PREVIEW and WEB are image proxies named `thumbnail`, `preview`, `web`; the
 * PREVIEW image is also the asset's POSTER keyframe, as iconik shows a poster for videos.
 */
import { renditionContent } from '../demo/content.ts';
import { hash32 } from '../demo/rng.ts';
import type { DemoAsset, DemoRendition, DemoWorld } from '../demo/world.ts';
import { DAM_FIELDS, toVendor, type DamField, type Mapping } from '../../sources/mapping.ts';
import type { RenditionKind } from '../../sources/model.ts';
import type { FormatSchema } from './schemas.ts';
import {
  DEMO_ICONIK_DISTRIBUTION_COLLECTIONS,
  DEMO_ICONIK_DISTRIBUTION_ROOT,
  DISTRIBUTION_TITLES,
  distributionCollectionsOf,
} from './distribution.ts';
import { IconikEdits, type FieldValueMap } from './edits.ts';
import type { SearchDoc } from './search.ts';
import {
  MEDIA_TYPES,
  iconikDate,
  type AssetElasticSchema,
  type AssetSchema,
  type CollectionSchema,
  type FileSchema,
  type KeyframeSchema,
  type MetadataFieldSchema,
  type MetadataValuesSchema,
  type MetadataViewSchema,
  type ProxySchema,
  type SearchMetadata,
} from '../../sources/iconik/wire.ts';

const hex8 = (...parts: (string | number)[]) =>
  hash32(...parts)
    .toString(16)
    .padStart(8, '0');

/** A stable UUID (v4 layout) derived from its parts. */
export function stableUuid(...parts: (string | number)[]): string {
  const h = hex8('a', ...parts) + hex8('b', ...parts) + hex8('c', ...parts) + hex8('d', ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-9${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Signs a rendition download for the simulator's own download route. */
export type Signer = (asset: DemoAsset, kind: RenditionKind) => string;

const PROXY_KINDS: readonly RenditionKind[] = ['THUMBNAIL', 'PREVIEW', 'WEB'];
const MULTI: ReadonlySet<DamField> = new Set(['territories', 'channels']);
const DATES: ReadonlySet<DamField> = new Set(['validFrom', 'validUntil']);

/** Field definitions of the view (field types INFERRED from iconik's UI vocabulary). */
const FIELD_TYPES: Record<DamField, { type: string; label: string; options?: readonly string[] }> = {
  campaignCode: { type: 'string', label: 'Campaign code' },
  accountId: { type: 'string', label: 'Account (CRM id)' },
  productLine: { type: 'string', label: 'Product line' },
  region: { type: 'drop_down', label: 'Region', options: ['EMEA', 'NA', 'APAC', 'LATAM'] },
  approval: { type: 'drop_down', label: 'Approval status', options: ['PENDING', 'APPROVED', 'REJECTED'] },
  rightsStatus: { type: 'drop_down', label: 'Rights status', options: ['CLEARED', 'RESTRICTED', 'EXPIRED', 'PENDING'] },
  validFrom: { type: 'date_time', label: 'Rights valid from' },
  validUntil: { type: 'date_time', label: 'Rights valid until' },
  territories: { type: 'tag_cloud', label: 'Territories', options: ['WORLD', 'EMEA', 'NA', 'APAC', 'LATAM'] },
  channels: { type: 'tag_cloud', label: 'Channels' },
  locale: { type: 'string', label: 'Locale' },
  licenceId: { type: 'string', label: 'Licence (Content Server node id)' },
};

/** The world served as iconik objects. Cheap per call; byte sizes and search docs are memoized. */
export class IconikDocs {
  readonly systemDomainId: string;
  readonly userId: string;
  readonly storageId: string;
  private readonly sizes = new Map<string, number>();
  private readonly searchDocs = new Map<number, SearchDoc>();
  private membership: { now: Map<string, number[]>; generated: Set<string> } | undefined;

  constructor(
    readonly world: DemoWorld,
    readonly mapping: Mapping,
    /** What iconik's write API changed; the simulator's, or none. */
    readonly edits: IconikEdits = new IconikEdits(),
  ) {
    this.systemDomainId = stableUuid(world.seed, 'domain');
    this.userId = stableUuid(world.seed, 'user');
    this.storageId = stableUuid(world.seed, 'storage');
  }

  /**
   * Byte size of a rendition as listed. Generated images report a nominal size (encoding every
   * listed image just to measure it would make each first search take seconds at scale, as the
   * NetX and OTMM simulators also avoid); the bytes served carry their real Content-Length.
   * Everything else is cheap to generate and reports its exact size.
   */
  size(a: DemoAsset, r: DemoRendition): number {
    if (r.mimeType === 'image/png') return Math.round(((r.width ?? 320) * (r.height ?? 180)) / 10);
    const key = `${a.index}:${r.kind}`;
    let n = this.sizes.get(key);
    if (n === undefined) {
      n = renditionContent(a, r).length;
      this.sizes.set(key, n);
    }
    return n;
  }

  campaignCollectionId(code: string): string {
    return stableUuid(this.world.seed, 'collection', 'campaign', code);
  }

  accountCollectionId(accountId: string): string {
    return stableUuid(this.world.seed, 'collection', 'account', accountId);
  }

  rootIds(): { campaigns: string; accounts: string } {
    return { campaigns: stableUuid(this.world.seed, 'root', 'campaigns'), accounts: stableUuid(this.world.seed, 'root', 'accounts') };
  }

  /** The collections an asset is in by itself: its campaign's, its account's, and the distribution ones it starts in. */
  generatedCollections(a: DemoAsset): string[] {
    return [
      ...(a.campaignCode ? [this.campaignCollectionId(a.campaignCode)] : []),
      ...(a.accountId ? [this.accountCollectionId(a.accountId)] : []),
      ...distributionCollectionsOf(a),
    ];
  }

  /** The collections an asset is in now (`in_collections`): the generated ones as the collection writes left them. */
  inCollections(a: DemoAsset): string[] {
    return this.edits.collectionsOf(a.nativeId, this.generatedCollections(a));
  }

  /** The asset's own value of each mapped field, in vendor terms, by field name (what the metadata writes did not touch). */
  ownValuesByField(a: DemoAsset): FieldValueMap {
    const own = this.ownValues(a);
    return Object.fromEntries(DAM_FIELDS.map((f) => [this.mapping.iconik.fields[f], own[f]]));
  }

  /** The value of each mapped field as served, by field name. */
  valuesByField(a: DemoAsset): FieldValueMap {
    const values = this.vendorValues(a);
    return Object.fromEntries(DAM_FIELDS.map((f) => [this.mapping.iconik.fields[f], values[f]]));
  }

  /** Values as served: the asset's own, where the metadata writes did not set the field. */
  private vendorValues(a: DemoAsset): Record<DamField, string[]> {
    const out = this.ownValues(a);
    const written = this.edits.fieldsOf(a.nativeId);
    if (written) {
      for (const f of DAM_FIELDS) {
        const v = written.get(this.mapping.iconik.fields[f]);
        if (v) out[f] = [...v];
      }
    }
    return out;
  }

  /** Canonical value of each mapped field, in vendor terms (value maps applied). */
  private ownValues(a: DemoAsset): Record<DamField, string[]> {
    const canonical: Record<DamField, string | readonly string[] | undefined> = {
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
    const out = {} as Record<DamField, string[]>;
    for (const f of DAM_FIELDS) {
      const v = canonical[f];
      const list = v === undefined ? [] : typeof v === 'string' ? [v] : [...v];
      out[f] = list.map((x) => (DATES.has(f) ? iconikDate(x) : toVendor(this.mapping.iconik.values, f, x)));
    }
    return out;
  }

  /** Search-result metadata: mapped field -> values; unset fields are absent. */
  metadata(a: DemoAsset): SearchMetadata {
    const values = this.vendorValues(a);
    const out: SearchMetadata = {};
    for (const f of DAM_FIELDS) if (values[f].length) out[this.mapping.iconik.fields[f]] = values[f];
    return out;
  }

  /** `MetadataValuesSchema` of the mapped view; unset fields have an empty `field_values`. */
  metadataValues(a: DemoAsset): MetadataValuesSchema {
    const values = this.vendorValues(a);
    const metadata_values: MetadataValuesSchema['metadata_values'] = {};
    for (const f of DAM_FIELDS) metadata_values[this.mapping.iconik.fields[f]] = { field_values: values[f].map((value) => ({ value })) };
    return {
      metadata_values,
      object_id: a.nativeId,
      object_type: 'assets',
      version_id: this.versionId(a),
      job_id: null,
      date_created: iconikDate(a.createdAt),
      date_modified: iconikDate(a.modifiedAt),
    };
  }

  view(): MetadataViewSchema {
    const view_fields: MetadataFieldSchema[] = DAM_FIELDS.map((f) => {
      const t = FIELD_TYPES[f];
      return {
        name: this.mapping.iconik.fields[f],
        label: t.label,
        field_type: t.type,
        multi: MULTI.has(f),
        options: (t.options ?? []).map((o) => ({ label: o, value: toVendor(this.mapping.iconik.values, f, o) })),
        required: false,
        read_only: false,
        use_as_facet: t.type !== 'date_time',
        sortable: true,
        min_value: null,
        max_value: null,
      };
    });
    const at = iconikDate(this.world.asOf - 400 * 86_400_000);
    return {
      id: this.mapping.iconik.metadataViewId,
      name: 'Atrium Marketing',
      description: 'Canonical Atrium metadata (campaign, account, approval, rights)',
      view_fields,
      date_created: at,
      date_modified: at,
    };
  }

  versionId(a: DemoAsset): string {
    return stableUuid(this.world.seed, 'version', a.nativeId);
  }

  renditionId(a: DemoAsset, kind: RenditionKind | 'POSTER'): string {
    return stableUuid(this.world.seed, 'rendition', a.nativeId, kind);
  }

  /** AssetSchema (the single-asset GET). */
  asset(a: DemoAsset): AssetSchema {
    const created = iconikDate(a.createdAt);
    const modified = iconikDate(a.modifiedAt);
    return {
      id: a.nativeId,
      title: a.title,
      type: 'ASSET',
      status: 'ACTIVE',
      analyze_status: 'N/A',
      archive_status: 'NOT_ARCHIVED',
      category: null,
      external_id: null,
      external_link: null,
      is_online: true,
      is_blocked: false,
      in_collections: this.inCollections(a),
      created_by_user: this.userId,
      updated_by_user: this.userId,
      date_created: created,
      date_modified: modified,
      date_imported: created,
      date_deleted: null,
      custom_keyframe: null,
      custom_poster: null,
      original_asset_id: null,
      time_start_milliseconds: null,
      time_end_milliseconds: null,
      versions: [
        {
          id: this.versionId(a),
          status: 'ACTIVE',
          analyze_status: 'N/A',
          archive_status: 'NOT_ARCHIVED',
          transcribe_status: 'N/A',
          is_online: true,
          created_by_user: this.userId,
          date_created: created,
        },
      ],
      warning: null,
      favoured: false,
      site_name: null,
    };
  }

  /** AssetElasticSchema (list and search objects), with files, proxies and keyframes. */
  elastic(a: DemoAsset, sign?: Signer): AssetElasticSchema {
    const timed = a.kind === 'VIDEO' || a.kind === 'AUDIO';
    return {
      ...this.asset(a),
      object_type: 'assets',
      media_type: MEDIA_TYPES[a.kind],
      description: a.description,
      duration_milliseconds: timed ? 6000 + (a.index % 25) * 1000 : null,
      files: this.files(a, sign),
      proxies: this.proxies(a, sign),
      keyframes: this.keyframes(a, sign),
      metadata: this.metadata(a),
      relations: [],
      versions_number: 1,
      comments_count: 0,
      position: null,
    };
  }

  proxies(a: DemoAsset, sign?: Signer): ProxySchema[] {
    return a.renditions
      .filter((r) => PROXY_KINDS.includes(r.kind))
      .map((r) => {
        const name = r.kind.toLowerCase();
        return {
          id: this.renditionId(a, r.kind),
          asset_id: a.nativeId,
          version_id: this.versionId(a),
          name,
          filename: `${a.fileName.replace(/\.[^.]+$/, '')}-${name}.png`,
          format: 'PNG',
          codec: null,
          bit_rate: null,
          audio_bitrate: null,
          frame_rate: null,
          resolution: r.width && r.height ? { width: r.width, height: r.height } : null,
          size: this.size(a, r),
          status: 'CLOSED',
          storage_id: this.storageId,
          storage_method: 'GCS',
          url: sign ? sign(a, r.kind) : null,
          is_public: false,
          rotation: 0,
          start_time_code: null,
          is_drop_frame: false,
          date_created: iconikDate(a.createdAt),
          date_modified: iconikDate(a.modifiedAt),
        };
      });
  }

  formatId(a: DemoAsset): string {
    return stableUuid(this.world.seed, 'format', a.nativeId);
  }

  /**
   * The asset's formats: one, `ORIGINAL`, holding its file (the format the upload sequence of
   * vendor-apis-writes.md §4.4 creates). Proxies are not formats in iconik, so none is listed
   * for them. No components: the demo world knows no streams.
   */
  formats(a: DemoAsset): FormatSchema[] {
    const r = a.renditions.find((x) => x.kind === 'ORIGINAL');
    if (!r) return [];
    return [
      {
        id: this.formatId(a),
        asset_id: a.nativeId,
        version_id: this.versionId(a),
        name: 'ORIGINAL',
        status: 'ACTIVE',
        archive_status: 'NOT_ARCHIVED',
        is_online: true,
        storage_methods: ['GCS'],
        metadata: [{ internet_media_type: r.mimeType }],
        components: [],
        user_id: this.userId,
        date_created: iconikDate(a.createdAt),
        date_modified: iconikDate(a.modifiedAt),
        date_deleted: null,
        deleted_by_user: null,
        warnings: [],
      },
    ];
  }

  files(a: DemoAsset, sign?: Signer): FileSchema[] {
    const r = a.renditions.find((x) => x.kind === 'ORIGINAL');
    if (!r) return [];
    return [
      {
        id: this.renditionId(a, 'ORIGINAL'),
        asset_id: a.nativeId,
        version_id: this.versionId(a),
        file_set_id: stableUuid(this.world.seed, 'file_set', a.nativeId),
        format_id: this.formatId(a),
        name: a.fileName,
        original_name: a.fileName,
        directory_path: `atrium/${a.campaignCode ?? a.accountId ?? 'assets'}`,
        size: this.size(a, r),
        checksum: hex8(a.nativeId, 'md5').repeat(4),
        status: 'CLOSED',
        type: 'FILE',
        storage_id: this.storageId,
        storage_method: 'GCS',
        url: sign ? sign(a, 'ORIGINAL') : null,
        file_date_created: iconikDate(a.createdAt),
        file_date_modified: iconikDate(a.modifiedAt),
        system_domain_id: this.systemDomainId,
        user_id: this.userId,
      },
    ];
  }

  keyframes(a: DemoAsset, sign?: Signer): KeyframeSchema[] {
    const r = a.renditions.find((x) => x.kind === 'PREVIEW');
    if (!r) return [];
    return [
      {
        id: this.renditionId(a, 'POSTER'),
        asset_id: a.nativeId,
        version_id: this.versionId(a),
        collection_id: null,
        name: 'poster',
        filename: `${a.fileName.replace(/\.[^.]+$/, '')}-poster.png`,
        format: 'PNG',
        type: 'POSTER',
        is_custom_keyframe: false,
        is_public: false,
        resolution: r.width && r.height ? { width: r.width, height: r.height } : null,
        rotation: 0,
        size: this.size(a, r),
        status: 'CLOSED',
        storage_id: this.storageId,
        storage_method: 'GCS',
        time_code: { frames_num: 0, frame_rate: '25' },
        url: sign ? sign(a, 'PREVIEW') : null,
        date_created: iconikDate(a.createdAt),
        date_modified: iconikDate(a.modifiedAt),
      },
    ];
  }

  /** Drop what is memoized of asset `index` (it changed, simulators/demo/asset-changes.ts). */
  forget(index: number): void {
    this.searchDocs.delete(index);
    this.membership = undefined;
    for (const k of [...this.sizes.keys()]) if (k.startsWith(`${index}:`)) this.sizes.delete(k);
  }

  /** The searchable form of asset `index` (memoized until the asset changes). */
  searchDoc(index: number): SearchDoc {
    let d = this.searchDocs.get(index);
    if (!d) {
      const a = this.world.asset('ICONIK', index);
      const fields: Record<string, unknown[]> = {
        id: [a.nativeId],
        title: [a.title],
        media_type: [MEDIA_TYPES[a.kind]],
        object_type: ['assets'],
        type: ['ASSET'],
        status: ['ACTIVE'],
        date_created: [iconikDate(a.createdAt)],
        date_modified: [iconikDate(a.modifiedAt)],
        in_collections: this.inCollections(a),
      };
      for (const [k, v] of Object.entries(this.metadata(a))) fields[k] = v;
      d = { id: a.nativeId, docType: 'assets', fields, text: `${a.title}\n${a.description}`.toLowerCase() };
      this.searchDocs.set(index, d);
    }
    return d;
  }

  /**
   * Collection id -> asset indexes now, and the collections the assets are in by themselves
   * (a campaign or account collection exists while it has assets of its own, even when the
   * collection writes took them all out), from one walk over the world.
   */
  private members(): { now: Map<string, number[]>; generated: Set<string> } {
    if (!this.membership) {
      const now = new Map<string, number[]>();
      const generated = new Set<string>();
      for (const a of this.world.assets('ICONIK')) {
        for (const id of this.generatedCollections(a)) generated.add(id);
        for (const id of this.inCollections(a)) {
          const list = now.get(id) ?? [];
          list.push(a.index);
          now.set(id, list);
        }
      }
      this.membership = { now, generated };
    }
    return this.membership;
  }

  /** Every collection: the three roots, then campaigns and accounts that hold assets, then the distribution collections. */
  collections(): CollectionSchema[] {
    const roots = this.rootIds();
    const at = iconikDate(this.world.asOf - 400 * 86_400_000);
    const make = (id: string, title: string, parent: string | null, externalId: string | null): CollectionSchema => ({
      id,
      title,
      parent_id: parent,
      parents: parent ? [parent] : [],
      in_collections: parent ? [parent] : [],
      is_root: parent === null,
      status: 'ACTIVE',
      object_type: 'collections',
      permissions: ['read', 'write'],
      category: null,
      external_id: externalId,
      created_by_user: this.userId,
      date_created: at,
      date_modified: at,
    });
    const members = this.members().generated;
    const distribution = (id: string, parent: string | null) =>
      make(id, DISTRIBUTION_TITLES[id]?.title ?? id, parent, DISTRIBUTION_TITLES[id]?.externalId ?? null);
    const out = [
      make(roots.campaigns, 'Campaigns', null, null),
      make(roots.accounts, 'Accounts', null, null),
      distribution(DEMO_ICONIK_DISTRIBUTION_ROOT, null),
    ];
    for (const c of this.world.campaigns()) {
      const id = this.campaignCollectionId(c.code);
      if (members.has(id)) out.push(make(id, `${c.code} ${c.name}`, roots.campaigns, c.code));
    }
    for (const acc of this.world.accounts()) {
      const id = this.accountCollectionId(acc.id);
      if (members.has(id)) out.push(make(id, acc.name, roots.accounts, acc.id));
    }
    for (const id of DEMO_ICONIK_DISTRIBUTION_COLLECTIONS) out.push(distribution(id, DEMO_ICONIK_DISTRIBUTION_ROOT));
    return out;
  }

  /** Whether a collection of this id exists. */
  hasCollection(id: string): boolean {
    return this.collections().some((c) => c.id === id);
  }

  /** Child collections and assets of a collection, or null when there is no such collection. */
  contents(id: string): { collections: CollectionSchema[]; assets: DemoAsset[] } | null {
    const all = this.collections();
    if (!all.some((c) => c.id === id)) return null;
    return {
      collections: all.filter((c) => c.parent_id === id),
      assets: (this.members().now.get(id) ?? []).map((i) => this.world.asset('ICONIK', i)),
    };
  }

  /** The view's searchable field names. */
  fieldNames(): string[] {
    return DAM_FIELDS.map((f) => this.mapping.iconik.fields[f]);
  }
}
