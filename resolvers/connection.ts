/**
 * Relay connections over lists, with offset cursors and argument checks. Arguments are checked
 * before any source is asked (`pageWindow`), and no list pages deeper than MAX_DEPTH items:
 * the last page a list serves says it has no next page, so no cursor of ours points past it.
 */
import { BadUserInputError } from '../access/errors.ts';
import { MAX_DEPTH, cursorText } from './input.ts';

export const MAX_PAGE = 100;

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** A connection's paging arguments, as the reader sent them. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** The items a page covers: `first` items from index `offset`, never past MAX_DEPTH. */
export interface PageWindow {
  first: number;
  offset: number;
}

/** Encode a position as an opaque cursor. */
export const offsetCursor = (offset: number) => Buffer.from(`o:${offset}`, 'utf8').toString('base64url');

/** The offset after a cursor (0 without one); BAD_USER_INPUT for a cursor that is not ours or points past MAX_DEPTH. */
export function decodeOffset(after: string | null | undefined): number {
  if (after === null || after === undefined) return 0;
  const text = cursorText(String(after));
  const m = text === null ? null : /^o:(\d{1,9})$/.exec(text);
  if (!m) throw new BadUserInputError('`after` is not a cursor of this list');
  const offset = Number(m[1]) + 1;
  if (offset >= MAX_DEPTH) throw new BadUserInputError(`\`after\` points past the ${MAX_DEPTH} items a list serves`);
  return offset;
}

/** Check `first` (0..MAX_PAGE). */
export function checkFirst(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE) throw new BadUserInputError(`\`first\` must be between 0 and ${MAX_PAGE}`);
  return n;
}

/** The window a connection's arguments ask for, checked (call it before asking any source); clipped at MAX_DEPTH. */
export function pageWindow(args: PageArgs, fallback = 20): PageWindow {
  const first = checkFirst(args.first, fallback);
  const offset = decodeOffset(args.after);
  return { first: Math.min(first, MAX_DEPTH - offset), offset };
}

/** A page of a full list: the window's slice, with cursors and the list's total. */
export function connectionFromWindow<T>(items: readonly T[], window: PageWindow, total = items.length): Connection<T> {
  return connectionFromPage({ items: items.slice(window.offset, window.offset + window.first), total }, window.offset);
}

/** Slice a full list into a page (the arguments checked here). */
export function connectionFromList<T>(items: readonly T[], args: PageArgs, total = items.length): Connection<T> {
  return connectionFromWindow(items, pageWindow(args), total);
}

/** A connection over one page a source returned from `offset` (its total counts every page; paging stops at MAX_DEPTH). */
export function connectionFromPage<T>(page: { items: T[]; total: number }, offset: number): Connection<T> {
  const edges = page.items.map((node, i) => ({ cursor: offsetCursor(offset + i), node }));
  return {
    edges,
    nodes: page.items,
    pageInfo: {
      hasNextPage: offset + page.items.length < Math.min(page.total, MAX_DEPTH),
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: page.total,
  };
}
