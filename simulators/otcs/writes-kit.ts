/**
 * What the write routes share: the audit events they record, the vendor's answers for the
 * errors the reference lists (vendor-apis-writes §2, cs-schema texts), and parsing of the
 * values a form or `body=` JSON carries.
 */
import { first, type Handler, type SimResponse } from '../framework/server.ts';
import { SUBTYPE } from '../../sources/otcs/wire.ts';
import type { CategoryError } from './categories.ts';
import { fail, type CoreSim, type SimNode } from './kit.ts';
import { OverlayFull } from './overlay.ts';

/** Audit events of writes: ids and names as vendor-apis-writes §3.2 lists them (SEEN csui-audit). */
export const EVENTS = {
  create: { type: 1, name: 'Create' },
  rename: { type: 5, name: 'Rename' },
  attribute: { type: 10, name: 'Attribute Value Changed' },
  version: { type: 11, name: 'Version Added' },
  classification: { type: 264, name: 'Classification Applied' },
} as const;

/** Nodes that can hold other nodes. */
const CONTAINERS = new Set<number>([SUBTYPE.folder, SUBTYPE.businessWorkspace, SUBTYPE.enterpriseVolume]);
export const isContainer = (n: SimNode): boolean => CONTAINERS.has(n.type);

/** Longest node name Content Server takes [INFERRED: its documented name limit is 248 characters]. */
export const MAX_NAME = 248;

/** The SPEC text for a node that does not exist or may not be seen (createNode2, updateNode2, addVersion2: 400). */
export const INACCESSIBLE =
  'Sorry, the item you requested could not be accessed. Either it does not exist or you do not have permission to access it. If you were sent a link to this item, please contact the sender for assistance.';

/** 500 "An item with the name '{name}' already exists." (SPEC createNode2; vendor-apis §1.7). */
export const alreadyExists = (name: string): SimResponse => fail(500, `An item with the name '${name}' already exists.`);

/** 409 on a stale metadata token (SPEC updateCategory2, updateNode2). */
export const editConflict = (): SimResponse => fail(409, 'Could not update metadata (edit conflict).');

/** 400 "Missing required parameter '{name}'" (SPEC createNode2; addVersion2 writes it 'File'). */
export const missingParameter = (name: string): SimResponse => fail(400, `Missing required parameter '${name}'`);

/** A create whose parent does not exist, as the `missingParentStatus` option says. */
export function missingParent(ctx: CoreSim, raw: string): SimResponse {
  return ctx.opts.missingParentStatus === 500 ? fail(500, `Could not get a node for ${raw.slice(0, 64)}`) : fail(400, INACCESSIBLE);
}

/** A category a create names that does not exist (`badCategoryStatus`), or categories it cannot parse (500, SEEN). */
export function badCategories(ctx: CoreSim, e: CategoryError, typeName: string): SimResponse {
  if (e.reason === 'malformed') return fail(500, "The role 'categories' of the parameter 'roles' cannot be parsed.", e.message);
  return fail(ctx.opts.badCategoryStatus, `Could not create a new ${typeName}`, e.message);
}

/** A node id from a form or JSON value (JSON bodies send numbers, forms strings): a positive integer, else null. */
export function idOf(v: unknown): number | null {
  const s = typeof v === 'number' ? String(v) : first(v);
  if (s === undefined || !/^\d{1,15}$/.test(s.trim())) return null;
  const n = Number(s.trim());
  return n > 0 ? n : null;
}

/** A value that is JSON in a plain form field (`roles=...`) and an object in a `body=` JSON: the object. */
export function jsonValue(v: unknown): unknown {
  const s = typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
  if (s === undefined) return v;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
}

/** A boolean flag of a form (`true`, `1`) or JSON body. */
export const flag = (v: unknown): boolean => v === true || ['true', '1'].includes(String(first(v) ?? '').toLowerCase());

/** The sibling of `parentId` named `name` (exact match, INFERRED), other than `except`. */
export function siblingNamed(ctx: CoreSim, parentId: number, name: string, except?: number): SimNode | undefined {
  return ctx.nodes.children(parentId).find((c) => c.name === name && c.id !== except);
}

/** A write route: a full overlay answers 500 with a message saying so (not a vendor answer: a simulator limit). */
export function writeRoute(handler: Handler): Handler {
  return async (req) => {
    try {
      return await handler(req);
    } catch (e) {
      if (e instanceof OverlayFull)
        return fail(500, 'The simulator cannot store more writes', `${e.message}; POST /__sim/reset clears what was written.`);
      throw e;
    }
  };
}
