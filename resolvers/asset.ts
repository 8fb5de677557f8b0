/** Asset: a DAM asset with its effective rights (narrowed by its ECM licence) and its joins. */
import type { Asset, DamSystem, Rendition } from '../sources/model.ts';
import type { Context } from './context.ts';
import { NotFoundError } from '../access/errors.ts';
import { assetId, decodeId } from '../access/ids.ts';
import { isPlausibleId } from './input.ts';
import { requireInternal } from '../access/policy.ts';

/** An asset by global id, or NOT_FOUND (also when the reader may not see it, and without a request when the id cannot be ours). */
export async function assetByGlobalId(id: string, ctx: Context): Promise<Asset> {
  const d = decodeId(id);
  const a = d?.kind === 'Asset' && isPlausibleId(d.nativeId) ? await ctx.access.asset(d.system, d.nativeId) : null;
  if (!a) throw new NotFoundError('Asset');
  return a;
}

export const assetResolvers = {
  Query: {
    asset: (_: unknown, { id }: { id: string }, ctx: Context) => assetByGlobalId(id, ctx),
  },
  Asset: {
    id: (a: Asset) => assetId(a.source.system as Parameters<typeof assetId>[0], a.source.nativeId),
    approval: (a: Asset) => ({ status: a.approval }),
    renditions: (a: Asset, _: unknown, ctx: Context) =>
      Promise.all(
        a.renditions.map(async (r: Rendition) => ({
          kind: r.kind,
          mimeType: r.mimeType,
          width: r.width ?? null,
          height: r.height ?? null,
          url: await ctx.links.rendition(a, r.kind),
        })),
      ),
    rights: (a: Asset, _: unknown, ctx: Context) => ctx.access.rights(a),
    sync: async (a: Asset, _: unknown, ctx: Context) => {
      requireInternal(ctx.principal, 'Write-back states');
      const r = ctx.sync ? await ctx.sync.load(assetId(a.source.system as DamSystem, a.source.nativeId)) : null;
      return r ? { state: r.state, lastWrittenAt: r.lastWrittenAt, lastError: r.lastError } : null;
    },
    campaign: (a: Asset, _: unknown, ctx: Context) => (a.campaignCode ? ctx.access.campaign(a.campaignCode) : null),
    account: (a: Asset, _: unknown, ctx: Context) => (a.accountId ? ctx.access.account(a.accountId) : null),
    variants: async (a: Asset, _: unknown, ctx: Context) => {
      if (!a.campaignCode || (!a.variantOf && !a.locale)) return [];
      const campaign = await ctx.access.campaign(a.campaignCode);
      if (!campaign) return [];
      const master = a.variantOf ?? a.source.nativeId;
      const all = await ctx.access.assetsOf(a.source.system as DamSystem, { kind: 'campaign', campaign }, ctx.access.assetFilter({}));
      return all.filter((x) => x.source.nativeId !== a.source.nativeId && (x.variantOf ?? x.source.nativeId) === master);
    },
  },
  Rights: {
    // The licence is a document like any other: shown only to readers who may see it.
    licence: (r: { licenceId?: string }, _: unknown, ctx: Context) => (r.licenceId ? ctx.access.document(r.licenceId) : null),
  },
};
