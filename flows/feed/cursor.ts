/**
 * A feed's durable cursor: where polling resumes after a restart. It is written with the
 * events it covers, in one call (`OutboxPort.append`), so a crash either keeps both or neither.
 *
 * - `t`: the high-water mark, the latest source time seen. The next poll reads from
 *   `t - overlap` (never before `o`, the instant the feed first started), so a change that
 *   shows up late in the source (a search index catching up, second-granular dates, clocks a
 *   little apart) is still read.
 * - `seen`: the changes already turned into events inside the overlap window, by key, with
 *   their source time. A re-read change is skipped, so overlapping windows never emit twice;
 *   keys older than the window are dropped, which keeps the cursor small.
 * - `snap`: optional per-object fingerprints (DAM assets: approval and rights as last seen), so
 *   an update can say what changed; bounded (oldest first out).
 *
 * Encoded as JSON; a cursor that does not decode is a typed error, never silently reset.
 */

export interface FeedCursor {
  v: 1;
  /** The instant the feed first started: nothing before it is read. */
  o: string;
  /** High-water mark: the latest source time seen. */
  t: string;
  /** Change keys already emitted, with their source time (ISO). */
  seen: Record<string, string>;
  /** Per-object fingerprints (DAM feeds). */
  snap?: Record<string, string>;
}

/** A stored cursor that cannot be read: the feed stops rather than re-emit or skip. */
export class CursorError extends Error {
  override readonly name = 'CursorError';
}

/** Most fingerprints a cursor keeps. */
export const MAX_SNAP = 2000;

/**
 * A fresh cursor for a feed starting at `now`. Its origin is the start of the second before: the
 * sources' times are whole seconds (Content Server's modify and audit dates), so a change made in
 * the second the feed started reads as earlier than `now` and would otherwise fall before the origin.
 */
export function startCursor(now: Date): FeedCursor {
  const at = new Date(Math.floor(now.getTime() / 1000) * 1000 - 1000).toISOString();
  return { v: 1, o: at, t: at, seen: {} };
}

/** Decode a stored cursor (`null`: none stored yet, start at `now`). Throws CursorError when malformed. */
export function decodeCursor(raw: string | null, now: Date): FeedCursor {
  if (raw === null) return startCursor(now);
  let c: unknown;
  try {
    c = JSON.parse(raw);
  } catch {
    throw new CursorError('the stored cursor is not JSON');
  }
  const r = c as Partial<FeedCursor>;
  const ok =
    typeof c === 'object' &&
    c !== null &&
    r.v === 1 &&
    typeof r.o === 'string' &&
    typeof r.t === 'string' &&
    !Number.isNaN(Date.parse(r.o)) &&
    !Number.isNaN(Date.parse(r.t)) &&
    typeof r.seen === 'object' &&
    r.seen !== null;
  if (!ok) throw new CursorError('the stored cursor is not a feed cursor');
  return { v: 1, o: r.o as string, t: r.t as string, seen: { ...r.seen }, ...(r.snap ? { snap: { ...r.snap } } : {}) };
}

export const encodeCursor = (c: FeedCursor): string => JSON.stringify(c);

/** Where the next poll starts reading: `t - overlap`, not before the feed's origin. */
export function windowStart(c: FeedCursor, overlapMs: number): string {
  return new Date(Math.max(Date.parse(c.o), Date.parse(c.t) - overlapMs)).toISOString();
}

/**
 * The cursor after a poll: the high-water mark moved to the latest time seen (never back), the
 * new keys added, keys that fell out of the overlap window dropped, fingerprints bounded.
 */
export function advance(
  c: FeedCursor,
  overlapMs: number,
  latest: string | undefined,
  keys: Iterable<[string, string]>,
  snap?: Record<string, string>,
): FeedCursor {
  const t = latest && Date.parse(latest) > Date.parse(c.t) ? new Date(Date.parse(latest)).toISOString() : c.t;
  const floor = Date.parse(t) - overlapMs;
  const seen: Record<string, string> = {};
  for (const [k, at] of [...Object.entries(c.seen), ...keys]) if (Date.parse(at) >= floor) seen[k] = at;
  const next: FeedCursor = { v: 1, o: c.o, t, seen };
  if (snap) {
    const entries = Object.entries(snap);
    next.snap = Object.fromEntries(entries.slice(Math.max(0, entries.length - MAX_SNAP)));
  }
  return next;
}
