/**
 * The four upstream clients from configuration, wrapped in the scoped, cached and guarded
 * views of access/sources.ts. The only place that knows which connector serves which system.
 */
import { UpstreamCache } from '../access/cache.ts';
import type { BreakerOptions } from '../access/guard.ts';
import { scopedSources, SourceGuard, type Sources } from '../access/sources.ts';
import { createIconikClient } from '../sources/iconik/client.ts';
import type { Mapping } from '../sources/mapping.ts';
import type { DamSystem } from '../sources/model.ts';
import { createNetxClient } from '../sources/netx/client.ts';
import { createOtcsClient } from '../sources/otcs/client.ts';
import { createOtmmClient } from '../sources/otmm/client.ts';
import type { DamSource, DamWrites, EcmChangeReads, EcmSource, EcmWrites } from '../sources/ports.ts';
import type { Config } from './config.ts';

export interface BuildOptions {
  fetch?: typeof fetch;
  cacheTtlMs?: number;
  /** How long past its TTL a cached read may answer for a failing source, in ms (default: UPSTREAM_STALE_S). */
  staleMs?: number;
  deadlineMs?: number;
  breaker?: BreakerOptions;
}

/** The sources as the gateway holds them: read through the scoped views, written through `writes` (the connector itself: writes are not cached). */
export type GatewaySources = Sources & {
  writes: EcmSource & EcmWrites;
  /** The connectors themselves, uncached: what the change feed polls (it must see the source, not the cache). */
  raw: { ecm: EcmSource & EcmChangeReads; dams: Record<DamSystem, DamSource & DamWrites> };
};

/** The four sources from configuration. */
export function buildSources(config: Readonly<Config>, mapping: Mapping, opts: BuildOptions = {}): GatewaySources {
  const up = config.upstream;
  const common = { mapping, timeoutMs: up.timeoutMs, retries: up.retries, ...(opts.fetch ? { fetch: opts.fetch } : {}) };
  const cache = new UpstreamCache({ ttlMs: opts.cacheTtlMs ?? 30_000, staleMs: opts.staleMs ?? up.staleMs });
  // The deadline bounds all of a request's calls to a source, retries included, so a dead source costs one timeout.
  const guard = new SourceGuard({
    deadlineMs: opts.deadlineMs ?? up.timeoutMs,
    breaker: { halfOpenAfterMs: up.breakerHalfOpenMs, ...opts.breaker },
  });
  const ecm = createOtcsClient({
    ...common,
    baseUrl: up.otcs.url,
    username: up.otcs.username,
    password: up.otcs.password,
    domain: up.otcs.domain,
  });
  const dams: Record<DamSystem, DamSource & DamWrites> = {
    ICONIK: createIconikClient({
      ...common,
      baseUrl: up.iconik.url,
      appId: up.iconik.appId,
      authToken: up.iconik.authToken,
      distributionCollections: up.iconik.distributionCollections,
    }),
    NETX: createNetxClient({
      ...common,
      baseUrl: up.netx.url,
      apiToken: up.netx.apiToken,
      distributionFolders: up.netx.distributionFolders,
    }),
    OTMM: createOtmmClient({
      ...common,
      baseUrl: up.otmm.url,
      username: up.otmm.username,
      password: up.otmm.password,
      distributionPolicies: up.otmm.distributionPolicies,
    }),
  };
  return { ...scopedSources(ecm, dams, cache, guard), writes: ecm, raw: { ecm, dams } };
}
