import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonical, canonicalV1, describe, GENESIS, hashRecord, link, sign, undescribe, verifyChain } from '../../../audit/chain.ts';
import { blankRecord, type AuditObject, type StoredRecord } from '../../../audit/event.ts';

const obj = (id: string, over: Partial<AuditObject> = {}): AuditObject => ({
  id,
  type: 'Asset',
  system: 'ICONIK',
  nativeId: `n-${id}`,
  version: '2026-10-01T10:00:00.000Z',
  campaign: 'CMP-1',
  ...over,
});
const records = Array.from({ length: 5 }, (_, i) =>
  sign({
    ...blankRecord(`r${i}`, `2026-11-22T10:00:0${i}.000Z`, 'view'),
    email: 'anna@northwind.example',
    objects: [obj(`o${i}`), obj(`p${i}`, { campaign: 'CMP-2' })],
  }),
);
async function* rows(list: StoredRecord[]) {
  yield* list;
}

test("an object's description holds every field in a fixed order, is made once per object, and reads back", () => {
  const o = obj('o1', { version: null });
  assert.equal(describe(o), '["o1","Asset","ICONIK","n-o1",null,"CMP-1"]');
  assert.equal(describe(o), describe(o));
  assert.deepEqual(undescribe(describe(o)), o);
  // A line break in a field stays escaped: one description per line is unambiguous.
  assert.ok(!describe(obj('x\ny')).includes('\n'));
  const signed = sign({
    ...blankRecord('r', '2026-11-22T10:00:00.000Z', 'view'),
    objects: [o, obj('o2', { campaign: 'CMP-2' }), obj('o3', { campaign: null })],
  });
  assert.deepEqual(signed.campaigns, ['CMP-1', 'CMP-2']);
  assert.equal(signed.objects.length, 3);
});

test('the canonical form covers every field, every object, the position and the previous hash', () => {
  const r = records[0] as (typeof records)[number];
  const base = canonical(r, 1, GENESIS);
  assert.notEqual(canonical({ ...r, ip: '10.0.0.1' }, 1, GENESIS), base);
  assert.notEqual(
    canonical({ ...r, objects: [describe(obj('o0', { version: '3' })), ...r.objects.slice(1)] }, 1, GENESIS),
    base,
    "an object's version",
  );
  assert.notEqual(canonical({ ...r, objects: [...r.objects].reverse() }, 1, GENESIS), base, 'the order of the objects');
  assert.notEqual(canonical({ ...r, objects: r.objects.slice(1) }, 1, GENESIS), base, 'an object left out');
  assert.notEqual(canonical(r, 2, GENESIS), base);
  assert.notEqual(canonical(r, 1, 'f'.repeat(64)), base);
  assert.match(hashRecord(r, 1, GENESIS), /^[0-9a-f]{64}$/);
});

test("the first schema's single events keep their own form (carried over with their hashes)", () => {
  const r = sign({
    ...blankRecord('e1', '2026-11-20T10:00:00.000Z', 'download'),
    email: 'a@b.example',
    rendition: 'ORIGINAL',
    objects: [obj('o1')],
  });
  const old = JSON.stringify([
    1,
    7,
    'e1',
    '2026-11-20T10:00:00.000Z',
    'download',
    null,
    'a@b.example',
    null,
    null,
    null,
    'o1',
    'Asset',
    'ICONIK',
    'n-o1',
    '2026-10-01T10:00:00.000Z',
    'ORIGINAL',
    'CMP-1',
    null,
    null,
    GENESIS,
  ]);
  assert.equal(canonicalV1(r, 7, GENESIS), old);
  assert.equal(hashRecord(r, 7, GENESIS, 1), createHash('sha256').update(old).digest('hex'));
});

test('a linked chain verifies, and continues from a tail; events are counted per object', async () => {
  const first = link(records.slice(0, 3), null);
  const rest = link(records.slice(3), { seq: 3, hash: (first[2] as StoredRecord).hash });
  assert.deepEqual(await verifyChain(rows([...first, ...rest])), { ok: true, count: 5, events: 10 });
  assert.deepEqual(await verifyChain(rows([])), { ok: true, count: 0, events: 0 });
  const gap = link([sign({ ...blankRecord('g', '2026-11-22T10:00:00.000Z', 'gap'), detail: '{"dropped":3}' })], null);
  assert.deepEqual(await verifyChain(rows(gap)), { ok: true, count: 1, events: 1 }, 'a record without objects is one event');
});

test('each kind of tampering is named at the first row that does not fit', async () => {
  const chain = link(records, null);
  const edited = chain.map((e, i) => (i === 2 ? { ...e, email: 'mallory@example.com' } : e));
  assert.deepEqual(await verifyChain(rows(edited)), {
    ok: false,
    count: 2,
    events: 4,
    break: {
      recordId: 'r2',
      seq: 3,
      field: 'hash',
      expected: hashRecord(edited[2] as StoredRecord, 3, (chain[1] as StoredRecord).hash),
      actual: (chain[2] as StoredRecord).hash,
    },
  });
  const objectEdited = chain.map((e, i) =>
    i === 1 ? { ...e, objects: [describe(obj('o1', { version: 'forged' })), ...e.objects.slice(1)] } : e,
  );
  const o = await verifyChain(rows(objectEdited));
  assert.ok(!o.ok && o.break.field === 'hash' && o.break.recordId === 'r1');
  const deleted = chain.filter((_, i) => i !== 1);
  const d = await verifyChain(rows(deleted));
  assert.ok(!d.ok && d.break.field === 'seq' && d.break.recordId === 'r2' && d.break.expected === '2' && d.break.actual === '3');
  // Re-hashing an edited row to hide it breaks the next row's link instead.
  const rehashed = chain.map((e, i) =>
    i === 2 ? { ...e, email: 'mallory@example.com', hash: hashRecord({ ...e, email: 'mallory@example.com' }, 3, e.prevHash) } : e,
  );
  const r = await verifyChain(rows(rehashed));
  assert.ok(!r.ok && r.break.field === 'prevHash' && r.break.recordId === 'r3');
  // A row taken out of its campaign's index (filters would no longer find it).
  const unindexed = chain.map((e, i) => (i === 4 ? { ...e, campaigns: ['CMP-1'] } : e));
  assert.deepEqual(await verifyChain(rows(unindexed)), {
    ok: false,
    count: 4,
    events: 8,
    break: { recordId: 'r4', seq: 5, field: 'campaigns', expected: 'CMP-1,CMP-2', actual: 'CMP-1' },
  });
});
