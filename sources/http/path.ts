/**
 * Safe URL building. Every value placed in a path is one encoded segment: `../x`, `1?a=b`,
 * `%2F`, `#x`, an absolute URL or CR/LF can never change which resource is requested. Values
 * that the URL parser would still treat as a dot-segment (`.`, `..`, and their %2e forms) are
 * refused outright, since no encoding keeps them literal.
 */
import type { System } from '../model.ts';
import { UpstreamError } from './errors.ts';

/** Encode one path segment, or throw NOT_FOUND for values no encoding can make safe. */
export function segment(system: System, value: string | number): string {
  const s = String(value);
  if (s === '' || /^(\.|%2e){1,2}$/i.test(s)) throw new UpstreamError(system, 'NOT_FOUND', 'invalid identifier');
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Tagged template for paths: `p('OTCS')\`/api/v2/nodes/${id}/versions\`` encodes each
 * interpolated value as a single segment.
 */
export function pathOf(system: System) {
  return (strings: TemplateStringsArray, ...values: (string | number)[]): string =>
    strings.reduce((acc, s, i) => acc + s + (i < values.length ? segment(system, values[i] as string | number) : ''), '');
}

export type QueryValue = string | number | boolean | undefined | null | readonly (string | number)[];

/** A query string from a record; arrays repeat the key (`ids=1&ids=2`); `true` is a bare flag. */
export function queryString(params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === false) continue;
    const key = encodeURIComponent(k);
    if (v === true) parts.push(key);
    else if (Array.isArray(v)) for (const x of v) parts.push(`${key}=${encodeURIComponent(String(x))}`);
    else parts.push(`${key}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A urlencoded form body; arrays repeat the key, as Content Server expects. */
export function formBody(fields: Record<string, QueryValue>): string {
  return queryString(fields).slice(1);
}
