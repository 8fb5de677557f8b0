/**
 * The demo world as NetX wire values (simulator only): nominal sizes and an
 * asset's attributes under the configured mapping. The connector's reverse direction is
 * sources/netx/map.ts, whose KIND_VALUES both sides share.
 */
import type { DemoAsset, DemoRendition } from '../demo/world.ts';
import { toVendor, type DamField, type Mapping } from '../../sources/mapping.ts';
import { KIND_VALUES } from '../../sources/netx/map.ts';

/**
 * A stable nominal byte size for a rendition. The demo synthesizes images on request and
 * computing their exact size for every listing would cost a full encode per asset, so the
 * simulator reports this figure; the bytes served carry their own Content-Length.
 */
export function nominalSize(r: DemoRendition | undefined): number {
  if (!r) return 0;
  if (r.width && r.height) return Math.round(r.width * r.height * 0.4) + 1024;
  return r.mimeType.startsWith('video/') ? 96 * 1024 : r.mimeType.startsWith('audio/') ? 48 * 1024 : 2048;
}

/** The NetX attributes of a demo asset: mapped names, vendor values, `[]` when unset. */
export function attributesOf(a: DemoAsset, mapping: Mapping, kindAttribute: string): Record<string, string[]> {
  const { attributes: names, values } = mapping.netx;
  const one = (v: string | undefined) => (v === undefined ? [] : [v]);
  const fields: Record<DamField, string[]> = {
    campaignCode: one(a.campaignCode),
    accountId: one(a.accountId),
    productLine: one(a.productLine),
    region: one(a.region),
    approval: [toVendor(values, 'approval', a.approval)],
    rightsStatus: [toVendor(values, 'rightsStatus', a.rights.status)],
    // Date attributes carry ISO-8601 instants (INFERRED: NetX's own date format is not public).
    validFrom: one(a.rights.validFrom),
    validUntil: one(a.rights.validUntil),
    territories: [...a.rights.territories],
    channels: [...a.rights.channels],
    locale: one(a.locale),
    licenceId: one(a.rights.licenceId),
  };
  const out: Record<string, string[]> = {};
  for (const [field, name] of Object.entries(names) as [DamField, string][]) out[name] = fields[field];
  out[kindAttribute] = [KIND_VALUES[a.kind]];
  return out;
}
