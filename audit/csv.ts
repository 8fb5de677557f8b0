/**
 * The audit export's CSV (RFC 4180) and its query filter, pure. The route that streams it
 * (`GET /audit/events.csv`) is the gateway's (gateway/audit-export.ts).
 *
 * Cells are quoted when they hold a quote, comma or line break, and a cell starting with
 * `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, so a spreadsheet opening the
 * file never evaluates a user agent or a name as a formula (CSV injection).
 */
import { ACCESS_ACTIONS, type AccessAction, type AuditFilter, type StoredEvent } from './event.ts';

/** Columns of the export, in order. */
export const CSV_COLUMNS = [
  'seq',
  'entry',
  'id',
  'at',
  'action',
  'user_id',
  'email',
  'company',
  'ip',
  'user_agent',
  'object_id',
  'object_type',
  'system',
  'native_id',
  'version',
  'rendition',
  'campaign',
  'request_id',
  'detail',
  'prev_hash',
  'hash',
] as const;

/** One CSV cell: neutralised against formula injection, quoted when needed. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (CRLF-terminated). */
export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** One stored event as a CSV line, in CSV_COLUMNS order. */
export const csvRow = (e: StoredEvent) =>
  csvLine([
    e.seq,
    e.n,
    e.id,
    e.at,
    e.action,
    e.principalId,
    e.email,
    e.org,
    e.ip,
    e.userAgent,
    e.objectId,
    e.objectType,
    e.system,
    e.nativeId,
    e.version,
    e.rendition,
    e.campaign,
    e.requestId,
    e.detail,
    e.prevHash,
    e.hash,
  ]);

/** The filter of an export's query string; a list of problems when it is malformed. */
export function filterFromQuery(q: URLSearchParams): AuditFilter | string[] {
  const problems: string[] = [];
  const f: AuditFilter = {};
  for (const k of ['user', 'company', 'object', 'campaign'] as const) {
    const v = q.get(k);
    if (v) f[k] = v.slice(0, 512);
  }
  const action = q.get('action')?.toLowerCase();
  if (action) {
    if (ACCESS_ACTIONS.includes(action as AccessAction)) f.action = action as AccessAction;
    else problems.push(`action must be one of ${ACCESS_ACTIONS.join(', ')}`);
  }
  for (const k of ['from', 'to'] as const) {
    const v = q.get(k);
    if (!v) continue;
    const t = Date.parse(v);
    if (Number.isNaN(t)) problems.push(`${k} must be an ISO-8601 date or date-time`);
    else f[k] = new Date(t).toISOString();
  }
  return problems.length ? problems : f;
}
