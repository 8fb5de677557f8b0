/**
 * Per-request DataLoaders: one upstream request per source per level of a query. Created for
 * each request (never at module scope); batch functions answer in key order and length.
 * Below them, the gateway's cached sources share identical reads across concurrent requests.
 */
import DataLoader from 'dataloader';
import type { ScopedSources } from './sources.ts';
import { findAll, stableKey } from './sources.ts';
import type { Account, Asset, Campaign, CanonicalFilter, DamSystem, Document, Workspace } from '../sources/model.ts';
import { DAM_SYSTEMS } from '../sources/model.ts';

export interface OwnedKey {
  /** Whose items: a workspace node id, a campaign code or an account id. */
  owner: string;
  filter: CanonicalFilter;
}
export interface DamOwnedKey extends OwnedKey {
  system: DamSystem;
  by: 'campaign' | 'account';
}

export interface Loaders {
  campaign: DataLoader<string, Campaign | null>;
  account: DataLoader<string, Account | null>;
  workspace: DataLoader<string, Workspace | null>;
  document: DataLoader<string, Document | null>;
  asset: Record<DamSystem, DataLoader<string, Asset | null>>;
  /** All documents of a workspace (at any depth) matching a filter. */
  documentsIn: DataLoader<OwnedKey, Document[], string>;
  /** All assets of one DAM for a campaign or account matching a filter. */
  assetsOf: DataLoader<DamOwnedKey, Asset[], string>;
}

/** Group keys by their filter, so each distinct filter makes one request. */
function byFilter<K extends { filter: CanonicalFilter }>(keys: readonly K[], extra: (k: K) => string = () => ''): Map<string, K[]> {
  const groups = new Map<string, K[]>();
  for (const k of keys) {
    const g = `${extra(k)}|${stableKey(k.filter)}`;
    groups.set(g, [...(groups.get(g) ?? []), k]);
  }
  return groups;
}

/** Settle per group: a failing group rejects only its own keys. */
async function perGroup<K, V>(
  keys: readonly K[],
  groups: Map<string, K[]>,
  run: (group: K[]) => Promise<Map<K, V>>,
): Promise<(V | Error)[]> {
  const results = new Map<K, V | Error>();
  await Promise.all(
    [...groups.values()].map(async (group) => {
      try {
        const got = await run(group);
        for (const k of group) results.set(k, got.get(k) as V);
      } catch (e) {
        for (const k of group) results.set(k, e instanceof Error ? e : new Error(String(e)));
      }
    }),
  );
  return keys.map((k) => results.get(k) as V | Error);
}

export function createLoaders(sources: ScopedSources): Loaders {
  const { ecm, dams } = sources;
  const asset = Object.fromEntries(
    DAM_SYSTEMS.map((s) => [s, new DataLoader<string, Asset | null>((ids) => dams[s].getAssets(ids))]),
  ) as Record<DamSystem, DataLoader<string, Asset | null>>;
  return {
    campaign: new DataLoader((codes) => ecm.getCampaigns(codes)),
    account: new DataLoader((ids) => ecm.getAccounts(ids)),
    workspace: new DataLoader((ids) => ecm.getWorkspaces(ids)),
    document: new DataLoader((ids) => ecm.getDocuments(ids)),
    asset,
    documentsIn: new DataLoader<OwnedKey, Document[], string>(
      (keys) =>
        perGroup(keys, byFilter(keys), async (group) => {
          const owners = [...new Set(group.map((k) => k.owner))];
          const docs = await findAll((page) => ecm.findDocuments({ ...(group[0] as OwnedKey).filter, workspaceIds: owners }, page));
          return new Map(group.map((k) => [k, docs.filter((d) => d.workspaceId === k.owner)]));
        }),
      { cacheKeyFn: (k) => stableKey(k) },
    ),
    assetsOf: new DataLoader<DamOwnedKey, Asset[], string>(
      (keys) =>
        perGroup(
          keys,
          byFilter(keys, (k) => `${k.system}:${k.by}`),
          async (group) => {
            const { system, by, filter } = group[0] as DamOwnedKey;
            const owners = [...new Set(group.map((k) => k.owner))];
            const scoped: CanonicalFilter = by === 'campaign' ? { ...filter, campaignCodes: owners } : { ...filter, accountIds: owners };
            const assets = await findAll((page) => dams[system].findAssets(scoped, page));
            return new Map(group.map((k) => [k, assets.filter((a) => (by === 'campaign' ? a.campaignCode : a.accountId) === k.owner)]));
          },
        ),
      { cacheKeyFn: (k) => stableKey(k) },
    ),
  };
}
