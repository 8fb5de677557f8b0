/**
 * Writes to NetX (DamWrites, vendor-apis-writes §6): rights and approval attributes, and the
 * partner distribution as NetX folders.
 *
 * | port method | JSON-RPC calls |
 * | --- | --- |
 * | writeFields | `updateAsset [{id, attributes: {"<name>": [values]}}, {data: ["asset.id", "asset.attributes"]}]`, or with `attributeWrite: {method}` that method `[assetId, {"<name>": [values]}]` |
 * | distributionOf | `getAssets [[assetId], {data: ["asset.id", "asset.folders"]}]` |
 * | removeFromDistribution | that read, then `removeAssetFromFolder [assetId, folderId]` per folder it is in |
 * | addToDistribution | that read, then `addAssetToFolder [assetId, folderId, {}]` per folder it is not in |
 *
 * Provenance: `updateAsset` (with `name`, `fileName`) and `addAssetToFolder` are SEEN. That
 * `updateAsset` writes `attributes` is INFERRED (the read group's shape written back), a
 * dedicated attribute method and `removeAssetFromFolder` are NOT FOUND: every method name is an
 * option, and a name the server does not have (`-32601`) fails BAD_REQUEST naming the option,
 * never as a fault worth retrying. Because the attribute path is INFERRED, the asset
 * `updateAsset` answers is checked: an attribute it did not take fails BAD_REQUEST too.
 *
 * Retries: every call sets a state (the named attributes' values overwrite, membership of one
 * folder) instead of adding to one, so sending it again changes nothing, and the shared core
 * may retry it on 5xx, 429 and timeouts like a read. For the same reason membership is read
 * first and only the missing changes are sent: removing what is out or adding what is in sends
 * no write at all, whatever a NetX would answer for such a no-op (NOT FOUND).
 *
 * Values are mapped by the inverse of map.ts (names from `mapping.netx.attributes`, vocabulary
 * from `mapping.netx.values`), so a value written reads back as the same canonical value.
 */
import { UpstreamError } from '../http/errors.ts';
import { toVendor, type DamField, type Mapping } from '../mapping.ts';
import { APPROVAL_STATUSES, REGIONS, RIGHTS_STATUSES } from '../model.ts';
import type { DamFieldValues, DamWrites } from '../ports.ts';
import { assetNumber } from './map.ts';
import { rpcFailure, type NetxRpc } from './rpc.ts';
import { RPC_ERRORS, WRITE_METHODS } from './wire.ts';

export interface NetxWriteOptions {
  /**
   * How attribute values are written (INFERRED upstream). `updateAsset` (default): through
   * `updateAsset`'s `attributes`. `{ method }`: a dedicated method called
   * `[assetId, {"<name>": [values]}]`, e.g. `setAssetAttributes`.
   */
  attributeWrite?: 'updateAsset' | { method: string };
  /** NetX folder ids that are the partner distribution (the DamWrites containers). Default none. */
  distributionFolders?: number[];
  /** Method names: `update` (default `updateAsset`), `addToFolder` (`addAssetToFolder`), `removeFromFolder` (`removeAssetFromFolder`). */
  methods?: { update?: string; addToFolder?: string; removeFromFolder?: string };
}

/** Write options checked and defaulted. */
export interface ResolvedWriteOptions {
  update: string;
  addToFolder: string;
  removeFromFolder: string;
  /** The dedicated attribute method, or undefined for `updateAsset`'s `attributes`. */
  attributeMethod?: string;
  distributionFolders: readonly number[];
}

/** A JSON-RPC method name: a plain identifier (it is sent, and named in error messages). */
const METHOD_NAME = /^[A-Za-z_][A-Za-z0-9_.]{0,99}$/;

/** Check the write options; throws TypeError naming the bad one. */
export function checkWriteOptions(o: NetxWriteOptions): ResolvedWriteOptions {
  const method = (v: string | undefined, fallback: string, name: string): string => {
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !METHOD_NAME.test(v)) throw new TypeError(`createNetxClient: ${name} must be a JSON-RPC method name`);
    return v;
  };
  const folders = o.distributionFolders ?? [];
  if (!Array.isArray(folders) || folders.some((f) => !Number.isSafeInteger(f) || f <= 0))
    throw new TypeError('createNetxClient: distributionFolders must be positive integer folder ids');
  const aw = o.attributeWrite ?? 'updateAsset';
  if (aw !== 'updateAsset' && (typeof aw !== 'object' || aw === null || typeof aw.method !== 'string'))
    throw new TypeError("createNetxClient: attributeWrite must be 'updateAsset' or { method }");
  return {
    update: method(o.methods?.update, WRITE_METHODS.update, 'methods.update'),
    addToFolder: method(o.methods?.addToFolder, WRITE_METHODS.addToFolder, 'methods.addToFolder'),
    removeFromFolder: method(o.methods?.removeFromFolder, WRITE_METHODS.removeFromFolder, 'methods.removeFromFolder'),
    ...(aw === 'updateAsset' ? {} : { attributeMethod: method(aw.method, '', 'attributeWrite.method') }),
    distributionFolders: [...new Set(folders)],
  };
}

