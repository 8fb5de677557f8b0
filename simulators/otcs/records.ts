/**
 * Simulated governance routes: node audit (vendor-apis §1.6 Audit), classifications, RM
 * classifications and retention schedules, legal holds, workflow status and the workflow maps
 * a document offers. Where the vendor shape is unknown the choice is marked INFERRED here and
 * listed in sources/otcs/README.md (shared with the connector) or simulators/otcs/README.md.
 */
import { LEGAL_HOLDS, RETENTION_SCHEDULES } from '../demo/catalog.ts';
import type { Approval } from '../../sources/model.ts';
import { all, first, type SimRequest, type SimResponse } from '../framework/server.ts';
import { fail, noNode, nodeParam, pageOf, parseNodeId, selfLink, type CoreSim, type SimDocument, type SimNode } from './kit.ts';
import { CLASS_VOLUME_ID } from './node-store.ts';
import { dateValue } from './lql.ts';
import { naiveDate } from './render.ts';
import type { AuditEvent, WireHold, WireRmClassification, WireRsi, WireWfStatus, WireWfStep } from '../../sources/otcs/wire.ts';

/**
 * Event types the demo world and the write routes record (ids as SEEN in vendor-apis where
 * listed; writes use vendor-apis-writes §3.2's: 1 Create, 5 Rename, 10 Attribute Value
 * Changed, 11 Version Added, 264 Classification Applied).
 */
const AUDIT_EVENT_TYPES = [
  { id: 1, name: 'Create' },
  { id: 4, name: 'Fetch' },
  { id: 5, name: 'Rename' },
  { id: 9, name: 'Permission Changed' },
  { id: 10, name: 'Attribute Value Changed' },
  { id: 11, name: 'Version Added' },
  { id: 28, name: 'Add Version' },
  { id: 264, name: 'Classification Applied' },
  { id: 9101, name: 'Hold Applied' },
  { id: 9102, name: 'Hold Removed' },
];

/** Offset of simulated workflow process ids from the document's node id [INFERRED numbering]. */
export const PROCESS_BASE = 1_000_000_000;

/**
 * The one workflow map of the world, which may be started on any document. The world does not
 * model maps, so its node id is illustrative (outside the world's id blocks); `WorkflowType`
 * is the value of the SEEN docworkflows example.
 */
const APPROVAL_MAP = { DataID: 20130, Name: 'Document Approval', WorkflowType: 100 } as const;

function documentOf(ctx: CoreSim, req: SimRequest): SimDocument | SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  return n.document ?? fail(400, `Node ${n.id} is not a document`, 'The requested action is not supported by this node type.');
}

const isDoc = (v: SimDocument | SimResponse): v is SimDocument => typeof (v as SimDocument).nodeId === 'number';

function audit(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  const q = req.query;
  const sortKey = first(q.sort) ?? 'desc_audit_date';
  if (sortKey !== 'desc_audit_date' && sortKey !== 'asc_audit_date') return fail(400, 'One or more parameters are invalid', 'sort');
  const start = dateValue(first(q.where_audit_date_start) ?? '');
  const end = dateValue(first(q.where_audit_date_end) ?? '');
  const types = new Set(all(q.where_type).map(Number));
  const user = first(q.where_user_id);
  const expandUser = all(q.expand).some((e) => /^audit\{[^}]*\buser_id\b/.test(e));
  // The world's rows, then what the write routes recorded on the node (any node, not only documents).
  const entries = [...(n.document?.audit ?? []), ...(ctx.overlay.entry(n.id)?.audit ?? [])]
    .filter((e) => Number.isNaN(start) || Date.parse(e.at) >= start)
    .filter((e) => Number.isNaN(end) || Date.parse(e.at) <= end)
    .filter((e) => types.size === 0 || types.has(e.eventType))
    .filter((e) => user === undefined || String(e.userId) === user)
    .sort((a, b) => (sortKey === 'asc_audit_date' ? 1 : -1) * (a.at.localeCompare(b.at) || a.id - b.id));
  const { slice, paging } = pageOf(ctx, entries, q.page, q.limit, 25);
  const events: AuditEvent[] = slice.map((e) => {
    const actor = expandUser ? ctx.members.get(e.userId) : null;
    return {
      id: n.id,
      event_type: e.eventType,
      audit_date: e.at,
      user_id: e.userId,
      agent_id: null,
      audit_language_code: null,
      target_user_id: null,
      audit_name: e.eventName,
      ...(actor ? { user_id_expand: actor } : {}),
    };
  });
  const data = { data: { audit: events, audit_event_types: AUDIT_EVENT_TYPES } };
  return {
    body: {
      collection: { paging, sorting: { sort: [{ key: 'sort', value: sortKey }] } },
      links: selfLink(ctx, req),
      results: ctx.opts.auditResultsAsList ? [data] : data,
    },
  };
}

