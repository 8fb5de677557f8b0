/**
 * iconik's webhook payloads → canonical events: entity create/update carry the same ids as the
 * polled change; other realms are hints keyed by request_id; deletes and non-assets give
 * nothing; a body that is not a payload is a typed error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assetId } from '../../../../access/ids.ts';
import { assetEvents } from '../../../../flows/feed/dam.ts';
import { iconikWebhookEvents, WebhookPayloadError } from '../../../../flows/feed/iconik-webhook.ts';
import type { Asset } from '../../../../sources/model.ts';

const ID = '5de87058-3af6-4249-8000-000000000007';
const envelope = (over: Record<string, unknown>) => ({
  system_domain_id: '86729aec-7ff0-11ef-a5cc-2e53d2c327db',
  event_type: 'assets',
  object_id: ID,
  user_id: '8951f88e-7ff0-11ef-b7ae-4664fc99c07f',
  realm: 'entity',
  operation: 'update',
  data: { id: ID, title: 'Hero', date_created: '2026-11-01T10:00:00.000000+00:00', date_modified: '2026-12-01T10:00:05.123000+00:00' },
  request_id: 'e2f3b065cba1b882f0fe8fa6efd6f3fd',
  ...over,
});

describe('iconikWebhookEvents', () => {
  it('an entity update is asset.updated with the id the poll gives the same change', () => {
    const [e, ...rest] = iconikWebhookEvents(envelope({}));
    assert.deepEqual(rest, []);
    assert.equal(e?.type, 'asset.updated');
    assert.equal(e?.objectId, assetId('ICONIK', ID));
    assert.equal(e?.time, '2026-12-01T10:00:05.123Z');
    const polled: Asset = {
      source: { system: 'ICONIK', nativeId: ID },
      title: 'Hero',
      kind: 'VIDEO',
      mimeType: 'video/mp4',
      approval: 'PENDING',
      rights: { status: 'CLEARED', territories: [], channels: [] },
      renditions: [],
      metadata: {},
      createdAt: '2026-11-01T10:00:00.000Z',
      modifiedAt: '2026-12-01T10:00:05.123Z',
    };
    assert.equal(assetEvents('ICONIK', polled, undefined, '2026-12-01T10:00:00.000Z')[0]?.id, e?.id);
  });

  it('an entity create is asset.created, keyed by the asset alone', () => {
    const [e] = iconikWebhookEvents(envelope({ operation: 'create' }));
    assert.equal(e?.type, 'asset.created');
    assert.equal(e?.id, `iconik:asset.created:${ID}`);
    assert.equal(e?.time, '2026-11-01T10:00:00.000Z');
  });

  it('collections/contents (SEEN shape): the asset added is updated, a hint keyed by request_id, timed at receipt', () => {
    const at = new Date('2026-12-02T00:00:00Z');
    const [e] = iconikWebhookEvents(
      envelope({
        event_type: 'collections',
        realm: 'contents',
        operation: 'create',
        data: { collection_id: 'c1', object_id: ID, object_type: 'assets' },
      }),
      at,
    );
    assert.equal(e?.type, 'asset.updated');
    assert.equal(e?.objectId, assetId('ICONIK', ID));
    assert.equal(e?.id, `iconik:asset.updated:${ID}:wh:e2f3b065cba1b882f0fe8fa6efd6f3fd`);
    assert.equal(e?.time, at.toISOString());
  });

  it('deletes, other objects and hostile ids give no event', () => {
    assert.deepEqual(iconikWebhookEvents(envelope({ operation: 'delete' })), []);
    assert.deepEqual(iconikWebhookEvents(envelope({ event_type: 'collections', realm: 'entity' })), []);
    assert.deepEqual(iconikWebhookEvents(envelope({ object_id: '../../x' })), []);
  });

  it('a body that is not a payload is a WebhookPayloadError', () => {
    assert.throws(() => iconikWebhookEvents('nope'), WebhookPayloadError);
    assert.throws(() => iconikWebhookEvents({ event_type: 'assets' }), WebhookPayloadError);
  });
});
