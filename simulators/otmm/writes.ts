/**
 * The simulated OTMM's asset writes (vendor-apis-writes.md §7.2): lock and unlock (`PUT
 * /assets/{id}/state`, form `action`), the edit (`PATCH /assets/{id}`, `edited_asset`), and the
 * security policies (`GET /securitypolicies`, `security_policy_list` on assets). Paths and action
 * names are INFERRED and options (the connector's defaults, OTMM_WRITE_DEFAULTS).
 *
 * Locks belong to a session: another session's lock is 409 for a lock, an unlock and an edit; an
 * edit without the lock is 409 too (INFERRED status). Locking what the caller holds already, or
 * unlocking what nobody holds, succeeds (INFERRED). A lock dies with its session (signed out or
 * expired), so a crashed writer cannot keep an asset locked past the session lifetime. An edit
 * moves the asset's `date_last_updated` forward (past its previous value, even within one
 * millisecond), so every read and the change feed see it.
 */
import type { DemoAsset, DemoWorld } from '../demo/world.ts';
import type { AssetPatch } from '../demo/asset-changes.ts';
import { first, type Handler, type Method, type SimRequest, type SimResponse } from '../framework/server.ts';
import { OTMM_WRITE_DEFAULTS, type OtmmAsset, type OtmmSecurityPolicyRef } from '../../sources/otmm/wire.ts';
import { EditInputError, parseEdit, type EditContext } from './edits.ts';
import { DEMO_OTMM_SECURITY_POLICIES, demoPolicyIds } from './policies.ts';

export interface OtmmWriteSimOptions {
  /** Paths of the state (lock/unlock) and edit calls, `{id}` for the asset id. Default OTMM_WRITE_DEFAULTS. */
  writePaths?: { state?: string; edit?: string };
  /** The state call's `action` values. Default `lock` / `unlock`. */
  lockActions?: { lock: string; unlock: string };
}

export interface WriteDeps {
  /** The world as served (with this DAM's changes). */
  world: DemoWorld;
  /** The world as generated (the policies an asset starts with come from it). */
  generated: DemoWorld;
  /** Register a vendor route; `path` is below the API base path. */
  route(method: Method, path: string, handler: Handler): void;
  /** Wrap a handler in session auth; it gets the caller's session id. */
  authed(handler: (req: SimRequest, sessionId: string) => SimResponse): Handler;
  fail(status: number, message: string): SimResponse;
  /** Whether a session is still signed in. */
  sessionAlive(sessionId: string): boolean;
  /** Apply an edit to an asset, moving its modify date forward; null when there is no such asset. */
  update(nativeId: string, patch: AssetPatch): DemoAsset | null;
  /** The asset as `asset_resource` serves it after a write. */
  render(a: DemoAsset): OtmmAsset;
  edit: Omit<EditContext, 'policies'>;
}

/** What reads need to know of the writes. */
export interface WriteState {
  isLocked(nativeId: string): boolean;
  policiesOf(a: DemoAsset): OtmmSecurityPolicyRef[];
  /** A created asset starts with the demo policies its own rights give it. */
  created(a: DemoAsset): void;
  /** Forget every lock and policy change (the simulator's reset). */
  clear(): void;
}

const isForm = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const POLICY_NAMES = new Map(DEMO_OTMM_SECURITY_POLICIES.map((p) => [p.id, p.name]));

/** A path template (`/assets/{id}/state`) as a route pattern. */
function patternOf(template: string, what: string): string {
  if (!template.startsWith('/') || !template.includes('{id}'))
    throw new TypeError(`OTMM simulator ${what} must start with / and contain {id}`);
  return template.replaceAll('{id}', ':asset_id');
}

/** Register the write routes; answers the state reads render from. */
export function registerWrites(deps: WriteDeps, opts: OtmmWriteSimOptions = {}): WriteState {
  const statePattern = patternOf(opts.writePaths?.state ?? OTMM_WRITE_DEFAULTS.statePath, 'writePaths.state');
  const editPattern = patternOf(opts.writePaths?.edit ?? OTMM_WRITE_DEFAULTS.editPath, 'writePaths.edit');
  const actions = opts.lockActions ?? { lock: OTMM_WRITE_DEFAULTS.lock, unlock: OTMM_WRITE_DEFAULTS.unlock };
  const editCtx: EditContext = { ...deps.edit, policies: new Set(POLICY_NAMES.keys()) };
  const { fail } = deps;

  /** Asset id -> the session holding its lock. */
  const locks = new Map<string, string>();
  /** Asset id -> its security policy ids, where they differ from the generated world's. */
  const policies = new Map<string, number[]>();

  /** The live holder of an asset's lock (a dead session's lock is gone). */
  const holderOf = (id: string): string | undefined => {
    const holder = locks.get(id);
    if (holder !== undefined && !deps.sessionAlive(holder)) locks.delete(id);
    return locks.get(id);
  };
  const policyIds = (a: DemoAsset): number[] =>
    policies.get(a.nativeId) ??
    (a.index < deps.generated.counts.assets.OTMM ? demoPolicyIds(deps.generated.asset('OTMM', a.index)) : demoPolicyIds(a));

  deps.route(
    'PUT',
    statePattern,
    deps.authed((req, session) => {
      const id = req.params.asset_id ?? '';
      const asset = deps.world.assetById('OTMM', id);
      if (!asset) return fail(404, 'The asset does not exist.');
      const action = first(isForm(req.body) ? req.body.action : undefined) ?? first(req.query.action);
      if (action !== actions.lock && action !== actions.unlock)
        return fail(400, `Unknown asset state action: ${String(action).slice(0, 40)}`);
      const holder = holderOf(id);
      if (holder !== undefined && holder !== session) return fail(409, 'The asset is locked by another user.');
      if (action === actions.lock) locks.set(id, session);
      else locks.delete(id);
      return { body: { asset_resource: { asset: deps.render(asset) } } };
    }),
  );

  deps.route(
    'PATCH',
    editPattern,
    deps.authed((req, session) => {
      const id = req.params.asset_id ?? '';
      if (!deps.world.assetById('OTMM', id)) return fail(404, 'The asset does not exist.');
      const holder = holderOf(id);
      if (holder === undefined) return fail(409, 'The asset must be locked before it is edited.');
      if (holder !== session) return fail(409, 'The asset is locked by another user.');
      let parsed;
      try {
        parsed = parseEdit(req.body, editCtx);
      } catch (e) {
        if (e instanceof EditInputError) return fail(400, e.message);
        throw e;
      }
      if (parsed.policies) policies.set(id, parsed.policies);
      // Always an update, so a policy-only edit moves the modify date too.
      const updated = deps.update(id, parsed.patch) as DemoAsset;
      return { body: { asset_resource: { asset: deps.render(updated) } } };
    }),
  );

  deps.route(
    'GET',
    '/securitypolicies',
    deps.authed(() => ({ body: { security_policies_resource: { security_policy_list: DEMO_OTMM_SECURITY_POLICIES } } })),
  );

  return {
    isLocked: (id) => holderOf(id) !== undefined,
    policiesOf: (a) => policyIds(a).map((id) => ({ id, name: POLICY_NAMES.get(id) ?? String(id) })),
    created: (a) => void policies.set(a.nativeId, demoPolicyIds(a)),
    clear() {
      locks.clear();
      policies.clear();
    },
  };
}