function rmClassifications(ctx: CoreSim, req: SimRequest): SimResponse {
  const doc = documentOf(ctx, req);
  if (!isDoc(doc)) return doc;
  return { body: rmClassificationsBody(ctx, doc) };
}

/**
 * The `GET /api/v1/nodes/{id}/rmclassifications` answer (SEEN pyxecm, v1 style). Its
 * `rm_metadataToken` changes with every change of the classification (overlay.ts).
 */
export function rmClassificationsBody(ctx: CoreSim, doc: SimDocument): Record<string, unknown> {
  const r = doc.record;
  const data: WireRmClassification[] = r
    ? [
        {
          rmclassification_id: r.rmClassificationId,
          name: r.classification,
          file_number: r.fileNumber,
          rsi: r.schedule,
          record_date: naiveDate(r.recordDate),
          file_status: r.status,
          status_date: naiveDate(r.recordDate),
          essential: 'NR',
          official: true,
          storage: 'EL',
        },
      ]
    : [];
  return {
    canRMClassify: true,
    classVolumeID: CLASS_VOLUME_ID,
    data,
    definitions: { file_number: { key: 'file_number', name: 'File Number', type: -1 }, rsi: { key: 'rsi', name: 'RSI', type: -1 } },
    fields_order: ['name', 'file_number', 'rsi', 'record_date', 'file_status', 'status_date', 'essential', 'official', 'storage'],
    rm_metadataToken: ctx.overlay.token(doc.nodeId, 'rm'),
  };
}

function rsis(): SimResponse {
  const list: WireRsi[] = RETENTION_SCHEDULES.map((s) => ({
    RSIID: s.id,
    RSI: s.code,
    Title: s.title,
    RSIStatus: 'ACTIVE',
    RetYears: s.years,
    RetMonths: 0,
    RetDays: 0,
    Disposition: s.disposition,
    ActionCode: 0,
  }));
  return { body: { results: { data: { rsis: list } } } };
}

function wireHold(ctx: CoreSim, id: number): WireHold | null {
  const h = ctx.world.holds().find((x) => x.id === id);
  return h
    ? {
        HoldID: h.id,
        HoldName: h.name,
        ActiveHold: 1,
        HoldType: h.type,
        HoldComment: h.reason,
        DateApplied: naiveDate(h.appliedAt),
        DateToRemove: null,
        AlternateHoldID: h.name,
        ParentID: null,
      }
    : null;
}

function holds(ctx: CoreSim): SimResponse {
  return { body: { results: { data: { holds: LEGAL_HOLDS.map((h) => wireHold(ctx, h.id)) } } } };
}

function holdByName(ctx: CoreSim, req: SimRequest): SimResponse {
  const name = first(req.query.holdname);
  const h = LEGAL_HOLDS.find((x) => x.name === name);
  return h ? { body: { results: { data: { hold: wireHold(ctx, h.id) } } } } : fail(400, 'Could not find the hold');
}

