/**
 * The upstream systems as the layers above read them: each client wrapped so that every read
 * goes through the shared cache (with in-flight sharing), keyed by the reader's policy scope,
 * runs under the source's breaker and the request's deadline for it (guard.ts), and reports
 * the source's health. When a source fails, a cached answer that expired within the grace
 * window is served instead, and the request learns that it was, and how old it is (its budget
 * collects it). The clients themselves are built from configuration by the gateway
 * (gateway/sources.ts).
 */
import { DAM_SYSTEMS, type CanonicalFilter, type DamSystem, type Page, type PageRequest, type System } from '../sources/model.ts';
import type { DamSource, EcmSource } from '../sources/ports.ts';
import { listTags, type CacheTag, type StaleFallback, type UpstreamCache } from './cache.ts';
import { isSourceFailure, type RequestBudget, type SourceGuard, type SourceStatusRecord } from './guard.ts';

export { SourceGuard, type SourceStatusRecord } from './guard.ts';

/** Largest page a batch asks a source for; a batch beyond it costs one more request per page. */
const BATCH_PAGE = 1000;
/** Safety cap on items gathered for one batch. */
const BATCH_CAP = 20_000;

/** Every item of a find, paging while the source says there is more. */
export async function findAll<T>(find: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await find({ first: BATCH_PAGE, ...(after ? { after } : {}) });
    items.push(...page.items);
    if (!page.next || items.length >= BATCH_CAP || page.items.length === 0) return items;
    after = page.next;
  }
}

/** Stable JSON (sorted keys) for cache keys. */
export function stableKey(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>)
            .filter(([, y]) => y !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : x,
  );
}

/** The sources as one reader's requests see them: cache entries keyed by that reader's policy scope. */
export interface ScopedSources {
  ecm: EcmSource;
  dams: Record<DamSystem, DamSource>;
  guard: SourceGuard;
  cache: UpstreamCache;
  /** The request's deadlines per source, and the stale data it was served (absent on the unscoped view). */
  budget?: RequestBudget;
}

export interface Sources extends ScopedSources {
  /**
   * The view of one request of a reader in policy scope `scope` (DESIGN.md: a cache entry is
   * shared only between readers whose scope is identical; the scope is in the key, not the
   * user), with a budget of its own: one deadline per source for the whole request.
   */
  forRequest(scope: string): ScopedSources;
}

/**
 * Ping every source at once (readiness, `Query.sources`): each source's status as the guard
 * records it (its circuit, its real reads and this ping), and whether it answered this time.
 * A failure is recorded, never thrown.
 */
export async function pingAll(s: ScopedSources): Promise<(SourceStatusRecord & { answered: boolean })[]> {
  const all: { system: System; ping: () => Promise<unknown> }[] = [
    { system: 'OTCS', ping: () => s.ecm.ping() },
    ...DAM_SYSTEMS.map((d) => ({ system: d, ping: () => s.dams[d].ping() })),
  ];
  const results = await Promise.allSettled(all.map((x) => x.ping()));
  return all.map((x, i) => ({ ...s.guard.get(x.system), answered: results[i]?.status === 'fulfilled' }));
}

/** The wrapped clients for a cache scope, running calls with `budget` (none: the unscoped system view). */
function views(
  ecm: EcmSource,
  dams: Record<DamSystem, DamSource>,
  cache: UpstreamCache,
  guard: SourceGuard,
  scope: string,
  budget?: RequestBudget,
): ScopedSources {
  return {
    ecm: guardEcm(ecm, cache, guard, scope, budget),
    dams: {
      ICONIK: guardDam(dams.ICONIK, cache, guard, scope, budget),
      NETX: guardDam(dams.NETX, cache, guard, scope, budget),
      OTMM: guardDam(dams.OTMM, cache, guard, scope, budget),
    },
    guard,
    cache,
    ...(budget ? { budget } : {}),
  };
}

/** Scoped views for the raw clients, with the scope prefixed to every cache key. */
export function scopedSources(ecm: EcmSource, dams: Record<DamSystem, DamSource>, cache: UpstreamCache, guard: SourceGuard): Sources {
  return {
    ...views(ecm, dams, cache, guard, 'system'),
    forRequest: (scope) => views(ecm, dams, cache, guard, scope, guard.budget()),
  };
}

/** Serve stale data when the source's own trouble is why the fresh read failed; the request is told. */
function staleFor(system: System, guard: SourceGuard, budget?: RequestBudget): StaleFallback {
  return {
    allowed: isSourceFailure,
    served: (ageMs) => {
      budget?.noteStale(system, ageMs);
      guard.noteStale(system);
    },
  };
}

