/**
 * Durable, idempotent writes. A command becomes a job (flows/store.ts): keyed by who asked and
 * their idempotency key, its input hashed; its steps run in order and each one's result is
 * recorded before the next starts, so a job interrupted anywhere (an upstream failing, the
 * process killed) resumes at the step it had reached, and a step whose effect may have landed
 * without its answer looks before it acts (the connectors' find* methods). The same key with the
 * same input returns the first result; with another input it is a CONFLICT.
 *
 * Who runs a job: the request that sent it, at once (so a mutation answers with the result),
 * and, when that request could not finish it because a source failed, the background runner,
 * which picks up due jobs (and jobs whose runner died: their lease ran out) with backoff. A step
 * that needs what only the request held (an upload's bytes) cannot be resumed by the background
 * runner: the job kind decides what then (look whether it landed after all, or fail it so that
 * nothing is left half done and the sender sends it again).
 *
 * Why not a job library: pg-boss and graphile-worker queue single-step jobs, and graphile-worker
 * needs a PostgreSQL server (not PGlite); what is needed here is the idempotency record, the
 * per-step record and the synchronous answer in one row, which one table and this runner give.
 */
import { createHash } from 'node:crypto';
import { ConflictError } from '../access/errors.ts';
import { isSourceFailure } from '../access/guard.ts';
import { stableKey } from '../access/sources.ts';
import type { FlowStorePort, Job } from './store.ts';

/** The steps of one run of a job: each runs once, its result recorded; a recorded step is not run again. */
export interface Steps {
  /**
   * Run a step once and record its result. A `final` step (the job's last, whose result the job's
   * own result records) is not recorded apart: the job's finish records it, and a job interrupted
   * between the two runs it again, so a final step must look before it acts when the job is resumed.
   */
  run<T>(name: string, fn: () => Promise<T>, opts?: { final?: boolean }): Promise<T>;
  /** Whether the step was done (in this run or an earlier one). */
  done(name: string): boolean;
  /** Forget steps whose effect was undone (compensated): they run again when the job does. */
  forget(...names: string[]): Promise<void>;
}

/** A kind of job: what its steps are. `extra` is what only the sending request holds; undefined when resumed. */
export interface JobKind<I, R, X = undefined> {
  readonly kind: string;
  /**
   * The job's first step when it only looks (reads, acts on nothing): started together with the
   * job's claim, so a new job does not wait for its record before its first upstream request.
   * `run` must run it as `steps.run(first.step, () => first.run(input))`.
   */
  readonly first?: { step: string; run(input: I): Promise<unknown> };
  /** Attempts before a job of this kind that keeps failing for its sources' trouble is failed (default: the runner's). */
  readonly maxAttempts?: number;
  /**
   * Jobs of one group run one after another, in the order they were leased (e.g. one asset's
   * write-backs); jobs of different groups run side by side in the background.
   */
  group?(input: I): string;
  run(input: I, steps: Steps, extra: X | undefined): Promise<R>;
}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };
const settle = (p: Promise<unknown>): Promise<Settled> =>
  p.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );

/** A failure that waiting will not cure: the job is failed at once (the same command may be sent again). */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
}

/** A failure that waiting may cure, of a system that is not a source (a business object's system): the job is tried again later. */
export class TransientFailure extends Error {
  override readonly name = 'TransientFailure';
}

const mayWait = (e: unknown) => isSourceFailure(e) || e instanceof TransientFailure;

export interface RunnerOptions {
  /**
   * How long a runner holds a job before another may take it over, in ms. Default 600000: longer
   * than any one step may take (a streamed upload may take up to its 120 s timeout), so a job is
   * taken over only from a runner that died. (Not yet fenced: a runner past its lease could still
   * record a step; renewing the lease while a step runs is left.)
   */
  leaseMs?: number;
  /** Attempts before a job that keeps failing for its sources' trouble is failed. Default 8. */
  maxAttempts?: number;
  /** Wait before attempt n + 1, in ms. Default 1 s doubling, at most 5 min. */
  backoffMs?: (attempts: number) => number;
  /** Background jobs run at once (each leased when it starts). Default 8. */
  concurrency?: number;
  log: { info(msg: string, f?: Record<string, unknown>): void; warn(msg: string, f?: Record<string, unknown>): void };
  now?: () => number;
  /** Told how each job the background runner ran ended (its sender is not there to hear it: the audit records it). */
  onSettled?: (job: Job, outcome: 'done' | 'pending' | 'failed', resultOrError: unknown) => void;
}

