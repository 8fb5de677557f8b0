/**
 * The GraphQL type of a canonical object returned where the field's type is abstract (`Node`,
 * `SearchResult`), remembered by the object itself rather than by copying it with a
 * `__typename`: a copy per request cost an allocation per hit and hid from the audit that the
 * object is the one the sources' cache already described. A canonical object is always of
 * one type, so remembering it by identity is safe.
 */
const types = new WeakMap<object, string>();

/** `value`, remembered as being of GraphQL type `typename`. */
export function typed<T extends object>(value: T, typename: string): T {
  types.set(value, typename);
  return value;
}

/** `__resolveType` of the abstract types: the remembered type. */
export function typeOf(value: object): string | null {
  return types.get(value) ?? null;
}
