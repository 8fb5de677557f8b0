/**
 * The append-only audit store. Its API appends and reads; there is no update or delete, and
 * the database refuses both (storage/migrations.ts). `append` links a batch to the chain's tail inside
 * one transaction under an advisory lock, so however many gateway processes share one
 * PostgreSQL, the events form one linear chain.
 *
 * The database is opened lazily and re-tried: a PostgreSQL that is down at start-up or goes
 * away later makes calls reject (the writer buffers and retries); it never stops the gateway.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { describeFields, link, sign, undescribe, verifyChain } from './chain.ts';
import { checkCheckpoints, trustedKeys, type ChainStatus, type Checkpoint } from './checkpoint.ts';
import { checkPgliteDir, checkPostgres, withoutCredentials, type DbCheck, type SqlDb, type SqlRunner } from '../storage/db.ts';
import {
  ACCESS_ACTIONS,
  type AccessAction,
  type AuditFilter,
  type AuditRecord,
  type EventPosition,
  type SignedRecord,
  type StoredEvent,
  type StoredRecord,
} from './event.ts';
import { tables } from '../storage/migrations.ts';
import { openDatabase, type DatabaseOptions, type SharedDatabase } from '../storage/database.ts';

const RECORD_COLUMNS = [
  'seq',
  'id',
  'at',
  'action',
  'principal_id',
  'email',
  'org',
  'ip',
  'user_agent',
  'request_id',
  'rendition',
  'detail',
  'set_key',
  'format',
  'prev_hash',
  'hash',
] as const;
const COLUMN_TYPES: Record<string, string> = { seq: 'bigint', at: 'timestamptz', set_key: 'integer', format: 'smallint' };
/** Column types of the records table, for jsonb_to_recordset (must follow RECORD_COLUMNS). */
const RECORD_TYPES = RECORD_COLUMNS.map((c) => `${c} ${COLUMN_TYPES[c] ?? 'text'}`).join(', ');
/** The catalog's columns, in the order of a description's fields (chain.ts `describeFields`). */
const OBJECT_COLUMNS = ['object_id', 'object_type', 'system', 'native_id', 'version', 'campaign'] as const;
const OBJECT_TYPES = OBJECT_COLUMNS.map((c) => `${c} text`).join(', ');

interface RecordRow {
  seq: number | string | bigint;
  id: string;
  at: Date | string;
  action: string;
  principal_id: string | null;
  email: string | null;
  org: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  rendition: string | null;
  detail: string | null;
  format: number | string;
  prev_hash: string;
  hash: string;
}

interface ObjectColumns {
  object_id: string | null;
  object_type: string | null;
  system: string | null;
  native_id: string | null;
  version: string | null;
  campaign: string | null;
}

/** A record with its objects (for verification). */
interface FullRecordRow extends RecordRow {
  campaigns: string[];
  /** [id, type, system, nativeId, version, campaign] per object, in order. */
  objects: (string | null)[][] | string;
}

/** One event: a record's columns, the record's size and one of its objects (or none). */
interface EventRow extends RecordRow, ObjectColumns {
  size: number | string;
  n: number | string;
}

const iso = (at: Date | string) => new Date(at).toISOString();

