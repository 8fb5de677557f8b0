/**
 * Offsets over page-numbered APIs. Cross-source search resumes each source at an exact
 * position; a vendor that pages by number (Content Server, iconik) can still serve
 * `[offset, offset + count)` in ONE request when some page size puts the whole range on one
 * page. `pageWindow` finds the smallest such size.
 */

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