/** [INFERRED] `GET /api/v1/nodes/{id}/holds`: the holds on a node, in the `GET /api/v2/holds` shape. */
function nodeHolds(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  const list = (n.document?.holdIds ?? []).map((id) => wireHold(ctx, id)).filter((h): h is WireHold => h !== null);
  return { body: { results: { data: { holds: list } } } };
}

function stepOf(ctx: CoreSim, a: Approval, i: number): WireWfStep {
  const u = ctx.world.userByEmail(a.actor);
  return {
    task_id: i + 1,
    title: a.step,
    disposition: a.decision === 'APPROVED' ? 'Approve' : a.decision === 'REJECTED' ? 'Reject' : null,
    user_id: u?.userId ?? 0,
    user_name: u?.name ?? a.actor,
    user_email: u?.email ?? a.actor,
    date: a.at,
    comment: a.comment ?? '',
    version_number: a.version ?? null,
  };
}

function wfStatus(ctx: CoreSim, doc: SimDocument): WireWfStatus {
  const pending = doc.workflow.find((a) => a.decision === 'PENDING');
  const last = doc.workflow[doc.workflow.length - 1] as Approval;
  const current = pending ?? last;
  const u = ctx.world.userByEmail(current.actor);
  return {
    process_id: PROCESS_BASE + doc.nodeId,
    subprocess_id: PROCESS_BASE + doc.nodeId,
    task_id: pending ? doc.workflow.indexOf(pending) + 1 : null,
    status_key: pending ? 'ontime' : 'completed',
    step_name: current.step,
    wf_name: APPROVAL_MAP.Name,
    date_initiated: (doc.workflow[0] as Approval).at,
    due_date: null,
    assignee: [{ id: u?.userId ?? 0, name: u?.name ?? current.actor }],
    parallel_steps: [],
  };
}

/** [INFERRED] `GET /api/v2/nodes/{id}/workflows`: processes the node is attached to, as status items. */
function nodeWorkflows(ctx: CoreSim, req: SimRequest): SimResponse {
  const doc = documentOf(ctx, req);
  if (!isDoc(doc)) return doc;
  const results = doc.workflow.length ? [{ data: { wfstatus: wfStatus(ctx, doc) } }] : [];
  return { body: { links: selfLink(ctx, req), results } };
}

/** `GET /api/v2/workflows/status/processes/{id}` (SEEN keys; step objects INFERRED). */
function process(ctx: CoreSim, req: SimRequest): SimResponse {
  const raw = req.params.pid ?? '';
  const pid = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  const n = Number.isNaN(pid) ? null : ctx.nodes.get(pid - PROCESS_BASE);
  const doc = n?.document;
  if (!doc || doc.workflow.length === 0) return fail(400, `Could not get process ${raw.slice(0, 32)}`);
  const steps = doc.workflow.map((a, i) => ({ a, s: stepOf(ctx, a, i) }));
  const status = wfStatus(ctx, doc);
  const initiator = ctx.world.userByEmail((doc.workflow[0] as Approval).actor);
  return {
    body: {
      links: selfLink(ctx, req),
      results: {
        attachments: [{ id: doc.nodeId, name: doc.name, type: 144 }],
        data_packages: [],
        permissions: { SeeDetail: true },
        step_list: {
          completed: steps.filter((x) => x.a.decision !== 'PENDING').map((x) => x.s),
          current: steps.filter((x) => x.a.decision === 'PENDING').map((x) => x.s),
          next: [],
        },
        wf_details: {
          initiator: { id: initiator?.userId ?? 0, name: initiator?.name ?? '' },
          status: status.status_key,
          wf_name: status.wf_name,
          work_workID: status.process_id,
        },
      },
    },
  };
}

const definition = (key: string, name: string, type: number, typeName: string, persona = '') => ({
  key,
  name,
  persona,
  type,
  type_name: typeName,
  multi_value: key === 'id',
  read_only: false,
  required: false,
});

