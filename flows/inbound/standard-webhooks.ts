/**
 * Standard Webhooks 1.0, symmetric signatures (`../shared/reference/vendor-apis-writes.md`
 * §9.1): verifying what a source pushes in, and signing what is pushed out.
 *
 * A message is three headers and the exact body bytes: `webhook-id` (unique per event, the same
 * on every retry: the caller's de-duplication key), `webhook-timestamp` (integer Unix seconds of
 * this attempt) and `webhook-signature` (a space-delimited list of `v1,<base64>` entries, several
 * while a secret is rotated). The signature is HMAC-SHA256 over `"{id}.{timestamp}.{body}"` keyed
 * with the base64-decoded part of a `whsec_` secret.
 *
 * Pure: no clock but the one injected, no I/O, no randomness. Verification never throws on what
 * a sender controls (headers, body); it answers with a typed result. What Atrium controls throws
 * when wrong: a bad secret when a verifier is built or a message signed, an id or timestamp a
 * receiver would refuse when headers are signed; no message ever contains the secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The prefix of a symmetric Standard Webhooks secret; the rest is the key, base64. */
export const SECRET_PREFIX = 'whsec_';
/** The spec's key size: 24 to 64 random bytes. */
export const SECRET_MIN_BYTES = 24;
export const SECRET_MAX_BYTES = 64;
/** How far a timestamp may be from now, either way (the reference library's 5 minutes). */
export const DEFAULT_TOLERANCE_S = 5 * 60;

/** Longest `webhook-id` accepted (providers use ~30 characters; this bounds what is stored as a key). */
export const MAX_ID_LENGTH = 256;
/** Longest `webhook-signature` header read: room for 16 entries, far beyond any rotation. */
export const MAX_SIGNATURE_HEADER = 2048;
const MAX_SIGNATURE_ENTRIES = 16;

/** The verdict on one message. `ok` carries what the caller keys on (de-duplication) and logs. */
export type VerifyResult =
  | { outcome: 'ok'; id: string; timestamp: number }
  /** Well-formed, but no entry is a valid `v1` signature of this body under any of the secrets. */
  | { outcome: 'bad-signature'; reason: string }
  /** Authentic, but the timestamp is outside the tolerance (a replay of an old capture, or a clock off). */
  | { outcome: 'stale'; reason: string; id: string; timestamp: number }
  /** A header missing, repeated, too long or not in the spec's format. */
  | { outcome: 'malformed'; reason: string };

/** Request headers as node gives them (lower-case names) or any plain record of them. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifierOptions {
  /** One secret, or several (the current one first) while they are rotated; `whsec_` + base64. */
  secrets: string | readonly string[];
  /** Allowed distance of `webhook-timestamp` from now, in seconds (default 300). */
  toleranceS?: number;
  /** The clock in ms (injectable for tests). */
  now?: () => number;
}

export interface Verifier {
  /** Verify one message: its headers and the exact body bytes as received (a string is taken as UTF-8). */
  verify(headers: HeaderBag, body: Uint8Array | string): VerifyResult;
}

const ID = /^[\x21-\x2d\x2f-\x7e]+$/; // printable ASCII without space and '.' (the spec forbids '.')
const TIMESTAMP = /^\d{1,12}$/;
const V1_SIGNATURE = /^[A-Za-z0-9+/]{43}=$/; // 32 bytes of HMAC-SHA256, canonical base64
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key of a secret: `whsec_` + base64 of 24–64 bytes. Throws on anything else, without
 * repeating the secret. (The reference library also takes bare base64; Atrium's configuration
 * always writes the prefix, so a value without it is more likely a pasted wrong value.)
 */
export function secretKey(secret: string): Buffer {
  const problem = secretProblem(secret);
  if (problem) throw new Error(`webhook secret ${problem}`);
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/**
 * What is wrong with a secret, or `null`: for configuration checks (config.ts reports it under
 * the variable's name). The text describes the secret's shape only, never its value.
 */
export function secretProblem(secret: unknown): string | null {
  if (typeof secret !== 'string') return 'must be a string';
  if (!secret.startsWith(SECRET_PREFIX)) return `must start with "${SECRET_PREFIX}"`;
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!BASE64.test(b64)) return `must be "${SECRET_PREFIX}" followed by standard base64`;
  const bytes = Buffer.from(b64, 'base64').length;
  if (bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES)
    return `must encode ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} bytes (it encodes ${bytes})`;
  return null;
}

/** A new secret's text from random bytes (the caller draws them: this module has no randomness). */
export function formatSecret(key: Uint8Array): string {
  if (key.length < SECRET_MIN_BYTES || key.length > SECRET_MAX_BYTES)
    throw new Error(`a webhook secret needs ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} random bytes`);
  return SECRET_PREFIX + Buffer.from(key).toString('base64');
}

/** The `v1,<base64>` signature of one message. */
export function sign(secret: string, id: string, timestamp: number, body: Uint8Array | string): string {
  return `v1,${hmac(secretKey(secret), id, String(timestamp), bytes(body))}`;
}

