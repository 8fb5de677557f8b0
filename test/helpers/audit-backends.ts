/**
 * The two databases audit tests run on: PGlite (in memory, or in a temporary directory) and
 * the local PostgreSQL, each test run in its own schema so parallel runs never collide.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { StoreOptions } from '../../audit/store.ts';

/** The local PostgreSQL of the development machine (trust auth). */
export const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface Backend {
  name: 'pglite' | 'postgres';
  /** Store options pointing at this backend's database. */
  store: StoreOptions;
  /** The records table, qualified. */
  table: string;
  /** The environment that points the configuration (and `audit:verify`) at this database. */
  env: Record<string, string>;
  /** Remove the database (directory or schema). */
  cleanup(): Promise<void>;
}

let reachable: Promise<boolean> | undefined;
/** Whether the local PostgreSQL answers (tests on it are skipped, visibly, when it does not). */
export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/** A PostgreSQL schema of its own. */
export function postgresBackend(): Backend {
  const schema = `audit_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    name: 'postgres',
    store: { databaseUrl: PG_URL, schema },
    table: `"${schema}".audit_records`,
    env: { DATABASE_URL: PG_URL, AUDIT_SCHEMA: schema },
    async cleanup() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** PGlite in a temporary directory (or in memory). */
export async function pgliteBackend(memory = false): Promise<Backend> {
  const dir = memory ? undefined : await mkdtemp(join(tmpdir(), 'atrium-audit-'));
  return {
    name: 'pglite',
    store: dir ? { dir: join(dir, 'audit') } : {},
    table: '"public".audit_records',
    env: dir ? { ATRIUM_DATA_DIR: dir } : {},
    cleanup: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The database environment of a gateway under test: PostgreSQL (its own schema) when it is here, else PGlite in the data directory (no variables). */
export async function preferPostgres(): Promise<{ env: Record<string, string>; cleanup: () => Promise<void> }> {
  if (!(await postgresReachable())) return { env: {}, cleanup: async () => undefined };
  const pg = postgresBackend();
  return { env: pg.env, cleanup: () => pg.cleanup() };
}
