/**
 * What a delivery sends: a CloudEvents 1.0 event in structured JSON mode, signed with Standard
 * Webhooks headers (`../shared/reference/vendor-apis-writes.md` §9).
 *
 * - `id` is the outbox event's id, `source` `/atrium/<system>` (e.g. `/atrium/otcs`), `type` the
 *   canonical type with a reverse-DNS prefix, as CloudEvents recommends (`com.atrium.document.approved`),
 *   `subject` the graph's global id of the object, `time` the source's time of the change,
 *   `datacontenttype` `application/json`, and `data` `{ objectType, campaign, account, before, after }`.
 * - `webhook-id` is the event id too, made a valid Standard Webhooks id: `%`, `.` and anything
 *   outside printable ASCII percent-encoded (`decodeURIComponent` gives the event id back; ids
 *   the feed makes, e.g. `otcs:document.approved:123:4`, become `otcs:document%2Eapproved:123:4`).
 *   The same on every attempt and replay, so a receiver de-duplicates on it.
 * - `webhook-signature` holds one `v1,` entry per valid secret (the current one first; the
 *   previous one beside it during a rotation's grace period).
 */
import { createHash } from 'node:crypto';
import { sign, signedHeaders, MAX_ID_LENGTH } from '../inbound/standard-webhooks.ts';
import type { StoredEvent } from './store.ts';

/** The prefix of every CloudEvents `type` Atrium sends. */
export const TYPE_PREFIX = 'com.atrium.';
export const CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';

/** The CloudEvents JSON of an event (the exact bytes that are signed and sent). */
export function cloudEvent(e: StoredEvent): string {
  return JSON.stringify({
    specversion: '1.0',
    id: e.id,
    source: `/atrium/${e.source.toLowerCase()}`,
    type: `${TYPE_PREFIX}${e.type}`,
    subject: e.objectId,
    time: e.time,
    datacontenttype: 'application/json',
    data: {
      objectType: e.objectType,
      campaign: e.campaign,
      account: e.account,
      ...(e.data.before !== undefined ? { before: e.data.before } : {}),
      ...(e.data.after !== undefined ? { after: e.data.after } : {}),
    },
  });
}

/** The `webhook-id` of an event id (see above); an id that would be too long once encoded is hashed. */
export function webhookId(eventId: string): string {
  const encoded = Array.from(eventId)
    .map((c) => (/^[\x21-\x24\x26-\x2d\x2f-\x7e]$/.test(c) ? c : encodeURIComponent(c).replace(/\./g, '%2E')))
    .join('');
  return encoded.length <= MAX_ID_LENGTH ? encoded : `evt_${createHash('sha256').update(eventId).digest('base64url')}`;
}

/** The headers of one attempt: content type and the Standard Webhooks three, signed with every secret. */
export function deliveryHeaders(secrets: readonly string[], eventId: string, timestamp: number, body: string): Record<string, string> {
  const [first, ...rest] = secrets;
  if (!first) throw new Error('a delivery needs a secret');
  const id = webhookId(eventId);
  const signed = signedHeaders(first, { id, timestamp, body });
  const signature = [signed['webhook-signature'], ...rest.map((s) => sign(s, id, timestamp, body))].join(' ');
  return {
    'content-type': CONTENT_TYPE,
    'user-agent': 'Atrium-Webhooks/1.0',
    'webhook-id': signed['webhook-id'],
    'webhook-timestamp': signed['webhook-timestamp'],
    'webhook-signature': signature,
  };
}
