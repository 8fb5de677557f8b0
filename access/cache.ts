/**
 * The upstream read cache. Entries are keyed by every input that shaped the upstream request
 * (system, method, arguments); identical reads in flight at the same moment, from any number
 * of concurrent GraphQL requests, are made once; an entry never lives past the earliest
 * rights boundary (a validFrom or validUntil still ahead) of anything in it.
 *
 * It caches what sources return, before any policy decision: visibility is decided per reader
 * at read time, on every read, so a cached record can never be shown to a reader who may not
 * see it.
 */
import { LRUCache } from 'lru-cache';

export interface CacheOptions {
  /** Maximum number of entries. */
  max?: number;
  /** Default time to live in ms; 0 disables caching (in-flight sharing stays on). */
  ttlMs?: number;
  /**
   * How long past its time to live an entry is kept to be served when its source fails
   * (stale-if-error), in ms; never past the entry's rights boundary. Default 0: none.
   */
  staleMs?: number;
  now?: () => number;
}

/** When a fresh read fails, whether the stale entry may answer instead, and who to tell (with its age in ms). */
export interface StaleFallback {
  allowed(e: unknown): boolean;
  served(ageMs: number): void;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Reads that joined an identical read already in flight. */
  shared: number;
  /** Reads answered from an expired entry because the source failed. */
  stale: number;
}

const ABSENT = Symbol('absent');
type Stored = unknown;
interface Entry {
  value: Stored;
  /** Fresh until this instant (ms); kept after it, until the LRU's own TTL, for stale-if-error. */
  freshUntil: number;
  storedAt: number;
}

/**
 * What an entry holds, for exact invalidation: `<SYSTEM>:<nativeId>` of every object in it (and
 * of the id a batch read asked for, so an entry that found nothing is dropped when the object
 * appears), `OTCS:<licenceId>` of every licence its rights come from, `campaign:<code>` and
 * `account:<crmId>` of every campaign and account it names or was filtered by, and
 * `list:<SYSTEM>` for a listing filtered by neither (any new object of that system may belong in it).
 */
export type CacheTag = string;

export class UpstreamCache {
  private readonly lru: LRUCache<string, Entry>;
  /** Keys by tag, and tags by key: which entries hold what. */
  private readonly byTag = new Map<CacheTag, Set<string>>();
  private readonly tagsOf = new Map<string, readonly CacheTag[]>();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly now: () => number;
  readonly stats: CacheStats = { hits: 0, misses: 0, shared: 0, stale: 0 };

  constructor(opts: CacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.staleMs = opts.staleMs ?? 0;
    this.now = opts.now ?? Date.now;
    this.lru = new LRUCache({
      max: opts.max ?? 20_000,
      ttlAutopurge: false,
      allowStale: false,
      ttlResolution: 0,
      perf: { now: () => this.now() },
      // However an entry goes (evicted, expired, replaced, dropped), its tags go with it.
      dispose: (_v, key) => this.untag(key),
    });
  }

  private untag(key: string): void {
    const tags = this.tagsOf.get(key);
    if (!tags) return;
    this.tagsOf.delete(key);
    for (const t of tags) {
      const keys = this.byTag.get(t);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(t);
    }
  }

  private tag(key: string, tags: ReadonlySet<CacheTag>): void {
    if (tags.size === 0) return;
    this.tagsOf.set(key, [...tags]);
    for (const t of tags) {
      let keys = this.byTag.get(t);
      if (!keys) this.byTag.set(t, (keys = new Set()));
      keys.add(key);
    }
  }

  /** The fresh value of `key`, or ABSENT; `expired` receives an entry past its freshness but still kept. */
  private get(key: string, expired?: (e: Entry) => void): Stored | typeof ABSENT {
    const hit = this.lru.get(key);
    if (!hit) return ABSENT;
    if (this.now() < hit.freshUntil) return hit.value;
    expired?.(hit);
    return ABSENT;
  }

  /** Bumped by every invalidation: a read that began before one must not store what it read. */
  private generation = 0;

