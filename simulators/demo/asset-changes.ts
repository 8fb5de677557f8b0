/**
 * What the demo world changes over time in one DAM: assets edited (title, description,
 * approval, rights, metadata) and assets created, over the immutable generated world.
 *
 * `view` is the world as that DAM serves it after the changes: an object whose prototype is
 * the world, with `asset`, `counts` and `campaignAssets` overridden, so every world method a
 * simulator calls (`assetById`, `assets`, `assetIndex`, ...) sees edited and created assets.
 * Created assets take the next indexes after the world's, so their native ids are the vendor's
 * id format for that index and never collide with the world's. Every change moves the asset's
 * `modifiedAt` (the simulators serve it as the vendor's modify date), and listeners hear of it
 * (to drop memoized documents and to deliver webhooks).
 */
import type { ApprovalStatus, DamSystem, Rights } from '../../sources/model.ts';
import { APPROVAL_STATUSES, RIGHTS_STATUSES } from '../../sources/model.ts';
import type { Simulator } from '../framework/server.ts';
import type { DemoAsset, DemoWorld } from './world.ts';

/** An edit of an asset (each field optional; rights merge into the current rights). */
export interface AssetPatch {
  title?: string;
  description?: string;
  approval?: ApprovalStatus;
  rights?: Partial<Rights>;
  campaignCode?: string;
  accountId?: string;
  locale?: string;
}

export type AssetChange = { operation: 'create' | 'update'; asset: DemoAsset };

