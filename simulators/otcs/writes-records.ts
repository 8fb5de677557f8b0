/**
 * Simulated records-management write (vendor-apis-writes §2.3, SEEN pyxecm
 * assign_rm_classification): `POST /api/v1/nodes/{id}/rmclassifications` with
 * `body={"class_id":N,"apply_to_sub_items":false}`, plus `"rm_metadataToken"` when changing
 * an existing classification. The record it makes is served by the RM reads
 * (`GET .../rmclassifications`, `.../classifications`) and recorded as audit event 264
 * "Classification Applied".
 *
 * INFERRED (README.md): the answer is 200 with the `GET` shape (the reference: "Response
 * shape of the POST: NOT FOUND ... return 200 with the updated GET shape"); the record date is
 * the moment of classification and the disposition date that plus the schedule's years; a
 * class the file plan does not hold is 400 (text ours); changing a classification without
 * the current token is 409 (`rmTokenRequired`).
 */
import { RETENTION_SCHEDULES, RM_CLASSIFICATIONS } from '../demo/catalog.ts';
import type { DemoRecord } from '../demo/world.ts';
import { first, type SimRequest, type SimResponse } from '../framework/server.ts';
import { fail, formOf, noNode, parseNodeId, type CoreSim, type SimNode } from './kit.ts';
import { rmClassificationsBody } from './records.ts';
import { editConflict, EVENTS, idOf, missingParameter, writeRoute } from './writes-kit.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The record a classification makes: dated now, disposed of after the schedule's years. */
export function recordOf(cls: { id: number; name: string; fileNumber: string; schedule: string }, at: string): DemoRecord | null {
  const schedule = RETENTION_SCHEDULES.find((s) => s.code === cls.schedule);
  if (!schedule) return null;
  const disposition = new Date(at);
  disposition.setUTCFullYear(disposition.getUTCFullYear() + schedule.years);
  return {
    rmClassificationId: cls.id,
    classification: cls.name,
    fileNumber: cls.fileNumber,
    schedule: schedule.code,
    scheduleTitle: schedule.title,
    recordDate: at,
    dispositionDate: iso(disposition.getTime()),
    disposition: schedule.disposition,
    status: 'ACTIVE',
  };
}

function classify(ctx: CoreSim, req: SimRequest): SimResponse {
  const id = parseNodeId(req.params.id);
  const n = id === null ? null : ctx.nodes.get(id);
  if (!n) return noNode(ctx, req.params.id ?? '');
  const doc = n.document;
  if (!doc) return fail(400, `Node ${n.id} is not a document`, 'The requested action is not supported by this node type.');
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const f = form.fields;
  if (f.class_id === undefined) return missingParameter('class_id');
  const classId = idOf(f.class_id);
  const cls = Object.values(RM_CLASSIFICATIONS).find((c) => c.id === classId);
  const record = cls ? recordOf(cls, ctx.overlay.now()) : null;
  if (!record) return fail(400, `Could not find the RM classification ${String(classId ?? f.class_id).slice(0, 32)}`);
  if (doc.record && ctx.opts.rmTokenRequired) {
    const token = first(f.rm_metadataToken);
    if (token !== ctx.overlay.token(n.id, 'rm')) return editConflict();
  }
  const e = ctx.overlay.entry(n.id) ?? ctx.overlay.touch(n.id);
  e.record = record;
  e.rmRevision++;
  e.modifiedAt = ctx.overlay.now();
  ctx.overlay.audit(n.id, EVENTS.classification, ctx.userOf(req));
  const after = ctx.nodes.get(n.id) as SimNode;
  return { body: rmClassificationsBody(ctx, after.document ?? doc) };
}

/** Register the RM classification write. */
export function registerRecordWriteRoutes(ctx: CoreSim): void {
  ctx.route(
    'POST',
    '/api/v1/nodes/:id/rmclassifications',
    writeRoute((r) => classify(ctx, r)),
  );
}
