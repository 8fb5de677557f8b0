/**
 * One small SQL interface over the two databases the audit store runs on: PGlite (embedded,
 * in the data directory; no service to run) and PostgreSQL (`DATABASE_URL`). The store's SQL
 * is the same for both. Drivers are imported on first use, so a gateway without audit loads
 * neither.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Rows of a query. */
export interface Rows<T> {
  rows: T[];
}

/** What the store needs from a database. */
export interface SqlRunner {
  query<T>(sql: string, params?: unknown[]): Promise<Rows<T>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlDb extends SqlRunner {
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** `postgres` or `pglite`, for messages. */
  readonly kind: 'postgres' | 'pglite';
}

/** PostgreSQL through a pg pool. A dropped connection rejects the query; the pool reconnects on the next one. */
export async function openPostgres(
  url: string,
  opts: { max?: number; connectTimeoutMs?: number; onError?: (e: Error) => void } = {},
): Promise<SqlDb> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 4,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', (e) => opts.onError?.(e));
  return {
    kind: 'postgres',
    query: async <T>(sql: string, params: unknown[] = []) => ({ rows: (await pool.query(sql, params)).rows as T[] }),
    exec: async (sql) => {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      // A checked-out client whose server goes away emits 'error' besides failing its query; the pool only listens while it is idle.
      const onClientError = (e: Error) => opts.onError?.(e);
      client.on('error', onClientError);
      const release = (err?: Error) => {
        client.off('error', onClientError);
        client.release(err);
      };
      try {
        await client.query('BEGIN');
        const tx: SqlRunner = {
          query: async <T>(sql: string, params: unknown[] = []) => ({ rows: (await client.query(sql, params)).rows as T[] }),
          exec: async (sql) => {
            await client.query(sql);
          },
        };
        const out = await fn(tx);
        await client.query('COMMIT');
        release();
        return out;
      } catch (e) {
        // A client whose connection broke must not go back to the pool.
        await client.query('ROLLBACK').then(
          () => release(),
          (err: Error) => release(err),
        );
        throw e;
      }
    },
    close: () => pool.end(),
  };
}

/** Lock files this process holds (a second open in the same process is refused too). */
const openHere = new Set<string>();

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Take the lock file of a PGlite directory. PGlite is one process's database: a second
 * process opening the same directory would corrupt it, so the gateway and `audit:verify`
 * refuse while another live process holds it.
 */
function lockDir(lockFile: string): () => void {
  if (openHere.has(lockFile)) throw new Error(`the audit store ${dirname(lockFile)} is already open in this process`);
  mkdirSync(dirname(lockFile), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      openHere.add(lockFile);
      return () => {
        openHere.delete(lockFile);
        rmSync(lockFile, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new Error(`the audit store ${dirname(lockFile)} is in use by process ${holder} (PGlite is single-process)`);
      }
      // A stale lock: its process ended (a container restart may even reuse our pid).
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`could not lock the audit store at ${lockFile}`);
}

/**
 * 16 MB of shared buffers instead of PostgreSQL's 128 MB: the audit appends at the end of its
 * tables and reads little, and in WASM the buffers are resident memory of the gateway
 * (measured: about 100 MiB less resident memory after opening, and after 200k rows).
 */
const PGLITE_CONF = ['shared_buffers = 16MB'];

/**
 * Create the database in `dir` on a thread of its own, which then ends. PGlite's initdb leaves
 * its WASM memory behind in the thread that ran it (measured: 768 MiB resident after creating
 * and opening in one thread, 327 MiB when created on a thread that ended first).
 */
function createInThread(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./pglite-init.mjs', import.meta.url), { workerData: { dir, conf: PGLITE_CONF } });
    w.once('error', reject);
    w.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`creating the audit database in ${dir} failed (thread exit ${code})`)),
    );
  });
}

