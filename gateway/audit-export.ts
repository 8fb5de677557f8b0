/**
 * `GET /audit/events.csv?user=&company=&object=&campaign=&action=&from=&to=`: the events of a
 * filter as CSV (audit/csv.ts), oldest first, streamed from the store a batch at a time with
 * backpressure, for compliance and admin bearer tokens only.
 */
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Principal } from '../access/principal.ts';
import { isAuditReader } from '../access/policy.ts';
import { CSV_COLUMNS, csvLine, csvRow, filterFromQuery } from '../audit/csv.ts';
import type { StoredEvent } from '../audit/event.ts';
import type { AuditStorePort as AuditStore } from '../audit/store.ts';
import type { Logger } from './log.ts';
import { sendError } from './respond.ts';

/** Wait for `drain` or `close`, whichever comes first, leaving no listener behind. */
async function drainOrClose(w: Writable): Promise<void> {
  const ac = new AbortController();
  const wait = (event: string) =>
    once(w, event, { signal: ac.signal }).then(
      () => undefined,
      () => undefined,
    );
  try {
    await Promise.race([wait('drain'), wait('close')]);
  } finally {
    ac.abort();
  }
}

/** Serve one export request for `principal`. */
export async function serveCsv(
  res: ServerResponse,
  method: string,
  url: URL,
  principal: Principal | null,
  store: AuditStore | null,
  log: Logger,
  requestId: string,
): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') return sendError(res, 405, 'BAD_REQUEST', 'Method not allowed', { allow: 'GET, HEAD' });
  if (!principal) return sendError(res, 401, 'UNAUTHENTICATED', 'Authentication required', { 'www-authenticate': 'Bearer' });
  if (!isAuditReader(principal)) return sendError(res, 403, 'FORBIDDEN', 'The audit export is for compliance and admin readers');
  if (!store) return sendError(res, 404, 'NOT_FOUND', 'Auditing is turned off');
  const filter = filterFromQuery(url.searchParams);
  if (Array.isArray(filter)) return sendError(res, 400, 'BAD_USER_INPUT', filter.join('; '));
  const events = store.stream(filter);
  // Ask for the first batch before the headers go out, so an unreachable store is a 503, not a cut file.
  let first: IteratorResult<StoredEvent>;
  try {
    first = await events.next();
  } catch (e) {
    log.error('audit export failed', { requestId, error: (e as Error).message });
    return sendError(res, 503, 'UPSTREAM_UNAVAILABLE', 'The audit store is unavailable', { 'retry-after': '5' });
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
    if (!first.done) await write(csvRow(first.value));
    for await (const e of events) {
      if (res.destroyed) break;
      await write(csvRow(e));
    }
    res.end();
  } catch (e) {
    // Headers are gone: cut the response so the client sees an incomplete transfer, not a short file.
    log.error('audit export interrupted', { requestId, error: (e as Error).message });
    res.destroy();
  }
}
