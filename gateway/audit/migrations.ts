/**
 * Schema migrations of the audit store, the same SQL for PGlite and PostgreSQL, applied at
 * start-up in one transaction under an advisory lock (so gateways starting together on one
 * PostgreSQL apply each migration once). Applied versions are kept in `atrium_migrations`.
 * Migrations are only ever added, never edited: the audit table's rows outlive any release.
 */
import type { SqlDb } from './db.ts';

/** A schema name (quoted into SQL, so only plain identifiers are accepted). */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Tables of a schema, quoted. */
export function tables(schema: string): { events: string; migrations: string; schema: string } {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid audit schema name "${schema}"`);
  return { schema: `"${schema}"`, events: `"${schema}".audit_events`, migrations: `"${schema}".atrium_migrations` };
}

interface Migration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit_events, append-only',
    sql: (s) => `
      CREATE TABLE "${s}".audit_events (
        seq         bigint PRIMARY KEY,
        id          text NOT NULL UNIQUE,
        at          timestamptz NOT NULL,
        action      text NOT NULL,
        principal_id text,
        email       text,
        org         text,
        ip          text,
        user_agent  text,
        object_id   text,
        object_type text,
        system      text,
        native_id   text,
        version     text,
        rendition   text,
        campaign    text,
        request_id  text,
        detail      text,
        prev_hash   text NOT NULL,
        hash        text NOT NULL
      );
      CREATE INDEX audit_events_object ON "${s}".audit_events (object_id, seq);
      CREATE INDEX audit_events_email ON "${s}".audit_events (lower(email), seq);
      CREATE INDEX audit_events_org ON "${s}".audit_events (org, seq);
      CREATE INDEX audit_events_campaign ON "${s}".audit_events (campaign, seq);
      CREATE INDEX audit_events_action_at ON "${s}".audit_events (action, at);
      CREATE INDEX audit_events_at ON "${s}".audit_events (at);
      CREATE FUNCTION "${s}".audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END
      $$;
      CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON "${s}".audit_events
        FOR EACH ROW EXECUTE FUNCTION "${s}".audit_events_append_only();
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON "${s}".audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION "${s}".audit_events_append_only();
    `,
  },
];

/** Apply the migrations not applied yet; returns the versions applied now. */
export async function migrate(db: SqlDb, schema: string): Promise<number[]> {
  const t = tables(schema);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`atrium.migrations:${schema}`]);
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${t.schema}; CREATE TABLE IF NOT EXISTS ${t.migrations} (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ version: number }>(`SELECT version FROM ${t.migrations}`)).rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql(schema));
      await tx.query(`INSERT INTO ${t.migrations} (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
