/**
 * The flows' durable record (storage's `flow_jobs`): one row per command, keyed by who asked
 * and their idempotency key, with the steps done so far and their results. Every change is one
 * statement, so the store runs as well on the storage thread (its calls are messages) as beside
 * its caller. Times come from the caller's clock.
 */
import { randomUUID } from 'node:crypto';
import type { SqlDb } from '../storage/db.ts';
import { sharedDatabase, type DatabaseOptions, type SharedDatabase } from '../storage/database.ts';
import { tables } from '../storage/migrations.ts';

export type JobState =
  /** Waiting to be run (again) from `nextAt`. */
  | 'pending'
  /** A runner holds its lease until `leaseUntil`. */
  | 'running'
  /** Every step done; `result` is the answer. */
  | 'done'
  /** Stopped for good; `error` says why (the same command may be sent again). */
  | 'failed';

export interface Job<I = unknown, R = unknown> {
  id: string;
  kind: string;
  actor: string;
  idempotencyKey: string;
  inputHash: string;
  input: I;
  state: JobState;
  /** Results of the steps done, by step name. */
  steps: Record<string, unknown>;
  result: R | null;
  error: string | null;
  attempts: number;
  nextAt: string;
  leaseUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewJob {
  kind: string;
  actor: string;
  idempotencyKey: string;
  inputHash: string;
  input: unknown;
}

interface JobRow {
  id: string;
  kind: string;
  actor: string;
  idempotency_key: string;
  input_hash: string;
  input: unknown;
  state: JobState;
  steps: Record<string, unknown>;
  result: unknown;
  error: string | null;
  attempts: number;
  next_at: Date | string;
  lease_until: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const iso = (t: Date | string) => new Date(t).toISOString();
const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

function fromRow(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    actor: r.actor,
    idempotencyKey: r.idempotency_key,
    inputHash: r.input_hash,
    input: json(r.input),
    state: r.state,
    steps: (json(r.steps) as Record<string, unknown>) ?? {},
    result: json(r.result) ?? null,
    error: r.error,
    attempts: Number(r.attempts),
    nextAt: iso(r.next_at),
    leaseUntil: r.lease_until ? iso(r.lease_until) : null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export interface FlowStoreOptions extends DatabaseOptions {
  /** The database shared with the other stores of this thread. */
  db?: SharedDatabase;
}

/** What the flows need of their store (the store itself, or its proxy on the storage thread). */
export interface FlowStorePort {
  claim(job: NewJob, leaseUntil: string, now: string): Promise<{ job: Job; created: boolean }>;
  enqueue(job: NewJob, now: string): Promise<{ job: Job; created: boolean }>;
  lease(id: string, leaseUntil: string, now: string): Promise<Job | null>;
  step(id: string, name: string, value: unknown, now: string): Promise<void>;
  forget(id: string, names: string[], now: string): Promise<void>;
  finish(id: string, result: unknown, now: string): Promise<void>;
  retryLater(id: string, error: string, nextAt: string, now: string): Promise<void>;
  fail(id: string, error: string, now: string): Promise<void>;
  due(limit: number, leaseUntil: string, now: string): Promise<Job[]>;
  get(id: string): Promise<Job | null>;
  close(): Promise<void>;
}

export class FlowStore implements FlowStorePort {
  private readonly t: ReturnType<typeof tables>;

  constructor(private readonly opts: FlowStoreOptions = {}) {
    this.t = tables(opts.schema ?? 'public');
    this.database = opts.db ?? sharedDatabase(opts);
  }

  /** The shared database when given one (its owner closes it), else one of its own, opened on first use. */
  private readonly database: SharedDatabase;

  private open(): Promise<SqlDb> {
    return this.database();
  }

  private async one(sql: string, params: unknown[]): Promise<Job | null> {
    const row = (await (await this.open()).query<JobRow>(sql, params)).rows[0];
    return row ? fromRow(row) : null;
  }

  /**
   * The job of (actor, key): a new one, leased to the caller (`created`), or the one already
   * there, as it is. One statement decides, so two callers with one key never both create.
   */
  async claim(job: NewJob, leaseUntil: string, now: string): Promise<{ job: Job; created: boolean }> {
    const created = await this.one(
      `INSERT INTO ${this.t.jobs} (id, kind, actor, idempotency_key, input_hash, input, state, attempts, next_at, lease_until, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'running', 1, $7, $8, $7, $7)
       ON CONFLICT (actor, idempotency_key) DO NOTHING RETURNING *`,
      [randomUUID(), job.kind, job.actor, job.idempotencyKey, job.inputHash, JSON.stringify(job.input), now, leaseUntil],
    );
    if (created) return { job: created, created: true };
    const existing = await this.one(`SELECT * FROM ${this.t.jobs} WHERE actor = $1 AND idempotency_key = $2`, [
      job.actor,
      job.idempotencyKey,
    ]);
    if (!existing) throw new Error('a job vanished between its claim and its read');
    return { job: existing, created: false };
  }

  /**
   * The job of (actor, key): a new one, pending from `now` (a runner takes it up), or the one
   * already there. What an inbound webhook does: it is durably accepted before it is answered.
   */
  async enqueue(job: NewJob, now: string): Promise<{ job: Job; created: boolean }> {
    const created = await this.one(
      `INSERT INTO ${this.t.jobs} (id, kind, actor, idempotency_key, input_hash, input, state, attempts, next_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'pending', 0, $7, $7, $7)
       ON CONFLICT (actor, idempotency_key) DO NOTHING RETURNING *`,
      [randomUUID(), job.kind, job.actor, job.idempotencyKey, job.inputHash, JSON.stringify(job.input), now],
    );
    if (created) return { job: created, created: true };
    const existing = await this.one(`SELECT * FROM ${this.t.jobs} WHERE actor = $1 AND idempotency_key = $2`, [
      job.actor,
      job.idempotencyKey,
    ]);
    if (!existing) throw new Error('a job vanished between its claim and its read');
    return { job: existing, created: false };
  }

  /**
   * Take a job that is not done and not leased to a live runner; null when another holds it or
   * it is done. A failed job taken again (its sender sent it again) starts counting attempts anew.
   */
  lease(id: string, leaseUntil: string, now: string): Promise<Job | null> {
    return this.one(
      `UPDATE ${this.t.jobs}
       SET state = 'running', lease_until = $2, attempts = CASE WHEN state = 'failed' THEN 1 ELSE attempts + 1 END, updated_at = $3
       WHERE id = $1 AND (state IN ('pending', 'failed') OR (state = 'running' AND lease_until < $3)) RETURNING *`,
      [id, leaseUntil, now],
    );
  }

  /** Record a step's result. */
  async step(id: string, name: string, value: unknown, now: string): Promise<void> {
    await (
      await this.open()
    ).query(`UPDATE ${this.t.jobs} SET steps = steps || jsonb_build_object($2::text, $3::jsonb), updated_at = $4 WHERE id = $1`, [
      id,
      name,
      JSON.stringify(value ?? null),
      now,
    ]);
  }

  /** Drop steps' results (a step undone by compensation runs again next time). */
  async forget(id: string, names: string[], now: string): Promise<void> {
    await (
      await this.open()
    ).query(`UPDATE ${this.t.jobs} SET steps = steps - $2::text[], updated_at = $3 WHERE id = $1`, [id, names, now]);
  }

  async finish(id: string, result: unknown, now: string): Promise<void> {
    await (
      await this.open()
    ).query(
      `UPDATE ${this.t.jobs} SET state = 'done', result = $2::jsonb, error = NULL, lease_until = NULL, updated_at = $3 WHERE id = $1`,
      [id, JSON.stringify(result ?? null), now],
    );
  }

  async retryLater(id: string, error: string, nextAt: string, now: string): Promise<void> {
    await (
      await this.open()
    ).query(`UPDATE ${this.t.jobs} SET state = 'pending', error = $2, next_at = $3, lease_until = NULL, updated_at = $4 WHERE id = $1`, [
      id,
      error,
      nextAt,
      now,
    ]);
  }

  async fail(id: string, error: string, now: string): Promise<void> {
    await (
      await this.open()
    ).query(`UPDATE ${this.t.jobs} SET state = 'failed', error = $2, lease_until = NULL, updated_at = $3 WHERE id = $1`, [id, error, now]);
  }

  /**
   * Lease up to `limit` jobs that are due: pending past their time, or running with a lease
   * that ran out (their runner died). Skips rows another runner is taking at the same moment.
   */
  async due(limit: number, leaseUntil: string, now: string): Promise<Job[]> {
    const rows = (
      await (
        await this.open()
      ).query<JobRow>(
        `UPDATE ${this.t.jobs} SET state = 'running', lease_until = $2, attempts = attempts + 1, updated_at = $3
         WHERE id IN (SELECT id FROM ${this.t.jobs}
           WHERE (state = 'pending' AND next_at <= $3) OR (state = 'running' AND lease_until < $3)
           ORDER BY next_at, seq LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [limit, leaseUntil, now],
      )
    ).rows;
    return rows.map(fromRow);
  }

  get(id: string): Promise<Job | null> {
    return this.one(`SELECT * FROM ${this.t.jobs} WHERE id = $1`, [id]);
  }

  async close(): Promise<void> {
    if (!this.opts.db) await this.database.close();
  }
}
