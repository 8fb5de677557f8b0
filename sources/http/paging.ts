/**
 * Offsets over page-numbered APIs. Cross-source search resumes each source at an exact
 * position; a vendor that pages by number (Content Server, iconik) can still serve
 * `[offset, offset + count)` in ONE request when some page size puts the whole range on one
 * page. `pageWindow` finds the smallest such size. `offsetCursor` is the opaque cursor of an
 * offset-paged source.
 */
import type { System } from '../model.ts';
import { UpstreamError } from './errors.ts';

export interface PageWindow {
  /** 1-based page number to ask for. */
  page: number;
  /** Page size to ask for. */
  perPage: number;
  /** Items of that page to drop before the range starts. */
  skip: number;
}

/** A page number and size covering `[offset, offset + count)` in one page, within `maxPerPage`; null if none exists. */
export function pageWindow(offset: number, count: number, maxPerPage: number): PageWindow | null {
  const n = Math.max(1, count);
  if (offset === 0) return n <= maxPerPage ? { page: 1, perPage: n, skip: 0 } : null;
  for (let size = n; size <= Math.min(maxPerPage, offset + n); size++) {
    if (Math.floor(offset / size) === Math.floor((offset + n - 1) / size)) {
      const page = Math.floor(offset / size) + 1;
      return { page, perPage: size, skip: offset - (page - 1) * size };
    }
  }
  return null;
}

/** Encodes and decodes a source's opaque page cursor: the offset of the next item. */
export interface OffsetCursor {
  encode(offset: number): string;
  /** The cursor's offset; 0 without a cursor (undefined, null or ''); BAD_REQUEST for one that is not ours. */
  decode(cursor: string | null | undefined): number;
}

/** The `{o: offset}` base64url cursor every offset-paged source uses; a bad cursor is `<system>: invalid page cursor`. */
export function offsetCursor(system: System): OffsetCursor {
  return {
    encode: (offset) => Buffer.from(JSON.stringify({ o: offset })).toString('base64url'),
    decode(cursor) {
      if (cursor === undefined || cursor === null || cursor === '') return 0;
      try {
        const c: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
        const o = typeof c === 'object' && c !== null ? (c as { o?: unknown }).o : undefined;
        if (typeof o === 'number' && Number.isSafeInteger(o) && o >= 0) return o;
      } catch {
        // reported below as a typed error
      }
      throw new UpstreamError(system, 'BAD_REQUEST', 'invalid page cursor');
    },
  };
}