const fromEventRow = (r: EventRow): StoredEvent => {
  const n = Number(r.n);
  return {
    seq: Number(r.seq),
    n,
    id: Number(r.size) > 1 ? `${r.id}:${n}` : r.id,
    at: iso(r.at),
    action: r.action as AccessAction,
    principalId: r.principal_id,
    email: r.email,
    org: r.org,
    ip: r.ip,
    userAgent: r.user_agent,
    objectId: r.object_id,
    objectType: r.object_type,
    system: r.system,
    nativeId: r.native_id,
    version: r.version,
    rendition: r.rendition,
    campaign: r.campaign,
    requestId: r.request_id,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
};

const fromFullRow = (r: FullRecordRow): StoredRecord => {
  const objects = (typeof r.objects === 'string' ? JSON.parse(r.objects) : r.objects) as (string | null)[][];
  return {
    seq: Number(r.seq),
    id: r.id,
    at: iso(r.at),
    action: r.action as AccessAction,
    principalId: r.principal_id,
    email: r.email,
    org: r.org,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    rendition: r.rendition,
    detail: r.detail,
    format: Number(r.format) === 1 ? 1 : 2,
    prevHash: r.prev_hash,
    hash: r.hash,
    campaigns: r.campaigns,
    objects: objects.map(describeFields),
  };
};

/** The events of records: each record's objects in order (a record without objects is one event). */
const EVENTS_FROM = (t: ReturnType<typeof tables>) => `${t.records} r
  LEFT JOIN ${t.sets} s ON s.key = r.set_key
  LEFT JOIN LATERAL unnest(s.object_keys) WITH ORDINALITY AS k(key, n) ON true
  LEFT JOIN ${t.objects} o ON o.key = k.key`;
const EVENT_COLUMNS = `r.seq, r.id, r.at, r.action, r.principal_id, r.email, r.org, r.ip, r.user_agent, r.request_id, r.rendition, r.detail,
  r.format, r.prev_hash, r.hash, coalesce(cardinality(s.object_keys), 0) AS size, coalesce(k.n, 1) AS n,
  o.object_id, o.object_type, o.system, o.native_id, o.version, o.campaign`;

/** WHERE clause and parameters ($1, $2, …) of a filter over EVENTS_FROM. */
function where(t: ReturnType<typeof tables>, f: AuditFilter): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (n: string) => string, value: unknown) => parts.push(clause(`$${params.push(value)}`));
  if (f.user) add((n) => `(lower(r.email) = lower(${n}) OR r.principal_id = ${n})`, f.user);
  if (f.company) add((n) => `r.org = ${n}`, f.company);
  // The indexes narrow to the sets holding the object (any of its versions) or campaign, then to their records, then to the object itself.
  if (f.object)
    add(
      (n) =>
        `r.set_key = ANY(ARRAY(SELECT key FROM ${t.sets} WHERE object_keys && ARRAY(SELECT key FROM ${t.objects} WHERE object_id = ${n}))) AND o.object_id = ${n}`,
      f.object,
    );
  if (f.campaign)
    add((n) => `r.set_key = ANY(ARRAY(SELECT key FROM ${t.sets} WHERE campaigns @> ARRAY[${n}::text])) AND o.campaign = ${n}`, f.campaign);
  // Inlined (one of three fixed words) so the planner can use the partial index on downloads.
  if (f.action) {
    if (!ACCESS_ACTIONS.includes(f.action)) throw new Error(`unknown audit action "${String(f.action)}"`);
    parts.push(`r.action = '${f.action}'`);
  }
  if (f.from) add((n) => `r.at >= ${n}`, f.from);
  if (f.to) add((n) => `r.at < ${n}`, f.to);
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', params };
}

export interface StoreOptions extends DatabaseOptions {
  /**
   * The database shared with the other stores of this thread (storage/database.ts); the store
   * then neither opens nor closes one of its own.
   */
  db?: SharedDatabase;
}

