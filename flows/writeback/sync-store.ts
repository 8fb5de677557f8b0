/**
 * Where each asset's write-back stands (storage's `asset_sync`): its state, the licence it follows,
 * the values last written, and the distribution containers Atrium took it out of; the reviews of
 * assets (`asset_reviews`) and what was published into the DAMs (`publications`). One statement
 * per change, so the store runs on the storage thread (its calls are messages) as well as beside
 * its caller. Times come from the caller's clock.
 */
import { fileURLToPath } from 'node:url';
import type { SqlDb } from '../../storage/db.ts';
import { sharedDatabase, type DatabaseOptions, type SharedDatabase } from '../../storage/database.ts';
import { tables } from '../../storage/migrations.ts';
import type { StorageWorker } from '../../storage/remote.ts';
import type { DamFieldValues } from '../../sources/ports.ts';

export type SyncState =
  /** A write-back is queued or being retried. */
  | 'PENDING'
  /** The DAM holds what Atrium last wrote. */
  | 'IN_SYNC'
  /** The last write-back failed for good (`lastError` says why). */
  | 'FAILED'
  /** Someone changed the DAM's copy of a field ECM owns since Atrium wrote it (it is written again). */
  | 'DRIFTED';

export interface SyncRecord {
  /** The asset's global id. */
  assetId: string;
  system: string;
  nativeId: string;
  state: SyncState;
  /** The Content Server node id of the licence the asset's rights follow. */
  licence: string | null;
  /** The values last written (or found already there). */
  written: DamFieldValues | null;
  /** Distribution containers Atrium took the asset out of (put back into exactly these on renewal). */
  removedFrom: string[];
  lastWrittenAt: string | null;
  lastError: string | null;
  updatedAt: string;
}

export type SyncPatch = Partial<Pick<SyncRecord, 'state' | 'licence' | 'written' | 'removedFrom' | 'lastWrittenAt' | 'lastError'>>;

export type ReviewState = 'REQUESTED' | 'RUNNING' | 'DECIDED' | 'STOPPED';

/** A review of DAM assets in a Content Server workflow. */
export interface ReviewRecord {
  id: string;
  processId: string | null;
  workspaceId: string;
  /** The assets' global ids. */
  assetIds: string[];
  requestedBy: string;
  note: string;
  dueDate: string | null;
  state: ReviewState;
  decision: 'APPROVED' | 'REJECTED' | null;
  comment: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  /** The approval record's document (node id) in the workspace. */
  recordId: string | null;
  createdAt: string;
  updatedAt: string;
}

export type ReviewPatch = Partial<
  Pick<ReviewRecord, 'processId' | 'state' | 'decision' | 'comment' | 'decidedBy' | 'decidedAt' | 'recordId'>
>;

/** What was published from a source object (a document's global id) into a DAM. */
export interface Publication {
  sourceId: string;
  system: string;
  /** The DAM's native id of the asset. */
  assetId: string;
  version: number;
  publishedAt: string;
}

export interface SyncStorePort {
  /** Create or change an asset's record (fields not in the patch are kept). */
  mark(asset: { assetId: string; system: string; nativeId: string }, patch: SyncPatch, now: string): Promise<void>;
  /** Records by asset global id, in key order (null: never written back). */
  get(assetIds: readonly string[]): Promise<(SyncRecord | null)[]>;
  /** Records in a state (any when null), most recently changed first. */
  list(state: SyncState | null, limit: number, offset: number): Promise<{ items: SyncRecord[]; total: number }>;
  /** Record a new review (an id already there is left as it is); the record as stored. */
  addReview(r: Omit<ReviewRecord, 'updatedAt'>): Promise<ReviewRecord>;
  updateReview(id: string, patch: ReviewPatch, now: string): Promise<void>;
  review(id: string): Promise<ReviewRecord | null>;
  /** Reviews still open (requested or running), oldest first. */
  openReviews(limit: number): Promise<ReviewRecord[]>;
  /** Reviews of each asset, newest first, in key order. */
  reviewsOf(assetIds: readonly string[]): Promise<ReviewRecord[][]>;
  /** Record what was published (the latest version wins). */
  published(p: Publication): Promise<void>;
  publication(sourceId: string, system: string): Promise<Publication | null>;
  close(): Promise<void>;
}