/**
 * `GET /api/v1/nodes/{id}/classifications` (vendor-apis §1.6, shape SEEN pyxecm; v1 style, no
 * `results`). [INFERRED] A document's RM classification is its one classification (applying
 * it is the world's "Classification Applied" audit event); other nodes have none. Subtype 199
 * as in the example: which subtype an RM classification shows here is NOT FOUND.
 */
function classifications(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = nodeParam(ctx, req);
  if (!n) return noNode(ctx, req.params.id ?? '');
  const r = n.document?.record;
  const data = r
    ? [
        {
          id: r.rmClassificationId,
          name: r.classification,
          type: 199,
          selectable: true,
          management_type: 'manual',
          score: null,
          inherit_flag: true,
          classvolumeid: null,
          parent_managed: null,
        },
      ]
    : [];
  return {
    body: {
      bCanApplyClass: true,
      bCanRemoveClass: true,
      canModify: true,
      classVolumeID: CLASS_VOLUME_ID,
      data,
      definitions: {
        classvolumeid: definition('classvolumeid', 'Classification Volume ID', 2, 'Integer'),
        id: definition('id', 'Classification', 2, 'Integer', 'node'),
        inherit_flag: definition('inherit_flag', 'Inherit', 5, 'Boolean'),
        management_type: definition('management_type', 'Management Type', -1, 'String'),
        name: definition('name', 'Name', -1, 'String'),
        type: definition('type', 'Type', 2, 'Integer'),
      },
      definitions_map: { name: ['menu'] },
      definitions_order: ['name'],
    },
  };
}

/**
 * `GET /api/v2/docworkflows?doc_id=..&parent_id=..` (vendor-apis-writes §2.6, SEEN pyxecm):
 * the maps that may be started on the documents, `results.{data, fError, fErrorDetail,
 * statusMsg}`. `doc_id` repeats (or is comma-separated); every document offers the world's
 * one map, and a list naming anything but documents offers none [INFERRED]. A missing
 * `doc_id` is 400 and an unknown one answers as an unknown node [NOT FOUND: the SEEN example
 * only shows success].
 */
function docWorkflows(ctx: CoreSim, req: SimRequest): SimResponse {
  const raw = all(req.query.doc_id).flatMap((v) => v.split(','));
  if (raw.length === 0) return fail(400, 'One or more parameters are invalid', 'doc_id is required.');
  const found: SimNode[] = [];
  for (const r of raw) {
    const id = parseNodeId(r.trim());
    const n = id === null ? null : ctx.nodes.get(id);
    if (!n) return noNode(ctx, r.trim());
    found.push(n);
  }
  const data = found.every((n) => n.document) ? [{ ...APPROVAL_MAP }] : [];
  return { body: { links: selfLink(ctx, req), results: { data, fError: '', fErrorDetail: '', statusMsg: null } } };
}

/** Register audit, RM, hold and workflow routes. */
export function registerRecordRoutes(ctx: CoreSim): void {
  ctx.route('GET', '/api/v2/nodes/:id/audit', (r) => audit(ctx, r));
  ctx.route('GET', '/api/v1/nodes/:id/rmclassifications', (r) => rmClassifications(ctx, r));
  ctx.route('GET', '/api/v1/nodes/:id/classifications', (r) => classifications(ctx, r));
  ctx.route('GET', '/api/v2/rsis', () => rsis());
  ctx.route('GET', '/api/v2/holds', () => holds(ctx));
  ctx.route('GET', '/api/v2/hold', (r) => holdByName(ctx, r));
  ctx.route('GET', '/api/v1/nodes/:id/holds', (r) => nodeHolds(ctx, r));
  ctx.route('GET', '/api/v2/nodes/:id/workflows', (r) => nodeWorkflows(ctx, r));
  ctx.route('GET', '/api/v2/workflows/status/processes/:pid', (r) => process(ctx, r));
  ctx.route('GET', '/api/v2/docworkflows', (r) => docWorkflows(ctx, r));
}
