/**
 * Rights write-back (flows/writeback/rights.ts) on PGlite in memory with fake connectors: a
 * licence's terms become the asset's DAM-side rights fields (only those that differ are written);
 * an asset whose rights no longer allow use leaves its distribution containers and comes back into
 * exactly those when renewed; a DAM failing leaves the job pending and it completes later without
 * writing twice; an event handed over again makes no second job; a DAM-side change of an owned
 * field is drift, written over.
 */
import { after, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedDatabase } from '../../../../storage/database.ts';
import { FlowStore } from '../../../../flows/store.ts';
import { JobRunner } from '../../../../flows/jobs.ts';
import { fieldsToWrite, licenceFields, rightsConsumer, settled, type WritableDam } from '../../../../flows/writeback/rights.ts';
import { SyncStore } from '../../../../flows/writeback/sync-store.ts';
import type { StoredEvent } from '../../../../flows/outbox/store.ts';
import { assetId } from '../../../../access/ids.ts';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import type { Asset, Document, Rights } from '../../../../sources/model.ts';
import type { DamFieldValues } from '../../../../sources/ports.ts';

const NOW = Date.parse('2026-12-02T10:00:00Z');
const day = (d: number) => new Date(NOW + d * 86_400_000).toISOString();
const quiet = { info: () => undefined, warn: () => undefined };
const db = sharedDatabase({});
after(() => db.close());

const licence = (over: Partial<Document['metadata']> = {}): Document => ({
  source: { system: 'OTCS', nativeId: '9001' },
  name: 'Stock licence.pdf',
  mimeType: 'application/pdf',
  size: 1,
  version: 1,
  status: 'RELEASED',
  classification: 'INTERNAL',
  metadata: {
    rightsStatus: 'CLEARED',
    validFrom: day(-30),
    validUntil: day(30),
    territories: ['EMEA'],
    channels: ['web', 'partner'],
    ...over,
  },
  workspaceId: '1',
  parentId: '1',
  createdAt: day(-40),
  modifiedAt: day(-1),
});

describe('licenceFields and fieldsToWrite (pure)', () => {
  it("a licence's terms at a given time: expired past its end, pending before its start", () => {
    assert.deepEqual(licenceFields(licence(), NOW), {
      fields: { rightsStatus: 'CLEARED', validFrom: day(-30), validUntil: day(30), territories: ['EMEA'], channels: ['web', 'partner'] },
      allowed: true,
    });
    assert.equal(licenceFields(licence({ validUntil: day(-1) }), NOW).fields.rightsStatus, 'EXPIRED');
    assert.equal(licenceFields(licence({ validUntil: day(-1) }), NOW).allowed, false);
    assert.equal(licenceFields(licence({ validFrom: day(2) }), NOW).fields.rightsStatus, 'PENDING');
    assert.equal(licenceFields(licence({ rightsStatus: 'RESTRICTED' }), NOW).allowed, false);
    assert.equal('territories' in licenceFields(licence({ territories: [] }), NOW).fields, false, 'a licence naming none leaves them');
  });

  it('only what differs is written; the same day counts as the same date when a DAM keeps dates only', () => {
    const target = licenceFields(licence(), NOW).fields;
    const same: Rights = {
      status: 'CLEARED',
      validFrom: day(-30),
      validUntil: day(30),
      territories: ['EMEA'],
      channels: ['partner', 'web'],
    };
    assert.deepEqual(fieldsToWrite(same, target), {});
    assert.deepEqual(
      fieldsToWrite({ ...same, validUntil: day(30).slice(0, 10) }, { ...target, validUntil: `${day(30).slice(0, 10)}T00:00:00.000Z` }),
      {},
    );
    assert.deepEqual(fieldsToWrite({ ...same, status: 'EXPIRED', validUntil: day(-1) }, target), {
      rightsStatus: 'CLEARED',
      validUntil: day(30),
    });
    assert.deepEqual(fieldsToWrite({ ...same, territories: ['WORLD'] }, target), { territories: ['EMEA'] });
  });
});

/** A DAM of one asset that counts its writes and can be made to fail. */
function fakeDam(rights: Rights, containers: string[]) {
  const state = { rights: { ...rights }, containers: [...containers], down: false };
  const writes: string[] = [];
  const fail = () => {
    if (state.down) throw new UpstreamError('NETX', 'UNAVAILABLE', 'NetX is unavailable');
  };
  const dam = {
    system: 'NETX',
    async getAssets(ids: readonly string[]) {
      fail();
      return ids.map((id) => ({ source: { system: 'NETX', nativeId: id }, rights: { ...state.rights } }) as unknown as Asset);
    },
    async writeFields(_id: string, v: DamFieldValues) {
      fail();
      writes.push(`fields ${Object.keys(v).sort().join(',')}`);
      state.rights = {
        ...state.rights,
        ...(v.rightsStatus ? { status: v.rightsStatus } : {}),
        ...(v.validFrom !== undefined ? { validFrom: v.validFrom ?? undefined } : {}),
        ...(v.validUntil !== undefined ? { validUntil: v.validUntil ?? undefined } : {}),
        ...(v.territories ? { territories: v.territories } : {}),
        ...(v.channels ? { channels: v.channels } : {}),
      } as Rights;
    },
    async distributionOf() {
      fail();
      return state.containers.filter((c) => c.startsWith('partner'));
    },
    async removeFromDistribution(_id: string, cs: readonly string[]) {
      fail();
      writes.push(`remove ${cs.join(',')}`);
      state.containers = state.containers.filter((c) => !cs.includes(c));
    },
    async addToDistribution(_id: string, cs: readonly string[]) {
      fail();
      writes.push(`add ${cs.join(',')}`);
      state.containers = [...new Set([...state.containers, ...cs])];
    },
  } as unknown as WritableDam;
  return { dam, state, writes };
}

