/**
 * Lists merged from several DAMs. A DAM that fails costs only its own items: the list answers
 * with what the healthy sources gave, names the missing ones, and adds one
 * UPSTREAM_UNAVAILABLE error per missing source beside the data.
 */
import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { Asset, CanonicalFilter, DamSystem, System } from '../sources/model.ts';
import type { Context } from './context.ts';
import type { OwnerRef } from '../access/access.ts';
import { UpstreamUnavailableError, fromUpstream } from '../access/errors.ts';
import { connectionFromWindow, type Connection, type PageWindow } from './connection.ts';

/** Record a source's failure as an error at this field's path. */
export function noteFailure(ctx: Context, info: GraphQLResolveInfo, e: unknown, system: System): void {
  let pub: GraphQLError;
  try {
    pub = fromUpstream(e);
  } catch {
    pub = new UpstreamUnavailableError(system);
  }
  if (pub.extensions.code !== 'UPSTREAM_UNAVAILABLE') pub = new UpstreamUnavailableError(system);
  ctx.extraErrors.push(new GraphQLError(pub.message, { path: responsePathAsArray(info.path), extensions: pub.extensions }));
  ctx.log.warn('source failed', { system, error: (e as Error)?.message });
}

/** Deterministic order of merged assets: newest first, then title, then source and id. */
export function compareAssets(a: Asset, b: Asset): number {
  return (
    b.modifiedAt.localeCompare(a.modifiedAt) ||
    a.title.localeCompare(b.title) ||
    a.source.system.localeCompare(b.source.system) ||
    a.source.nativeId.localeCompare(b.source.nativeId)
  );
}

export interface MergedConnection extends Connection<Asset> {
  missingSources: DamSystem[];
}

/** Every DAM's assets of a campaign or account that the reader may see, merged into one connection (`window` checked by the caller). */
export async function mergedAssets(
  ctx: Context,
  info: GraphQLResolveInfo,
  owner: OwnerRef,
  filter: CanonicalFilter,
  systems: DamSystem[],
  window: PageWindow,
): Promise<MergedConnection> {
  const scoped = ctx.access.assetFilter(filter);
  const settled = await Promise.allSettled(systems.map((system) => ctx.access.assetsOf(system, owner, scoped)));
  const items: Asset[] = [];
  const missingSources: DamSystem[] = [];
  settled.forEach((r, i) => {
    const system = systems[i] as DamSystem;
    if (r.status === 'fulfilled') items.push(...r.value);
    else {
      missingSources.push(system);
      noteFailure(ctx, info, r.reason, system);
    }
  });
  items.sort(compareAssets);
  return { ...connectionFromWindow(items, window), missingSources };
}