  private put(key: string, value: Stored, generation: number, tags: ReadonlySet<CacheTag>): void {
    if (generation !== this.generation) return;
    const now = this.now();
    const bound = ttlBound(value, now);
    const fresh = Math.min(this.ttlMs, bound);
    // A rights boundary ends an entry's life, stale or not: an expired licence is never served.
    const keep = Math.min(this.ttlMs + this.staleMs, bound);
    if (fresh <= 0) return;
    this.lru.set(key, { value, freshUntil: now + fresh, storedAt: now }, { ttl: keep });
    this.tag(key, collectTags(value, tags));
  }

  /** `load`, with the expired entry answering instead when the load fails in a way `stale` allows. */
  private loadOr<T>(load: () => Promise<T>, expired: Entry | undefined, stale: StaleFallback | undefined): Promise<T> {
    if (!expired || !stale) return load();
    return load().catch((e: unknown) => {
      if (!stale.allowed(e)) throw e;
      this.stats.stale++;
      stale.served(this.now() - expired.storedAt);
      return expired.value as T;
    });
  }

  /**
   * The cached value of `key`, or `load()` run once for every concurrent caller. Errors are not
   * cached; with `stale`, an entry expired within the stale window answers when the load fails.
   */
  async getOrLoad<T>(key: string, load: () => Promise<T>, stale?: StaleFallback, tags: ReadonlySet<CacheTag> = NO_TAGS): Promise<T> {
    let expired: Entry | undefined;
    const hit = this.get(key, (e) => (expired = e));
    if (hit !== ABSENT) {
      this.stats.hits++;
      return hit as T;
    }
    const running = this.inflight.get(key);
    if (running) {
      this.stats.shared++;
      return this.loadOr(() => running as Promise<T>, expired, stale);
    }
    this.stats.misses++;
    const generation = this.generation;
    const p = load()
      .then((v) => {
        this.put(key, v, generation, tags);
        return v;
      })
      .finally(() => {
        if (this.inflight.get(key) === p) this.inflight.delete(key);
      });
    this.inflight.set(key, p);
    return this.loadOr(() => p, expired, stale);
  }

  /**
   * A batch read split by key: cached and in-flight keys are answered from there, the rest
   * are fetched in ONE call of `loadMany` (which answers in key order). Returns in key order.
   */
  async getMany<T>(
    prefix: string,
    keys: readonly string[],
    loadMany: (missing: string[]) => Promise<(T | null)[]>,
    stale?: StaleFallback,
    /** The tag of the object each key names (`<SYSTEM>:<id>`): kept even when nothing was found. */
    tagOfKey?: (key: string) => CacheTag,
  ): Promise<(T | null)[]> {
    const out = new Map<string, Promise<T | null>>();
    const missing: string[] = [];
    const expiredOf = new Map<string, Entry>();
    for (const k of new Set(keys)) {
      const full = `${prefix}\u0000${k}`;
      const hit = this.get(full, (e) => expiredOf.set(k, e));
      if (hit !== ABSENT) {
        this.stats.hits++;
        out.set(k, Promise.resolve(hit as T | null));
        continue;
      }
      const running = this.inflight.get(full);
      if (running) {
        this.stats.shared++;
        out.set(
          k,
          this.loadOr(() => running as Promise<T | null>, expiredOf.get(k), stale),
        );
        continue;
      }
      this.stats.misses++;
      missing.push(k);
    }
    if (missing.length) {
      const generation = this.generation;
      const batch = loadMany(missing);
      // The batch failing is a source failure for every key: each answers from its expired entry when it has one.
      const fallback = (k: string) => (p: Promise<T | null>) => this.loadOr(() => p, expiredOf.get(k), stale);
      missing.forEach((k, i) => {
        const full = `${prefix}\u0000${k}`;
        const p = batch
          .then((values) => {
            const v = values[i] ?? null;
            this.put(full, v, generation, tagOfKey ? new Set([tagOfKey(k)]) : NO_TAGS);
            return v;
          })
          .finally(() => {
            if (this.inflight.get(full) === p) this.inflight.delete(full);
          });
        this.inflight.set(full, p);
        out.set(k, fallback(k)(p));
      });
    }
    return Promise.all(keys.map((k) => out.get(k) as Promise<T | null>));
  }

