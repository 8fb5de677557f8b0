/**
 * Wire-fidelity checks: does a simulator's answer have the keys and JSON types of a vendor
 * example (vendor-apis.md)? Every key of the example must be present with the same type;
 * `null` in the example accepts any type (the vendor shows it unset); arrays compare their
 * first elements when both have one. Extra keys in the answer are allowed.
 */
import assert from 'node:assert/strict';

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

export function shapeDiff(actual: unknown, example: unknown, path = '$'): string[] {
  const te = typeOf(example);
  const ta = typeOf(actual);
  if (te === 'null') return [];
  if (te !== ta) return [`${path}: expected ${te}, got ${ta}`];
  if (te === 'array') {
    const [e0] = example as unknown[];
    const [a0] = actual as unknown[];
    return e0 !== undefined && a0 !== undefined ? shapeDiff(a0, e0, `${path}[0]`) : [];
  }
  if (te === 'object') {
    const out: string[] = [];
    for (const [k, v] of Object.entries(example as Record<string, unknown>)) {
      if (k === '...') continue; // the reference's own elision marker
      if (!(k in (actual as Record<string, unknown>))) out.push(`${path}.${k}: missing`);
      else out.push(...shapeDiff((actual as Record<string, unknown>)[k], v, `${path}.${k}`));
    }
    return out;
  }
  return [];
}

/** Assert `actual` has every key of `example` with the same JSON type. */
export function assertSameShape(actual: unknown, example: unknown, label = 'response'): void {
  const diff = shapeDiff(actual, example);
  assert.deepEqual(diff, [], `${label} differs from the vendor example:\n${diff.join('\n')}`);
}
