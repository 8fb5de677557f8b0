/**
 * The outbox's in-process consumers (flows/outbox/consumers.ts): each handles the events after its
 * own cursor in batches and acks past them only once handled; a handler that throws gets the same
 * events on the next round, and the other consumers are not held up by it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OutboxConsumers, type ConsumerStore } from '../../../../flows/outbox/consumers.ts';
import type { StoredEvent } from '../../../../flows/outbox/store.ts';

const ev = (seq: number): StoredEvent => ({
  seq,
  feed: 'f',
  id: `e${seq}`,
  type: 'document.approved',
  source: 'OTCS',
  objectId: 'x',
  objectType: 'Document',
  campaign: null,
  account: null,
  time: '2026-12-02T10:00:00.000Z',
  data: {},
});

/** A store of `n` events; cursors per consumer; acks recorded. */
function memoryStore(n: number): ConsumerStore & { cursors: Map<string, number>; acks: string[] } {
  const events = Array.from({ length: n }, (_, i) => ev(i + 1));
  const cursors = new Map<string, number>();
  const acks: string[] = [];
  return {
    cursors,
    acks,
    async consume(consumer, limit) {
      const at = cursors.get(consumer) ?? 0;
      return events.filter((e) => e.seq > at).slice(0, limit);
    },
    async ack(consumer, seq) {
      acks.push(`${consumer}:${seq}`);
      cursors.set(consumer, Math.max(cursors.get(consumer) ?? 0, seq));
    },
  };
}

const quiet = { warn() {} };

describe('outbox consumers', () => {
  it('hand each consumer every event once, in order and in batches, acking after each batch', async () => {
    const store = memoryStore(7);
    const seen: number[][] = [];
    const c = new OutboxConsumers({
      store,
      consumers: [{ name: 'a', handle: async (es) => void seen.push(es.map((e) => e.seq)) }],
      batch: 3,
      log: quiet,
    });
    await c.round();
    assert.deepEqual(seen, [[1, 2, 3], [4, 5, 6], [7]]);
    assert.deepEqual(store.acks, ['a:3', 'a:6', 'a:7']);
    await c.round();
    assert.equal(seen.length, 3, 'nothing new: no call');
  });

  it('a handler that throws gets the same events next round; the others go on', async () => {
    const store = memoryStore(2);
    let fail = true;
    const a: number[] = [];
    const b: number[] = [];
    const warnings: string[] = [];
    const c = new OutboxConsumers({
      store,
      consumers: [
        {
          name: 'flaky',
          handle: async (es) => {
            if (fail) throw new Error('OTCS: Content Server is unavailable');
            a.push(...es.map((e) => e.seq));
          },
        },
        { name: 'steady', handle: async (es) => void b.push(...es.map((e) => e.seq)) },
      ],
      log: { warn: (m, f) => void warnings.push(`${m} ${JSON.stringify(f)}`) },
    });
    await c.round();
    assert.deepEqual([a, b], [[], [1, 2]]);
    assert.equal(store.cursors.get('flaky'), undefined, 'not acked');
    assert.match(warnings[0] ?? '', /"consumer":"flaky"/);
    fail = false;
    await c.round();
    assert.deepEqual(
      [a, b],
      [
        [1, 2],
        [1, 2],
      ],
    );
  });

  it('a kick during a round runs another round after it; stop waits for the round under way', async () => {
    const store = memoryStore(1);
    let release: () => void = () => undefined;
    let calls = 0;
    const c = new OutboxConsumers({
      store,
      consumers: [
        {
          name: 'slow',
          handle: async () => {
            calls++;
            await new Promise<void>((r) => (release = r));
          },
        },
      ],
      intervalMs: 60_000,
      log: quiet,
    });
    c.start();
    await new Promise((r) => setTimeout(r, 20));
    c.kick();
    const stopped = c.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(done, false, 'stop waits for the handler');
    release();
    await stopped;
    assert.equal(calls, 1, 'no round after stop');
    assert.deepEqual(store.acks, ['slow:1']);
  });
});
