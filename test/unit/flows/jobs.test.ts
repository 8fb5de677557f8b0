/**
 * Durable, idempotent jobs over the real store (PGlite in memory): a job interrupted at any step
 * resumes at that step and never repeats one that was recorded; the same key and input answer
 * the first result, another input is a CONFLICT; a source failure leaves the job for the
 * background runner, a permanent one fails it; a runner that died lets another take its job.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError } from '../../../access/errors.ts';
import { sharedDatabase } from '../../../storage/database.ts';
import { FlowStore } from '../../../flows/store.ts';
import { JobRunner, PermanentFailure, type JobKind } from '../../../flows/jobs.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';

const quiet = { info: () => undefined, warn: () => undefined };
const db = sharedDatabase({});
const store = new FlowStore({ db });
after(() => db.close());

/** A three-step job whose steps count their runs and can be told to fail once or for good. */
function counting() {
  const runs = { a: 0, b: 0, c: 0 };
  const failAt = new Map<string, 'source' | 'permanent' | 'crash'>();
  const kind: JobKind<{ n: number }, { sum: number }> = {
    kind: 'test.counting',
    async run(input, steps) {
      const a = await steps.run('a', async () => {
        runs.a++;
        return input.n + 1;
      });
      const b = await steps.run('b', async () => {
        runs.b++;
        const f = failAt.get('b');
        failAt.delete('b');
        if (f === 'source') throw new UpstreamError('OTCS', 'UNAVAILABLE', 'down');
        if (f === 'permanent') throw new PermanentFailure('no');
        if (f === 'crash') throw new Error('process killed');
        return a * 2;
      });
      const c = await steps.run('c', async () => {
        runs.c++;
        return b + 1;
      });
      return { sum: c };
    },
  };
  return { kind, runs, failAt };
}