interface ReviewRow {
  id: string;
  process_id: string | null;
  workspace_id: string;
  asset_ids: string[];
  requested_by: string;
  note: string;
  due_date: string | null;
  state: ReviewState;
  decision: 'APPROVED' | 'REJECTED' | null;
  comment: string | null;
  decided_by: string | null;
  decided_at: Date | string | null;
  record_id: string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const reviewOf = (r: ReviewRow): ReviewRecord => ({
  id: r.id,
  processId: r.process_id,
  workspaceId: r.workspace_id,
  assetIds: [...r.asset_ids],
  requestedBy: r.requested_by,
  note: r.note,
  dueDate: r.due_date,
  state: r.state,
  decision: r.decision,
  comment: r.comment,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at === null ? null : new Date(r.decided_at).toISOString(),
  recordId: r.record_id,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

interface SyncRow {
  asset_id: string;
  system: string;
  native_id: string;
  state: SyncState;
  licence: string | null;
  written: unknown;
  removed_from: string[] | null;
  last_written_at: Date | string | null;
  last_error: string | null;
  updated_at: Date | string;
}

const iso = (t: Date | string | null) => (t === null ? null : new Date(t).toISOString());
const json = (v: unknown) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v);

const recordOf = (r: SyncRow): SyncRecord => ({
  assetId: r.asset_id,
  system: r.system,
  nativeId: r.native_id,
  state: r.state,
  licence: r.licence,
  written: (json(r.written) as DamFieldValues | null) ?? null,
  removedFrom: [...(r.removed_from ?? [])],
  lastWrittenAt: iso(r.last_written_at),
  lastError: r.last_error,
  updatedAt: iso(r.updated_at) as string,
});

export interface SyncStoreOptions extends DatabaseOptions {
  db?: SharedDatabase;
}

export class SyncStore implements SyncStorePort {
  private readonly t: ReturnType<typeof tables>;
  private readonly database: SharedDatabase;

  constructor(opts: SyncStoreOptions = {}) {
    this.t = tables(opts.schema ?? 'public');
    this.database = opts.db ?? sharedDatabase(opts);
  }

  private open(): Promise<SqlDb> {
    return this.database();
  }

  async mark(asset: { assetId: string; system: string; nativeId: string }, patch: SyncPatch, now: string): Promise<void> {
    const has = (k: keyof SyncPatch) => patch[k] !== undefined;
    await (
      await this.open()
    ).query(
      `INSERT INTO ${this.t.assetSync} AS s (asset_id, system, native_id, state, licence, written, removed_from, last_written_at, last_error, updated_at)
       VALUES ($1, $2, $3, COALESCE($4, 'PENDING'), $5, $6::jsonb, COALESCE($7::text[], '{}'), $8, $9, $10)
       ON CONFLICT (asset_id) DO UPDATE SET
         state = COALESCE($4, s.state),
         licence = CASE WHEN $11 THEN $5 ELSE s.licence END,
         written = CASE WHEN $12 THEN $6::jsonb ELSE s.written END,
         removed_from = COALESCE($7::text[], s.removed_from),
         last_written_at = CASE WHEN $13 THEN $8 ELSE s.last_written_at END,
         last_error = CASE WHEN $14 THEN $9 ELSE s.last_error END,
         updated_at = $10`,
      [
        asset.assetId,
        asset.system,
        asset.nativeId,
        patch.state ?? null,
        patch.licence ?? null,
        patch.written === undefined ? null : JSON.stringify(patch.written),
        patch.removedFrom ?? null,
        patch.lastWrittenAt ?? null,
        patch.lastError ?? null,
        now,
        has('licence'),
        has('written'),
        has('lastWrittenAt'),
        has('lastError'),
      ],
    );
  }

  async get(assetIds: readonly string[]): Promise<(SyncRecord | null)[]> {
    if (assetIds.length === 0) return [];
    const rows = (
      await (await this.open()).query<SyncRow>(`SELECT * FROM ${this.t.assetSync} WHERE asset_id = ANY($1::text[])`, [[...assetIds]])
    ).rows;
    const by = new Map(rows.map((r) => [r.asset_id, recordOf(r)]));
    return assetIds.map((id) => by.get(id) ?? null);
  }

  async list(state: SyncState | null, limit: number, offset: number): Promise<{ items: SyncRecord[]; total: number }> {
    const db = await this.open();
    const where = state ? 'WHERE state = $1' : '';
    const params = state ? [state] : [];
    const total = Number(
      (await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${this.t.assetSync} ${where}`, params)).rows[0]?.n ?? 0,
    );
    const rows = (
      await db.query<SyncRow>(
        `SELECT * FROM ${this.t.assetSync} ${where} ORDER BY updated_at DESC, asset_id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, limit, offset],
      )
    ).rows;
    return { items: rows.map(recordOf), total };
  }

  async addReview(r: Omit<ReviewRecord, 'updatedAt'>): Promise<ReviewRecord> {
    const db = await this.open();
    await db.query(
      `INSERT INTO ${this.t.reviews} (id, process_id, workspace_id, asset_ids, requested_by, note, due_date, state, decision, comment, decided_by, decided_at, record_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) ON CONFLICT (id) DO NOTHING`,
      [
        r.id,
        r.processId,
        r.workspaceId,
        r.assetIds,
        r.requestedBy,
        r.note,
        r.dueDate,
        r.state,
        r.decision,
        r.comment,
        r.decidedBy,
        r.decidedAt,
        r.recordId,
        r.createdAt,
      ],
    );
    return (await this.review(r.id)) as ReviewRecord;
  }

  async updateReview(id: string, patch: ReviewPatch, now: string): Promise<void> {
    const cols: Record<keyof ReviewPatch, string> = {
      processId: 'process_id',
      state: 'state',
      decision: 'decision',
      comment: 'comment',
      decidedBy: 'decided_by',
      decidedAt: 'decided_at',
      recordId: 'record_id',
    };
    const sets: string[] = [];
    const params: unknown[] = [id, now];
    for (const [k, col] of Object.entries(cols) as [keyof ReviewPatch, string][]) {
      if (patch[k] === undefined) continue;
      params.push(patch[k]);
      sets.push(`${col} = $${params.length}`);
    }
    await (await this.open()).query(`UPDATE ${this.t.reviews} SET ${[...sets, 'updated_at = $2'].join(', ')} WHERE id = $1`, params);
  }

  async review(id: string): Promise<ReviewRecord | null> {
    const row = (await (await this.open()).query<ReviewRow>(`SELECT * FROM ${this.t.reviews} WHERE id = $1`, [id])).rows[0];
    return row ? reviewOf(row) : null;
  }

  async openReviews(limit: number): Promise<ReviewRecord[]> {
    return (
      await (
        await this.open()
      ).query<ReviewRow>(`SELECT * FROM ${this.t.reviews} WHERE state IN ('REQUESTED', 'RUNNING') ORDER BY created_at, id LIMIT $1`, [
        limit,
      ])
    ).rows.map(reviewOf);
  }

  async reviewsOf(assetIds: readonly string[]): Promise<ReviewRecord[][]> {
    if (assetIds.length === 0) return [];
    const rows = (
      await (
        await this.open()
      ).query<ReviewRow>(`SELECT * FROM ${this.t.reviews} WHERE asset_ids && $1::text[] ORDER BY created_at DESC, id`, [[...assetIds]])
    ).rows.map(reviewOf);
    return assetIds.map((id) => rows.filter((r) => r.assetIds.includes(id)));
  }

  async published(p: Publication): Promise<void> {
    await (
      await this.open()
    ).query(
      `INSERT INTO ${this.t.publications} AS p (source_id, system, asset_id, version, published_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (source_id, system) DO UPDATE SET asset_id = $3, version = GREATEST(p.version, $4), published_at = $5`,
      [p.sourceId, p.system, p.assetId, p.version, p.publishedAt],
    );
  }

  async publication(sourceId: string, system: string): Promise<Publication | null> {
    const r = (
      await (
        await this.open()
      ).query<{ source_id: string; system: string; asset_id: string; version: number; published_at: Date | string }>(
        `SELECT * FROM ${this.t.publications} WHERE source_id = $1 AND system = $2`,
        [sourceId, system],
      )
    ).rows[0];
    return r
      ? {
          sourceId: r.source_id,
          system: r.system,
          assetId: r.asset_id,
          version: Number(r.version),
          publishedAt: new Date(r.published_at).toISOString(),
        }
      : null;
  }

  async close(): Promise<void> {}
}

/** How the storage thread makes the sync store. */
export const SYNC_SERVICE = { module: fileURLToPath(import.meta.url), className: 'SyncStore' };

/** The sync store on the storage thread, behind the same interface. */
export class RemoteSyncStore implements SyncStorePort {
  constructor(
    private readonly worker: StorageWorker,
    private readonly service = 'sync',
  ) {}

