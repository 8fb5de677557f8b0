/**
 * Where each asset's write-back stands (storage's `asset_sync`): its state, the licence it follows,
 * the values last written, and the distribution containers Atrium took it out of. One statement
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

export interface SyncStorePort {
  /** Create or change an asset's record (fields not in the patch are kept). */
  mark(asset: { assetId: string; system: string; nativeId: string }, patch: SyncPatch, now: string): Promise<void>;
  /** Records by asset global id, in key order (null: never written back). */
  get(assetIds: readonly string[]): Promise<(SyncRecord | null)[]>;
  /** Records in a state (any when null), most recently changed first. */
  list(state: SyncState | null, limit: number, offset: number): Promise<{ items: SyncRecord[]; total: number }>;
  close(): Promise<void>;
}

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
  /** The thread is its owner's to close. */
  async close(): Promise<void> {}
}
