import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonical, GENESIS, hashEvent, link, verifyChain } from '../../../../gateway/audit/chain.ts';
import { blankEvent, type StoredEvent } from '../../../../gateway/audit/event.ts';

const events = Array.from({ length: 5 }, (_, i) => ({ ...blankEvent(`e${i}`, `2026-11-22T10:00:0${i}.000Z`, 'view'), email: 'anna@northwind.example', objectId: `o${i}` }));
async function* rows(list: StoredEvent[]) {
  yield* list;
}

test('the canonical form covers every field, the position and the previous hash', () => {
  const e = events[0] as StoredEvent;
  const base = canonical(e, 1, GENESIS);
  assert.notEqual(canonical({ ...e, ip: '10.0.0.1' }, 1, GENESIS), base);
  assert.notEqual(canonical(e, 2, GENESIS), base);
  assert.notEqual(canonical(e, 1, 'f'.repeat(64)), base);
  assert.match(hashEvent(e, 1, GENESIS), /^[0-9a-f]{64}$/);
});

test('a linked chain verifies, and continues from a tail', async () => {
  const first = link(events.slice(0, 3), null);
  const rest = link(events.slice(3), { seq: 3, hash: (first[2] as StoredEvent).hash });
  assert.deepEqual(await verifyChain(rows([...first, ...rest])), { ok: true, count: 5 });
  assert.deepEqual(await verifyChain(rows([])), { ok: true, count: 0 });
});

test('each kind of tampering is named at the first row that does not fit', async () => {
  const chain = link(events, null);
  const edited = chain.map((e, i) => (i === 2 ? { ...e, email: 'mallory@example.com' } : e));
  assert.deepEqual(await verifyChain(rows(edited)), { ok: false, count: 2, break: { eventId: 'e2', seq: 3, field: 'hash', expected: hashEvent(edited[2] as StoredEvent, 3, (chain[1] as StoredEvent).hash), actual: (chain[2] as StoredEvent).hash } });
  const deleted = chain.filter((_, i) => i !== 1);
  const d = await verifyChain(rows(deleted));
  assert.ok(!d.ok && d.break.field === 'seq' && d.break.eventId === 'e2' && d.break.expected === '2' && d.break.actual === '3');
  // Re-hashing an edited row to hide it breaks the next row's link instead.
  const rehashed = chain.map((e, i) => (i === 2 ? { ...e, email: 'mallory@example.com', hash: hashEvent({ ...e, email: 'mallory@example.com' }, 3, e.prevHash) } : e));
  const r = await verifyChain(rows(rehashed));
  assert.ok(!r.ok && r.break.field === 'prevHash' && r.break.eventId === 'e3');
});
