import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditWriter, type AuditSink } from '../../../audit/writer.ts';
import type { AuditObject, AuditRecord } from '../../../audit/event.ts';
import { createLogger } from '../../../gateway/log.ts';
import { Metrics } from '../../../gateway/plugins/metrics.ts';

/** A sink that records batches and fails while `down`. */
class FakeSink implements AuditSink {
  down = false;
  batches: AuditRecord[][] = [];
  /** The `retry` flag of every write attempt, in order. */
  attempts: boolean[] = [];
  async append(records: readonly AuditRecord[], opts: { retry?: boolean } = {}): Promise<number> {
    this.attempts.push(opts.retry ?? false);
    if (this.down) throw new Error('connection refused');
    this.batches.push([...records]);
    return records.reduce((n, r) => n + Math.max(1, r.objects.length), 0);
  }
  get records() {
    return this.batches.flat();
  }
  /** Every object written, in order. */
  get objectIds() {
    return this.records.flatMap((r) => r.objects.map((o) => o.id));
  }
}

const obj = (id: string): AuditObject => ({ id, type: 'Asset', system: 'NETX', nativeId: id, version: null, campaign: null });
/** A view of the objects `ids`. */
const view = (...ids: string[]) => ({ action: 'view' as const, objects: ids.map(obj) });

const quiet = () => {
  const lines: string[] = [];
  return { log: createLogger('debug', {}, (l) => lines.push(l)), lines };
};

test('record never waits: events are written in batches of batchSize, in order', async () => {
  const sink = new FakeSink();
  const w = new AuditWriter(sink, { bufferMax: 1000, batchMs: 10_000, batchSize: 4, log: quiet().log });
  for (let i = 0; i < 10; i++) w.record(view(`o${i}`));
  assert.equal(sink.records.length, 0, 'nothing written synchronously');
  await w.flush();
  assert.deepEqual(sink.objectIds, ['o0', 'o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8', 'o9']);
  assert.ok(sink.batches.every((b) => b.length <= 4));
  assert.equal(new Set(sink.records.map((e) => e.id)).size, 10, 'every record has its own id');
  await w.close();
});

test('the timer writes a partial batch within batchMs', async () => {
  const sink = new FakeSink();
  const w = new AuditWriter(sink, { bufferMax: 1000, batchMs: 20, batchSize: 500, log: quiet().log });
  w.record({ action: 'view' });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(sink.records.length, 1);
  await w.close();
});

test('store down: events stay buffered, status is not ok; back up: they are written', async () => {
  const sink = new FakeSink();
  const { log, lines } = quiet();
  const w = new AuditWriter(sink, { bufferMax: 100, batchMs: 5, batchSize: 10, log, maxBackoffMs: 10 });
  sink.down = true;
  for (let i = 0; i < 25; i++) w.record(view(`o${i}`));
  await assert.rejects(w.flush(), /unreachable/);
  assert.deepEqual(
    { ...w.status(), lagMs: undefined, error: undefined },
    { ok: false, concerns: ['failing'], buffered: 25, lagMs: undefined, dropped: 0, written: 0, error: undefined },
  );
  assert.equal(lines.filter((l) => l.includes('audit store unreachable')).length, 1, 'logged once per outage');
  sink.down = false;
  await w.flush();
  assert.deepEqual(w.status(), { ok: true, concerns: [], buffered: 0, lagMs: 0, dropped: 0, written: 25 });
  // 25 events in batches of 10: the write that follows failures says so (its records may have
  // landed), the two after it, following a success, do not.
  assert.equal(sink.attempts[0], false, 'a first write is not a retry');
  assert.deepEqual(sink.attempts.slice(-3), [true, false, false]);
  assert.deepEqual(
    sink.objectIds,
    Array.from({ length: 25 }, (_, i) => `o${i}`),
  );
  assert.equal(sink.records.filter((e) => e.action === 'gap').length, 0, 'no gap when nothing was lost');
  await w.close();
});

