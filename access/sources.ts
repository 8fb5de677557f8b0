/**
 * The upstream systems as the layers above read them: each client wrapped so that every read
 * goes through the shared cache (with in-flight sharing), keyed by the reader's policy scope,
 * runs under the source's deadline, and reports the source's health. The clients themselves
 * are built from configuration by the gateway (gateway/sources.ts).
 */
import { DAM_SYSTEMS, type DamSystem, type Page, type PageRequest, type System } from '../sources/model.ts';
import type { DamSource, EcmSource, SourceHealth } from '../sources/ports.ts';
import { UpstreamError } from '../sources/http/errors.ts';
import type { UpstreamCache } from './cache.ts';

export interface SourceStatusRecord {
  system: System;
  ok: boolean;
  latencyMs?: number;
  checkedAt?: string;
  message?: string;
}

/** Per-source deadline, health, and call counting. */
export class SourceGuard {
  private readonly status = new Map<System, SourceStatusRecord>();
  private readonly listeners: ((system: System, ok: boolean, ms: number) => void)[] = [];
  readonly calls: Record<string, number> = {};

  constructor(private readonly deadlineMs: number) {}

  /** Observe every source call (metrics). */
  subscribe(listener: (system: System, ok: boolean, ms: number) => void): void {
    this.listeners.push(listener);
  }

  /** Run one source call under the deadline, recording its outcome. Never swallows errors. */
  async run<T>(system: System, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UpstreamError(system, 'UNAVAILABLE', 'deadline exceeded')), this.deadlineMs);
    });
    try {
      const v = await Promise.race([fn(), deadline]);
      this.record(system, true, Date.now() - started);
      return v;
    } catch (e) {
      const benign = e instanceof UpstreamError && (e.kind === 'NOT_FOUND' || e.kind === 'BAD_REQUEST' || e.kind === 'FORBIDDEN');
      this.record(system, benign, Date.now() - started, benign ? undefined : publicReason(e));
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private record(system: System, ok: boolean, ms: number, message?: string): void {
    this.calls[system] = (this.calls[system] ?? 0) + 1;
    this.status.set(system, { system, ok, latencyMs: ms, checkedAt: new Date().toISOString(), ...(message ? { message } : {}) });
    for (const l of this.listeners) l(system, ok, ms);
  }

  /** Last known status of a source (unknown sources count as ok until first used). */
  get(system: System): SourceStatusRecord {
    return this.status.get(system) ?? { system, ok: true };
  }

  /** Record a ping result. */
  note(h: SourceHealth): void {
    this.status.set(h.system, {
      system: h.system,
      ok: h.ok,
      checkedAt: new Date().toISOString(),
      ...(h.latencyMs !== undefined ? { latencyMs: h.latencyMs } : {}),
      ...(h.message ? { message: h.message } : {}),
    });
  }
}

function publicReason(e: unknown): string {
  if (e instanceof UpstreamError) {
    switch (e.kind) {
      case 'UNAVAILABLE':
        return 'unavailable';
      case 'RATE_LIMITED':
        return 'rate limited';
      case 'MALFORMED':
        return 'malformed response';
      case 'UNAUTHENTICATED':
        return 'credentials refused';
      default:
        return 'error';
    }
  }
  return 'error';
}

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
}

export interface Sources extends ScopedSources {
  /**
   * The view for one policy scope (DESIGN.md: a cache entry is shared only between readers
   * whose scope is identical; the scope is in the key, not the user).
   */
  forScope(scope: string): ScopedSources;
}

/**
 * Ping every source at once (readiness, `Query.sources`): each source's status as the guard
 * records it, and whether it answered this time. A failure is recorded, never thrown.
 */
export async function pingAll(s: ScopedSources): Promise<(SourceStatusRecord & { answered: boolean })[]> {
  const all: { system: System; ping: () => Promise<unknown> }[] = [
    { system: 'OTCS', ping: () => s.ecm.ping() },
    ...DAM_SYSTEMS.map((d) => ({ system: d, ping: () => s.dams[d].ping() })),
  ];
  const results = await Promise.allSettled(all.map((x) => x.ping()));
  return all.map((x, i) => ({ ...s.guard.get(x.system), answered: results[i]?.status === 'fulfilled' }));
}