export interface AssetChanges {
  /** The world with this DAM's changes in (pass it to the simulator instead of the world). */
  readonly view: DemoWorld;
  /** Edit an asset; null when there is no such asset. Throws TypeError on a malformed patch. */
  update(nativeId: string, patch: AssetPatch): DemoAsset | null;
  /** Create an asset like `template` (a native id of this DAM, default its first asset), with the patch applied. */
  create(patch: AssetPatch & { template?: string }): DemoAsset;
  /** Be told of every change (after it is made). */
  onChange(listener: (change: AssetChange) => void): void;
  /** Forget every change (the simulator's reset); answers the indexes that were changed or created, to forget. */
  clear(): number[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Check a patch from a control route; throws TypeError naming the bad field. */
export function checkPatch(raw: unknown): AssetPatch {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TypeError('the body must be an object');
  const b = raw as Record<string, unknown>;
  const out: AssetPatch = {};
  for (const k of ['title', 'description', 'campaignCode', 'accountId', 'locale'] as const) {
    if (b[k] === undefined) continue;
    if (typeof b[k] !== 'string' || (b[k] as string).length > 500) throw new TypeError(`${k} must be a string`);
    out[k] = b[k] as string;
  }
  if (b.approval !== undefined) {
    if (!APPROVAL_STATUSES.includes(b.approval as ApprovalStatus)) throw new TypeError('approval must be PENDING, APPROVED or REJECTED');
    out.approval = b.approval as ApprovalStatus;
  }
  if (b.rights !== undefined) {
    const r = b.rights as Record<string, unknown>;
    if (typeof r !== 'object' || r === null) throw new TypeError('rights must be an object');
    const rights: Partial<Rights> = {};
    if (r.status !== undefined) {
      if (!RIGHTS_STATUSES.includes(r.status as Rights['status'])) throw new TypeError('rights.status is not a rights status');
      rights.status = r.status as Rights['status'];
    }
    for (const k of ['validFrom', 'validUntil'] as const) {
      if (r[k] === undefined) continue;
      if (typeof r[k] !== 'string' || Number.isNaN(Date.parse(r[k] as string))) throw new TypeError(`rights.${k} must be an ISO date`);
      rights[k] = new Date(r[k] as string).toISOString();
    }
    for (const k of ['territories', 'channels'] as const) {
      if (r[k] === undefined) continue;
      if (!Array.isArray(r[k]) || !(r[k] as unknown[]).every((x) => typeof x === 'string'))
        throw new TypeError(`rights.${k} must be strings`);
      (rights as Record<string, unknown>)[k] = r[k];
    }
    out.rights = rights;
  }
  if (b.template !== undefined && typeof b.template !== 'string') throw new TypeError('template must be a native id');
  return { ...out, ...(typeof b.template === 'string' ? { template: b.template } : {}) } as AssetPatch;
}

/** Changes of one DAM over a world. `now` is the clock of modify and create dates. */
export function createAssetChanges(world: DemoWorld, system: DamSystem, now: () => number = Date.now): AssetChanges {
  const base = world.counts.assets[system];
  let edits = new Map<number, DemoAsset>();
  let created: DemoAsset[] = [];
  const listeners: ((c: AssetChange) => void)[] = [];
  const view = Object.create(world) as DemoWorld;
  const counts = { ...world.counts, assets: { ...world.counts.assets } };
  Object.defineProperty(view, 'counts', { value: counts, enumerable: true });
  const generated = (s: DamSystem, i: number): DemoAsset => world.asset.call(view, s, i);
  view.asset = (s: DamSystem, i: number): DemoAsset => {
    if (s !== system) return generated(s, i);
    if (i >= base) {
      const c = created[i - base];
      if (!c) throw new RangeError(`no ${system} asset ${i}`);
      return c;
    }
    return edits.get(i) ?? generated(s, i);
  };
  view.campaignAssets = function* (s: DamSystem, code: string): Generator<DemoAsset> {
    yield* world.campaignAssets.call(view, s, code);
    if (s === system) yield* created.filter((a) => a.campaignCode === code);
  };

  const apply = (a: DemoAsset, p: AssetPatch, at: string): DemoAsset => ({
    ...a,
    ...(p.title !== undefined ? { title: p.title } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
    ...(p.approval !== undefined ? { approval: p.approval } : {}),
    ...(p.campaignCode !== undefined ? { campaignCode: p.campaignCode } : {}),
    ...(p.accountId !== undefined ? { accountId: p.accountId } : {}),
    ...(p.locale !== undefined ? { locale: p.locale } : {}),
    rights: { ...a.rights, ...(p.rights ?? {}) },
    modifiedAt: at,
  });
  const tell = (c: AssetChange) => {
    for (const l of listeners) l(c);
  };

  return {
    view,
    update(nativeId, patch) {
      const i = view.assetIndex(system, nativeId);
      if (i < 0) return null;
      const next = apply(view.asset(system, i), patch, iso(now()));
      if (i >= base) created[i - base] = next;
      else edits.set(i, next);
      tell({ operation: 'update', asset: next });
      return next;
    },
    create(patch) {
      const ti = patch.template ? view.assetIndex(system, patch.template) : 0;
      if (ti < 0) throw new TypeError('template is not an asset of this DAM');
      const index = base + created.length;
      const at = iso(now());
      const asset = { ...apply(view.asset(system, ti), patch, at), index, nativeId: world.assetId(system, index), createdAt: at };
      delete asset.variantOf;
      created.push(asset);
      counts.assets[system] = base + created.length;
      tell({ operation: 'create', asset });
      return asset;
    },
    onChange: (l) => void listeners.push(l),
    clear() {
      const touched = [...edits.keys(), ...created.map((a) => a.index)];
      edits = new Map();
      created = [];
      counts.assets[system] = base;
      return touched;
    },
  };
}

/** A control route's view of an asset: what a test needs to find it again. */
const summary = (a: DemoAsset) => ({
  id: a.nativeId,
  title: a.title,
  approval: a.approval,
  rights: a.rights,
  campaignCode: a.campaignCode ?? null,
  accountId: a.accountId ?? null,
  createdAt: a.createdAt,
  modifiedAt: a.modifiedAt,
});

/**
 * The control routes of a DAM simulator's changes: `POST /__sim/assets/{id}` (edit: an
 * `AssetPatch`) and `POST /__sim/assets` (create: an `AssetPatch` plus an optional `template`
 * native id whose kind, renditions and metadata it copies).
 */
export function registerAssetControls(sim: Simulator, changes: AssetChanges): void {
  sim.control('POST', '/__sim/assets/:id', (req) => {
    try {
      const a = changes.update(req.params.id ?? '', checkPatch(req.body));
      return a ? { body: summary(a) } : { status: 404, body: { error: 'no such asset' } };
    } catch (e) {
      if (e instanceof TypeError) return { status: 400, body: { error: e.message } };
      throw e;
    }
  });
  sim.control('POST', '/__sim/assets', (req) => {
    try {
      return { status: 201, body: summary(changes.create(checkPatch(req.body))) };
    } catch (e) {
      if (e instanceof TypeError) return { status: 400, body: { error: e.message } };
      throw e;
    }
  });
}
