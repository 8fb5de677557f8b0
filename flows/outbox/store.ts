/**
 * The outbox's durable record (storage migration 5): change events (deduplicated on their id,
 * numbered in insertion order) and each feed's cursor, written together in one transaction;
 * webhook subscriptions; one delivery per event and subscription that may carry it; every
 * attempt of a delivery. Runs on the storage thread (remote.ts) like the flows' job store; every
 * method takes plain values and answers plain values, and times come from the caller's clock.
 *
 * Deliveries are claimed with `FOR UPDATE SKIP LOCKED`, the same SQL on PGlite and PostgreSQL,
 * so several dispatchers (one per gateway) share them without taking one twice; a delivery is
 * claimable only when no earlier delivery of the same subscription and object is still pending
 * (ordered per object).
 */
import { randomUUID } from 'node:crypto';
import type { SqlDb, SqlRunner } from '../../storage/db.ts';
import { sharedDatabase, type DatabaseOptions, type SharedDatabase } from '../../storage/database.ts';
import { tables } from '../../storage/migrations.ts';
import { webhookEventDecision, type WebhookOwner } from '../../access/policy.ts';
import { EVENT_TYPES, type ChangeEvent, type EventAudience, type EventType } from './events.ts';

export type SubscriptionState = 'active' | 'paused';
export type DeliveryState =
  /** Waiting for its (next) attempt from `nextAt`; a dispatcher holds it while `leaseUntil` is ahead. */
  | 'pending'
  /** A 2xx was received. */
  | 'delivered'
  /** Refused for good (a 4xx other than 408 and 429): replayable. */
  | 'failed'
  /** Kept failing past the retry horizon: replayable. */
  | 'dead';

export interface Subscription {
  id: string;
  ownerId: string;
  ownerKind: 'person' | 'client';
  /** The owner's email or client name, for listings. */
  ownerName: string;
  /** The owner's roles or scopes when the subscription was made. */
  ownerGrants: string[];
  url: string;
  events: EventType[];
  description: string;
  state: SubscriptionState;
  createdAt: string;
  updatedAt: string;
}

/** A subscription with what signs its deliveries (never leaves the server but to the dispatcher). */
export interface SubscriptionSecrets {
  secret: string;
  previousSecret: string | null;
  previousUntil: string | null;
}

export interface StoredEvent extends ChangeEvent {
  seq: number;
  feed: string;
}

export interface Attempt {
  at: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventSeq: number;
  eventId: string;
  eventType: EventType;
  objectId: string;
  state: DeliveryState;
  attempts: number;
  nextAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  windowStart: string;
  createdAt: string;
  updatedAt: string;
}

/** A claimed delivery: what the dispatcher needs to send it. */
export interface ClaimedDelivery {
  delivery: Delivery;
  event: StoredEvent;
  url: string;
  /** The secrets that sign it: the current one first. */
  secrets: string[];
  leaseId: string;
}

/** How an attempt ended, as the dispatcher decided. */
export type AttemptOutcome =
  { state: 'delivered' } | { state: 'pending'; nextAt: string } | { state: 'failed' | 'dead'; pauseSubscription?: boolean };

export interface NewSubscription {
  ownerId: string;
  owner: WebhookOwner;
  ownerName: string;
  url: string;
  events: EventType[];
  description: string;
  secret: string;
}

/** What the gateway and the dispatcher need of the store (the store itself, or its proxy on the storage thread). */
export interface OutboxStorePort {
  append(feed: string, events: readonly ChangeEvent[], cursor: string, now: string): Promise<{ appended: number }>;
  cursor(feed: string): Promise<string | null>;
  fanOut(limit: number, now: string): Promise<{ events: number; deliveries: number }>;
  consume(consumer: string, limit: number): Promise<StoredEvent[]>;
  ack(consumer: string, seq: number, now: string): Promise<void>;
  claim(limit: number, leaseUntil: string, now: string): Promise<ClaimedDelivery[]>;
  record(deliveryId: string, leaseId: string, attempt: Attempt, outcome: AttemptOutcome, now: string): Promise<boolean>;
  createSubscription(s: NewSubscription, now: string): Promise<Subscription>;
  subscription(id: string): Promise<Subscription | null>;
  subscriptions(ownerId: string | null): Promise<Subscription[]>;
  setState(id: string, state: SubscriptionState, now: string): Promise<Subscription | null>;
  rotateSecret(id: string, secret: string, previousUntil: string, now: string): Promise<Subscription | null>;
  deleteSubscription(id: string): Promise<boolean>;
  deliveries(
    subscriptionId: string,
    state: DeliveryState | null,
    limit: number,
    offset: number,
  ): Promise<{ items: (Delivery & { attemptLog: Attempt[] })[]; total: number }>;
  delivery(id: string): Promise<Delivery | null>;
  replay(id: string, now: string): Promise<Delivery | null>;
  close(): Promise<void>;
}

