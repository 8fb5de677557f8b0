/**
 * The writer's health: lag and depth reported, and not ok before anything is dropped when the
 * store was never reached, a write failed, the lag grew past its bound or the buffer filled past
 * its share; ok again as soon as the store catches up. And a stop that a hung write cannot hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AuditWriter, type AuditSink } from '../../../audit/writer.ts';
import type { AuditRecord } from '../../../audit/event.ts';
import { createLogger } from '../../../gateway/log.ts';

/** A sink whose writes wait while `held` (a locked table), and fail while `down`. */
class GateSink implements AuditSink {
  down = false;
  written = 0;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;
  hold(): void {
    this.gate = new Promise((r) => (this.open = r));
  }
  release(): void {
    this.open?.();
    this.gate = null;
  }
  async append(records: readonly AuditRecord[]): Promise<number> {
    if (this.gate) await this.gate;
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const n = records.reduce((k, r) => k + Math.max(1, r.objects.length), 0);
    this.written += n;
    return n;
  }
}

const logged = () => {
  const lines: string[] = [];
  return { log: createLogger('debug', {}, (l) => lines.push(l)), lines };
};
const view = () => ({ action: 'view' as const });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until `check` holds (polling), or fail after `ms`. */
async function eventually(check: () => boolean, ms: number, what: string): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
  return Date.now() - started;
}

test('a hung write: the lag grows and past its bound the writer is not ok, nothing dropped; released, ok again', async () => {
  const sink = new GateSink();
  const w = new AuditWriter(sink, { bufferMax: 1000, batchMs: 10, batchSize: 100, readyLagMs: 150, log: logged().log });
  try {
    assert.deepEqual(w.status(), { ok: true, concerns: [], buffered: 0, lagMs: 0, dropped: 0, written: 0 });
    sink.hold();
    w.record(view());
    await sleep(30);
    w.record(view());
    const s = w.status();
    assert.equal(s.buffered, 2, 'the depth counts the write under way too');
    assert.ok(s.lagMs >= 25 && s.lagMs < 150, `lag ${s.lagMs} ms is the oldest event's age`);
    assert.equal(s.ok, true);
    await eventually(() => w.status().concerns.includes('lagging'), 1000, 'lagging');
    assert.deepEqual({ ok: w.status().ok, dropped: w.status().dropped }, { ok: false, dropped: 0 });
    sink.release();
    await eventually(() => w.status().ok, 500, 'ok again');
    await eventually(() => w.status().buffered === 0, 500, 'all written');
    assert.deepEqual(w.status(), { ok: true, concerns: [], buffered: 0, lagMs: 0, dropped: 0, written: 2 });
  } finally {
    sink.release();
    await w.close(100);
  }
});

test('a buffer past its share of bufferMax is not ok, before anything is dropped', async () => {
  const sink = new GateSink();
  sink.hold();
  const w = new AuditWriter(sink, { bufferMax: 10, batchMs: 60_000, batchSize: 100, readyBufferFraction: 0.5, log: logged().log });
  try {
    for (let i = 0; i < 5; i++) w.record(view());
    assert.equal(w.status().ok, true, 'half full is still ok');
    w.record(view());
    assert.deepEqual({ ...w.status(), lagMs: 0 }, { ok: false, concerns: ['filling'], buffered: 6, lagMs: 0, dropped: 0, written: 0 });
  } finally {
    sink.release();
    await w.close(100);
  }
});

test('a failed write: not ok (failing) until a write succeeds; the retry comes within about a second', async () => {
  const sink = new GateSink();
  const w = new AuditWriter(sink, { bufferMax: 1000, batchMs: 10, batchSize: 100, log: logged().log });
  try {
    sink.down = true;
    w.record(view());
    await eventually(() => w.status().concerns.includes('failing'), 500, 'failing');
    assert.match(w.status().error ?? '', /ECONNREFUSED/);
    // Several failures in: the backoff is at its longest.
    await sleep(300);
    sink.down = false;
    const ms = await eventually(() => w.status().ok, 2000, 'ok again');
    assert.ok(ms <= 1100, `recovered ${ms} ms after the store came back`);
  } finally {
    await w.close(100);
  }
});

test('a store never reached: not ok from the first status, while the probe fails; ok once it succeeds, with no event needed', async () => {
  let reachable = false;
  let probes = 0;
  const { log, lines } = logged();
  const w = new AuditWriter(new GateSink(), {
    bufferMax: 1000,
    batchMs: 10,
    batchSize: 100,
    log,
    probe: async () => {
      probes++;
      if (!reachable) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    },
  });
  try {
    assert.deepEqual(w.status().concerns, ['unreached'], 'from the first status');
    await eventually(() => probes >= 3, 2000, 'retried');
    assert.deepEqual(w.status().concerns, ['unreached']);
    assert.match(w.status().error ?? '', /ECONNREFUSED/);
    assert.equal(lines.filter((l) => l.includes('audit store not reachable')).length, 1, 'logged once');
    reachable = true;
    const ms = await eventually(() => w.status().ok, 2000, 'reached');
    assert.ok(ms <= 1100, `reached ${ms} ms after the store came up`);
    assert.equal(w.status().error, undefined);
  } finally {
    await w.close(100);
  }
});

test('a write that succeeds counts as reaching the store', async () => {
  const w = new AuditWriter(new GateSink(), {
    bufferMax: 1000,
    batchMs: 10,
    batchSize: 100,
    log: logged().log,
    // A probe that never answers (a store half up): the write that gets through is proof enough.
    probe: () => new Promise(() => undefined),
  });
  try {
    assert.equal(w.status().ok, false);
    w.record(view());
    await w.flush();
    assert.equal(w.status().ok, true);
  } finally {
    await w.close(100);
  }
});

test('close gives up on a write that hangs at its deadline, and logs those events as unconfirmed', async () => {
  const sink = new GateSink();
  const { log, lines } = logged();
  const w = new AuditWriter(sink, { bufferMax: 1000, batchMs: 10, batchSize: 100, log });
  sink.hold();
  w.record(view());
  await sleep(30);
  w.record(view());
  const started = Date.now();
  await w.close(200);
  const took = Date.now() - started;
  sink.release();
  assert.ok(took >= 190 && took < 1000, `close took ${took} ms`);
  const lost = lines
    .map((l) => JSON.parse(l) as { msg: string; lost?: number; unconfirmed?: number })
    .find((l) => l.msg.startsWith('audit events lost at shutdown'));
  assert.deepEqual({ lost: lost?.lost, unconfirmed: lost?.unconfirmed }, { lost: 1, unconfirmed: 1 });
});