  /** Drop entries whose key matches, and keep reads already under way from storing what they read. */
  invalidate(match: (key: string) => boolean): number {
    this.generation++;
    // A read under way is not shared with callers after the invalidation: they read afresh.
    for (const k of [...this.inflight.keys()]) if (match(k)) this.inflight.delete(k);
    let n = 0;
    for (const k of [...this.lru.keys()]) {
      if (match(k)) {
        this.lru.delete(k);
        n++;
      }
    }
    return n;
  }

  /**
   * Drop exactly the entries that hold any of `tags` (see CacheTag), and keep reads already under
   * way from storing what they read (they may hold the changed object too). Returns how many went.
   */
  invalidateTags(tags: Iterable<CacheTag>): number {
    this.generation++;
    this.inflight.clear();
    const keys = new Set<string>();
    for (const t of tags) for (const k of this.byTag.get(t) ?? []) keys.add(k);
    for (const k of keys) this.lru.delete(k);
    return keys.size;
  }

  clear(): void {
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }
}

const NO_TAGS: ReadonlySet<CacheTag> = new Set();

/** The tags of a value (see CacheTag), with `extra` (what its key says) added. */
export function collectTags(value: unknown, extra: ReadonlySet<CacheTag> = NO_TAGS): Set<CacheTag> {
  const tags = new Set(extra);
  const visit = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    const src = o.source as { system?: unknown; nativeId?: unknown } | undefined;
    if (src && typeof src.system === 'string' && typeof src.nativeId === 'string') tags.add(`${src.system}:${src.nativeId}`);
    if (typeof o.licenceId === 'string') tags.add(`OTCS:${o.licenceId}`);
    if (typeof o.workspaceId === 'string') tags.add(`OTCS:${o.workspaceId}`);
    // A campaign (its code) and an account (its CRM id), known by their shapes (sources/model.ts).
    if (typeof o.code === 'string' && Array.isArray(o.audience) && o.businessObject) tags.add(`campaign:${o.code}`);
    if (typeof o.id === 'string' && typeof o.workspaceId === 'string' && typeof o.kind === 'string' && o.businessObject)
      tags.add(`account:${o.id}`);
    if (typeof o.campaignCode === 'string') tags.add(`campaign:${o.campaignCode}`);
    if (typeof o.accountId === 'string') tags.add(`account:${o.accountId}`);
    for (const c of Array.isArray(o.campaignCodes) ? o.campaignCodes : []) if (typeof c === 'string') tags.add(`campaign:${c}`);
    for (const a of Array.isArray(o.accountIds) ? o.accountIds : []) if (typeof a === 'string') tags.add(`account:${a}`);
    for (const x of Object.values(o)) if (typeof x === 'object') visit(x, depth + 1);
  };
  visit(value, 0);
  return tags;
}

/** The tags of a listing's key: the campaigns and accounts it was filtered by, or `list:<SYSTEM>` when by neither. */
export function listTags(
  system: string,
  filter: { campaignCodes?: readonly string[]; accountIds?: readonly string[] } | undefined,
): Set<CacheTag> {
  const tags = new Set<CacheTag>();
  for (const c of filter?.campaignCodes ?? []) tags.add(`campaign:${c}`);
  for (const a of filter?.accountIds ?? []) tags.add(`account:${a}`);
  if (tags.size === 0) tags.add(`list:${system}`);
  return tags;
}

/**
 * Milliseconds until the earliest rights boundary still ahead in a value (any `validFrom` or
 * `validUntil` found in it, at any depth), or Infinity when there is none.
 */
export function ttlBound(value: unknown, now: number): number {
  let min = Infinity;
  const visit = (v: unknown, depth: number): void => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'validUntil' || k === 'validFrom') && typeof x === 'string') {
        const t = Date.parse(x);
        if (t > now && t - now < min) min = t - now;
      } else if (typeof x === 'object') visit(x, depth + 1);
    }
  };
  visit(value, 0);
  return min;
}
