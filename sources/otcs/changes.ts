/**
 * Change reads of the Content Server connector, for the change feed (issue 15). Content Server
 * has no outbound events and no repository-wide change feed (vendor-apis-writes §3, NOT FOUND),
 * so a poller asks two things, one vendor call each:
 *
 * - `modifiedSince`: workspaces and documents whose modify date is at or after an instant, oldest
 *   first: `POST /api/v2/search` with `where=(OTSubType:144 OR OTSubType:848) AND
 *   OTModifyDate:>="<instant>"`, `sort=asc_OTModifyDate`, page by page up to a cap; `more` says
 *   the cap cut the list (the caller resumes from the last modify date it got).
 * - `auditSince`: a node's audit rows at or after an instant, oldest first, with their event
 *   type ids: `GET /api/v2/nodes/{id}/audit?where_audit_date_start=<day>&sort=asc_audit_date`.
 *   The date filter is day-granular (SEEN pyxecm: "Time is not considered (only days)"), so
 *   the rows are cut to the instant here.
 */
import { UpstreamError } from '../http/errors.ts';
import type { AuditRow, ModifiedNode } from '../ports.ts';
import { isoDate, isRec, malformed, num, optStr, pagingOf, rec, resultsList } from './map.ts';
import { forNode, nodeId, p } from './nodes.ts';
import { quote, searchPage } from './search.ts';
import type { OtcsTransport } from './shared.ts';
import { SUBTYPE } from './wire.ts';

const PAGE = 100;
const AUDIT_PAGE = 100;
const MAX_AUDIT_PAGES = 20;

const instant = (since: string): string => {
  const t = isoDate(since);
  if (!t) throw new UpstreamError('OTCS', 'BAD_REQUEST', 'invalid instant');
  return t;
};

/** Workspaces and documents modified at or after `since`, oldest first, at most `maxPages` pages of 100. */
export async function modifiedSince(t: OtcsTransport, since: string, maxPages = 10): Promise<{ nodes: ModifiedNode[]; more: boolean }> {
  const from = instant(since);
  const where = `(OTSubType:${SUBTYPE.document} OR OTSubType:${SUBTYPE.businessWorkspace}) AND OTModifyDate:>=${quote(from)}`;
  const nodes: ModifiedNode[] = [];
  let more = false;
  for (let n = 1; n <= maxPages; n++) {
    const { paging, hits } = await searchPage(t, { where, sort: 'asc_OTModifyDate', page: n, limit: PAGE });
    for (const h of hits) {
      const props = rec(rec(h, 'data', 'result data'), 'properties', 'data.properties');
      const id = optStr(props, 'id');
      const modifiedAt = isoDate(props.modify_date);
      const createdAt = isoDate(props.create_date);
      const type = props.type;
      if (!id || !modifiedAt || !createdAt) throw malformed('a search hit has no id or dates');
      if (type !== SUBTYPE.document && type !== SUBTYPE.businessWorkspace) continue;
      nodes.push({ id, kind: type === SUBTYPE.document ? 'document' : 'workspace', createdAt, modifiedAt });
    }
    more = n < paging.pageTotal;
    if (!more) break;
  }
  return { nodes, more };
}

/** Audit rows of a node at or after `since`, oldest first (the day filter narrowed to the instant). */
export async function auditSince(t: OtcsTransport, id: string, since: string): Promise<AuditRow[]> {
  const node = nodeId(id);
  const from = instant(since);
  const fromMs = Date.parse(from);
  const out: AuditRow[] = [];
  for (let page = 1; page <= MAX_AUDIT_PAGES; page++) {
    const res = await forNode(() =>
      t.http.request<unknown>({
        path: p`/api/v2/nodes/${node}/audit`,
        query: { where_audit_date_start: from.slice(0, 10), sort: 'asc_audit_date', limit: AUDIT_PAGE, page },
      }),
    );
    const paging = pagingOf(res.body);
    for (const r of resultsList(res.body)) {
      const events = rec(r, 'data', 'results.data').audit;
      if (!Array.isArray(events)) throw malformed('results.data.audit is missing');
      for (const e of events.filter(isRec)) {
        const at = isoDate(e.audit_date);
        if (!at) throw malformed('an audit row has no date');
        if (Date.parse(at) < fromMs) continue;
        const eventType = num(e, 'event_type', 'audit.event_type');
        const userId = optStr(e, 'user_id') ?? '';
        // Audit rows carry the node id, not a row id (vendor example): the key is composed.
        out.push({
          eventType,
          name: optStr(e, 'audit_name') ?? `event ${eventType}`,
          at,
          userId,
          key: `${node}:${Date.parse(at)}:${eventType}:${userId}`,
        });
      }
    }
    if (page >= paging.pageTotal) break;
  }
  return out;
}