/**
 * The three headers of a message signed with `secret`: what a sender adds to its POST.
 * Throws on an id or timestamp a receiver would refuse, so nothing unverifiable is sent.
 */
export function signedHeaders(
  secret: string,
  msg: { id: string; timestamp: number; body: Uint8Array | string },
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  if (msg.id.length > MAX_ID_LENGTH || !ID.test(msg.id))
    throw new Error('webhook id must be 1-256 printable characters without "." or spaces');
  if (!Number.isSafeInteger(msg.timestamp) || msg.timestamp < 0) throw new Error('webhook timestamp must be whole non-negative seconds');
  return {
    'webhook-id': msg.id,
    'webhook-timestamp': String(msg.timestamp),
    'webhook-signature': sign(secret, msg.id, msg.timestamp, msg.body),
  };
}

/** A verifier for one source's secrets. Throws (without the secret) if a secret is malformed. */
export function createVerifier(opts: VerifierOptions): Verifier {
  const list = typeof opts.secrets === 'string' ? [opts.secrets] : [...opts.secrets];
  if (list.length === 0) throw new Error('a webhook verifier needs at least one secret');
  const keys = list.map((s, i) => {
    const problem = secretProblem(s);
    if (problem) throw new Error(`webhook secret #${i + 1} ${problem}`);
    return secretKey(s);
  });
  const toleranceS = opts.toleranceS ?? DEFAULT_TOLERANCE_S;
  const now = opts.now ?? Date.now;

  return {
    verify(headers, body) {
      const read = readHeaders(headers);
      if ('problem' in read) return malformed(read.problem);
      const { id, ts, sig } = read;
      if (id.length > MAX_ID_LENGTH || !ID.test(id))
        return malformed('webhook-id must be 1-256 printable characters without "." or spaces');
      if (!TIMESTAMP.test(ts)) return malformed('webhook-timestamp must be integer Unix seconds');
      if (sig.length > MAX_SIGNATURE_HEADER) return malformed('webhook-signature is too long');
      const entries = sig.split(' ').filter((e) => e !== '');
      if (entries.length === 0 || entries.length > MAX_SIGNATURE_ENTRIES || !entries.every((e) => /^[^,]+,[^,]+$/.test(e)))
        return malformed('webhook-signature must be a space-delimited list of "version,signature"');

      // Other versions (v1a: asymmetric) are skipped, not refused: a sender may offer several.
      const candidates = entries
        .filter((e) => e.startsWith('v1,'))
        .map((e) => e.slice(3))
        .filter((s) => V1_SIGNATURE.test(s))
        .map((s) => Buffer.from(s, 'ascii'));
      const data = bytes(body);
      // The signature is checked before the timestamp: a forgery is a forgery whatever its age,
      // and "stale" is only ever said of a message the secret's holder really sent.
      const authentic = keys.some((key) => {
        const expected = Buffer.from(hmac(key, id, ts, data), 'ascii');
        return candidates.some((c) => c.length === expected.length && timingSafeEqual(c, expected));
      });
      if (!authentic) return { outcome: 'bad-signature', reason: 'no v1 signature matches' };
      const timestamp = Number(ts);
      const drift = timestamp - Math.floor(now() / 1000);
      if (drift < -toleranceS) return { outcome: 'stale', reason: 'webhook-timestamp is too old', id, timestamp };
      if (drift > toleranceS) return { outcome: 'stale', reason: 'webhook-timestamp is too new', id, timestamp };
      return { outcome: 'ok', id, timestamp };
    },
  };
}

/** The three headers, each present exactly once and non-empty, or the first problem. */
function readHeaders(headers: HeaderBag): { id: string; ts: string; sig: string } | { problem: string } {
  const id = single(headers, 'webhook-id');
  const ts = single(headers, 'webhook-timestamp');
  const sig = single(headers, 'webhook-signature');
  if (typeof id !== 'string') return { problem: `webhook-id ${id.problem}` };
  if (typeof ts !== 'string') return { problem: `webhook-timestamp ${ts.problem}` };
  if (typeof sig !== 'string') return { problem: `webhook-signature ${sig.problem}` };
  return { id, ts, sig };
}

/** One header's value, or what is wrong with it (absent, empty, repeated). */
function single(headers: HeaderBag, name: string): string | { problem: string } {
  let value: unknown = Object.hasOwn(headers, name) ? headers[name] : undefined;
  if (value === undefined) {
    // A plain record may spell the name in another case; node's headers are always lower-case.
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  if (Array.isArray(value)) {
    if (value.length !== 1) return { problem: 'is repeated' };
    value = value[0];
  }
  return typeof value === 'string' && value !== '' ? value : { problem: 'is missing' };
}

function malformed(reason: string): VerifyResult {
  return { outcome: 'malformed', reason };
}

function bytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function hmac(key: Buffer, id: string, timestamp: string, body: Uint8Array): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`, 'utf8').update(body).digest('base64');
}