test('buffer full: the oldest are dropped, counted, logged, and a gap event opens the next batch', async () => {
  const sink = new FakeSink();
  const { log, lines } = quiet();
  const metrics = new Metrics();
  const w = new AuditWriter(sink, { bufferMax: 5, batchMs: 5, batchSize: 100, log, metrics, maxBackoffMs: 10 });
  sink.down = true;
  for (let i = 0; i < 8; i++) w.record(view(`o${i}`));
  await assert.rejects(w.flush());
  assert.equal(w.status().dropped, 3);
  assert.equal(w.status().buffered, 5);
  assert.ok(lines.some((l) => l.includes('audit buffer full')));
  assert.match(metrics.render(), /atrium_audit_events_total\{outcome="dropped"\} 3/);
  sink.down = false;
  await w.flush();
  const [gap, ...rest] = sink.records;
  assert.equal(gap?.action, 'gap');
  const detail = JSON.parse(gap?.detail ?? '{}') as { dropped: number; from: string; to: string };
  assert.equal(detail.dropped, 3);
  assert.ok(detail.from <= detail.to);
  assert.deepEqual(
    rest.flatMap((e) => e.objects.map((o) => o.id)),
    ['o3', 'o4', 'o5', 'o6', 'o7'],
    'the newest kept, in order',
  );
  assert.equal(w.status().ok, true);
  await w.close();
});

test('close writes what is buffered, including events still being prepared', async () => {
  const sink = new FakeSink();
  const w = new AuditWriter(sink, { bufferMax: 100, batchMs: 60_000, batchSize: 100, log: quiet().log });
  w.record({ action: 'view' });
  w.track(
    new Promise<void>((r) =>
      setTimeout(() => {
        w.record({ action: 'download' });
        r();
      }, 30),
    ),
  );
  await w.close();
  assert.deepEqual(
    sink.records.map((e) => e.action),
    ['view', 'download'],
  );
});

test('close gives up on a store that stays down after its deadline, and says how many were lost', async () => {
  const sink = new FakeSink();
  sink.down = true;
  const { log, lines } = quiet();
  const w = new AuditWriter(sink, { bufferMax: 100, batchMs: 5, batchSize: 100, log, maxBackoffMs: 5 });
  w.record({ action: 'view' });
  w.record({ action: 'view' });
  await w.close(50);
  const lost = lines
    .map((l) => JSON.parse(l) as { msg: string; lost?: number })
    .find((l) => l.msg.startsWith('audit events lost at shutdown'));
  assert.equal(lost?.lost, 2);
});

test('sizes count events: a record of many objects fills a batch and is dropped whole', async () => {
  const sink = new FakeSink();
  const { log } = quiet();
  const w = new AuditWriter(sink, { bufferMax: 10, batchMs: 5, batchSize: 4, log, maxBackoffMs: 5 });
  sink.down = true;
  w.record(view('a1', 'a2', 'a3'));
  w.record(view('b1', 'b2', 'b3', 'b4', 'b5'));
  assert.equal(w.status().buffered, 8, 'buffered counts objects, not records');
  w.record(view('c1', 'c2', 'c3'));
  assert.deepEqual(
    { buffered: w.status().buffered, dropped: w.status().dropped },
    { buffered: 8, dropped: 3 },
    'the oldest record went, whole',
  );
  sink.down = false;
  await w.flush();
  assert.deepEqual(
    sink.batches.map((b) => b.map((r) => r.action)),
    [['gap', 'view'], ['view']],
    'one record per batch when the next would pass batchSize',
  );
  assert.equal(JSON.parse(sink.records[0]?.detail ?? '{}').dropped, 3);
  assert.deepEqual(sink.objectIds, ['b1', 'b2', 'b3', 'b4', 'b5', 'c1', 'c2', 'c3']);
  assert.deepEqual(w.status(), { ok: true, concerns: [], buffered: 0, lagMs: 0, dropped: 3, written: 9 });
  await w.close();
});
