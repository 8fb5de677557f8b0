/**
 * `GET /audit/events.csv?user=&company=&object=&campaign=&action=&from=&to=`: the events of a
 * filter as CSV (RFC 4180), oldest first, streamed from the store a batch at a time with
 * backpressure, for compliance and admin bearer tokens only.
 *
 * Cells are quoted when they hold a quote, comma or line break, and a cell starting with
 * `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, so a spreadsheet opening the
 * file never evaluates a user agent or a name as a formula (CSV injection).
 */
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Wait for `drain` or `close`, whichever comes first, leaving no listener behind. */
async function drainOrClose(w: Writable): Promise<void> {
  const ac = new AbortController();
  const wait = (event: string) => once(w, event, { signal: ac.signal }).then(() => undefined, () => undefined);
  try {
    await Promise.race([wait('drain'), wait('close')]);
  } finally {
    ac.abort();
  }
}
import type { Principal } from '../gateway/context.ts';
import type { Logger } from '../gateway/log.ts';
import { isAuditReader } from '../access/policy.ts';
import { ACCESS_ACTIONS, type AccessAction, type AuditFilter, type StoredEvent } from './event.ts';
import type { AuditStorePort as AuditStore } from './store.ts';

/** Columns of the export, in order. */
export const CSV_COLUMNS = [
  'seq', 'entry', 'id', 'at', 'action', 'user_id', 'email', 'company', 'ip', 'user_agent', 'object_id', 'object_type', 'system',
  'native_id', 'version', 'rendition', 'campaign', 'request_id', 'detail', 'prev_hash', 'hash',
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

const row = (e: StoredEvent) => csvLine([
  e.seq, e.n, e.id, e.at, e.action, e.principalId, e.email, e.org, e.ip, e.userAgent, e.objectId, e.objectType, e.system,
  e.nativeId, e.version, e.rendition, e.campaign, e.requestId, e.detail, e.prevHash, e.hash,
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

function fail(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/** Serve one export request for `principal`. */
export async function serveCsv(res: ServerResponse, method: string, url: URL, principal: Principal | null, store: AuditStore | null, log: Logger, requestId: string): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') return fail(res, 405, 'BAD_REQUEST', 'Method not allowed', { allow: 'GET, HEAD' });
  if (!principal) return fail(res, 401, 'UNAUTHENTICATED', 'Authentication required', { 'www-authenticate': 'Bearer' });
  if (!isAuditReader(principal)) return fail(res, 403, 'FORBIDDEN', 'The audit export is for compliance and admin readers');
  if (!store) return fail(res, 404, 'NOT_FOUND', 'Auditing is turned off');
  const filter = filterFromQuery(url.searchParams);
  if (Array.isArray(filter)) return fail(res, 400, 'BAD_USER_INPUT', filter.join('; '));
  const events = store.stream(filter);
  // Ask for the first batch before the headers go out, so an unreachable store is a 503, not a cut file.
  let first: IteratorResult<StoredEvent>;
  try {
    first = await events.next();
  } catch (e) {
    log.error('audit export failed', { requestId, error: (e as Error).message });
    return fail(res, 503, 'UPSTREAM_UNAVAILABLE', 'The audit store is unavailable', { 'retry-after': '5' });
  }
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="atrium-audit-${stamp}.csv"`,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
  });
  if (method === 'HEAD') {
    await events.return(undefined);
    res.end();
    return;
  }
  const write = async (chunk: string) => {
    // A client that goes away never drains: stop waiting when the response closes.
    if (!res.write(chunk)) await drainOrClose(res);
  };
  try {
    await write(csvLine(CSV_COLUMNS));
    if (!first.done) await write(row(first.value));
    for await (const e of events) {
      if (res.destroyed) break;
      await write(row(e));
    }
    res.end();
  } catch (e) {
    // Headers are gone: cut the response so the client sees an incomplete transfer, not a short file.
    log.error('audit export interrupted', { requestId, error: (e as Error).message });
    res.destroy();
  }
}