const ASSET = assetId('NETX', '17901');
let seq = 0;
const licenceEvent = (id: string): StoredEvent => ({
  seq: ++seq,
  feed: 'otcs',
  id,
  type: 'asset.rights.changed',
  source: 'OTCS',
  objectId: ASSET,
  objectType: 'Asset',
  campaign: 'CMP-1',
  account: null,
  time: day(0),
  data: { after: { licence: { licence: '9001' } } },
});

describe('the write-back job and its consumer', () => {
  let doc: Document;
  let fake: ReturnType<typeof fakeDam>;
  let sync: SyncStore;
  let runner: JobRunner;
  let consumer: ReturnType<typeof rightsConsumer>;
  let clock = NOW;

  beforeEach(async () => {
    await (await db()).exec('DELETE FROM flow_jobs; DELETE FROM asset_sync;').catch(() => undefined);
    doc = licence();
    fake = fakeDam({ status: 'CLEARED', validFrom: day(-30), validUntil: day(30), territories: ['EMEA'], channels: ['web', 'partner'] }, [
      'partner-a',
      'internal',
    ]);
    sync = new SyncStore({ db });
    const deps = { ecm: { getDocuments: async () => [doc] }, dams: { NETX: fake.dam }, sync, now: () => NOW };
    clock = NOW;
    runner = new JobRunner(new FlowStore({ db }), {
      log: quiet,
      now: () => clock,
      backoffMs: () => 1000,
      onSettled: (job, outcome, r) => void settled(sync, () => NOW)(job, outcome, r),
    });
    consumer = rightsConsumer(runner, deps);
  });

  const drain = async () => {
    for (let i = 0; i < 5; i++) await runner.sweep();
  };

  it('a licence shortened into the past: fields written, the asset out of its partner collection; renewed: back in, nothing else touched', async () => {
    doc = licence({ validUntil: day(-1) });
    await consumer.handle([licenceEvent('e1')]);
    await drain();
    assert.deepEqual(fake.writes, ['fields rightsStatus,validUntil', 'remove partner-a']);
    assert.equal(fake.state.rights.status, 'EXPIRED');
    assert.deepEqual(fake.state.containers, ['internal']);
    const [rec] = await sync.get([ASSET]);
    assert.equal(rec?.state, 'IN_SYNC');
    assert.deepEqual(rec?.removedFrom, ['partner-a']);
    assert.equal(rec?.lastWrittenAt, new Date(NOW).toISOString());

    doc = licence({ validUntil: day(60) });
    await consumer.handle([licenceEvent('e2')]);
    await drain();
    assert.deepEqual(fake.writes.slice(2), ['fields rightsStatus,validUntil', 'add partner-a']);
    assert.equal(fake.state.rights.status, 'CLEARED');
    assert.deepEqual(fake.state.containers.sort(), ['internal', 'partner-a']);
    assert.deepEqual((await sync.get([ASSET]))[0]?.removedFrom, []);
  });

  it('a DAM down: the job stays pending with the error, then completes once it is back, writing once', async () => {
    doc = licence({ validUntil: day(-1) });
    fake.state.down = true;
    await consumer.handle([licenceEvent('e1')]);
    await drain();
    const [pending] = await sync.get([ASSET]);
    assert.equal(pending?.state, 'PENDING');
    assert.match(pending?.lastError ?? '', /NetX is unavailable/);
    assert.deepEqual(fake.writes, []);
    fake.state.down = false;
    await drain();
    assert.deepEqual(fake.writes, [], 'not before its backoff');
    clock += 2000;
    await drain();
    assert.deepEqual(fake.writes, ['fields rightsStatus,validUntil', 'remove partner-a']);
    assert.equal((await sync.get([ASSET]))[0]?.state, 'IN_SYNC');
    await consumer.handle([licenceEvent('e1')]);
    await drain();
    assert.equal(fake.writes.length, 2, 'the same event again: no second job, nothing written');
    assert.equal((await sync.get([ASSET]))[0]?.state, 'IN_SYNC', "and the record keeps the job's outcome");
  });

  it('values already there are not written again', async () => {
    await consumer.handle([licenceEvent('e1')]);
    await drain();
    assert.deepEqual(fake.writes, []);
    assert.equal((await sync.get([ASSET]))[0]?.state, 'IN_SYNC');
  });

  it("a DAM-side change of a field ECM owns is drift: written over; the DAM's own echo of Atrium's write is not", async () => {
    doc = licence({ validUntil: day(-1) });
    await consumer.handle([licenceEvent('e1')]);
    await drain();
    const n = fake.writes.length;
    const damEvent = (id: string, rights: Rights): StoredEvent => ({
      ...licenceEvent(id),
      feed: 'netx',
      source: 'NETX',
      data: { after: { damRights: rights } },
    });
    await consumer.handle([damEvent('echo', { ...fake.state.rights })]);
    await drain();
    assert.equal(fake.writes.length, n, 'the echo of our own write changes nothing');
    fake.state.rights = { ...fake.state.rights, status: 'CLEARED' };
    await consumer.handle([damEvent('drift', { ...fake.state.rights })]);
    assert.equal((await sync.get([ASSET]))[0]?.state, 'DRIFTED');
    await drain();
    assert.deepEqual(fake.writes.slice(n), ['fields rightsStatus']);
    assert.equal(fake.state.rights.status, 'EXPIRED');
    assert.equal((await sync.get([ASSET]))[0]?.state, 'IN_SYNC');
  });
});
