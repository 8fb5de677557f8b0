/**
 * What the demo world changes over time in Content Server, as control routes under `/__sim/otcs/`
 * (no vendor API does these for a test: a reviewer acting on a workflow task, a licence
 * renegotiated, a legal hold put on or released), and the vendor's own hold write,
 * `POST /api/v1/nodes/{id}/holds` `body={"hold_id":N}` (SEEN pyxecm, vendor-apis §1.6).
 *
 * Each change is served afterwards by every read route (through the overlay), moves the node's
 * `modify_date`, and appends the audit row a poller reads:
 * - approval: the workflow's open step (or a new "Final Approval" step) takes the decision
 *   (`workflows`, `workflows/status/processes/{id}`); an approval also sets the document
 *   category's status to APPROVED (audit 10 "Attribute Value Changed"). Whether a real server
 *   moves a document's modify date when its workflow completes is NOT FOUND; here it does.
 * - licence: the document category's validity (`validUntil`, optionally `validFrom`,
 *   `rightsStatus`) is rewritten (audit 10), as an edit in the Content Server UI would.
 * - hold: the node's holds (`GET /api/v1/nodes/{id}/holds`) change; audit rows
 *   `HOLD_EVENTS` (event ids for holds are NOT FOUND: ours, exported for the poller's config).
 */
import { LEGAL_HOLDS } from '../demo/catalog.ts';
import type { Approval, ApprovalStatus, RightsStatus } from '../../sources/model.ts';
import { RIGHTS_STATUSES } from '../../sources/model.ts';
import type { SimRequest, SimResponse } from '../framework/server.ts';
import { documentCategory } from './categories.ts';
import { fail, formOf, noNode, parseNodeId, type CoreSim, type SimNode } from './kit.ts';
import type { Entry } from './overlay.ts';
import { EVENTS, idOf, missingParameter, writeRoute } from './writes-kit.ts';

/** Audit rows of hold changes. NOT FOUND in any public source: ids of our choosing, outside the SEEN list. */
export const HOLD_EVENTS = {
  applied: { type: 9101, name: 'Hold Applied' },
  removed: { type: 9102, name: 'Hold Removed' },
} as const;

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (error: string): SimResponse => ({ status: 400, body: { error } });
const isoOf = (v: unknown): string | null => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null);

function documentNode(ctx: CoreSim, raw: string | undefined): SimNode | SimResponse {
  const id = parseNodeId(raw);
  const n = id === null ? null : ctx.nodes.get(id);
  if (!n?.document) return { status: 404, body: { error: `no document ${String(raw).slice(0, 32)}` } };
  return n;
}
const isNode = (v: SimNode | SimResponse): v is SimNode => typeof (v as SimNode).categories === 'function';
const entryOf = (ctx: CoreSim, id: number): Entry => ctx.overlay.entry(id) ?? ctx.overlay.touch(id);

/** Rewrite the document category from canonical metadata changes: values, token, modify date, audit 10. */
function writeMetadata(ctx: CoreSim, n: SimNode, change: Record<string, unknown>): void {
  const doc = n.document;
  if (!doc) return;
  const cat = ctx.mapping.otcs.documentCategory.id;
  const e = entryOf(ctx, n.id);
  e.categories.set(cat, documentCategory({ metadata: { ...doc.metadata, ...change } }, ctx.mapping));
  e.categoryRevisions.set(cat, (e.categoryRevisions.get(cat) ?? 0) + 1);
  e.modifiedAt = ctx.overlay.now();
  ctx.overlay.audit(n.id, EVENTS.attribute, 1000);
}

/** `POST /__sim/otcs/documents/{id}/approval` `{decision: APPROVED|REJECTED, actor?, comment?}`. */
function approval(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = documentNode(ctx, req.params.id);
  if (!isNode(n)) return n;
  const body = isRec(req.body) ? req.body : {};
  const decision = body.decision as ApprovalStatus;
  if (decision !== 'APPROVED' && decision !== 'REJECTED') return bad('decision must be APPROVED or REJECTED');
  const doc = n.document as NonNullable<SimNode['document']>;
  const at = ctx.overlay.now();
  const actor = typeof body.actor === 'string' ? body.actor : (ctx.world.userById(1000)?.email ?? 'admin');
  const comment = typeof body.comment === 'string' ? body.comment : undefined;
  const steps: Approval[] = doc.workflow.map((s) => ({ ...s }));
  const open = steps.find((s) => s.decision === 'PENDING');
  const step: Approval = {
    step: open?.step ?? 'Final Approval',
    decision,
    actor,
    at,
    version: doc.versions.length || 1,
    ...(comment ? { comment } : {}),
  };
  if (open) steps[steps.indexOf(open)] = step;
  else steps.push(step);
  const e = entryOf(ctx, n.id);
  e.workflow = steps;
  e.modifiedAt = at;
  if (decision === 'APPROVED' && doc.status !== 'RELEASED') writeMetadata(ctx, n, { status: 'APPROVED' });
  return { body: { id: n.id, workflow: steps } };
}

