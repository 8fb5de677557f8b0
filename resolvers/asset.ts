/** Asset: a DAM asset with its effective rights (narrowed by its ECM licence) and its joins. */
import type { Asset, Rendition } from '../sources/model.ts';
import type { Context } from '../gateway/context.ts';
import { NotFoundError } from '../gateway/errors.ts';
import { effectiveRights } from '../gateway/rights.ts';
import { assetId, decodeId } from './ids.ts';

/** An asset by global id, or NOT_FOUND. */
export async function assetByGlobalId(id: string, ctx: Context): Promise<Asset> {
  const d = decodeId(id);
  const a = d?.kind === 'Asset' ? await ctx.loaders.asset[d.system].load(d.nativeId) : null;
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
      a.renditions.map((r: Rendition) => ({
        kind: r.kind, mimeType: r.mimeType, width: r.width ?? null, height: r.height ?? null,
        url: `${ctx.publicUrl}/files/assets/${assetId(a.source.system as Parameters<typeof assetId>[0], a.source.nativeId)}/${r.kind.toLowerCase()}`,
      })),
    rights: async (a: Asset, _: unknown, ctx: Context) => {
      const licence = a.rights.licenceId ? await ctx.loaders.document.load(a.rights.licenceId) : undefined;
      return effectiveRights(a.rights, licence, ctx.now());
    },
    campaign: (a: Asset, _: unknown, ctx: Context) => (a.campaignCode ? ctx.loaders.campaign.load(a.campaignCode) : null),
    account: (a: Asset, _: unknown, ctx: Context) => (a.accountId ? ctx.loaders.account.load(a.accountId) : null),
    variants: async (a: Asset, _: unknown, ctx: Context) => {
      if (!a.campaignCode || (!a.variantOf && !a.locale)) return [];
      const master = a.variantOf ?? a.source.nativeId;
      const all = await ctx.loaders.assetsOf.load({ system: a.source.system as 'OTMM', by: 'campaign', owner: a.campaignCode, filter: {} });
      return all.filter((x) => x.source.nativeId !== a.source.nativeId && (x.variantOf ?? x.source.nativeId) === master);
    },
  },
  Rights: {
    licence: (r: { licenceId?: string }, _: unknown, ctx: Context) => (r.licenceId ? ctx.loaders.document.load(r.licenceId) : null),
  },
};
