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
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Reads that joined an identical read already in flight. */
  shared: number;
}

const ABSENT = Symbol('absent');
type Stored = unknown;

export class UpstreamCache {
  private readonly lru: LRUCache<string, { value: Stored }>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  readonly stats: CacheStats = { hits: 0, misses: 0, shared: 0 };

  constructor(opts: CacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.lru = new LRUCache({
      max: opts.max ?? 20_000,
      ttlAutopurge: false,
      allowStale: false,
      ttlResolution: 0,
      perf: { now: () => this.now() },
    });
  }

  private get(key: string): Stored | typeof ABSENT {
    const hit = this.lru.get(key);
    return hit ? hit.value : ABSENT;
  }

  private put(key: string, value: Stored): void {
    const ttl = Math.min(this.ttlMs, ttlBound(value, this.now()));
    if (ttl > 0) this.lru.set(key, { value }, { ttl });
  }

  /** The cached value of `key`, or `load()` run once for every concurrent caller. Errors are not cached. */
  async getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.get(key);
    if (hit !== ABSENT) {
      this.stats.hits++;
      return hit as T;
    }
    const running = this.inflight.get(key);
    if (running) {
      this.stats.shared++;
      return running as Promise<T>;
    }
    this.stats.misses++;
    const p = load()
      .then((v) => {
        this.put(key, v);
        return v;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /**
   * A batch read split by key: cached and in-flight keys are answered from there, the rest
   * are fetched in ONE call of `loadMany` (which answers in key order). Returns in key order.
   */
  async getMany<T>(prefix: string, keys: readonly string[], loadMany: (missing: string[]) => Promise<(T | null)[]>): Promise<(T | null)[]> {
    const out = new Map<string, Promise<T | null>>();
    const missing: string[] = [];
    for (const k of new Set(keys)) {
      const full = `${prefix}\u0000${k}`;
      const hit = this.get(full);
      if (hit !== ABSENT) {
        this.stats.hits++;
        out.set(k, Promise.resolve(hit as T | null));
        continue;
      }
      const running = this.inflight.get(full);
      if (running) {
        this.stats.shared++;
        out.set(k, running as Promise<T | null>);
        continue;
      }
      this.stats.misses++;
      missing.push(k);
    }
    if (missing.length) {
      const batch = loadMany(missing);
      missing.forEach((k, i) => {
        const full = `${prefix}\u0000${k}`;
        const p = batch
          .then((values) => {
            const v = values[i] ?? null;
            this.put(full, v);
            return v;
          })
          .finally(() => this.inflight.delete(full));
        this.inflight.set(full, p);
        out.set(k, p);
      });
    }
    return Promise.all(keys.map((k) => out.get(k) as Promise<T | null>));
  }

  /** Drop entries whose key matches. */
  invalidate(match: (key: string) => boolean): number {
    let n = 0;
    for (const k of [...this.lru.keys()]) {
      if (match(k)) {
        this.lru.delete(k);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }
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