/** PGlite in `dir` (created when missing), or in memory without one. */
export async function openPglite(dir?: string): Promise<SqlDb> {
  const unlock = dir ? lockDir(`${dir}.lock`) : () => undefined;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    if (dir) mkdirSync(dir, { recursive: true });
    if (dir && !existsSync(join(dir, 'PG_VERSION'))) await createInThread(dir);
    const db = new PGlite({ ...(dir ? { dataDir: dir } : {}), postgresqlconf: PGLITE_CONF });
    await db.waitReady;
    return {
      kind: 'pglite',
      query: async <T>(sql: string, params: unknown[] = []) => ({ rows: (await db.query<T>(sql, params)).rows }),
      exec: async (sql) => {
        await db.exec(sql);
      },
      transaction: (fn) =>
        db.transaction((tx) =>
          fn({
            query: async <T>(sql: string, params: unknown[] = []) => ({ rows: (await tx.query<T>(sql, params)).rows }),
            exec: async (sql) => {
              await tx.exec(sql);
            },
          }),
        ),
      async close() {
        try {
          await db.close();
        } finally {
          unlock();
        }
      },
    };
  } catch (e) {
    unlock();
    throw e;
  }
}

/**
 * What a start-up check of the audit's database found: usable; or not, either because nobody
 * answered (`reachable: false`: down, refusing connections, timing out; that may heal) or because
 * it answered and refused (`reachable: true`: wrong user or password, no such database, a
 * PostgreSQL too old, a PGlite directory held by another process; that will not heal by itself).
 * `problem` never holds a password.
 */
export type DbCheck = { ok: true } | { ok: false; reachable: boolean; problem: string };

/** The oldest PostgreSQL the store's SQL runs on (`UNIQUE NULLS NOT DISTINCT` came in 15). */
const MIN_POSTGRES = 150000;

/** Error codes of a connection nobody answered. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATEs of a server that answered but cannot serve yet (starting up, shutting down, too many
 * connections) or lost the connection: like no answer, they may heal.
 */
const TRANSIENT_SQLSTATE = /^(08|57P0[1-3]|53300)/;

/** Whether a connection error means nobody answered (rather than a refusal). */
function unreachable(e: Error & { code?: unknown }): boolean {
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNREACHABLE.has(code) || TRANSIENT_SQLSTATE.test(code)) return true;
  // A DNS name that does not resolve is most often a service not up yet (containers start in any order).
  if (code === 'ENOTFOUND') return true;
  // pg's own connection timeout and dropped connections carry no code.
  return !code && /timeout|terminated/i.test(e.message);
}

/** `message` with the database URL and its password (as written and decoded) taken out. */
export function withoutCredentials(message: string, url: string): string {
  let out = message.split(url).join('<DATABASE_URL>');
  try {
    const password = new URL(url).password;
    for (const p of new Set([password, decodeURIComponent(password)])) if (p) out = out.split(p).join('***');
  } catch {
    // An unparsable URL was refused by the configuration already.
  }
  return out;
}

/**
 * Connect once to the PostgreSQL at `url` (one connection, never a pool) and check its version:
 * the gateway's start-up check of `DATABASE_URL`.
 */
export async function checkPostgres(url: string, opts: { timeoutMs?: number } = {}): Promise<DbCheck> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: opts.timeoutMs ?? 5000 });
  // A server that goes away mid-check emits 'error' on the client besides failing the call.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const r = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    const version = Number(r.rows[0]?.v ?? 0);
    if (version < MIN_POSTGRES) {
      const shown = `${Math.floor(version / 10000)}.${version % 10000}`;
      return { ok: false, reachable: true, problem: `it runs PostgreSQL ${shown}; the audit needs 15 or later` };
    }
    return { ok: true };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return { ok: false, reachable: !unreachable(err), problem: withoutCredentials(err.message, url) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether this process can open the PGlite database in `dir`: no other live process holds it
 * (PGlite is single-process) and its folder can be written. Opens nothing (the store's thread does).
 */
export function checkPgliteDir(dir: string): DbCheck {
  const lockFile = `${dir}.lock`;
  try {
    const holder = existsSync(lockFile) ? Number(readFileSync(lockFile, 'utf8').trim()) : 0;
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder))
      return {
        ok: false,
        reachable: true,
        problem: `it is in use by process ${holder} (PGlite is single-process: stop that process, or set DATABASE_URL to share a PostgreSQL)`,
      };
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { ok: true };
  } catch (e) {
    return { ok: false, reachable: true, problem: `it cannot be written: ${(e as Error).message}` };
  }
}