/** Scoped views for the raw clients, with the scope prefixed to every cache key. */
export function scopedSources(ecm: EcmSource, dams: Record<DamSystem, DamSource>, cache: UpstreamCache, guard: SourceGuard): Sources {
  const views = new Map<string, ScopedSources>();
  const view = (scope: string): ScopedSources => {
    let v = views.get(scope);
    if (!v) {
      v = {
        ecm: guardEcm(ecm, cache, guard, scope),
        dams: {
          ICONIK: guardDam(dams.ICONIK, cache, guard, scope),
          NETX: guardDam(dams.NETX, cache, guard, scope),
          OTMM: guardDam(dams.OTMM, cache, guard, scope),
        },
        guard,
        cache,
      };
      // Views are cheap closures; keep the number bounded whatever the number of readers.
      if (views.size > 5000) views.clear();
      views.set(scope, v);
    }
    return v;
  };
  return { ...view('system'), forScope: view };
}

/** Wrap an ECM client: cached reads (batch reads split per id), deadline, health. */
function guardEcm(src: EcmSource, cache: UpstreamCache, guard: SourceGuard, scope: string): EcmSource {
  const run = <T>(fn: () => Promise<T>) => guard.run('OTCS', fn);
  const key = (m: string, ...a: unknown[]) => `${scope}\u0001OTCS\u0000${m}\u0000${stableKey(a)}`;
  const once =
    <A extends unknown[], T>(m: string, fn: (...a: A) => Promise<T>) =>
    (...a: A) =>
      cache.getOrLoad(key(m, ...a), () => run(() => fn(...a)));
  const many =
    <T>(m: string, fn: (ids: string[]) => Promise<(T | null)[]>) =>
    (ids: readonly string[]) =>
      cache.getMany(`${scope}\u0001OTCS\u0000${m}`, ids, (missing) => run(() => fn(missing)));
  return {
    system: 'OTCS',
    ping: () => run(() => src.ping()),
    changesSince: (c) => run(() => src.changesSince(c)),
    listCampaigns: once('listCampaigns', (f, p) => src.listCampaigns(f, p)),
    getCampaigns: many('campaign', (ids) => src.getCampaigns(ids)),
    listAccounts: once('listAccounts', (f, p) => src.listAccounts(f, p)),
    getAccounts: many('account', (ids) => src.getAccounts(ids)),
    getWorkspaces: many('workspace', (ids) => src.getWorkspaces(ids)),
    getDocuments: many('document', (ids) => src.getDocuments(ids)),
    findDocuments: once('findDocuments', (f, p, o) => src.findDocuments(f, p, o)),
    getVersions: once('versions', (id) => src.getVersions(id)),
    openContent: (id, v) => run(() => src.openContent(id, v)),
    getApprovals: once('approvals', (id) => src.getApprovals(id)),
    getRetention: once('retention', (id) => src.getRetention(id)),
    getHolds: once('holds', (id) => src.getHolds(id)),
    getAudit: once('audit', (id) => src.getAudit(id)),
  };
}

/** Wrap a DAM client: cached reads (getAssets split per id), deadline, health. */
function guardDam(src: DamSource, cache: UpstreamCache, guard: SourceGuard, scope: string): DamSource {
  const s = src.system;
  const run = <T>(fn: () => Promise<T>) => guard.run(s, fn);
  return {
    system: s,
    ping: () => run(() => src.ping()),
    changesSince: (c) => run(() => src.changesSince(c)),
    getAssets: (ids) => cache.getMany(`${scope}\u0001${s}\u0000asset`, ids, (missing) => run(() => src.getAssets(missing))),
    findAssets: (f, p, o) =>
      cache.getOrLoad(`${scope}\u0001${s}\u0000findAssets\u0000${stableKey([f, p, o])}`, () => run(() => src.findAssets(f, p, o))),
    openRendition: (id, kind) => run(() => src.openRendition(id, kind)),
  };
}
