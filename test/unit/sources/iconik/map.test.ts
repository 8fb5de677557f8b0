/** Unit tests of iconik wire -> canonical mapping and its validation. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { changeOfWebhook } from '../../../../sources/iconik/changes.ts';
import {
  DEFAULT_PROXY_KINDS,
  isoDate,
  kindOf,
  mapFacets,
  mimeFromName,
  parseEnvelope,
  toAsset,
  type MapContext,
} from '../../../../sources/iconik/map.ts';
import { demoMapping } from '../../../../sources/mapping.ts';

const mapping = demoMapping();
const F = mapping.iconik.fields;
const ctx: MapContext = { mapping, apiBase: 'https://app.iconik.io/API', proxyKinds: DEFAULT_PROXY_KINDS };
const ID = '1cca7690-8036-41eb-9776-0a580a3c0c42';
const doc = (extra: Record<string, unknown> = {}) => ({
  id: ID,
  title: 'Hero',
  media_type: 'video',
  date_created: '2021-03-08T17:52:06.936000+00:00',
  date_modified: '2021-03-09T10:00:00+01:00',
  metadata: {
    [F.approval]: ['APPROVED'],
    [F.rightsStatus]: ['CLEARED'],
    [F.territories]: ['EMEA', 'MARS'],
    [F.channels]: ['web'],
    [F.validUntil]: ['2027-01-01T00:00:00.000000+00:00'],
    [F.campaignCode]: ['CMP-2026-001'],
    [F.licenceId]: ['10000030'],
  },
  files: [{ id: 'f1', type: 'FILE', original_name: 'hero.mov', size: 10 }],
  proxies: [
    { id: 'p1', name: 'Thumbnail', filename: 't.png', resolution: { width: 180, height: 101 } },
    { id: 'p2', name: 'transcode-720p', filename: 'x.mp4' },
  ],
  ...extra,
});
const isMalformed = (e: unknown) => e instanceof UpstreamError && e.kind === 'MALFORMED';

describe('iconik map: toAsset', () => {
  it('maps metadata through the mapping, dates to ISO with Z, renditions by proxy name and file', () => {
    const a = toAsset(doc(), ctx);
    assert.equal(a.createdAt, '2021-03-08T17:52:06.936Z');
    assert.equal(a.modifiedAt, '2021-03-09T09:00:00.000Z');
    assert.equal(a.approval, 'APPROVED');
    assert.deepEqual(a.rights, {
      status: 'CLEARED',
      territories: ['EMEA'],
      channels: ['web'],
      validUntil: '2027-01-01T00:00:00.000Z',
      licenceId: '10000030',
    });
    assert.equal(a.campaignCode, 'CMP-2026-001');
    assert.equal(a.mimeType, 'video/quicktime');
    assert.deepEqual(
      a.renditions.map((r) => [r.kind, r.ref]),
      [
        ['THUMBNAIL', `iconik:proxies:${ID}:p1`],
        ['ORIGINAL', `iconik:files:${ID}:f1`],
      ],
    );
    assert.equal(a.source.url, `https://app.iconik.io/API/assets/v1/assets/${ID}/`);
  });

  it('falls back to the safe side for unknown or absent approval and rights status', () => {
    const a = toAsset(doc({ metadata: { [F.approval]: ['Maybe'] } }), ctx);
    assert.equal(a.approval, 'PENDING');
    assert.equal(a.rights.status, 'PENDING');
    assert.deepEqual(a.rights.territories, []);
  });

  it('throws MALFORMED for structures it cannot use', () => {
    for (const bad of [
      null,
      [],
      doc({ id: 'x' }),
      doc({ title: 3 }),
      doc({ metadata: [] }),
      doc({ files: {} }),
      doc({ proxies: [{}] }),
      doc({ date_created: 'soon' }),
      doc({ metadata: { [F.validFrom]: ['not a date'] } }),
    ]) {
      assert.throws(() => toAsset(bad, ctx), isMalformed, JSON.stringify(bad));
    }
  });
});

describe('iconik map: helpers', () => {
  it('isoDate, mimeFromName, kindOf', () => {
    assert.equal(isoDate('2026-01-19T06:57:04+00:00', 'x'), '2026-01-19T06:57:04.000Z');
    assert.throws(() => isoDate(undefined, 'x'), isMalformed);
    assert.equal(mimeFromName('a.MP3'), 'audio/mpeg');
    assert.equal(mimeFromName('noext'), undefined);
    assert.equal(kindOf('template', undefined), 'TEMPLATE');
    assert.equal(kindOf('weird', 'image/png'), 'IMAGE');
    assert.equal(kindOf(null, undefined), 'DOCUMENT');
  });

  it('parseEnvelope validates objects and numbers', () => {
    assert.equal(parseEnvelope({ objects: [], total: 0, page: 1, pages: 0 }).total, 0);
    assert.throws(() => parseEnvelope({ objects: {} }), isMalformed);
    assert.throws(() => parseEnvelope({ objects: [], total: '3' }), isMalformed);
  });

  it('mapFacets reads both facet shapes into canonical fields', () => {
    const buckets = mapFacets(
      { media_type: { buckets: [{ key: 'video', doc_count: 3 }] }, [F.approval]: [{ key: 'APPROVED', doc_count: 2 }] },
      mapping,
    );
    assert.deepEqual(buckets, [
      { field: 'kind', values: [{ value: 'VIDEO', count: 3 }] },
      { field: 'approval', values: [{ value: 'APPROVED', count: 2 }] },
    ]);
    assert.throws(() => mapFacets({ media_type: { buckets: [{ key: 'v' }] } }, mapping), isMalformed);
  });

  it('value maps apply when the mapping has them', () => {
    const m = { ...mapping, iconik: { ...mapping.iconik, values: { approval: { Approved: 'APPROVED' } } } };
    const a = toAsset(doc({ metadata: { [F.approval]: ['Approved'] } }), { ...ctx, mapping: m });
    assert.equal(a.approval, 'APPROVED');
  });
});

describe('iconik webhooks: changeOfWebhook', () => {
  const payload = JSON.parse(
    readFileSync(new URL('../../../fixtures/vendor/iconik/webhook-payload.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

  it('a share of an asset (the captured payload) is an update of that asset', () => {
    const c = changeOfWebhook(payload, new Date('2026-01-01T00:00:00Z'));
    assert.deepEqual(c, {
      system: 'ICONIK',
      kind: 'asset',
      nativeId: '1cca7690-8036-11eb-9776-0a580a3c0c42',
      at: '2026-01-01T00:00:00.000Z',
      operation: 'update',
    });
  });

  it('asset realm operations map to canonical operations; other event types are ignored', () => {
    assert.equal(changeOfWebhook({ ...payload, realm: 'assets', operation: 'delete' })?.operation, 'delete');
    assert.equal(changeOfWebhook({ ...payload, realm: 'assets', operation: 'delete' })?.nativeId, payload.object_id);
    assert.equal(changeOfWebhook({ ...payload, event_type: 'collections' }), null);
    assert.throws(() => changeOfWebhook({ hello: 1 }), isMalformed);
  });
});
