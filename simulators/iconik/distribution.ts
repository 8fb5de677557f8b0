/**
 * The demo's partner distribution collections in iconik: where partner-facing assets are
 * published, and what rights write-back (issue 16) takes an asset out of when its rights end
 * and puts it back into when they are cleared again.
 *
 * Their ids are fixed (not derived from the world's seed, unlike the campaign and account
 * collections, whose ids also move with the campaign codes' year), so a configuration default
 * can name them: `DEMO_ICONIK_DISTRIBUTION_COLLECTIONS` is the demo value of the connector's
 * `distributionCollections`.
 *
 * Who starts in them (by the asset's rights case, which no edit changes, so membership changes
 * only through the collection writes):
 * - Partner portal: every asset that was approved for release, including those whose rights
 *   have since expired or been restricted (the demo's write-back has them to take out);
 * - Partner press kit: the campaign assets cleared world-wide.
 */
import type { DemoAsset } from '../demo/world.ts';

/** Root collection the distribution collections sit under. */
export const DEMO_ICONIK_DISTRIBUTION_ROOT = '3d9a6c1e-52f4-4b7a-8e21-6f0c9d4b2a00';
export const DEMO_ICONIK_PARTNER_PORTAL = '3d9a6c1e-52f4-4b7a-8e21-6f0c9d4b2a01';
export const DEMO_ICONIK_PARTNER_PRESS_KIT = '3d9a6c1e-52f4-4b7a-8e21-6f0c9d4b2a02';

/** The demo's partner distribution collections (the connector option `distributionCollections`). */
export const DEMO_ICONIK_DISTRIBUTION_COLLECTIONS: readonly string[] = Object.freeze([
  DEMO_ICONIK_PARTNER_PORTAL,
  DEMO_ICONIK_PARTNER_PRESS_KIT,
]);

/** Title and `external_id` of each distribution collection, the root first. */
export const DISTRIBUTION_TITLES: Readonly<Record<string, { title: string; externalId: string }>> = {
  [DEMO_ICONIK_DISTRIBUTION_ROOT]: { title: 'Distribution', externalId: 'distribution' },
  [DEMO_ICONIK_PARTNER_PORTAL]: { title: 'Partner portal', externalId: 'partner-portal' },
  [DEMO_ICONIK_PARTNER_PRESS_KIT]: { title: 'Partner press kit', externalId: 'partner-press-kit' },
};

/** The distribution collections an asset is in before any collection write. */
export function distributionCollectionsOf(a: DemoAsset): string[] {
  if (a.rightsCase === 'pending-approval' || a.rightsCase === 'rejected') return [];
  return a.rightsCase === 'cleared-world' && a.campaignCode
    ? [DEMO_ICONIK_PARTNER_PORTAL, DEMO_ICONIK_PARTNER_PRESS_KIT]
    : [DEMO_ICONIK_PARTNER_PORTAL];
}