const bad = (what: string) => new UpstreamError('NETX', 'BAD_REQUEST', what);
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const TERRITORIES: readonly string[] = [...REGIONS, 'WORLD'];

/** An ISO date-time as the date attributes carry it (an ISO-8601 instant); null clears. */
function dateValue(v: unknown, field: string): string[] {
  if (v === null) return [];
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw bad(`${field} is not an ISO date-time`);
  return [new Date(t).toISOString()];
}

/** A list written whole: each value a non-empty string (and one of `allowed` when given), no repeats. */
function listValue(v: unknown, field: string, allowed?: readonly string[]): string[] {
  if (v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '' || (allowed && !allowed.includes(x))))
    throw bad(`${field} must be a list of ${allowed ? allowed.join(', ') : 'non-empty strings'}`);
  return [...new Set(v as string[])];
}

/** One pick-list value in its vendor spelling; null clears. */
function pickValue(mapping: Mapping, field: 'approval' | 'rightsStatus', v: unknown, allowed: readonly string[]): string[] {
  if (v === null) return [];
  if (typeof v !== 'string' || !allowed.includes(v)) throw bad(`${field} must be one of ${allowed.join(', ')}`);
  return [toVendor(mapping.netx.values, field, v)];
}

/**
 * The NetX attributes for canonical field values: the attribute names of `mapping.netx.attributes`,
 * vendor values from `mapping.netx.values` (approval, rights status), dates as ISO instants,
 * lists whole; `null` or `[]` is `[]` (cleared). Fields left undefined are not written. Pure;
 * throws BAD_REQUEST for a value that is not of its field's type.
 */
export function toNetxAttributes(values: DamFieldValues, mapping: Mapping): Record<string, string[]> {
  const names = mapping.netx.attributes;
  const out: Record<string, string[]> = {};
  const put = (field: DamField, v: unknown, write: (v: unknown) => string[]) => {
    if (v !== undefined) out[names[field]] = write(v);
  };
  put('approval', values.approval, (v) => pickValue(mapping, 'approval', v, APPROVAL_STATUSES));
  put('rightsStatus', values.rightsStatus, (v) => pickValue(mapping, 'rightsStatus', v, RIGHTS_STATUSES));
  put('validFrom', values.validFrom, (v) => dateValue(v, 'validFrom'));
  put('validUntil', values.validUntil, (v) => dateValue(v, 'validUntil'));
  put('territories', values.territories, (v) => listValue(v, 'territories', TERRITORIES));
  put('channels', values.channels, (v) => listValue(v, 'channels'));
  return out;
}

/** Whether two attribute values are the same: as sets, dates compared as instants. */
function sameValues(written: readonly string[], returned: unknown): boolean {
  if (!Array.isArray(returned)) return false;
  const key = (x: unknown) => {
    const s = String(x).trim();
    const t = /^\d{4}-\d{2}-\d{2}/.test(s) ? Date.parse(s) : NaN;
    return Number.isNaN(t) ? s : `@${t}`;
  };
  const a = new Set(written.map(key));
  const b = new Set(returned.filter((x) => String(x).trim() !== '').map(key));
  return a.size === b.size && [...a].every((x) => b.has(x));
}

/**
 * The attributes an `updateAsset` answer shows were not taken: a NetX whose `updateAsset`
 * ignores `attributes` (the INFERRED part) answers the asset as it was. Pure; [] when the answer
 * carries no attributes group to compare with.
 */
export function unappliedAttributes(written: Record<string, string[]>, answer: unknown): string[] {
  if (!isObj(answer) || !isObj(answer.attributes)) return [];
  const got = answer.attributes;
  return Object.entries(written)
    .filter(([name, values]) => !sameValues(values, got[name] ?? []))
    .map(([name]) => name);
}

/** The folder ids of a `getAssets` answer's `asset.folders` group, or MALFORMED. Pure. */
export function folderIdsOf(asset: unknown): Set<number> {
  const malformed = (what: string) => new UpstreamError('NETX', 'MALFORMED', `malformed response: ${what}`);
  if (!isObj(asset) || !Array.isArray(asset.folders)) throw malformed('asset has no folders group');
  return new Set(
    asset.folders.map((f) => {
      if (!isObj(f) || !Number.isSafeInteger(f.id)) throw malformed('a folder of the asset has no integer id');
      return f.id as number;
    }),
  );
}