/** A read that failed for the source's own trouble (no stale data stood in): the request is told its data is missing. */
function missed(system: System, budget?: RequestBudget) {
  return <T>(p: Promise<T>): Promise<T> =>
    budget
      ? p.catch((e: unknown) => {
          if (isSourceFailure(e)) budget.noteMissing(system);
          throw e;
        })
      : p;
}

/** Wrap an ECM client: cached reads (batch reads split per id), breaker, deadline, health, stale-if-error. */
function guardEcm(src: EcmSource, cache: UpstreamCache, guard: SourceGuard, scope: string, budget?: RequestBudget): EcmSource {
  const miss = missed('OTCS', budget);
  const run = <T>(fn: () => Promise<T>) => guard.run('OTCS', fn, budget);
  const stale = staleFor('OTCS', guard, budget);
  const key = (m: string, ...a: unknown[]) => `${scope}\u0001OTCS\u0000${m}\u0000${stableKey(a)}`;
  // Tags for exact invalidation (cache.ts): a listing by its filter, a read of one object by its id.
  const once =
    <A extends unknown[], T>(m: string, fn: (...a: A) => Promise<T>, tags?: (...a: A) => Set<CacheTag>) =>
    (...a: A) =>
      miss(cache.getOrLoad(key(m, ...a), () => run(() => fn(...a)), stale, tags?.(...a)));
  const byId = (id: string) => new Set([`OTCS:${id}`]);
  const listed = (f: unknown) => listTags('OTCS', f as CanonicalFilter | undefined);
  const many =
    <T>(m: string, fn: (ids: string[]) => Promise<(T | null)[]>, tagOfKey?: (id: string) => CacheTag) =>
    (ids: readonly string[]) =>
      miss(cache.getMany(`${scope}\u0001OTCS\u0000${m}`, ids, (missing) => run(() => fn(missing)), stale, tagOfKey));
  return {
    system: 'OTCS',
    ping: () => guard.run('OTCS', () => src.ping(), undefined, 'ping'),
    changesSince: (c) => miss(run(() => src.changesSince(c))),
    listCampaigns: once(
      'listCampaigns',
      (f, p) => src.listCampaigns(f, p),
      (f) => listed(f),
    ),
    getCampaigns: many(
      'campaign',
      (ids) => src.getCampaigns(ids),
      (code) => `campaign:${code}`,
    ),
    listAccounts: once(
      'listAccounts',
      (f, p) => src.listAccounts(f, p),
      (f) => listed(f),
    ),
    getAccounts: many(
      'account',
      (ids) => src.getAccounts(ids),
      (id) => `account:${id}`,
    ),
    getWorkspaces: many(
      'workspace',
      (ids) => src.getWorkspaces(ids),
      (id) => `OTCS:${id}`,
    ),
    getDocuments: many(
      'document',
      (ids) => src.getDocuments(ids),
      (id) => `OTCS:${id}`,
    ),
    findDocuments: once(
      'findDocuments',
      (f, p, o) => src.findDocuments(f, p, o),
      (f) => listed(f),
    ),
    getVersions: once('versions', (id) => src.getVersions(id), byId),
    openContent: (id, v) => miss(run(() => src.openContent(id, v))),
    getApprovals: once('approvals', (id) => src.getApprovals(id), byId),
    getRetention: once('retention', (id) => src.getRetention(id), byId),
    getHolds: once('holds', (id) => src.getHolds(id), byId),
    getAudit: once('audit', (id) => src.getAudit(id), byId),
  };
}

/** Wrap a DAM client: cached reads (getAssets split per id), breaker, deadline, health, stale-if-error. */
function guardDam(src: DamSource, cache: UpstreamCache, guard: SourceGuard, scope: string, budget?: RequestBudget): DamSource {
  const s = src.system;
  const miss = missed(s, budget);
  const run = <T>(fn: () => Promise<T>) => guard.run(s, fn, budget);
  const stale = staleFor(s, guard, budget);
  return {
    system: s,
    ping: () => guard.run(s, () => src.ping(), undefined, 'ping'),
    changesSince: (c) => miss(run(() => src.changesSince(c))),
    getAssets: (ids) =>
      miss(
        cache.getMany(
          `${scope}\u0001${s}\u0000asset`,
          ids,
          (missing) => run(() => src.getAssets(missing)),
          stale,
          (id) => `${s}:${id}`,
        ),
      ),
    findAssets: (f, p, o) =>
      miss(
        cache.getOrLoad(
          `${scope}\u0001${s}\u0000findAssets\u0000${stableKey([f, p, o])}`,
          () => run(() => src.findAssets(f, p, o)),
          stale,
          listTags(s, f),
        ),
      ),
    openRendition: (id, kind) => miss(run(() => src.openRendition(id, kind))),
  };
}
