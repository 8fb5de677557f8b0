/**
 * The database every durable part of Atrium shares (the audit trail, the flows' jobs and
 * outbox): PGlite in the data directory by default, PostgreSQL with `DATABASE_URL`; one set of
 * migrations (migrations.ts) applied when it is opened.
 */
import { openPglite, openPostgres, type SqlDb } from './db.ts';
import { migrate } from './migrations.ts';

export interface DatabaseOptions {
  /** PostgreSQL connection string; without one, PGlite in `dir` (or in memory without a dir). */
  databaseUrl?: string;
  dir?: string;
  /** PostgreSQL schema of the tables (tests use one per run). */
  schema?: string;
  /** Apply the migrations when opening (the gateway does; `audit:verify` only reads). Default true. */
  migrate?: boolean;
  onError?: (e: Error) => void;
}

/** Open (and migrate) the database. A failure closes what was opened and rejects. */
export async function openDatabase(opts: DatabaseOptions): Promise<SqlDb> {
  const db = opts.databaseUrl
    ? await openPostgres(opts.databaseUrl, { ...(opts.onError ? { onError: opts.onError } : {}) })
    : await openPglite(opts.dir);
  try {
    if (opts.migrate !== false) await migrate(db, opts.schema ?? 'public');
    return db;
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
}

/** Opens the database on first use, shared by every store of a thread; a failed open is tried again on the next call. */
export interface SharedDatabase {
  (): Promise<SqlDb>;
  close(): Promise<void>;
}

/** One database for several stores: `shared()` opens it once; `shared.close()` closes it. */
export function sharedDatabase(opts: DatabaseOptions): SharedDatabase {
  let opening: Promise<SqlDb> | null = null;
  let closed = false;
  const get = (() => {
    if (closed) return Promise.reject(new Error('the database is closed'));
    if (!opening) {
      const p = openDatabase(opts);
      opening = p;
      p.catch(() => {
        if (opening === p) opening = null;
      });
    }
    return opening;
  }) as SharedDatabase;
  get.close = async () => {
    closed = true;
    const p = opening;
    opening = null;
    if (p) await (await p.catch(() => null))?.close();
  };
  return get;
}
