/** Relay connections over lists, with offset cursors and argument checks. */
import { BadUserInputError } from '../access/errors.ts';

export const MAX_PAGE = 100;

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Encode a position as an opaque cursor. */
export const offsetCursor = (offset: number) => Buffer.from(`o:${offset}`, 'utf8').toString('base64url');

/** The offset after a cursor (0 without one); BAD_USER_INPUT for a cursor that is not ours. */
export function decodeOffset(after: string | null | undefined): number {
  if (after === null || after === undefined) return 0;
  const m = /^o:(\d{1,9})$/.exec(Buffer.from(String(after), 'base64url').toString('utf8'));
  if (!m) throw new BadUserInputError('`after` is not a cursor of this list');
  return Number(m[1]) + 1;
}

/** Check `first` (0..MAX_PAGE). */
export function checkFirst(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) throw new BadUserInputError(`\`first\` must be between 0 and ${MAX_PAGE}`);
  return n;
}

/** Slice a full list into a page. */
export function connectionFromList<T>(
  items: readonly T[],
  args: { first?: number | null; after?: string | null },
  total = items.length,
): Connection<T> {
  const first = checkFirst(args.first);
  const start = decodeOffset(args.after);
  return connectionFromPage({ items: items.slice(start, start + first), total }, start);
}

/** A connection over one page a source returned from `offset` (its total counts every page). */
export function connectionFromPage<T>(page: { items: T[]; total: number }, offset: number): Connection<T> {
  const edges = page.items.map((node, i) => ({ cursor: offsetCursor(offset + i), node }));
  return {
    edges,
    nodes: page.items,
    pageInfo: { hasNextPage: offset + page.items.length < page.total, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: page.total,
  };
}