export interface AppendOptions {
  /** Some of the records were in a write that failed, and may have landed: skip those stored. */
  retry?: boolean;
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
  /** Append records; returns how many events they hold. */
  append(records: readonly AuditRecord[], opts?: AppendOptions): Promise<number>;
  /** A page of events, newest first, before the event at `before`. */
  list(filter: AuditFilter, first: number, before?: EventPosition): Promise<EventPage>;
  count(filter?: AuditFilter): Promise<number>;
  /** Events after the event at `after`, oldest first, at most `batch`. */
  pageAfter(filter: AuditFilter, after: EventPosition, batch: number): Promise<StoredEvent[]>;
  stream(filter?: AuditFilter, batch?: number): AsyncGenerator<StoredEvent>;
  forObject(objectId: string, limit?: number): Promise<StoredEvent[]>;
  downloadsByCompany(from: string): Promise<{ company: string | null; count: number }[]>;
  /** The chain's last record (null: an empty chain). */
  head(): Promise<{ seq: number; hash: string } | null>;
  appendCheckpoint(c: Checkpoint): Promise<void>;
  /** Stored checkpoints, oldest first, after the one with id `after`. */
  checkpoints(first: number, after?: number): Promise<CheckpointPage>;
  /** Verify the chain end to end and every checkpoint (stored, and `extra` from elsewhere) against it. */
  verify(publicKeys: readonly string[], extra?: readonly Checkpoint[]): Promise<ChainStatus>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A page of stored checkpoints, oldest first; `id` orders them. */
export interface CheckpointPage {
  items: (Checkpoint & { id: number })[];
  hasNext: boolean;
  /** Every stored checkpoint. */
  total: number;
}

/** Stream a store's events page by page (shared by the store and its worker proxy). */
export async function* streamPages(
  store: Pick<AuditStorePort, 'pageAfter'>,
  filter: AuditFilter,
  batch: number,
): AsyncGenerator<StoredEvent> {
  let after: EventPosition = { seq: 0, n: 0 };
  for (;;) {
    const rows = await store.pageAfter(filter, after, batch);
    for (const r of rows) yield r;
    if (rows.length < batch) return;
    const last = rows[rows.length - 1] as StoredEvent;
    after = { seq: last.seq, n: last.n };
  }
}

export class AuditStore implements AuditStorePort {
  private db: Promise<SqlDb> | null = null;
  private readonly t: ReturnType<typeof tables>;
  private closed = false;
  /** Catalog keys of object descriptions already stored (descriptions never change, so neither do keys). */
  private readonly keys = new LRUCache<string, number>({ max: 200_000 });
  /** Keys of object sets already stored, by digest. */
  private readonly sets = new LRUCache<string, number>({ max: 50_000 });

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
    this.db ??= this.opts.db ? this.opts.db() : openDatabase(this.opts);
    const opening = this.db;
    opening.catch(() => {
      if (this.db === opening) this.db = null;
    });
    return opening;
  }

