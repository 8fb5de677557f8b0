/**
 * What every per-source feed is to the runner (`runner.ts`): a named feed that, given its stored
 * cursor, reads what changed and answers the events and the cursor that covers them. A poll
 * makes no writes; the runner appends the events and the cursor in one call.
 */
import type { System } from '../../sources/model.ts';
import type { ChangeEvent, EventType } from '../outbox/events.ts';

export interface FeedSource {
  /** The outbox feed name (`otcs`, `iconik`, `netx`, `otmm`): one cursor each. */
  readonly feed: string;
  readonly system: System;
  /**
   * Read what changed since the cursor (`null`: none stored, start at `now`). Throws a typed
   * UpstreamError when the source fails (nothing is appended, the cursor stays), CursorError
   * when the stored cursor cannot be read.
   */
  poll(cursor: string | null, now: Date): Promise<{ events: ChangeEvent[]; cursor: string }>;
}

/** Longest event id the outbox takes. */
export const MAX_EVENT_ID = 200;

/**
 * An event id, stable for the same change: `<system>:<type>:<parts>`. Parts too long for the
 * limit are replaced by a digest of themselves, so the id stays stable and unique.
 */
export function eventId(system: System, type: EventType, ...parts: string[]): string {
  const id = `${system.toLowerCase()}:${type}:${parts.join(':')}`;
  if (id.length <= MAX_EVENT_ID) return id;
  return `${system.toLowerCase()}:${type}:h:${fnv(parts.join(':'))}`;
}

/** 2 x 32-bit FNV-1a, hex: a short stable digest (not for security). */
function fnv(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0') + s.length.toString(16);
}

/** `fn` over `items` with at most `limit` calls in flight, results in item order (a poll must not flood a source). */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
