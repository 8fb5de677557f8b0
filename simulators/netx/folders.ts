/**
 * The NetX simulator's folder tree over the demo world, and where each asset is filed before
 * any write moves it (writes: edits.ts).
 *
 * ```
 * Top (1)
 * ├── Campaigns (2) / <campaign code> (1_000_000 + campaign index)   a campaign's assets
 * ├── Accounts (3) / <account id> (2_000_000 + account index)        an account's co-branded logos
 * └── Brand (4)                                                      the same logos, filed a second time
 *     ├── Partner Portal (5)       partner distribution: approved partner-channel assets of campaigns open to all partners
 *     └── Partner Co-branding (6)  partner distribution: approved partner-channel co-branded logos
 * ```
 */
import type { DemoAsset, DemoWorld } from '../demo/world.ts';
import type { NetxFolderRef } from '../../sources/netx/wire.ts';

/** Folder ids: fixed ones, then campaign and account folders by their world index. */
export const FOLDER = {
  top: 1,
  campaigns: 2,
  accounts: 3,
  brand: 4,
  partnerPortal: 5,
  partnerCobranding: 6,
  campaignBase: 1_000_000,
  accountBase: 2_000_000,
} as const;

/**
 * The demo's partner distribution folders (NetX folder ids): what the NetX connector's
 * `distributionFolders` option names in demo mode. Demo assets are filed in them as generated
 * (`distributionFoldersOf`), and rights write-back takes them out.
 */
export const DEMO_NETX_DISTRIBUTION_FOLDERS: readonly number[] = Object.freeze([FOLDER.partnerPortal, FOLDER.partnerCobranding]);

export type SimFolder = NetxFolderRef & { parentId: number | null };

const FIXED: Record<number, SimFolder> = {
  [FOLDER.top]: { id: FOLDER.top, name: 'Top', path: 'Top', parentId: null },
  [FOLDER.campaigns]: { id: FOLDER.campaigns, name: 'Campaigns', path: 'Top/Campaigns', parentId: FOLDER.top },
  [FOLDER.accounts]: { id: FOLDER.accounts, name: 'Accounts', path: 'Top/Accounts', parentId: FOLDER.top },
  [FOLDER.brand]: { id: FOLDER.brand, name: 'Brand', path: 'Top/Brand', parentId: FOLDER.top },
  [FOLDER.partnerPortal]: { id: FOLDER.partnerPortal, name: 'Partner Portal', path: 'Top/Brand/Partner Portal', parentId: FOLDER.brand },
  [FOLDER.partnerCobranding]: {
    id: FOLDER.partnerCobranding,
    name: 'Partner Co-branding',
    path: 'Top/Brand/Partner Co-branding',
    parentId: FOLDER.brand,
  },
};

export function folderById(world: DemoWorld, id: number): SimFolder | null {
  const fixed = FIXED[id];
  if (fixed) return { ...fixed };
  const c = id - FOLDER.campaignBase;
  if (c >= 0 && c < world.counts.campaigns) {
    const code = world.campaign(c).code;
    return { id, name: code, path: `Top/Campaigns/${code}`, parentId: FOLDER.campaigns };
  }
  const a = id - FOLDER.accountBase;
  if (a >= 0 && a < world.counts.accounts) {
    const accountId = world.account(a).id;
    return { id, name: accountId, path: `Top/Accounts/${accountId}`, parentId: FOLDER.accounts };
  }
  return null;
}

export function folderByPath(world: DemoWorld, path: string): number | null {
  const joined = path.replace(/^\/+|\/+$/g, '');
  const fixed = Object.values(FIXED).find((f) => f.path === joined);
  if (fixed) return fixed.id;
  const parts = joined.split('/');
  if (parts.length !== 3 || parts[0] !== 'Top') return null;
  if (parts[1] === 'Campaigns') {
    const c = world.campaignByCode(parts[2] ?? '');
    return c ? FOLDER.campaignBase + c.index : null;
  }
  if (parts[1] === 'Accounts') {
    const a = world.accountById(parts[2] ?? '');
    return a ? FOLDER.accountBase + a.index : null;
  }
  return null;
}

export function childFolders(world: DemoWorld, id: number): number[] {
  const range = (base: number, n: number) => Array.from({ length: n }, (_, i) => base + i);
  if (id === FOLDER.top) return [FOLDER.campaigns, FOLDER.accounts, FOLDER.brand];
  if (id === FOLDER.campaigns) return range(FOLDER.campaignBase, world.counts.campaigns);
  if (id === FOLDER.accounts) return range(FOLDER.accountBase, world.counts.accounts);
  if (id === FOLDER.brand) return [FOLDER.partnerPortal, FOLDER.partnerCobranding];
  return [];
}

/** Folders an asset is filed in by what it is about: its campaign's or account's folder; account logos also in Brand. */
export function ownerFolderIds(world: DemoWorld, a: DemoAsset): number[] {
  const out: number[] = [];
  const c = a.campaignCode ? world.campaignByCode(a.campaignCode) : null;
  if (c) out.push(FOLDER.campaignBase + c.index);
  const acc = a.accountId ? world.accountById(a.accountId) : null;
  if (acc) out.push(FOLDER.accountBase + acc.index, FOLDER.brand);
  return out;
}

/**
 * The distribution folders an asset is filed in as generated: approved assets cleared for the
 * `partner` channel, of a campaign open to all partners (Partner Portal) or an account's
 * co-branded logos (Partner Co-branding). Decided on the generated asset, so a later change of
 * its rights does not move it: taking it out is the write-back's job.
 */
export function distributionFoldersOf(world: DemoWorld, generated: DemoAsset): number[] {
  if (generated.approval !== 'APPROVED' || !generated.rights.channels.includes('partner')) return [];
  const out: number[] = [];
  const c = generated.campaignCode ? world.campaignByCode(generated.campaignCode) : null;
  if (c?.openToAllPartners) out.push(FOLDER.partnerPortal);
  if (generated.accountId) out.push(FOLDER.partnerCobranding);
  return out;
}

/** Whether a folder is `folderId` or, when `recursive`, below it. */
export function isWithin(world: DemoWorld, start: number, folderId: number, recursive: boolean): boolean {
  if (start === folderId) return true;
  if (!recursive) return false;
  for (let id = folderById(world, start)?.parentId; id !== null && id !== undefined; id = folderById(world, id)?.parentId) {
    if (id === folderId) return true;
  }
  return false;
}
