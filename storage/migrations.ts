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
export function tables(schema: string): {
  records: string;
  sets: string;
  objects: string;
  checkpoints: string;
  jobs: string;
  outboxEvents: string;
  feedCursors: string;
  subscriptions: string;
  deliveries: string;
  attempts: string;
  assetSync: string;
  reviews: string;
  publications: string;
  migrations: string;
  schema: string;
} {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid audit schema name "${schema}"`);
  const q = `"${schema}"`;
  return {
    schema: q,
    records: `${q}.audit_records`,
    sets: `${q}.audit_object_sets`,
    objects: `${q}.audit_objects`,
    checkpoints: `${q}.audit_checkpoints`,
    jobs: `${q}.flow_jobs`,
    outboxEvents: `${q}.outbox_events`,
    feedCursors: `${q}.feed_cursors`,
    subscriptions: `${q}.webhook_subscriptions`,
    deliveries: `${q}.webhook_deliveries`,
    attempts: `${q}.webhook_attempts`,
    assetSync: `${q}.asset_sync`,
    reviews: `${q}.asset_reviews`,
    publications: `${q}.publications`,
    migrations: `${q}.atrium_migrations`,
  };
}

/** The append-only triggers of a table (its own function refuses UPDATE, DELETE and TRUNCATE). */
const appendOnly = (s: string, table: string) => `
  CREATE FUNCTION "${s}".${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '${table} is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
  $$;
  CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON "${s}".${table}
    FOR EACH ROW EXECUTE FUNCTION "${s}".${table}_append_only();
  CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON "${s}".${table}
    FOR EACH STATEMENT EXECUTE FUNCTION "${s}".${table}_append_only();
`;

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
  {
    // One row per response instead of one per object. Objects are described once, in
    // audit_objects; the ordered list of objects a response handed out is stored once, in
    // audit_object_sets (a page read a thousand times is one set), and a record names its
    // set. So a response of a hundred objects costs one narrow row and one hash, however
    // many objects it holds, and only a new page costs more. The first schema's events are
    // carried over unchanged, hashes included (format 1); audit_events is no longer written.
    version: 2,
    name: 'audit_records, audit_object_sets and audit_objects: one chained row per response',
    sql: (s) => `
      CREATE TABLE "${s}".audit_objects (
        key         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        object_id   text,
        object_type text,
        system      text,
        native_id   text,
        version     text,
        campaign    text,
        UNIQUE NULLS NOT DISTINCT (object_id, object_type, system, native_id, version, campaign)
      );
      ${appendOnly(s, 'audit_objects')}
      CREATE TABLE "${s}".audit_object_sets (
        key         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        -- sha256 of the keys, comma-separated, in order: the same set is stored once.
        digest      text NOT NULL UNIQUE,
        object_keys integer[] NOT NULL,
        campaigns   text[] NOT NULL
      );
      -- A set's keys are a few kilobytes: stored out of line uncompressed, since compressing
      -- them costs PGlite (WASM) several times the rest of the insert.
      ALTER TABLE "${s}".audit_object_sets ALTER COLUMN object_keys SET STORAGE EXTERNAL, ALTER COLUMN campaigns SET STORAGE EXTERNAL;
      CREATE INDEX audit_object_sets_objects ON "${s}".audit_object_sets USING gin (object_keys);
      CREATE INDEX audit_object_sets_campaigns ON "${s}".audit_object_sets USING gin (campaigns);
      ${appendOnly(s, 'audit_object_sets')}
      CREATE TABLE "${s}".audit_records (
        seq          bigint PRIMARY KEY,
        -- Not indexed: only a retried batch looks its records up, by time (audit_records_at).
        id           text NOT NULL,
        at           timestamptz NOT NULL,
        action       text NOT NULL,
        principal_id text,
        email        text,
        org          text,
        ip           text,
        user_agent   text,
        request_id   text,
        rendition    text,
        detail       text,
        -- The objects handed out, in order; null when none (a gap marker).
        set_key      integer REFERENCES "${s}".audit_object_sets (key),
        format       smallint NOT NULL,
        prev_hash    text NOT NULL,
        hash         text NOT NULL
      );
      -- Every index costs each row again (most of an insert in PGlite): a filter by reader id
      -- (rather than email) narrows by time and scans.
      CREATE INDEX audit_records_set ON "${s}".audit_records (set_key, seq);
      CREATE INDEX audit_records_email ON "${s}".audit_records (lower(email), seq);
      -- Partial where most rows would only cost: staff readers have no company, and views
      -- outnumber downloads by far (views filtered by action narrow by time instead).
      CREATE INDEX audit_records_org ON "${s}".audit_records (org, seq) WHERE org IS NOT NULL;
      CREATE INDEX audit_records_downloads ON "${s}".audit_records (at) WHERE action = 'download';
      CREATE INDEX audit_records_at ON "${s}".audit_records (at);
      ${appendOnly(s, 'audit_records')}
      INSERT INTO "${s}".audit_objects (object_id, object_type, system, native_id, version, campaign)
        SELECT DISTINCT object_id, object_type, system, native_id, version, campaign FROM "${s}".audit_events
        WHERE num_nonnulls(object_id, object_type, system, native_id, version, campaign) > 0;
      INSERT INTO "${s}".audit_object_sets (digest, object_keys, campaigns)
        SELECT encode(sha256(convert_to(o.key::text, 'UTF8')), 'hex'), ARRAY[o.key],
          CASE WHEN coalesce(o.campaign, '') = '' THEN '{}'::text[] ELSE ARRAY[o.campaign] END
        FROM "${s}".audit_objects o ORDER BY o.key;
      INSERT INTO "${s}".audit_records
        SELECT e.seq, e.id, e.at, e.action, e.principal_id, e.email, e.org, e.ip, e.user_agent, e.request_id, e.rendition, e.detail,
          st.key, 1, e.prev_hash, e.hash
        FROM "${s}".audit_events e
        LEFT JOIN "${s}".audit_objects o ON (o.object_id, o.object_type, o.system, o.native_id, o.version, o.campaign)
          IS NOT DISTINCT FROM (e.object_id, e.object_type, e.system, e.native_id, e.version, e.campaign)
          AND num_nonnulls(e.object_id, e.object_type, e.system, e.native_id, e.version, e.campaign) > 0
        LEFT JOIN "${s}".audit_object_sets st ON st.object_keys = ARRAY[o.key]
        ORDER BY e.seq;
    `,
  },
  {
    // Signed statements of the chain's head (audit/checkpoint.ts): a chain whose tail was cut
    // off still verifies on its own, so the head is signed from time to time and kept here,
    // in the log and wherever the checkpoints are exported.
    version: 3,
    name: 'audit_checkpoints, append-only',
    sql: (s) => `
      CREATE TABLE "${s}".audit_checkpoints (
        id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        seq       bigint NOT NULL,
        hash      text NOT NULL,
        at        timestamptz NOT NULL,
        key_id    text NOT NULL,
        signature text NOT NULL
      );
      ${appendOnly(s, 'audit_checkpoints')}
    `,
  },
  {
    // The flows' durable writes (flows/jobs.ts): one row per command, keyed by who asked and
    // their idempotency key; the steps done so far and their results, so a crash between steps
    // resumes at the next one; and a lease, so one runner (of any gateway) works a job at a time.
    version: 4,
    name: 'flow_jobs',
    sql: (s) => `
      CREATE TABLE "${s}".flow_jobs (
        id              text PRIMARY KEY,
        kind            text NOT NULL,
        actor           text NOT NULL,
        idempotency_key text NOT NULL,
        input_hash      text NOT NULL,
        input           jsonb NOT NULL,
        state           text NOT NULL,
        steps           jsonb NOT NULL DEFAULT '{}'::jsonb,
        result          jsonb,
        error           text,
        attempts        integer NOT NULL DEFAULT 0,
        next_at         timestamptz NOT NULL,
        lease_until     timestamptz,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        UNIQUE (actor, idempotency_key)
      );
      CREATE INDEX flow_jobs_due ON "${s}".flow_jobs (next_at) WHERE state = 'pending';
    `,
  },
  {
    // Content events out (flows/outbox/): the outbox of change events (deduplicated on their id,
    // in insertion order), each feed's cursor (written in the same transaction as its events),
    // webhook subscriptions, one delivery per event and subscription (claimed with FOR UPDATE
    // SKIP LOCKED: the same SQL on PGlite and PostgreSQL), and every attempt of a delivery.
    version: 5,
    name: 'outbox_events, feed_cursors, webhook_subscriptions, webhook_deliveries, webhook_attempts',
    sql: (s) => `
      CREATE TABLE "${s}".outbox_events (
        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id           text NOT NULL UNIQUE,
        feed         text NOT NULL,
        type         text NOT NULL,
        source       text NOT NULL,
        object_id    text NOT NULL,
        object_type  text NOT NULL,
        campaign     text,
        account      text,
        time         timestamptz NOT NULL,
        data         jsonb NOT NULL,
        created_at   timestamptz NOT NULL,
        -- When its deliveries were made (null: not yet fanned out to the subscriptions).
        fanned_out_at timestamptz
      );
      CREATE INDEX outbox_events_fan_out ON "${s}".outbox_events (seq) WHERE fanned_out_at IS NULL;
      CREATE TABLE "${s}".feed_cursors (
        feed       text PRIMARY KEY,
        cursor     text NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE "${s}".webhook_subscriptions (
        id                    text PRIMARY KEY,
        owner_id              text NOT NULL,
        -- Who owns it, as the visibility of its events is decided: a person's roles or a client's scopes, when it was made.
        owner_kind            text NOT NULL,
        owner_name            text NOT NULL,
        owner_grants          text[] NOT NULL,
        url                   text NOT NULL,
        events                text[] NOT NULL,
        description           text NOT NULL DEFAULT '',
        secret                text NOT NULL,
        -- The secret before the last rotation, still signing beside the new one until previous_until.
        previous_secret       text,
        previous_until        timestamptz,
        state                 text NOT NULL,
        created_at            timestamptz NOT NULL,
        updated_at            timestamptz NOT NULL
      );
      CREATE INDEX webhook_subscriptions_owner ON "${s}".webhook_subscriptions (owner_id, created_at);
      CREATE TABLE "${s}".webhook_deliveries (
        id              text PRIMARY KEY,
        subscription_id text NOT NULL REFERENCES "${s}".webhook_subscriptions (id) ON DELETE CASCADE,
        event_seq       bigint NOT NULL REFERENCES "${s}".outbox_events (seq),
        object_id       text NOT NULL,
        state           text NOT NULL,
        attempts        integer NOT NULL DEFAULT 0,
        next_at         timestamptz NOT NULL,
        lease_id        text,
        lease_until     timestamptz,
        -- Where its retry horizon starts (its creation, or its last replay).
        window_start    timestamptz NOT NULL,
        last_status     integer,
        last_error      text,
        delivered_at    timestamptz,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        UNIQUE (subscription_id, event_seq)
      );
      CREATE INDEX webhook_deliveries_due ON "${s}".webhook_deliveries (next_at) WHERE state = 'pending';
      CREATE INDEX webhook_deliveries_order ON "${s}".webhook_deliveries (subscription_id, object_id, event_seq) WHERE state = 'pending';
      CREATE INDEX webhook_deliveries_log ON "${s}".webhook_deliveries (subscription_id, event_seq);
      CREATE TABLE "${s}".webhook_attempts (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id text NOT NULL REFERENCES "${s}".webhook_deliveries (id) ON DELETE CASCADE,
        at          timestamptz NOT NULL,
        status_code integer,
        latency_ms  integer NOT NULL,
        error       text
      );
      CREATE INDEX webhook_attempts_delivery ON "${s}".webhook_attempts (delivery_id, id);
    `,
  },
  {
    // Client subscriptions carry only what the client could read (access/policy/webhooks.ts): the
    // facts that decide it are kept with each event (null for events appended before: clients
    // are not sent those).
    version: 6,
    name: 'outbox_events.audience',
    sql: (s) => `ALTER TABLE "${s}".outbox_events ADD COLUMN audience jsonb;`,
  },
  {
    // Write-back to the DAMs (flows/writeback/): per asset, where its rights write-back stands,
    // what was last written, and the distribution containers Atrium took it out of (to put it
    // back into exactly those when its rights are renewed).
    version: 7,
    name: 'asset_sync',
    sql: (s) => `
      CREATE TABLE "${s}".asset_sync (
        asset_id        text PRIMARY KEY,
        system          text NOT NULL,
        native_id       text NOT NULL,
        state           text NOT NULL,
        licence         text,
        written         jsonb,
        removed_from    text[] NOT NULL DEFAULT '{}',
        last_written_at timestamptz,
        last_error      text,
        updated_at      timestamptz NOT NULL
      );
      CREATE INDEX asset_sync_state ON "${s}".asset_sync (state, updated_at);
    `,
  },
  {
    // Reviews of DAM assets in Content Server workflows, and content published into the DAMs
    // (flows/writeback/): what was asked, where it stands, what was decided or published.
    version: 8,
    name: 'asset_reviews, publications, flow_jobs.seq',
    sql: (s) => `
      CREATE TABLE "${s}".asset_reviews (
        id            text PRIMARY KEY,
        process_id    text,
        workspace_id  text NOT NULL,
        asset_ids     text[] NOT NULL,
        requested_by  text NOT NULL,
        note          text NOT NULL DEFAULT '',
        due_date      text,
        state         text NOT NULL,
        decision      text,
        comment       text,
        decided_by    text,
        decided_at    timestamptz,
        record_id     text,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      );
      CREATE INDEX asset_reviews_open ON "${s}".asset_reviews (state) WHERE state IN ('REQUESTED', 'RUNNING');
      CREATE INDEX asset_reviews_assets ON "${s}".asset_reviews USING gin (asset_ids);
      CREATE TABLE "${s}".publications (
        source_id     text NOT NULL,
        system        text NOT NULL,
        asset_id      text NOT NULL,
        version       integer NOT NULL,
        published_at  timestamptz NOT NULL,
        PRIMARY KEY (source_id, system)
      );
      -- Jobs due at the same instant are taken in the order they were made (one group's jobs run in order).
      ALTER TABLE "${s}".flow_jobs ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
    `,
  },
];

/** Apply the migrations not applied yet; returns the versions applied now. */
export async function migrate(db: SqlDb, schema: string): Promise<number[]> {
  const t = tables(schema);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`atrium.migrations:${schema}`]);
    await tx.exec(
      `CREATE SCHEMA IF NOT EXISTS ${t.schema}; CREATE TABLE IF NOT EXISTS ${t.migrations} (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
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