describe('durable jobs', () => {
  let t = Date.parse('2026-12-02T10:00:00Z');
  const runner = new JobRunner(store, { log: quiet, now: () => t, leaseMs: 60_000, backoffMs: () => 1000 });
  before(async () => {
    await db();
  });

  it('run once; the same key and input answer the first result without running again', async () => {
    const { kind, runs } = counting();
    runner.register(kind);
    assert.deepEqual(await runner.execute(kind, 'crm', 'k1', { n: 1 }), { result: { sum: 5 }, replayed: false });
    assert.deepEqual(await runner.execute(kind, 'crm', 'k1', { n: 1 }), { result: { sum: 5 }, replayed: true });
    assert.deepEqual(runs, { a: 1, b: 1, c: 1 });
    await assert.rejects(runner.execute(kind, 'crm', 'k1', { n: 2 }), ConflictError, 'another input under the same key');
    assert.deepEqual((await runner.execute(kind, 'erp', 'k1', { n: 2 })).result, { sum: 7 }, 'keys are per sender');
  });

  it('a source failing at a step: the caller gets the error, the background runner resumes at that step later', async () => {
    const { kind, runs, failAt } = counting();
    runner.register(kind);
    failAt.set('b', 'source');
    await assert.rejects(runner.execute(kind, 'crm', 'k2', { n: 1 }), UpstreamError);
    await runner.sweep();
    assert.deepEqual(runs, { a: 1, b: 1, c: 0 }, 'not due before its backoff');
    t += 1500;
    await runner.sweep();
    assert.deepEqual(runs, { a: 1, b: 2, c: 1 }, 'step a was recorded and is not run again');
    assert.deepEqual(await runner.execute(kind, 'crm', 'k2', { n: 1 }), { result: { sum: 5 }, replayed: true }, 'done by then: a replay');
  });

  it('a permanent failure fails the job; the same request sent again runs the remaining steps', async () => {
    const { kind, runs, failAt } = counting();
    runner.register(kind);
    failAt.set('b', 'permanent');
    await assert.rejects(runner.execute(kind, 'crm', 'k3', { n: 1 }), PermanentFailure);
    t += 10_000;
    await runner.sweep();
    assert.deepEqual(runs, { a: 1, b: 1, c: 0 }, 'a failed job is not resumed by the background runner');
    assert.deepEqual(await runner.execute(kind, 'crm', 'k3', { n: 1 }), { result: { sum: 5 }, replayed: false }, 'carried out now');
    assert.deepEqual(runs, { a: 1, b: 2, c: 1 });
    assert.equal(
      (
        await store.claim(
          { kind: kind.kind, actor: 'crm', idempotencyKey: 'k3', inputHash: '', input: null },
          new Date(t).toISOString(),
          new Date(t).toISOString(),
        )
      ).job.attempts,
      1,
      'a failed job sent again counts its attempts anew',
    );
  });

  it('a step undone (compensated) and forgotten runs again when the job is sent again', async () => {
    let uploads = 0;
    let fail = true;
    const kind: JobKind<{ n: number }, number> = {
      kind: 'test.compensate',
      async run(input, steps) {
        const id = await steps.run('upload', async () => ++uploads);
        return steps.run('classify', async () => {
          if (fail) {
            await steps.forget('upload');
            throw new PermanentFailure('cannot classify');
          }
          return id * input.n;
        });
      },
    };
    runner.register(kind);
    await assert.rejects(runner.execute(kind, 'crm', 'k6', { n: 10 }), PermanentFailure);
    const job = (
      await store.claim(
        { kind: kind.kind, actor: 'crm', idempotencyKey: 'k6', inputHash: '', input: null },
        new Date(t).toISOString(),
        new Date(t).toISOString(),
      )
    ).job;
    assert.deepEqual(job.steps, {}, 'the upload step is forgotten');
    fail = false;
    assert.deepEqual(await runner.execute(kind, 'crm', 'k6', { n: 10 }), { result: 20, replayed: false });
    assert.equal(uploads, 2, 'uploaded again');
  });

  it('a runner that died mid-job (its lease ran out) is taken over at the step it reached', async () => {
    const { kind, runs, failAt } = counting();
    runner.register(kind);
    failAt.set('b', 'crash');
    // A crash is not a failure the runner records: simulate it by the job staying leased.
    const claimed = await store.claim(
      { kind: kind.kind, actor: 'crm', idempotencyKey: 'k4', inputHash: 'x', input: { n: 1 } },
      new Date(t + 60_000).toISOString(),
      new Date(t).toISOString(),
    );
    await store.step(claimed.job.id, 'a', 2, new Date(t).toISOString());
    await runner.sweep();
    assert.deepEqual(runs, { a: 0, b: 0, c: 0 }, 'a live lease is left alone');
    t += 61_000;
    await runner.sweep();
    assert.deepEqual(runs, { a: 0, b: 1, c: 0 }, 'taken over at step b; the crash there is an unexpected error: the job is failed');
    assert.equal((await store.get(claimed.job.id))?.state, 'failed');
    await runner.sweep();
    assert.deepEqual(runs, { a: 0, b: 1, c: 0 });
  });

  it('two senders of one key at once: one runs it, the other is told it is in progress or gets its result', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    const slow: JobKind<{ n: number }, number> = {
      kind: 'test.slow',
      async run(input, steps) {
        return steps.run('only', async () => {
          runs++;
          await gate;
          return input.n;
        });
      },
    };
    const first = runner.execute(slow, 'crm', 'k5', { n: 9 });
    await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(runner.execute(slow, 'crm', 'k5', { n: 9 }), /still being carried out/);
    release();
    assert.deepEqual(await first, { result: 9, replayed: false });
    assert.deepEqual(await runner.execute(slow, 'crm', 'k5', { n: 9 }), { result: 9, replayed: true });
    assert.equal(runs, 1);
  });

  it("a new job's first look goes out with its claim and is recorded; a repeated request's look is not used", async () => {
    let looks = 0;
    let acts = 0;
    const kind: JobKind<{ n: number }, number> = {
      kind: 'test.first',
      first: { step: 'look', run: async (input) => input.n + ++looks * 100 },
      async run(input, steps) {
        const seen = (await steps.run('look', () => kind.first!.run(input))) as number;
        return steps.run('act', async () => seen + ++acts, { final: true });
      },
    };
    runner.register(kind);
    assert.deepEqual(await runner.execute(kind, 'crm', 'k7', { n: 1 }), { result: 102, replayed: false });
    assert.equal(looks, 1, 'the look ran once: started with the claim, used by the step');
    await runner.stop(); // waits for the done record
    const job = (
      await store.claim(
        { kind: kind.kind, actor: 'crm', idempotencyKey: 'k7', inputHash: '', input: null },
        new Date(t).toISOString(),
        new Date(t).toISOString(),
      )
    ).job;
    assert.equal(job.state, 'done');
    assert.deepEqual(job.steps, { look: 101 }, 'the final step is recorded by the job result, not on its own');
    assert.deepEqual(await runner.execute(kind, 'crm', 'k7', { n: 1 }), { result: 102, replayed: true });
    assert.equal(acts, 1);
  });

  it('a job whose done record was lost runs its final step again and answers the same', async () => {
    let acts = 0;
    let landed: number | null = null;
    const kind: JobKind<{ n: number }, number> = {
      kind: 'test.final',
      async run(input, steps) {
        const a = await steps.run('a', async () => input.n);
        // A final step looks before it acts: here, for the effect an earlier run left.
        return steps.run(
          'act',
          async () => {
            if (landed === null) {
              acts++;
              landed = a * 10;
            }
            return landed;
          },
          { final: true },
        );
      },
    };
    runner.register(kind);
    const lost = new JobRunner(
      { ...store, finish: async () => Promise.reject(new Error('the store went away')) } as unknown as typeof store,
      { log: quiet, now: () => t, leaseMs: 60_000 },
    );
    // The store's methods use `this`: bind them to the real store.
    for (const m of ['claim', 'lease', 'get', 'step', 'forget', 'retryLater', 'fail', 'due', 'enqueue'] as const)
      (lost as unknown as { store: Record<string, unknown> }).store[m] = (store[m] as (...a: unknown[]) => unknown).bind(store);
    lost.register(kind);
    assert.deepEqual(await lost.execute(kind, 'crm', 'k8', { n: 3 }), { result: 30, replayed: false });
    await lost.stop();
    t += 61_000; // the lease runs out
    await runner.sweep();
    assert.equal(acts, 1, 'acted once');
    assert.deepEqual(await runner.execute(kind, 'crm', 'k8', { n: 3 }), { result: 30, replayed: true });
  });

  it("background jobs run side by side up to the concurrency; one group's jobs one after another, in order", async () => {
    const runner = new JobRunner(store, { log: quiet, now: () => t, leaseMs: 60_000, concurrency: 3 });
    let active = 0;
    let most = 0;
    const order: string[] = [];
    const kind: JobKind<{ g: string; n: number }, null> = {
      kind: `test.grouped.${Date.now()}`,
      group: (i) => i.g,
      async run(input, steps) {
        return steps.run('only', async () => {
          active++;
          most = Math.max(most, active);
          await new Promise((r) => setTimeout(r, 30));
          order.push(`${input.g}${input.n}`);
          active--;
          return null;
        });
      },
    };
    runner.register(kind);
    const inputs = [
      { g: 'a', n: 1 },
      { g: 'a', n: 2 },
      { g: 'b', n: 1 },
      { g: 'c', n: 1 },
      { g: 'a', n: 3 },
    ];
    for (const [i, input] of inputs.entries())
      await store.enqueue(
        { kind: kind.kind, actor: 'x', idempotencyKey: `grp-${i}-${kind.kind}`, inputHash: 'h', input },
        new Date(t).toISOString(),
      );
    await runner.sweep();
    assert.ok(most >= 2 && most <= 3, `ran side by side, at most 3 at once (${most})`);
    assert.deepEqual(
      order.filter((o) => o.startsWith('a')),
      ['a1', 'a2', 'a3'],
      'one group in order',
    );
    assert.equal(order.length, 5);
  });
});