/** The hash of a command's input, for idempotency. */
export function inputHash(kind: string, input: unknown): string {
  return createHash('sha256')
    .update(`${kind}\n${stableKey(input)}`)
    .digest('base64url');
}

export class JobRunner {
  private readonly kinds = new Map<string, JobKind<unknown, unknown, unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  /** Jobs whose done record is being written, by id. */
  private readonly finishing = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private get leaseMs(): number {
    return this.opts.leaseMs ?? 600_000;
  }

  constructor(
    private readonly store: FlowStorePort,
    private readonly opts: RunnerOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Make a kind of job runnable (by the background runner too). */
  register<I, R, X>(kind: JobKind<I, R, X>): JobKind<I, R, X> {
    this.kinds.set(kind.kind, kind as JobKind<unknown, unknown, unknown>);
    return kind;
  }

  private at = (offsetMs = 0) => new Date(this.now() + offsetMs).toISOString();

  private maxAttempts(kind: { maxAttempts?: number }): number {
    return kind.maxAttempts ?? this.opts.maxAttempts ?? 8;
  }

  /**
   * Carry out a command for its sender: the first time, run it; again with the same key and
   * input, the first result (or, when it had not finished, resume it). Rejects with the step's
   * error when a step fails (the job then waits for the background runner, or is failed when
   * waiting will not help); CONFLICT for a key used with another input, or one still being carried out.
   */
  async execute<I, R, X>(
    kind: JobKind<I, R, X>,
    actor: string,
    key: string,
    input: I,
    extra?: X,
  ): Promise<{ result: R; replayed: boolean }> {
    const hash = inputHash(kind.kind, input);
    const lease = this.at(this.leaseMs);
    // The first look goes out while the job is recorded; it is used only if the job is new.
    const first = kind.first ? settle(kind.first.run(input)) : undefined;
    const claimed = await this.store.claim({ kind: kind.kind, actor, idempotencyKey: key, inputHash: hash, input }, lease, this.at());
    let job = claimed.job as Job<I, R>;
    if (!claimed.created) {
      if (job.kind !== kind.kind || job.inputHash !== hash)
        throw new ConflictError('This idempotency key was used for a different request; use a new key for a new request');
      const finishing = this.finishing.get(job.id);
      if (finishing) {
        await finishing;
        job = ((await this.store.get(job.id)) as Job<I, R> | null) ?? job;
      }
      if (job.state === 'done') return { result: job.result as R, replayed: true };
      const leased = (await this.store.lease(job.id, lease, this.at())) as Job<I, R> | null;
      if (!leased) {
        const now = (await this.store.get(job.id)) as Job<I, R> | null;
        if (now?.state === 'done') return { result: now.result as R, replayed: true };
        throw new ConflictError('A request with this idempotency key is still being carried out; try again shortly');
      }
      job = leased;
    }
    // Finished by this request (first sent now, or resumed): not a replay of an earlier answer.
    return { result: await this.work(kind, job, extra, claimed.created ? first : undefined), replayed: false };
  }

  /**
   * Accept a command to be carried out in the background: durably recorded before this
   * resolves (so a sender answered 2xx is never lost), and started at once. The same key and
   * input again is accepted again without a second job (`created: false`); another input under
   * the key is a CONFLICT.
   */
  async enqueue<I>(kind: JobKind<I, unknown, unknown>, actor: string, key: string, input: I): Promise<{ job: Job; created: boolean }> {
    const hash = inputHash(kind.kind, input);
    const out = await this.store.enqueue({ kind: kind.kind, actor, idempotencyKey: key, inputHash: hash, input }, this.at());
    if (!out.created && (out.job.kind !== kind.kind || out.job.inputHash !== hash))
      throw new ConflictError('This idempotency key was used for a different request; use a new key for a new request');
    void this.sweep();
    return out;
  }

  /** Run a leased job's remaining steps and record the outcome. */
  private async work<I, R, X>(kind: JobKind<I, R, X>, job: Job<I, R>, extra: X | undefined, first?: Promise<Settled>): Promise<R> {
    const done = new Map(Object.entries(job.steps));
    const steps: Steps = {
      done: (name) => done.has(name),
      run: async <T>(name: string, fn: () => Promise<T>, opts?: { final?: boolean }): Promise<T> => {
        if (done.has(name)) return done.get(name) as T;
        let value: T;
        if (first && name === kind.first?.step) {
          const s = await first;
          first = undefined;
          if (!s.ok) throw s.error;
          value = s.value as T;
        } else value = await fn();
        if (!opts?.final) await this.store.step(job.id, name, value ?? null, this.at());
        done.set(name, value ?? null);
        return value;
      },
      forget: async (...names: string[]) => {
        await this.store.forget(job.id, names, this.at());
        for (const n of names) done.delete(n);
      },
    };
    let result: R;
    try {
      result = await kind.run(job.input, steps, extra);
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      const max = this.maxAttempts(kind);
      if (mayWait(e) && job.attempts < max) {
        const wait = (this.opts.backoffMs ?? ((n: number) => Math.min(300_000, 1000 * 2 ** (n - 1))))(job.attempts);
        await this.store.retryLater(job.id, message, this.at(wait), this.at());
        this.opts.log.warn('a write waits for its source; it will be resumed', {
          job: job.id,
          kind: job.kind,
          attempt: job.attempts,
          error: message,
        });
      } else {
        await this.store.fail(job.id, message, this.at());
        this.opts.log.warn('a write failed', { job: job.id, kind: job.kind, error: message });
      }
      throw e;
    }
    // Recorded done while the answer goes out: every step that acted is recorded (a final step is
    // looked for again if the job is resumed), so a crash before this lands only makes the job
    // run again to the same result. A sender repeating the request meanwhile waits for it.
    const finishing = this.store.finish(job.id, result, this.at()).then(
      () => undefined,
      (e: unknown) =>
        this.opts.log.warn('a finished write could not be recorded as done; it will be resumed', {
          job: job.id,
          error: (e as Error).message,
        }),
    );
    this.finishing.set(job.id, finishing);
    void finishing.finally(() => this.finishing.delete(job.id));
    return result;
  }

  /** Jobs of a group running or waiting for it, by group: the tail of each group's chain. */
  private readonly groups = new Map<string, Promise<void>>();
  /** A job was enqueued while a sweep ran: sweep again when it ends. */
  private again = false;

  /** Run a background job after the jobs of its group leased before it. */
  private async inGroup<T>(group: string | undefined, fn: () => Promise<T>): Promise<T> {
    if (!group) return fn();
    const before = this.groups.get(group) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((r) => (release = r));
    const tail = before.then(() => mine);
    this.groups.set(group, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (this.groups.get(group) === tail) this.groups.delete(group);
    }
  }

  /** Resume due jobs now (the background runner's sweep); resolves when they have run. */
  sweep(limit = 200): Promise<void> {
    if (this.sweeping) {
      this.again = true;
      return this.sweeping;
    }
    this.sweeping = (async () => {
      const running = new Set<Promise<void>>();
      try {
        // Each job is leased when it starts (never while others run first), up to `concurrency` at once.
        for (let n = 0; n < limit; n++) {
          if (running.size >= (this.opts.concurrency ?? 8)) await Promise.race(running);
          const [job] = await this.store.due(1, this.at(this.leaseMs), this.at());
          if (!job) break;
          const kind = this.kinds.get(job.kind);
          if (!kind) {
            await this.store.fail(job.id, `no runner for jobs of kind ${job.kind}`, this.at());
            continue;
          }
          const p: Promise<void> = this.inGroup(kind.group?.(job.input), () => this.work(kind, job, undefined)).then(
            (result) => {
              this.opts.log.info('a write was carried out in the background', { job: job.id, kind: job.kind });
              this.opts.onSettled?.(job, 'done', result);
            },
            (e: unknown) => this.opts.onSettled?.(job, mayWait(e) && job.attempts < this.maxAttempts(kind) ? 'pending' : 'failed', e),
          );
          const tracked = p.finally(() => running.delete(tracked));
          running.add(tracked);
        }
      } catch (e) {
        this.opts.log.warn('the flows store could not be read; resuming writes later', { error: (e as Error).message });
      } finally {
        await Promise.all(running);
        this.sweeping = null;
      }
      if (this.again && this.timer) {
        this.again = false;
        void this.sweep();
      }
    })();
    return this.sweeping;
  }

  /** Sweep every `intervalMs`. */
  start(intervalMs = 1000): void {
    this.timer ??= setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  /** Stop sweeping; waits for a sweep under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.again = false;
    await this.sweeping;
    await Promise.all(this.finishing.values());
  }
}