interface SubscriptionRow {
  id: string;
  owner_id: string;
  owner_kind: 'person' | 'client';
  owner_name: string;
  owner_grants: string[];
  url: string;
  events: string[];
  description: string;
  secret: string;
  previous_secret: string | null;
  previous_until: Date | string | null;
  state: SubscriptionState;
  created_at: Date | string;
  updated_at: Date | string;
}

interface EventRow {
  seq: number | string;
  id: string;
  feed: string;
  type: EventType;
  source: ChangeEvent['source'];
  object_id: string;
  object_type: ChangeEvent['objectType'];
  campaign: string | null;
  account: string | null;
  time: Date | string;
  data: unknown;
  audience: unknown;
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  event_seq: number | string;
  event_id: string;
  event_type: EventType;
  object_id: string;
  state: DeliveryState;
  attempts: number;
  next_at: Date | string;
  lease_id: string | null;
  window_start: Date | string;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

interface AttemptRow {
  delivery_id: string;
  at: Date | string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}

const iso = (t: Date | string) => new Date(t).toISOString();
const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

const subscriptionOf = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  ownerId: r.owner_id,
  ownerKind: r.owner_kind,
  ownerName: r.owner_name,
  ownerGrants: [...r.owner_grants],
  url: r.url,
  events: [...r.events] as EventType[],
  description: r.description,
  state: r.state,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const eventOf = (r: EventRow): StoredEvent => ({
  seq: Number(r.seq),
  feed: r.feed,
  id: r.id,
  type: r.type,
  source: r.source,
  objectId: r.object_id,
  objectType: r.object_type,
  campaign: r.campaign,
  account: r.account,
  time: iso(r.time),
  data: (json(r.data) as ChangeEvent['data']) ?? {},
  ...(r.audience ? { audience: json(r.audience) as EventAudience } : {}),
});

const deliveryOf = (r: DeliveryRow): Delivery => ({
  id: r.id,
  subscriptionId: r.subscription_id,
  eventSeq: Number(r.event_seq),
  eventId: r.event_id,
  eventType: r.event_type,
  objectId: r.object_id,
  state: r.state,
  attempts: Number(r.attempts),
  nextAt: r.state === 'pending' ? iso(r.next_at) : null,
  lastStatus: r.last_status === null ? null : Number(r.last_status),
  lastError: r.last_error,
  deliveredAt: r.delivered_at ? iso(r.delivered_at) : null,
  windowStart: iso(r.window_start),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const SOURCES = new Set(['OTCS', 'ICONIK', 'NETX', 'OTMM']);
const OBJECT_TYPES = new Set(['Workspace', 'Document', 'Asset']);

/** What is wrong with an event a feed hands in, or null (a feed's bug: the whole append is refused). */
export function eventProblem(e: ChangeEvent): string | null {
  if (typeof e?.id !== 'string' || e.id.length === 0 || e.id.length > 200) return 'id must be 1-200 characters';
  if (!(EVENT_TYPES as readonly string[]).includes(e.type)) return `type "${String(e.type)}" is not an event type`;
  if (!SOURCES.has(e.source)) return `source "${String(e.source)}" is not a source`;
  if (!OBJECT_TYPES.has(e.objectType)) return `objectType "${String(e.objectType)}" is not an object type`;
  if (typeof e.objectId !== 'string' || e.objectId.length === 0 || e.objectId.length > 512) return 'objectId must be 1-512 characters';
  if (typeof e.time !== 'string' || Number.isNaN(Date.parse(e.time))) return 'time must be an ISO date-time';
  const a = e.audience;
  if (a !== undefined) {
    if (typeof a !== 'object' || a === null) return 'audience must be an object';
    if (a.approvals !== undefined && (!Array.isArray(a.approvals) || a.approvals.some((x) => typeof x !== 'string' || x.length > 40)))
      return 'audience.approvals must be a list of approval values';
    if (a.classification !== undefined && (typeof a.classification !== 'string' || a.classification.length > 40))
      return 'audience.classification must be a classification';
  }
  return null;
}

export interface OutboxStoreOptions extends DatabaseOptions {
  /** The database shared with the other stores of this thread. */
  db?: SharedDatabase;
}

export class OutboxStore implements OutboxStorePort {
  private readonly t: ReturnType<typeof tables>;

  constructor(private readonly opts: OutboxStoreOptions = {}) {
    this.t = tables(opts.schema ?? 'public');
    this.database = opts.db ?? sharedDatabase(opts);
  }

  /** The shared database when given one (its owner closes it), else one of its own, opened on first use. */
  private readonly database: SharedDatabase;

  private open(): Promise<SqlDb> {
    return this.database();
  }

  private async rows<T>(sql: string, params: unknown[] = [], runner?: SqlRunner): Promise<T[]> {
    return (await (runner ?? (await this.open())).query<T>(sql, params)).rows;
  }

  /**
   * Append the events not seen before (an id already in the outbox is skipped, whichever feed
   * wrote it) and set the feed's cursor, in one transaction: either both land or neither.
   */
  async append(feed: string, events: readonly ChangeEvent[], cursor: string, now: string): Promise<{ appended: number }> {
    if (typeof feed !== 'string' || feed.length === 0 || feed.length > 200) throw new Error('a feed name must be 1-200 characters');
    if (typeof cursor !== 'string') throw new Error('a feed cursor must be a string');
    for (const e of events) {
      const problem = eventProblem(e);
      if (problem) throw new Error(`event ${String(e?.id).slice(0, 200)} refused: ${problem}`);
    }
    return (await this.open()).transaction(async (tx) => {
      // One append at a time (across processes too): events then commit in the order of their
      // seq, so a consumer reading past its cursor never skips one committed later with a lower seq.
      if (events.length) await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`atrium.outbox.append:${this.t.outboxEvents}`]);
      let appended = 0;
      for (const e of events) {
        const r = await this.rows<{ seq: number }>(
          `INSERT INTO ${this.t.outboxEvents} (id, feed, type, source, object_id, object_type, campaign, account, time, data, created_at, audience)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12::jsonb) ON CONFLICT (id) DO NOTHING RETURNING seq`,
          [
            e.id,
            feed,
            e.type,
            e.source,
            e.objectId,
            e.objectType,
            e.campaign ?? null,
            e.account ?? null,
            e.time,
            JSON.stringify(e.data ?? {}),
            now,
            e.audience ? JSON.stringify(e.audience) : null,
          ],
          tx,
        );
        appended += r.length;
      }
      await tx.query(
        `INSERT INTO ${this.t.feedCursors} (feed, cursor, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (feed) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at`,
        [feed, cursor, now],
      );
      return { appended };
    });
  }

  async cursor(feed: string): Promise<string | null> {
    return (await this.rows<{ cursor: string }>(`SELECT cursor FROM ${this.t.feedCursors} WHERE feed = $1`, [feed]))[0]?.cursor ?? null;
  }

  /**
   * Up to `limit` events after a consumer's cursor, oldest first (an in-process consumer of the
   * outbox: write-back to the DAMs, status calls). A consumer seen for the first time starts after
   * the last event there is now: it gets what is appended from then on.
   */
  async consume(consumer: string, limit: number): Promise<StoredEvent[]> {
    const key = `consumer:${consumer}`;
    const at = (await this.rows<{ cursor: string }>(`SELECT cursor FROM ${this.t.feedCursors} WHERE feed = $1`, [key]))[0]?.cursor;
    if (at === undefined) {
      await this.rows(
        `INSERT INTO ${this.t.feedCursors} (feed, cursor, updated_at)
         SELECT $1, COALESCE(max(seq), 0)::text, now() FROM ${this.t.outboxEvents} ON CONFLICT (feed) DO NOTHING`,
        [key],
      );
      return [];
    }
    return (
      await this.rows<EventRow>(`SELECT * FROM ${this.t.outboxEvents} WHERE seq > $1 ORDER BY seq LIMIT $2`, [Number(at), limit])
    ).map(eventOf);
  }

  /** Move a consumer's cursor to `seq` (never back). */
  async ack(consumer: string, seq: number, now: string): Promise<void> {
    await this.rows(`UPDATE ${this.t.feedCursors} SET cursor = $2, updated_at = $3 WHERE feed = $1 AND cursor::bigint < $2::bigint`, [
      `consumer:${consumer}`,
      String(seq),
      now,
    ]);
  }

  /**
   * Make the deliveries of up to `limit` events not fanned out yet, oldest first: one per active
   * subscription whose event types include the event's and whose owner may see its object
   * (access/policy/webhooks.ts). The deliveries and the event's mark are one transaction.
   */
  async fanOut(limit: number, now: string): Promise<{ events: number; deliveries: number }> {
    return (await this.open()).transaction(async (tx) => {
      const events = (
        await this.rows<EventRow>(
          `SELECT * FROM ${this.t.outboxEvents} WHERE fanned_out_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
          tx,
        )
      ).map(eventOf);
      if (events.length === 0) return { events: 0, deliveries: 0 };
      const subs = (await this.rows<SubscriptionRow>(`SELECT * FROM ${this.t.subscriptions} WHERE state = 'active'`, [], tx)).map(
        subscriptionOf,
      );
      let deliveries = 0;
      for (const e of events) {
        const to = subs.filter(
          (s) => s.events.includes(e.type) && webhookEventDecision({ kind: s.ownerKind, grants: s.ownerGrants }, e).allowed,
        );
        for (const s of to) {
          const r = await this.rows(
            `INSERT INTO ${this.t.deliveries} (id, subscription_id, event_seq, object_id, state, attempts, next_at, window_start, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5, $5) ON CONFLICT (subscription_id, event_seq) DO NOTHING RETURNING id`,
            [randomUUID(), s.id, e.seq, e.objectId, now],
            tx,
          );
          deliveries += r.length;
        }
      }
      await tx.query(`UPDATE ${this.t.outboxEvents} SET fanned_out_at = $2 WHERE seq = ANY($1::bigint[])`, [events.map((e) => e.seq), now]);
      return { events: events.length, deliveries };
    });
  }

  /**
   * Lease up to `limit` deliveries that are due: pending, past their time, not leased to a live
   * dispatcher, of an active subscription, and with no earlier pending delivery of the same
   * subscription and object (which must be delivered, failed or dead first). Rows another
   * dispatcher is taking at the same moment are skipped.
   */
  async claim(limit: number, leaseUntil: string, now: string): Promise<ClaimedDelivery[]> {
    const leaseId = randomUUID();
    const t = this.t;
    const rows = await this.rows<DeliveryRow>(
      `UPDATE ${t.deliveries} SET lease_id = $2, lease_until = $3, updated_at = $4
       WHERE id IN (
         SELECT d.id FROM ${t.deliveries} d
         WHERE d.state = 'pending' AND d.next_at <= $4 AND (d.lease_until IS NULL OR d.lease_until < $4)
           AND EXISTS (SELECT 1 FROM ${t.subscriptions} s WHERE s.id = d.subscription_id AND s.state = 'active')
           AND NOT EXISTS (SELECT 1 FROM ${t.deliveries} e
             WHERE e.subscription_id = d.subscription_id AND e.object_id = d.object_id AND e.state = 'pending' AND e.event_seq < d.event_seq)
         ORDER BY d.next_at, d.event_seq LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
       RETURNING *`,
      [limit, leaseId, leaseUntil, now],
    );
    if (rows.length === 0) return [];
    const events = new Map(
      (await this.rows<EventRow>(`SELECT * FROM ${t.outboxEvents} WHERE seq = ANY($1::bigint[])`, [rows.map((r) => r.event_seq)])).map(
        (r) => [Number(r.seq), eventOf(r)],
      ),
    );
    const subs = new Map(
      (
        await this.rows<SubscriptionRow>(`SELECT * FROM ${t.subscriptions} WHERE id = ANY($1::text[])`, [
          [...new Set(rows.map((r) => r.subscription_id))],
        ])
      ).map((r) => [r.id, r]),
    );
    const out: ClaimedDelivery[] = [];
    for (const r of rows) {
      const event = events.get(Number(r.event_seq));
      const sub = subs.get(r.subscription_id);
      if (!event || !sub) continue;
      const previousValid = sub.previous_secret && sub.previous_until && new Date(sub.previous_until).getTime() > Date.parse(now);
      out.push({
        delivery: deliveryOf({ ...r, event_id: event.id, event_type: event.type }),
        event,
        url: sub.url,
        secrets: previousValid ? [sub.secret, sub.previous_secret as string] : [sub.secret],
        leaseId,
      });
    }
    return out;
  }

  /**
   * Record an attempt and its outcome, if the caller still holds the delivery's lease (a
   * dispatcher whose lease ran out and was taken over records nothing). One transaction.
   */
  async record(deliveryId: string, leaseId: string, attempt: Attempt, outcome: AttemptOutcome, now: string): Promise<boolean> {
    return (await this.open()).transaction(async (tx) => {
      const updated = await this.rows<{ subscription_id: string }>(
        `UPDATE ${this.t.deliveries}
         SET state = $3, attempts = attempts + 1, next_at = COALESCE($4, next_at), lease_id = NULL, lease_until = NULL,
             last_status = $5, last_error = $6, delivered_at = CASE WHEN $3 = 'delivered' THEN $7::timestamptz ELSE delivered_at END, updated_at = $7
         WHERE id = $1 AND lease_id = $2 RETURNING subscription_id`,
        [deliveryId, leaseId, outcome.state, outcome.state === 'pending' ? outcome.nextAt : null, attempt.statusCode, attempt.error, now],
        tx,
      );
      const row = updated[0];
      if (!row) return false;
      await tx.query(`INSERT INTO ${this.t.attempts} (delivery_id, at, status_code, latency_ms, error) VALUES ($1, $2, $3, $4, $5)`, [
        deliveryId,
        attempt.at,
        attempt.statusCode,
        Math.max(0, Math.round(attempt.latencyMs)),
        attempt.error,
      ]);
      if ('pauseSubscription' in outcome && outcome.pauseSubscription)
        await tx.query(`UPDATE ${this.t.subscriptions} SET state = 'paused', updated_at = $2 WHERE id = $1`, [row.subscription_id, now]);
      return true;
    });
  }

  async createSubscription(s: NewSubscription, now: string): Promise<Subscription> {
    const rows = await this.rows<SubscriptionRow>(
      `INSERT INTO ${this.t.subscriptions} (id, owner_id, owner_kind, owner_name, owner_grants, url, events, description, secret, state, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5::text[], $6, $7::text[], $8, $9, 'active', $10, $10) RETURNING *`,
      [`whs_${randomUUID()}`, s.ownerId, s.owner.kind, s.ownerName, [...s.owner.grants], s.url, s.events, s.description, s.secret, now],
    );
    return subscriptionOf(rows[0] as SubscriptionRow);
  }

  async subscription(id: string): Promise<Subscription | null> {
    const r = (await this.rows<SubscriptionRow>(`SELECT * FROM ${this.t.subscriptions} WHERE id = $1`, [id]))[0];
    return r ? subscriptionOf(r) : null;
  }

  /** Subscriptions of one owner (every one with `null`), oldest first. */
  async subscriptions(ownerId: string | null): Promise<Subscription[]> {
    const rows =
      ownerId === null
        ? await this.rows<SubscriptionRow>(`SELECT * FROM ${this.t.subscriptions} ORDER BY created_at, id`)
        : await this.rows<SubscriptionRow>(`SELECT * FROM ${this.t.subscriptions} WHERE owner_id = $1 ORDER BY created_at, id`, [ownerId]);
    return rows.map(subscriptionOf);
  }

  async setState(id: string, state: SubscriptionState, now: string): Promise<Subscription | null> {
    const r = (
      await this.rows<SubscriptionRow>(`UPDATE ${this.t.subscriptions} SET state = $2, updated_at = $3 WHERE id = $1 RETURNING *`, [
        id,
        state,
        now,
      ])
    )[0];
    return r ? subscriptionOf(r) : null;
  }

  /** A new secret; the current one keeps signing beside it until `previousUntil`. */
  async rotateSecret(id: string, secret: string, previousUntil: string, now: string): Promise<Subscription | null> {
    const r = (
      await this.rows<SubscriptionRow>(
        `UPDATE ${this.t.subscriptions} SET previous_secret = secret, previous_until = $3, secret = $2, updated_at = $4 WHERE id = $1 RETURNING *`,
        [id, secret, previousUntil, now],
      )
    )[0];
    return r ? subscriptionOf(r) : null;
  }

  /** Delete a subscription with its deliveries and their attempts. */
  async deleteSubscription(id: string): Promise<boolean> {
    return (await this.rows(`DELETE FROM ${this.t.subscriptions} WHERE id = $1 RETURNING id`, [id])).length > 0;
  }

  /** A subscription's deliveries, newest event first, with every attempt (oldest first). */
  async deliveries(
    subscriptionId: string,
    state: DeliveryState | null,
    limit: number,
    offset: number,
  ): Promise<{ items: (Delivery & { attemptLog: Attempt[] })[]; total: number }> {
    const t = this.t;
    const where = `d.subscription_id = $1 AND ($2::text IS NULL OR d.state = $2)`;
    const total = Number(
      (await this.rows<{ n: number | string }>(`SELECT count(*) AS n FROM ${t.deliveries} d WHERE ${where}`, [subscriptionId, state]))[0]
        ?.n ?? 0,
    );
    const rows = await this.rows<DeliveryRow>(
      `SELECT d.*, e.id AS event_id, e.type AS event_type FROM ${t.deliveries} d JOIN ${t.outboxEvents} e ON e.seq = d.event_seq
       WHERE ${where} ORDER BY d.event_seq DESC, d.id LIMIT $3 OFFSET $4`,
      [subscriptionId, state, limit, offset],
    );
    const attempts = rows.length
      ? await this.rows<AttemptRow>(`SELECT * FROM ${t.attempts} WHERE delivery_id = ANY($1::text[]) ORDER BY id`, [rows.map((r) => r.id)])
      : [];
    const byDelivery = new Map<string, Attempt[]>();
    for (const a of attempts) {
      const list = byDelivery.get(a.delivery_id) ?? [];
      list.push({
        at: iso(a.at),
        statusCode: a.status_code === null ? null : Number(a.status_code),
        latencyMs: Number(a.latency_ms),
        error: a.error,
      });
      byDelivery.set(a.delivery_id, list);
    }
    return { items: rows.map((r) => ({ ...deliveryOf(r), attemptLog: byDelivery.get(r.id) ?? [] })), total };
  }

  async delivery(id: string): Promise<Delivery | null> {
    const r = (
      await this.rows<DeliveryRow>(
        `SELECT d.*, e.id AS event_id, e.type AS event_type FROM ${this.t.deliveries} d JOIN ${this.t.outboxEvents} e ON e.seq = d.event_seq WHERE d.id = $1`,
        [id],
      )
    )[0];
    return r ? deliveryOf(r) : null;
  }

  /** Send a failed or dead delivery again from now, with a new retry horizon; null when it is neither. */
  async replay(id: string, now: string): Promise<Delivery | null> {
    const r = (
      await this.rows<{ id: string }>(
        `UPDATE ${this.t.deliveries} SET state = 'pending', next_at = $2, window_start = $2, lease_id = NULL, lease_until = NULL, updated_at = $2
         WHERE id = $1 AND state IN ('failed', 'dead') RETURNING id`,
        [id, now],
      )
    )[0];
    return r ? this.delivery(r.id) : null;
  }

  async close(): Promise<void> {
    if (!this.opts.db) await this.database.close();
  }
}