  /** Whether the records table exists (false before the migrations). */
  async exists(): Promise<boolean> {
    const db = await this.open();
    const r = await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [this.t.records]);
    return r.rows[0]?.t != null;
  }

  /**
   * Append records to the chain, in order, atomically. With `retry`, records already stored
   * (a batch whose first commit did land) are skipped, so a batch is never written twice.
   * Returns how many events the written records hold.
   */
  append(records: readonly AuditRecord[], opts: AppendOptions = {}): Promise<number> {
    return this.appendSigned(records.map(sign), opts);
  }

  /** `append`, for records whose objects are already described (the gateway's thread does it; see SignedRecord). */
  async appendSigned(records: readonly SignedRecord[], opts: AppendOptions = {}): Promise<number> {
    if (records.length === 0) return 0;
    const db = await this.open();
    const learned = new Map<string, number>();
    const learnedSets = new Map<string, number>();
    const written = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`atrium.audit:${this.t.records}`]);
      // A retried batch may have landed the first time (the commit went through, its answer did
      // not): its records are looked for among those recorded since its oldest, and skipped.
      let fresh = records;
      if (opts.retry) {
        const since = records.reduce((min, r) => (r.at < min ? r.at : min), records[0]?.at ?? '');
        const known = new Set(
          (
            await tx.query<{ id: string }>(`SELECT id FROM ${this.t.records} WHERE at >= $1 AND id = ANY($2::text[])`, [
              since,
              records.map((r) => r.id),
            ])
          ).rows.map((r) => r.id),
        );
        fresh = records.filter((r) => !known.has(r.id));
      }
      if (fresh.length === 0) return 0;
      const keys = await this.objectKeys(tx, fresh, learned);
      const sets = await this.setKeys(tx, fresh, keys, learnedSets);
      const last = (
        await tx.query<{ seq: number | string; hash: string }>(`SELECT seq, hash FROM ${this.t.records} ORDER BY seq DESC LIMIT 1`)
      ).rows[0];
      const tail = last ? { seq: Number(last.seq), hash: last.hash } : null;
      const linked = link(fresh, tail);
      // One JSON parameter per batch: the database parses it natively, where binding every
      // column as its own parameter costs PGlite about ten times as much. Same SQL on both.
      const json = JSON.stringify(
        linked.map((r, i) => ({
          seq: r.seq,
          id: r.id,
          at: r.at,
          action: r.action,
          principal_id: r.principalId,
          email: r.email,
          org: r.org,
          ip: r.ip,
          user_agent: r.userAgent,
          request_id: r.requestId,
          rendition: r.rendition,
          detail: r.detail,
          set_key: sets[i],
          format: 2,
          prev_hash: r.prevHash,
          hash: r.hash,
        })),
      );
      const cols = RECORD_COLUMNS.join(', ');
      await tx.query(`INSERT INTO ${this.t.records} (${cols}) SELECT ${cols} FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD_TYPES})`, [
        json,
      ]);
      return linked.reduce((n, r) => n + Math.max(1, r.objects.length), 0);
    });
    // Keys are remembered once committed (a rolled-back catalog row never existed).
    for (const [sig, key] of learned) this.keys.set(sig, key);
    for (const [digest, key] of learnedSets) this.sets.set(digest, key);
    return written;
  }

  /**
   * The set key of each record's object list (null for none): from the cache, else looked up,
   * adding the sets the table lacks. A page read again and again is one set.
   */
  private async setKeys(
    tx: SqlRunner,
    records: readonly SignedRecord[],
    keys: number[][],
    learned: Map<string, number>,
  ): Promise<(number | null)[]> {
    const digests = keys.map((list) => (list.length ? createHash('sha256').update(list.join(',')).digest('hex') : null));
    const found = new Map<string, number>();
    const missing = new Map<string, { object_keys: number[]; campaigns: readonly string[] }>();
    digests.forEach((d, i) => {
      if (d === null || found.has(d) || missing.has(d)) return;
      const key = this.sets.get(d);
      if (key !== undefined) found.set(d, key);
      else missing.set(d, { object_keys: keys[i] as number[], campaigns: (records[i] as SignedRecord).campaigns });
    });
    if (missing.size) {
      const json = JSON.stringify([...missing].map(([digest, v]) => ({ digest, ...v })));
      await tx.query(
        `INSERT INTO ${this.t.sets} (digest, object_keys, campaigns) SELECT digest, object_keys, campaigns FROM jsonb_to_recordset($1::jsonb) AS x(digest text, object_keys integer[], campaigns text[]) ON CONFLICT (digest) DO NOTHING`,
        [json],
      );
      const rows = (
        await tx.query<{ key: number | string; digest: string }>(`SELECT key, digest FROM ${this.t.sets} WHERE digest = ANY($1::text[])`, [
          [...missing.keys()],
        ])
      ).rows;
      for (const r of rows) {
        found.set(r.digest, Number(r.key));
        learned.set(r.digest, Number(r.key));
      }
    }
    return digests.map((d) => {
      if (d === null) return null;
      const key = found.get(d);
      if (key === undefined) throw new Error('audit object sets: a set was neither added nor found');
      return key;
    });
  }

  /**
   * The catalog keys of the records' objects: from the cache, else looked up, adding the
   * descriptions the catalog lacks. Objects are read again and again, so in the steady state a
   * record costs its row and a key per object, not a description per object.
   */
  private async objectKeys(tx: SqlRunner, records: readonly SignedRecord[], learned: Map<string, number>): Promise<number[][]> {
    const keys = new Map<string, number>();
    const missing = new Set<string>();
    for (const r of records) {
      for (const sig of r.objects) {
        if (keys.has(sig) || missing.has(sig)) continue;
        const key = this.keys.get(sig);
        if (key !== undefined) keys.set(sig, key);
        else missing.add(sig);
      }
    }
    const resolved = () => records.map((r) => r.objects.map((sig) => keys.get(sig) as number));
    if (missing.size === 0) return resolved();
    const json = JSON.stringify(
      [...missing].map(undescribe).map((o) => ({
        object_id: o.id,
        object_type: o.type,
        system: o.system,
        native_id: o.nativeId,
        version: o.version,
        campaign: o.campaign,
      })),
    );
    const cols = OBJECT_COLUMNS.join(', ');
    await tx.query(
      `INSERT INTO ${this.t.objects} (${cols}) SELECT ${cols} FROM jsonb_to_recordset($1::jsonb) AS x(${OBJECT_TYPES}) ON CONFLICT DO NOTHING`,
      [json],
    );
    const found = (
      await tx.query<ObjectColumns & { key: number | string }>(
        `SELECT o.key, ${OBJECT_COLUMNS.map((c) => `o.${c}`).join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${OBJECT_TYPES})
        JOIN ${this.t.objects} o ON o.object_id = x.object_id AND ${OBJECT_COLUMNS.slice(1)
          .map((c) => `o.${c} IS NOT DISTINCT FROM x.${c}`)
          .join(' AND ')}`,
        [json],
      )
    ).rows;
    for (const f of found) {
      const sig = describeFields(OBJECT_COLUMNS.map((c) => f[c]));
      keys.set(sig, Number(f.key));
      learned.set(sig, Number(f.key));
    }
    for (const sig of missing) if (!keys.has(sig)) throw new Error('audit object catalog: a description was neither added nor found');
    return resolved();
  }

  /** A page of events matching `filter`, newest first, before the event at `before`. */
  async list(filter: AuditFilter, first: number, before?: EventPosition): Promise<EventPage> {
    const db = await this.open();
    const w = where(this.t, filter);
    const params: unknown[] = [...w.params];
    const beforeSql = before
      ? ` AND (r.seq < $${params.push(before.seq)} OR (r.seq = $${params.length} AND coalesce(k.n, 1) < $${params.push(before.n)}))`
      : '';
    const rows = (
      await db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_FROM(this.t)} WHERE ${w.sql}${beforeSql} ORDER BY r.seq DESC, n DESC LIMIT $${params.push(first + 1)}`,
        params,
      )
    ).rows;
    return { items: rows.slice(0, first).map(fromEventRow), hasNext: rows.length > first };
  }

  /** How many events match `filter`. */
  async count(filter: AuditFilter = {}): Promise<number> {
    const db = await this.open();
    const w = where(this.t, filter);
    return Number(
      (await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${EVENTS_FROM(this.t)} WHERE ${w.sql}`, w.params)).rows[0]?.n ?? 0,
    );
  }

  async pageAfter(filter: AuditFilter, after: EventPosition, batch: number): Promise<StoredEvent[]> {
    const db = await this.open();
    const w = where(this.t, filter);
    const params: unknown[] = [...w.params];
    const afterSql = ` AND (r.seq > $${params.push(after.seq)} OR (r.seq = $${params.length} AND coalesce(k.n, 1) > $${params.push(after.n)}))`;
    return (
      await db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_FROM(this.t)} WHERE ${w.sql}${afterSql} ORDER BY r.seq, n LIMIT $${params.push(batch)}`,
        params,
      )
    ).rows.map(fromEventRow);
  }

  /** Events matching `filter`, oldest first, read `batch` rows at a time (never the whole table at once). */
  stream(filter: AuditFilter = {}, batch = 500): AsyncGenerator<StoredEvent> {
    return streamPages(this, filter, batch);
  }

  /** Records with their objects, oldest first, `batch` at a time: what `audit:verify` checks. */
  async *records(batch = 500): AsyncGenerator<StoredRecord> {
    const db = await this.open();
    const cols = OBJECT_COLUMNS.map((c) => `o.${c}`).join(', ');
    let after = 0;
    for (;;) {
      const rows = (
        await db.query<FullRecordRow>(
          `SELECT r.*, coalesce(s.campaigns, '{}'::text[]) AS campaigns, (SELECT coalesce(json_agg(json_build_array(${cols}) ORDER BY k.n), '[]'::json)
            FROM unnest(s.object_keys) WITH ORDINALITY AS k(key, n) JOIN ${this.t.objects} o ON o.key = k.key) AS objects
          FROM ${this.t.records} r LEFT JOIN ${this.t.sets} s ON s.key = r.set_key WHERE r.seq > $1 ORDER BY r.seq LIMIT $2`,
          [after, batch],
        )
      ).rows;
      for (const r of rows) yield fromFullRow(r);
      if (rows.length < batch) return;
      after = Number((rows[rows.length - 1] as FullRecordRow).seq);
    }
  }

  /** Every event about one object, oldest first (a document's trail). */
  async forObject(objectId: string, limit = 5000): Promise<StoredEvent[]> {
    return this.pageAfter({ object: objectId }, { seq: 0, n: 0 }, limit);
  }

  /** Downloads per reader company since `from` (readers without a company under `null`), most first. */
  async downloadsByCompany(from: string): Promise<{ company: string | null; count: number }[]> {
    const db = await this.open();
    const rows = (
      await db.query<{ org: string | null; n: number | string }>(
        `SELECT r.org, sum(greatest(coalesce(cardinality(s.object_keys), 0), 1)) AS n FROM ${this.t.records} r LEFT JOIN ${this.t.sets} s ON s.key = r.set_key
        WHERE r.action = 'download' AND r.at >= $1 GROUP BY r.org ORDER BY n DESC, r.org`,
        [from],
      )
    ).rows;
    return rows.map((r) => ({ company: r.org, count: Number(r.n) }));
  }

  async head(): Promise<{ seq: number; hash: string } | null> {
    const db = await this.open();
    const r = (await db.query<{ seq: number | string; hash: string }>(`SELECT seq, hash FROM ${this.t.records} ORDER BY seq DESC LIMIT 1`))
      .rows[0];
    return r ? { seq: Number(r.seq), hash: r.hash } : null;
  }

  async appendCheckpoint(c: Checkpoint): Promise<void> {
    const db = await this.open();
    await db.query(`INSERT INTO ${this.t.checkpoints} (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`, [
      c.seq,
      c.hash,
      c.at,
      c.keyId,
      c.signature,
    ]);
  }

  async checkpoints(first: number, after = 0): Promise<CheckpointPage> {
    const db = await this.open();
    const rows = (
      await db.query<{ id: number; seq: number | string; hash: string; at: Date | string; key_id: string; signature: string }>(
        `SELECT id, seq, hash, at, key_id, signature FROM ${this.t.checkpoints} WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, first + 1],
      )
    ).rows;
    const total = Number((await db.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${this.t.checkpoints}`)).rows[0]?.n ?? 0);
    return {
      total,
      items: rows
        .slice(0, first)
        .map((r) => ({ id: Number(r.id), seq: Number(r.seq), hash: r.hash, at: iso(r.at), keyId: r.key_id, signature: r.signature })),
      hasNext: rows.length > first,
    };
  }

  /**
   * The chain verified from its first record to its last, then every checkpoint: signed by one
   * of `publicKeys`, and the chain still holding its record with its hash. Checkpoints past a
   * break are not judged (the break is the finding). Reads the whole chain, a batch at a time.
   */
  async verify(publicKeys: readonly string[], extra: readonly Checkpoint[] = []): Promise<ChainStatus> {
    const stored: Checkpoint[] = [];
    for (let after = 0; ;) {
      const page = await this.checkpoints(1000, after);
      stored.push(...page.items.map(({ id: _id, ...c }) => c));
      if (!page.hasNext) break;
      after = (page.items.at(-1) as { id: number }).id;
    }
    const all = [...stored, ...extra];
    const wanted = new Set(all.map((c) => c.seq));
    const hashAt = new Map<number, string>();
    const head = await this.head();
    const records = this.records(1000);
    const chain = await verifyChain(
      (async function* () {
        for await (const r of records) {
          if (wanted.has(r.seq)) hashAt.set(r.seq, r.hash);
          yield r;
        }
      })(),
    );
    const brokenAt = chain.ok ? Infinity : chain.break.seq;
    const judged = all.filter((c) => c.seq < brokenAt);
    const failures = checkCheckpoints(judged, trustedKeys(publicKeys), hashAt, head?.seq ?? 0);
    return {
      ok: chain.ok && failures.length === 0,
      records: chain.count,
      events: chain.events,
      head,
      break: chain.ok ? null : chain.break,
      checkpoints: judged.length,
      failures,
      latest: stored.at(-1) ?? null,
    };
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
    // A shared database is its owner's to close.
    if (db && !this.opts.db) await (await db.catch(() => null))?.close();
  }
}

/**
 * The gateway's start-up check of the store's database, before anything opens it: PostgreSQL is
 * connected to once (and its version checked), a PGlite directory is checked to be free and
 * writable. A problem names the store by its location, never by its credentials.
 */
export async function checkStore(opts: StoreOptions, timeoutMs?: number): Promise<DbCheck> {
  const check = opts.databaseUrl
    ? await checkPostgres(opts.databaseUrl, timeoutMs !== undefined ? { timeoutMs } : {})
    : opts.dir
      ? checkPgliteDir(opts.dir)
      : ({ ok: true } as const);
  return check.ok ? check : { ...check, problem: `audit store ${new AuditStore(opts).location}: ${check.problem}` };
}

/** An error of the store as a message fit for logs and start-up problems: the database URL and its password taken out. */
export function storeProblem(opts: StoreOptions, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return opts.databaseUrl ? withoutCredentials(message, opts.databaseUrl) : message;
}
