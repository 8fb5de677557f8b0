/**
 * The append-only audit store. Its API appends and reads; there is no update or delete, and
 * the database refuses both (migrations.ts). `append` links a batch to the chain's tail inside
 * one transaction under an advisory lock, so however many gateway processes share one
 * PostgreSQL, the events form one linear chain.
 *
 * The database is opened lazily and re-tried: a PostgreSQL that is down at start-up or goes
 * away later makes calls reject (the writer buffers and retries); it never stops the gateway.
 */
import { link } from './chain.ts';
import { openPglite, openPostgres, type SqlDb, type SqlRunner } from './db.ts';
import type { AccessAction, AuditEvent, AuditFilter, StoredEvent } from './event.ts';
import { migrate, tables } from './migrations.ts';

const COLUMNS = [
  'seq', 'id', 'at', 'action', 'principal_id', 'email', 'org', 'ip', 'user_agent', 'object_id', 'object_type', 'system',
  'native_id', 'version', 'rendition', 'campaign', 'request_id', 'detail', 'prev_hash', 'hash',
] as const;

/** Column types of the events table, for jsonb_to_recordset (must follow COLUMNS). */
const RECORD_TYPES = COLUMNS.map((c) => `${c} ${c === 'seq' ? 'bigint' : c === 'at' ? 'timestamptz' : 'text'}`).join(', ');

interface Row {
  seq: number | string | bigint;
  id: string;
  at: Date | string;
  action: string;
  principal_id: string | null;
  email: string | null;
  org: string | null;
  ip: string | null;
  user_agent: string | null;
  object_id: string | null;
  object_type: string | null;
  system: string | null;
  native_id: string | null;
  version: string | null;
  rendition: string | null;
  campaign: string | null;
  request_id: string | null;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

const fromRow = (r: Row): StoredEvent => ({
  seq: Number(r.seq), id: r.id, at: new Date(r.at).toISOString(), action: r.action as AccessAction,
  principalId: r.principal_id, email: r.email, org: r.org, ip: r.ip, userAgent: r.user_agent, objectId: r.object_id,
  objectType: r.object_type, system: r.system, nativeId: r.native_id, version: r.version, rendition: r.rendition,
  campaign: r.campaign, requestId: r.request_id, detail: r.detail, prevHash: r.prev_hash, hash: r.hash,
});

const toParams = (e: StoredEvent): unknown[] => [
  e.seq, e.id, e.at, e.action, e.principalId, e.email, e.org, e.ip, e.userAgent, e.objectId, e.objectType, e.system,
  e.nativeId, e.version, e.rendition, e.campaign, e.requestId, e.detail, e.prevHash, e.hash,
];

/** WHERE clause and parameters of a filter (parameters numbered from `first`). */
function where(f: AuditFilter, first = 1): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (n: string) => string, value: unknown) => {
    params.push(value);
    parts.push(clause(`$${first + params.length - 1}`));
  };
  if (f.user) add((n) => `(lower(email) = lower(${n}) OR principal_id = ${n})`, f.user);
  if (f.company) add((n) => `org = ${n}`, f.company);
  if (f.object) add((n) => `object_id = ${n}`, f.object);
  if (f.campaign) add((n) => `campaign = ${n}`, f.campaign);
  if (f.action) add((n) => `action = ${n}`, f.action);
  if (f.from) add((n) => `at >= ${n}`, f.from);
  if (f.to) add((n) => `at < ${n}`, f.to);
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

export interface StoreOptions {
  /** PostgreSQL connection string; without one, PGlite in `dir` (or in memory without a dir). */
  databaseUrl?: string;
  dir?: string;
  /** PostgreSQL schema of the tables (tests use one per run). */
  schema?: string;
  /** Apply migrations when opening (the gateway does; `audit:verify` only reads). */
  migrate?: boolean;
  onError?: (e: Error) => void;
}

/** A page of events, newest first. */
export interface EventPage {
  items: StoredEvent[];
  hasNext: boolean;
}

