/**
 * iconik's webhook payload → canonical events (pure), for the receiver `POST /hooks/iconik`.
 * iconik signs nothing (vendor-apis-writes §5.2): the receiver checks the registration's static
 * header before calling this. The envelope is SEEN: `{system_domain_id, event_type, object_id,
 * user_id, realm, operation, data, request_id}`.
 *
 * - `event_type: assets`, realm `entity` (or `assets`/`asset`): `create` → `asset.created`;
 *   `update` → `asset.updated`, timed by `data.date_modified` (the AssetSchema after the
 *   change, the reference's proposal for this NOT FOUND shape). Their ids are the ones the
 *   polling feed gives the same change (`dam.ts`), so a change both pushed and polled is
 *   appended once.
 * - any other realm of an asset (`metadata`, `acls`, ...; shapes NOT FOUND), and
 *   `collections`/`contents` (SEEN; its top-level `object_id` is the asset added) → an
 *   `asset.updated` hint keyed by the delivery's `request_id` (no modify date to align on),
 *   timed at receipt. The poll reports the same change with the asset's full state.
 * - deletes, and events about anything but assets → no event (the contract has no delete).
 *
 * Campaign and account are not in the payload: null (a receiver needing them re-reads the
 * asset; the polled event carries them).
 */
import { assetId } from '../../access/ids.ts';
import type { ChangeEvent } from '../outbox/events.ts';
import { eventId } from './source.ts';

/** The body is not an iconik webhook payload. */
export class WebhookPayloadError extends Error {
  override readonly name = 'WebhookPayloadError';
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const ID = /^[A-Za-z0-9-]{1,64}$/;
const dateOf = (v: unknown): string | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null);

/** Events of one delivered payload (zero or one). Throws WebhookPayloadError when it is not one. */
export function iconikWebhookEvents(payload: unknown, receivedAt: Date = new Date()): ChangeEvent[] {
  if (!isRec(payload)) throw new WebhookPayloadError('the body is not an object');
  const { event_type: eventType, object_id: objectId, realm, operation, request_id: requestId } = payload;
  if (typeof eventType !== 'string' || typeof objectId !== 'string' || typeof operation !== 'string')
    throw new WebhookPayloadError('event_type, object_id and operation are required');
  const data = isRec(payload.data) ? payload.data : {};
  const op = operation.toLowerCase();
  const realmName = typeof realm === 'string' ? realm.toLowerCase() : 'entity';

  let asset: string | null = null;
  if (eventType === 'assets') asset = objectId;
  else if (eventType === 'collections' && realmName === 'contents' && data.object_type === 'assets') asset = objectId;
  if (!asset || !ID.test(asset) || op === 'delete' || op === 'purge') return [];

  const base = {
    source: 'ICONIK' as const,
    objectId: assetId('ICONIK', asset),
    objectType: 'Asset' as const,
    campaign: null,
    account: null,
  };
  const entity = eventType === 'assets' && (realmName === 'entity' || realmName === 'assets' || realmName === 'asset');
  if (entity && op === 'create') {
    return [
      {
        ...base,
        id: eventId('ICONIK', 'asset.created', asset),
        type: 'asset.created',
        time: dateOf(data.date_created) ?? dateOf(data.date_modified) ?? receivedAt.toISOString(),
        data: { after: { title: typeof data.title === 'string' ? data.title : null } },
      },
    ];
  }
  const modified = entity ? dateOf(data.date_modified) : null;
  const hint = typeof requestId === 'string' && ID.test(requestId) ? requestId : String(receivedAt.getTime());
  return [
    {
      ...base,
      id: modified
        ? eventId('ICONIK', 'asset.updated', asset, String(Date.parse(modified)))
        : eventId('ICONIK', 'asset.updated', asset, 'wh', hint),
      type: 'asset.updated',
      time: modified ?? receivedAt.toISOString(),
      data: { after: { realm: realmName, operation: op, ...(typeof data.title === 'string' ? { title: data.title } : {}) } },
    },
  ];
}