/** `POST /__sim/otcs/documents/{id}/licence` `{validUntil, validFrom?, rightsStatus?}`: the licence terms move. */
function licence(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = documentNode(ctx, req.params.id);
  if (!isNode(n)) return n;
  const body = isRec(req.body) ? req.body : {};
  const validUntil = isoOf(body.validUntil);
  if (!validUntil) return bad('validUntil must be an ISO date');
  const change: Rec = { validUntil };
  if (body.validFrom !== undefined) {
    const from = isoOf(body.validFrom);
    if (!from) return bad('validFrom must be an ISO date');
    change.validFrom = from;
  }
  if (body.rightsStatus !== undefined) {
    if (!RIGHTS_STATUSES.includes(body.rightsStatus as RightsStatus)) return bad('unknown rightsStatus');
    change.rightsStatus = body.rightsStatus;
  }
  writeMetadata(ctx, n, change);
  return { body: { id: n.id, metadata: ctx.nodes.get(n.id)?.document?.metadata } };
}

/** Put a hold on a document or release it: holds, modify date, audit row. Returns false when nothing changed. */
function setHold(ctx: CoreSim, n: SimNode, holdId: number, on: boolean, userId: number): boolean {
  const current = n.document?.holdIds ?? [];
  if (current.includes(holdId) === on) return false;
  const e = entryOf(ctx, n.id);
  e.holds = on ? [...current, holdId] : current.filter((h) => h !== holdId);
  e.modifiedAt = ctx.overlay.now();
  ctx.overlay.audit(n.id, on ? HOLD_EVENTS.applied : HOLD_EVENTS.removed, userId);
  return true;
}

/** `POST /__sim/otcs/documents/{id}/holds` `{holdId, action: apply|release}`. */
function holdControl(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = documentNode(ctx, req.params.id);
  if (!isNode(n)) return n;
  const body = isRec(req.body) ? req.body : {};
  const holdId = Number(body.holdId);
  if (!LEGAL_HOLDS.some((h) => h.id === holdId)) return bad('unknown holdId');
  if (body.action !== 'apply' && body.action !== 'release') return bad('action must be apply or release');
  const changed = setHold(ctx, n, holdId, body.action === 'apply', 1000);
  return { body: { id: n.id, changed, holds: ctx.nodes.get(n.id)?.document?.holdIds ?? [] } };
}

/** `POST /api/v1/nodes/{id}/holds` `body={"hold_id":N}` (SEEN pyxecm): apply a hold. The answer's shape is NOT FOUND: `{}`. */
function applyHold(ctx: CoreSim, req: SimRequest): SimResponse {
  const id = parseNodeId(req.params.id);
  const n = id === null ? null : ctx.nodes.get(id);
  if (!n) return noNode(ctx, req.params.id ?? '');
  if (!n.document) return fail(400, `Node ${n.id} is not a document`);
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  if (form.fields.hold_id === undefined) return missingParameter('hold_id');
  const holdId = idOf(form.fields.hold_id);
  if (holdId === null || !LEGAL_HOLDS.some((h) => h.id === holdId)) return fail(400, 'Could not find the hold');
  setHold(ctx, n, holdId, true, ctx.userOf(req));
  return { body: { results: {} } };
}

/** Register the control routes and the hold write. */
export function registerChangeRoutes(ctx: CoreSim): void {
  ctx.sim.control('POST', '/__sim/otcs/documents/:id/approval', (r) => approval(ctx, r));
  ctx.sim.control('POST', '/__sim/otcs/documents/:id/licence', (r) => licence(ctx, r));
  ctx.sim.control('POST', '/__sim/otcs/documents/:id/holds', (r) => holdControl(ctx, r));
  ctx.route(
    'POST',
    '/api/v1/nodes/:id/holds',
    writeRoute((r) => applyHold(ctx, r)),
  );
}