  private call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.worker.call<T>(this.service, method, ...args);
  }
  mark(asset: { assetId: string; system: string; nativeId: string }, patch: SyncPatch, now: string): Promise<void> {
    return this.call('mark', asset, patch, now);
  }
  get(assetIds: readonly string[]): Promise<(SyncRecord | null)[]> {
    return this.call('get', assetIds);
  }
  list(state: SyncState | null, limit: number, offset: number): Promise<{ items: SyncRecord[]; total: number }> {
    return this.call('list', state, limit, offset);
  }
  addReview(r: Omit<ReviewRecord, 'updatedAt'>): Promise<ReviewRecord> {
    return this.call('addReview', r);
  }
  updateReview(id: string, patch: ReviewPatch, now: string): Promise<void> {
    return this.call('updateReview', id, patch, now);
  }
  review(id: string): Promise<ReviewRecord | null> {
    return this.call('review', id);
  }
  openReviews(limit: number): Promise<ReviewRecord[]> {
    return this.call('openReviews', limit);
  }
  reviewsOf(assetIds: readonly string[]): Promise<ReviewRecord[][]> {
    return this.call('reviewsOf', assetIds);
  }
  published(p: Publication): Promise<void> {
    return this.call('published', p);
  }
  publication(sourceId: string, system: string): Promise<Publication | null> {
    return this.call('publication', sourceId, system);
  }
  /** The thread is its owner's to close. */
  async close(): Promise<void> {}
}
