/**
 * Standard Webhooks 1.0 signing for the CRM's outgoing webhooks: `v1,<base64 HMAC-SHA256 of
 * "{id}.{timestamp}.{body}">` keyed with the base64 part of a `whsec_` secret.
 *
 * Written here rather than imported from `flows/inbound/standard-webhooks.ts`: a simulator
 * imports nothing above `sources/` (eslint.config.js), and a sender that shares no code with the
 * receiver it tests cannot hide a mistake both would make (both are checked against the spec's
 * test vector).
 */
import { createHmac } from 'node:crypto';

const SECRET = /^whsec_((?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;

/** Whether `secret` is `whsec_` followed by standard base64 of at least 24 bytes. */
export function isWebhookSecret(secret: unknown): secret is string {
  const b64 = typeof secret === 'string' ? SECRET.exec(secret)?.[1] : undefined;
  return b64 !== undefined && Buffer.from(b64, 'base64').length >= 24;
}

/** The `webhook-signature` value for one message (the exact body bytes sent). */
export function signatureOf(secret: string, id: string, timestamp: number, body: Buffer): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`;
}
