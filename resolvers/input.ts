/**
 * What a reader may send, checked at the edge before any source or the audit store is asked
 * (the limits are written down in README.md). A value past a limit is the caller's to fix
 * (BAD_USER_INPUT, naming the argument but never echoing it); an id past a limit cannot be one
 * of ours, so by-id reads answer NOT_FOUND for it without asking anyone.
 */
import { BadUserInputError } from '../access/errors.ts';

/** Longest search or name text, in characters: longer than any query a person types. */
export const MAX_TEXT = 500;
/**
 * Longest id, code, CRM id, email or filter value: the longest identifiers Atrium takes are an
 * email (254, RFC 5321) and an OpenID Connect subject (255).
 */
export const MAX_VALUE = 256;
/** Most values in one list argument (a filter's codes, channels, statuses…). */
export const MAX_VALUES = 100;
/** Longest `after` accepted: every cursor Atrium makes is a few hundred characters at most. */
export const MAX_CURSOR = 1000;
/**
 * Deepest item any list or search stream serves: 10,000 is the deepest page iconik's
 * Elasticsearch answers by default (`index.max_result_window`), and no portal page or client of
 * ours pages further; narrowing the query reaches the rest.
 */
export const MAX_DEPTH = 10_000;

/** Control characters (C0, DEL, C1) and unpaired surrogates: no source, query syntax or database takes them as text. */
const UNSAFE = /[\p{Cc}\p{Cs}]/u;

/** Whether `value` is at most `max` characters of well-formed text without control characters. */
export const isPlain = (value: string, max: number): boolean => value.length <= max && !UNSAFE.test(value);

/** Whether `id` could be an id, code or CRM id of ours (anything else is NOT_FOUND without a request). */
export const isPlausibleId = (id: string): boolean => isPlain(id, MAX_VALUE);

/** `value` of the argument `name`, or BAD_USER_INPUT when it is longer than `max` or holds control characters. */
export function checkString(name: string, value: string, max: number): string {
  if (value.length > max) throw new BadUserInputError(`\`${name}\` must be at most ${max} characters`);
  if (UNSAFE.test(value)) throw new BadUserInputError(`\`${name}\` must not contain control characters`);
  return value;
}

/** A free-text argument (search text, a name to look for): at most MAX_TEXT characters. */
export const checkText = (name: string, value: string): string => checkString(name, value, MAX_TEXT);

/** An id, code or value argument: at most MAX_VALUE characters. */
export const checkValue = (name: string, value: string): string => checkString(name, value, MAX_VALUE);

/** A list argument: at most MAX_VALUES values, each a plain value (enum lists too: their length is what costs). */
export function checkList<T extends string>(name: string, list: readonly T[]): T[] {
  if (list.length > MAX_VALUES) throw new BadUserInputError(`\`${name}\` takes at most ${MAX_VALUES} values`);
  list.forEach((v, i) => checkValue(`${name}[${i}]`, v));
  return [...list];
}

/** The text of a base64url cursor, or null when it is too long or not base64url (so it cannot be ours). */
export function cursorText(after: string): string | null {
  if (after.length > MAX_CURSOR || !/^[A-Za-z0-9_-]*$/.test(after)) return null;
  return Buffer.from(after, 'base64url').toString('utf8');
}