/** What the gateway needs of an audit store: the store itself, or a proxy to it in a worker thread. */
export interface AuditStorePort {
  readonly location: string;
  open(): Promise<unknown>;
  exists(): Promise<boolean>;
  append(events: readonly AuditEvent[]): Promise<number>;
  list(filter: AuditFilter, first: number, before?: number): Promise<EventPage>;
  count(filter?: AuditFilter): Promise<number>;
  /** Events after sequence number `after`, oldest first, at most `batch`. */
  pageAfter(filter: AuditFilter, after: number, batch: number): Promise<StoredEvent[]>;
  stream(filter?: AuditFilter, batch?: number): AsyncGenerator<StoredEvent>;
  forObject(objectId: string, limit?: number): Promise<StoredEvent[]>;
  downloadsByCompany(from: string): Promise<{ company: string | null; count: number }[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Stream a store's events page by page (shared by the store and its worker proxy). */
export async function* streamPages(store: Pick<AuditStorePort, 'pageAfter'>, filter: AuditFilter, batch: number): AsyncGenerator<StoredEvent> {
  let after = 0;
  for (;;) {
    const rows = await store.pageAfter(filter, after, batch);
    for (const r of rows) yield r;
    if (rows.length < batch) return;
    after = (rows[rows.length - 1] as StoredEvent).seq;
  }
}

export class AuditStore implements AuditStorePort {
  private db: Promise<SqlDb> | null = null;
  private readonly t: ReturnType<typeof tables>;
  private closed = false;

  constructor(private readonly opts: StoreOptions = {}) {
    this.t = tables(opts.schema ?? 'public');
  }

  /** Where events go, for messages (never the URL's credentials). */
  get location(): string {
    if (this.opts.databaseUrl) {
      const u = new URL(this.opts.databaseUrl);
      return `postgres://${u.host}${u.pathname} (schema ${this.opts.schema ?? 'public'})`;
    }
    return this.opts.dir ? `pglite:${this.opts.dir}` : 'pglite:memory';
  }

  /** The open database, opening (and migrating) it on first use; a failed open is retried on the next call. */
  open(): Promise<SqlDb> {
    if (this.closed) return Promise.reject(new Error('the audit store is closed'));
    this.db ??= (async () => {
      const db = this.opts.databaseUrl
        ? await openPostgres(this.opts.databaseUrl, { ...(this.opts.onError ? { onError: this.opts.onError } : {}) })
        : await openPglite(this.opts.dir);
      try {
        if (this.opts.migrate !== false) await migrate(db, this.opts.schema ?? 'public');
        return db;
      } catch (e) {
        await db.close().catch(() => undefined);
        throw e;
      }
    })();
    const opening = this.db;
    opening.catch(() => {
      if (this.db === opening) this.db = null;
    });
    return opening;
  }

  /** Whether the events table exists (false before the first migration). */
  async exists(): Promise<boolean> {
    const db = await this.open();
    const r = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [this.t.events]);
    return r.rows[0]?.t != null;
  }

  /**
   * Append events to the chain, in order, atomically. Events already stored (same id: a
   * retried batch whose first commit did land) are skipped, so a batch is never written twice.
   * Returns how many were written.
   */
  async append(events: readonly AuditEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const db = await this.open();
    return db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`atrium.audit:${this.t.events}`]);
      const known = new Set((await tx.query<{ id: string }>(`SELECT id FROM ${this.t.events} WHERE id = ANY($1::text[])`, [events.map((e) => e.id)])).rows.map((r) => r.id));
      const fresh = events.filter((e) => !known.has(e.id));
      if (fresh.length === 0) return 0;
      const tail = (await tx.query<{ seq: number | string; hash: string }>(`SELECT seq, hash FROM ${this.t.events} ORDER BY seq DESC LIMIT 1`)).rows[0];
      const linked = link(fresh, tail ? { seq: Number(tail.seq), hash: tail.hash } : null);
      await this.insert(tx, linked);
      return linked.length;
    });
  }

  private async insert(tx: SqlRunner, rows: StoredEvent[]): Promise<void> {
    // One JSON parameter per batch: the database parses it natively, where binding 20 parameters
    // per row costs PGlite about ten times as much. Same SQL on PGlite and PostgreSQL.
    const json = JSON.stringify(rows.map((e) => {
      const values = toParams(e);
      return Object.fromEntries(COLUMNS.map((c, i) => [c, values[i]]));
    }));
    await tx.query(
      `INSERT INTO ${this.t.events} (${COLUMNS.join(', ')}) SELECT ${COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD_TYPES})`,
      [json],
    );
  }

  /** A page of events matching `filter`, newest first, before sequence number `before`. */
  async list(filter: AuditFilter, first: number, before?: number): Promise<EventPage> {
    const db = await this.open();
    const w = where(filter);
    const params = [...w.params, first + 1];
    const beforeSql = before !== undefined ? ` AND seq < $${params.push(before)}` : '';
    const rows = (await db.query<Row>(`SELECT * FROM ${this.t.events} WHERE ${w.sql}${beforeSql} ORDER BY seq DESC LIMIT $${w.params.length + 1}`, params)).rows;
    return { items: rows.slice(0, first).map(fromRow), hasNext: rows.length > first };
  }

  /** How many events match `filter`. */
  async count(filter: AuditFilter = {}): Promise<number> {
    const db = await this.open();
    const w = where(filter);
    return Number((await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${this.t.events} WHERE ${w.sql}`, w.params)).rows[0]?.n ?? 0);
  }

  async pageAfter(filter: AuditFilter, after: number, batch: number): Promise<StoredEvent[]> {
    const db = await this.open();
    const w = where(filter);
    const params = [...w.params, after, batch];
    return (await db.query<Row>(`SELECT * FROM ${this.t.events} WHERE ${w.sql} AND seq > $${w.params.length + 1} ORDER BY seq LIMIT $${w.params.length + 2}`, params)).rows.map(fromRow);
  }

  /** Events matching `filter`, oldest first, read `batch` rows at a time (never the whole table at once). */
  stream(filter: AuditFilter = {}, batch = 500): AsyncGenerator<StoredEvent> {
    return streamPages(this, filter, batch);
  }

  /** Every event about one object, oldest first (a document's trail). */
  async forObject(objectId: string, limit = 5000): Promise<StoredEvent[]> {
    const db = await this.open();
    return (await db.query<Row>(`SELECT * FROM ${this.t.events} WHERE object_id = $1 ORDER BY seq LIMIT $2`, [objectId, limit])).rows.map(fromRow);
  }

  /** Downloads per reader company since `from` (readers without a company under `null`), most first. */
  async downloadsByCompany(from: string): Promise<{ company: string | null; count: number }[]> {
    const db = await this.open();
    const rows = (await db.query<{ org: string | null; n: number | string }>(
      `SELECT org, count(*) AS n FROM ${this.t.events} WHERE action = 'download' AND at >= $1 GROUP BY org ORDER BY count(*) DESC, org`, [from],
    )).rows;
    return rows.map((r) => ({ company: r.org, count: Number(r.n) }));
  }

  /** A cheap round trip, for readiness. */
  async ping(): Promise<void> {
    await (await this.open()).query('SELECT 1');
  }

  /** Close the database; later calls reject. */
  async close(): Promise<void> {
    this.closed = true;
    const db = this.db;
    this.db = null;
    if (db) await (await db.catch(() => null))?.close();
  }
}
