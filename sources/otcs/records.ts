/**
 * Governance reads of the Content Server connector: approval history (workflow status),
 * retention (RM classification + retention schedule), legal holds and the audit trail.
 * Routes marked INFERRED in README.md are our reading of the vendor's API.
 */
import type { Approval, AuditEntry, Hold, Retention } from '../model.ts';
import { isoDate, isRec, malformed, optNum, optStr, pagingOf, rec, resultsList, toAuditEntry, toHold, type Rec } from './map.ts';
import { forNode, nodeId, p } from './nodes.ts';
import type { OtcsTransport } from './shared.ts';

const get = async (t: OtcsTransport, path: string, query?: Record<string, string | number | string[]>) =>
  (await forNode(() => t.http.request<unknown>({ path, ...(query ? { query } : {}) }))).body;

function stepToApproval(s: Rec, pending: boolean): Approval {
  const at = isoDate(s.date);
  if (!at) throw malformed('workflow step date is missing');
  const disposition = (optStr(s, 'disposition') ?? '').toLowerCase();
  const comment = optStr(s, 'comment');
  const version = optNum(s, 'version_number');
  return {
    step: optStr(s, 'title') ?? 'Step',
    decision: pending ? 'PENDING' : disposition.startsWith('reject') ? 'REJECTED' : 'APPROVED',
    actor: optStr(s, 'user_email') ?? optStr(s, 'user_name') ?? optStr(s, 'user_id') ?? '',
    at,
    ...(comment ? { comment } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}

/** Approval steps of every workflow the document is attached to, oldest first. */
export async function getApprovals(t: OtcsTransport, documentId: string): Promise<Approval[]> {
  const id = nodeId(documentId);
  const processes = resultsList(await get(t, p`/api/v2/nodes/${id}/workflows`))
    .map((r) => optNum(rec(rec(r, 'data', 'workflow data'), 'wfstatus', 'data.wfstatus'), 'process_id'))
    .filter((x): x is number => x !== undefined && Number.isSafeInteger(x) && x > 0);
  const details = await Promise.all(processes.map((pid) => get(t, p`/api/v2/workflows/status/processes/${pid}`)));
  const steps = details.flatMap((body) => {
    const [results] = resultsList(body);
    const list = rec(results, 'step_list', 'results.step_list');
    const of = (k: string) => (Array.isArray(list[k]) ? (list[k] as unknown[]).filter(isRec) : []);
    return [...of('completed').map((s) => stepToApproval(s, false)), ...of('current').map((s) => stepToApproval(s, true))];
  });
  return steps.sort((a, b) => a.at.localeCompare(b.at));
}

/** Adds a retention period in UTC calendar units (years, months, days). */
function addPeriod(iso: string, years: number, months: number, days: number): string {
  const d = new Date(iso);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  d.setUTCMonth(d.getUTCMonth() + months);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString();
}

/** How long one download of the retention-schedule table is reused. */
export const SCHEDULE_TTL_MS = 5 * 60_000;

/** The retention schedules (RSIs), as one client instance shares them. */
export type ScheduleTable = () => Promise<Rec[]>;

/**
 * The whole retention-schedule table (`GET /api/v2/rsis`), downloaded once and reused for
 * `ttlMs`. Concurrent callers share one request; a failed download is dropped, so the next
 * call retries.
 */
export function scheduleTable(t: OtcsTransport, ttlMs = SCHEDULE_TTL_MS, now: () => number = Date.now): ScheduleTable {
  let cached: { at: number; table: Promise<Rec[]> } | undefined;
  return () => {
    if (cached && now() - cached.at < ttlMs) return cached.table;
    const entry = { at: now(), table: fetchSchedules(t) };
    cached = entry;
    entry.table.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return entry.table;
  };
}

async function fetchSchedules(t: OtcsTransport): Promise<Rec[]> {
  const body = await get(t, p`/api/v2/rsis`, { limit: 500 });
  const [results] = resultsList(body);
  const list = results && isRec(results.data) && Array.isArray(results.data.rsis) ? results.data.rsis : [];
  return list.filter(isRec);
}

/** The record's RM classification and its retention schedule, or null when it is not a record. */
export async function getRetention(t: OtcsTransport, schedules: ScheduleTable, documentId: string): Promise<Retention | null> {
  const id = nodeId(documentId);
  const body = await get(t, p`/api/v1/nodes/${id}/rmclassifications`);
  if (!isRec(body)) throw malformed('rmclassifications is not an object');
  const entry = (Array.isArray(body.data) ? body.data : isRec(body.data) ? [body.data] : []).find(isRec);
  if (!entry) return null;
  const rsi = optStr(entry, 'rsi');
  const recordDate = isoDate(entry.record_date);
  const schedule = rsi ? (await schedules()).find((r) => optStr(r, 'RSI') === rsi) : undefined;
  const fileNumber = optStr(entry, 'file_number');
  const disposition = schedule ? optStr(schedule, 'Disposition') : undefined;
  const dispositionDate =
    schedule && recordDate
      ? addPeriod(recordDate, optNum(schedule, 'RetYears') ?? 0, optNum(schedule, 'RetMonths') ?? 0, optNum(schedule, 'RetDays') ?? 0)
      : undefined;
  const scheduleTitle = schedule ? optStr(schedule, 'Title') : undefined;
  return {
    classification: optStr(entry, 'name') ?? optStr(entry, 'rmclassification_id') ?? '',
    ...(fileNumber ? { fileNumber } : {}),
    schedule: rsi ?? '',
    ...(scheduleTitle ? { scheduleTitle } : {}),
    ...(recordDate ? { recordDate } : {}),
    ...(dispositionDate ? { dispositionDate } : {}),
    ...(disposition ? { disposition } : {}),
    status: optStr(entry, 'file_status') ?? '',
  };
}

/** Legal holds on the document ([INFERRED] `GET /api/v1/nodes/{id}/holds`). */
export async function getHolds(t: OtcsTransport, documentId: string): Promise<Hold[]> {
  const id = nodeId(documentId);
  const [results] = resultsList(await get(t, p`/api/v1/nodes/${id}/holds`));
  if (!results) return [];
  const holds = rec(results, 'data', 'results.data').holds;
  if (!Array.isArray(holds)) throw malformed('results.data.holds is missing');
  return holds.filter(isRec).map(toHold);
}

const AUDIT_PAGE = 100;
const MAX_AUDIT_PAGES = 50;

/** The document's audit trail, oldest first, read page by page up to `page_total`. */
export async function getAudit(t: OtcsTransport, documentId: string): Promise<AuditEntry[]> {
  const id = nodeId(documentId);
  const out: AuditEntry[] = [];
  for (let page = 1; page <= MAX_AUDIT_PAGES; page++) {
    const body = await get(t, p`/api/v2/nodes/${id}/audit`, { limit: AUDIT_PAGE, page, sort: 'asc_audit_date', expand: 'audit{user_id}' });
    const paging = pagingOf(body);
    // `results` is an object in the vendor example and a list in pyxecm's iterator: accept both.
    for (const r of resultsList(body)) {
      const events = rec(r, 'data', 'results.data').audit;
      if (!Array.isArray(events)) throw malformed('results.data.audit is missing');
      out.push(...events.filter(isRec).map((e) => toAuditEntry(e, id)));
    }
    if (page >= paging.pageTotal) break;
  }
  return out;
}
