/**
 * Collections, folders and lookup domains of the simulated OTMM: one collection per campaign,
 * a folder tree `Atrium Marketing / <product line> / <campaign>` holding the campaign's assets,
 * and lookup domains for the controlled vocabularies of the mapped fields.
 *
 * Container ids are 40 hex like asset ids, with a type code where asset ids hold `0000`, so a
 * container is resolved from its id without an index.
 */
import { APPROVAL_STATUSES, CHANNELS, REGIONS, RIGHTS_STATUSES } from '../../sources/model.ts';
import { LOCALES, type DemoCampaign, type DemoWorld } from '../demo/world.ts';
import { hex } from '../demo/rng.ts';
import { toVendor, type DamField, type Mapping } from '../../sources/mapping.ts';
import type { OtmmCollection, OtmmListItem, OtmmLookupDomain } from '../../sources/otmm/wire.ts';

const COLLECTION_CODE = 'c0c0';
const FOLDER_CODE = 'f0f0';
const FOLDER_TYPE = 'ARTESIA.CONTAINER.TYPE.FOLDER';
/** Folder numbers: 0 the root, 1..n product lines, CAMPAIGN_FOLDER_BASE + index campaigns. */
const CAMPAIGN_FOLDER_BASE = 1_000_000;

export type FolderNode = { kind: 'root' } | { kind: 'productLine'; productLine: string } | { kind: 'campaign'; campaign: DemoCampaign };

/** Collections and folders over a world. */
export interface Containers {
  collections(): OtmmCollection[];
  /** The campaign a collection id stands for, or null. */
  collectionCampaign(id: string): DemoCampaign | null;
  rootFolders(): OtmmListItem[];
  folder(id: string): FolderNode | null;
  /** Sub-folders of a folder (campaign folders hold assets instead). */
  subFolders(node: FolderNode): OtmmListItem[];
}

/** Build the container view of a world (product lines are read once, campaigns on demand). */
export function createContainers(world: DemoWorld, ownerName: string): Containers {
  const prefix = world.assetId('OTMM', 0).slice(0, 24);
  const productLines = [...new Set([...world.campaigns()].map((c) => c.productLine))].sort();
  const idOf = (code: string, n: number) => prefix + code + hex(n, 12);
  const numberOf = (id: string, code: string): number =>
    /^[0-9a-f]{40}$/.test(id) && id.startsWith(prefix + code) ? parseInt(id.slice(28), 16) : -1;
  const campaignAt = (index: number): DemoCampaign | null => (index >= 0 && index < world.counts.campaigns ? world.campaign(index) : null);
  const folderItem = (n: number, name: string): OtmmListItem => ({ asset_id: idOf(FOLDER_CODE, n), name, container_type_id: FOLDER_TYPE });
  // Counting a campaign's assets generates its whole block; the world never changes, so count once.
  const counts = new Map<string, number>();
  const assetCount = (code: string): number => {
    let n = counts.get(code);
    if (n === undefined) {
      n = [...world.campaignAssets('OTMM', code)].length;
      counts.set(code, n);
    }
    return n;
  };

  return {
    collections: () =>
      [...world.campaigns()].map((c) => ({
        id: idOf(COLLECTION_CODE, c.index),
        name: `${c.code} ${c.name}`,
        owner_name: ownerName,
        description: `Assets of campaign ${c.code} (${c.productLine})`,
        asset_count: assetCount(c.code),
      })),
    collectionCampaign: (id) => campaignAt(numberOf(id, COLLECTION_CODE)),
    rootFolders: () => [folderItem(0, 'Atrium Marketing')],
    folder(id) {
      const n = numberOf(id, FOLDER_CODE);
      if (n === 0) return { kind: 'root' };
      if (n >= 1 && n <= productLines.length) return { kind: 'productLine', productLine: productLines[n - 1] as string };
      const campaign = campaignAt(n - CAMPAIGN_FOLDER_BASE);
      return campaign ? { kind: 'campaign', campaign } : null;
    },
    subFolders(node) {
      switch (node.kind) {
        case 'root':
          return productLines.map((p, i) => folderItem(i + 1, p));
        case 'productLine':
          return [...world.campaigns()]
            .filter((c) => c.productLine === node.productLine)
            .map((c) => folderItem(CAMPAIGN_FOLDER_BASE + c.index, `${c.code} ${c.name}`));
        case 'campaign':
          return [];
      }
    },
  };
}

/**
 * The lookup domain each controlled-vocabulary field is bound to. A field listed here is a
 * domain field: its metadata element says `domain_value: true` (see assets.ts).
 */
export const FIELD_DOMAINS = {
  region: 'ATRIUM.DOMAIN.REGIONS',
  territories: 'ATRIUM.DOMAIN.TERRITORIES',
  channels: 'ATRIUM.DOMAIN.CHANNELS',
  locale: 'ATRIUM.DOMAIN.LOCALES',
  approval: 'ATRIUM.DOMAIN.APPROVAL',
  rightsStatus: 'ATRIUM.DOMAIN.RIGHTS_STATUS',
  productLine: 'ATRIUM.DOMAIN.PRODUCT_LINES',
} as const satisfies Partial<Record<DamField, string>>;

/** Whether a mapped field is bound to a lookup domain. */
export const isDomainField = (f: DamField): boolean => f in FIELD_DOMAINS;

/** Lookup domains for the mapped vocabularies (values in vendor form, via the mapping's value maps). */
export function lookupDomains(world: DemoWorld, mapping: Mapping): OtmmLookupDomain[] {
  const domain = (domainId: string, values: readonly string[]): OtmmLookupDomain => ({
    domainId,
    datatype: 'CHAR',
    domainValues: values.map((v) => ({
      display_value: v,
      field_value: { type: 'string', value: v },
      expired_value: false,
      active_from: null,
      active_to: null,
    })),
  });
  const vendor = (field: 'approval' | 'rightsStatus', list: readonly string[]) => list.map((v) => toVendor(mapping.otmm.values, field, v));
  return [
    domain(FIELD_DOMAINS.region, REGIONS),
    domain(FIELD_DOMAINS.territories, [...REGIONS, 'WORLD']),
    domain(FIELD_DOMAINS.channels, CHANNELS),
    domain(FIELD_DOMAINS.locale, LOCALES),
    domain(FIELD_DOMAINS.approval, vendor('approval', APPROVAL_STATUSES)),
    domain(FIELD_DOMAINS.rightsStatus, vendor('rightsStatus', RIGHTS_STATUSES)),
    domain(FIELD_DOMAINS.productLine, [...new Set([...world.campaigns()].map((c) => c.productLine))].sort()),
  ];
}