/** The DamWrites of a NetX client, over its JSON-RPC transport. */
export function createNetxWrites(rpc: NetxRpc, mapping: Mapping, o: ResolvedWriteOptions): DamWrites {
  /** The asset's number, or NOT_FOUND without a request. */
  const idOf = (assetId: string): number => {
    const id = assetNumber(assetId);
    if (id === null) throw new UpstreamError('NETX', 'NOT_FOUND', 'no such asset');
    return id;
  };

  /** Configured distribution folders named by `containers`; another one is BAD_REQUEST. */
  const foldersNamed = (containers: readonly string[]): number[] => {
    const ids = containers.map((c) => {
      const n = typeof c === 'string' ? assetNumber(c) : null;
      if (n === null || !o.distributionFolders.includes(n)) {
        throw bad(`${n === null ? 'a container' : `folder ${n}`} is not a configured distribution folder`);
      }
      return n;
    });
    return [...new Set(ids)];
  };

  /**
   * One write call. `-32601` names the option that set the method; the other JSON-RPC errors
   * are typed as for reads, with what was being done.
   */
  async function send(method: string, option: string, params: unknown[], action: string): Promise<unknown> {
    const out = await rpc.outcome(method, params);
    if (out.ok) return out.result;
    if (out.code === RPC_ERRORS.methodNotFound) {
      throw bad(`this NetX has no method "${method}" (JSON-RPC -32601): set the connector option ${option} to the method it has`);
    }
    const f = rpcFailure(out.code);
    const why: Partial<Record<UpstreamError['kind'], string>> = {
      FORBIDDEN: 'access not allowed for this apiToken, or no such asset or folder',
      BAD_REQUEST: `NetX refused it (JSON-RPC error ${String(out.code)}): check the NetX attribute names and values of mapping.netx`,
    };
    throw new UpstreamError('NETX', f.kind, `${action}: ${why[f.kind] ?? f.message.replace(/^NETX: /, '')}`);
  }

  /** The folders the asset is filed in now. */
  async function membership(id: number): Promise<Set<number>> {
    const result = await rpc.call('getAssets', [[id], { data: ['asset.id', 'asset.folders'] }]);
    const list = isObj(result) && Array.isArray(result.results) ? result.results : undefined;
    if (!list) throw new UpstreamError('NETX', 'MALFORMED', 'malformed response: getAssets result has no results list');
    const asset = list.find((r) => isObj(r) && r.id === id);
    if (!asset) throw new UpstreamError('NETX', 'NOT_FOUND', `asset ${id} does not exist`);
    return folderIdsOf(asset);
  }

  return {
    async writeFields(assetId: string, values: DamFieldValues): Promise<void> {
      const id = idOf(assetId);
      const attributes = toNetxAttributes(values, mapping);
      if (Object.keys(attributes).length === 0) return;
      const action = `writing attributes of asset ${id}`;
      if (o.attributeMethod !== undefined) {
        await send(o.attributeMethod, 'attributeWrite.method', [id, attributes], action);
        return;
      }
      const answer = await send(o.update, 'methods.update', [{ id, attributes }, { data: ['asset.id', 'asset.attributes'] }], action);
      if (isObj(answer) && answer.id !== undefined && answer.id !== id)
        throw new UpstreamError('NETX', 'MALFORMED', `malformed response: ${o.update} answered another asset`);
      const ignored = unappliedAttributes(attributes, answer);
      if (ignored.length) {
        throw bad(
          `${action}: ${o.update} did not apply ${ignored.map((n) => `"${n}"`).join(', ')}; ` +
            'if this NetX writes attributes through another method, set the connector option attributeWrite',
        );
      }
    },

    async distributionOf(assetId: string): Promise<string[]> {
      const id = idOf(assetId);
      if (o.distributionFolders.length === 0) return [];
      const member = await membership(id);
      return o.distributionFolders.filter((f) => member.has(f)).map(String);
    },

    async removeFromDistribution(assetId: string, containers: readonly string[]): Promise<void> {
      const id = idOf(assetId);
      const folders = foldersNamed(containers);
      if (folders.length === 0) return;
      const member = await membership(id);
      for (const f of folders) {
        if (member.has(f)) await send(o.removeFromFolder, 'methods.removeFromFolder', [id, f], `removing asset ${id} from folder ${f}`);
      }
    },

    async addToDistribution(assetId: string, containers: readonly string[]): Promise<void> {
      const id = idOf(assetId);
      const folders = foldersNamed(containers);
      if (folders.length === 0) return;
      const member = await membership(id);
      for (const f of folders) {
        if (!member.has(f)) await send(o.addToFolder, 'methods.addToFolder', [id, f, {}], `adding asset ${id} to folder ${f}`);
      }
    },
  };
}
