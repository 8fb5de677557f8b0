/** Reading the URL's search parameters, where filters and paging live. */

export type SearchParamsRecord = Record<string, string | string[] | undefined>;

/** The first value of a parameter, or null. */
export function one(v: string | string[] | undefined): string | null {
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? null : s;
}

/** Every value of a parameter. */
export function all(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((s) => s !== '');
}
