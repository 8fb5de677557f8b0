/**
 * The Content Server connector: an EcmSource and EcmWrites over the CS REST API. This file
 * owns the transport (ticket login, the `OTCSTicket` header, rotated tickets picked up from
 * every response, one shared re-login on 401) and composes the resource modules: nodes.ts,
 * search.ts, records.ts, the Business Workspaces half (workspaces.ts) and the writes
 * (writes.ts).
 */
import { credentialCache, type CredentialCache } from '../http/auth.ts';
import { createHttpClient, type HttpClient, type HttpResponse } from '../http/client.ts';
import { formBody, pathOf } from '../http/path.ts';
import type { Mapping } from '../mapping.ts';
import type { EcmChangeReads, EcmSource, EcmWrites } from '../ports.ts';
import { auditSince, modifiedSince } from './changes.ts';
import { isRec, malformed } from './map.ts';
import { FORM, getDocuments, getVersions, openContent } from './nodes.ts';
import { getApprovals, getAudit, getHolds, getRetention, scheduleTable } from './records.ts';
import { changesSince, findDocuments } from './search.ts';
import type { OtcsTransport } from './shared.ts';
import { createWorkspaceReads } from './workspaces.ts';
import { createOtcsWrites } from './writes.ts';

export interface OtcsClientOptions {
  /** Base URL including the CGI path, e.g. `https://cs.example.com/otcs/cs.exe`. */
  baseUrl: string;
  username: string;
  password: string;
  /** Optional sign-in domain (form field `domain`). */
  domain?: string;
  mapping: Mapping;
  timeoutMs?: number;
  /** Timeout of an upload (sending its bytes included). Default 120000. */
  uploadTimeoutMs?: number;
  /** Idle time after which an upload first renews the ticket with one read (writes.ts). Default 60000. */
  ticketRefreshAfterMs?: number;
  retries?: number;
  /** Backoff base between retries (ms); tests shorten it. */
  backoffBaseMs?: number;
  fetch?: typeof fetch;
  /** Page size when a request asks for none. Default 50. */
  pageSize?: number;
}

const p = pathOf('OTCS');

/** Build the Content Server client (no request is made until the first call). */
export function createOtcsClient(opts: OtcsClientOptions): EcmSource & EcmWrites & EcmChangeReads {
  const startedAt = new Date().toISOString();
  /** When an answer last came with a ticket (every CS answer carries a fresh one), and the ticket last sent. */
  let lastTicketAt = Number.NEGATIVE_INFINITY;
  let lastSent: string | undefined;
  const cache: CredentialCache<string> = credentialCache<string>(async (): Promise<string> => {
    const res: HttpResponse<unknown> = await http.request<unknown>({
      method: 'POST',
      path: p`/api/v1/auth`,
      anonymous: true,
      idempotent: true,
      headers: FORM,
      body: formBody({ username: opts.username, password: opts.password, ...(opts.domain ? { domain: opts.domain } : {}) }),
    });
    const ticket = isRec(res.body) ? res.body.ticket : undefined;
    if (typeof ticket !== 'string' || ticket === '') throw malformed('login answered without a ticket');
    return ticket;
  });
  const http: HttpClient = createHttpClient<string>({
    system: 'OTCS',
    baseUrl: opts.baseUrl,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.uploadTimeoutMs !== undefined ? { uploadTimeoutMs: opts.uploadTimeoutMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.backoffBaseMs !== undefined ? { backoffBaseMs: opts.backoffBaseMs } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    auth: {
      cache,
      headers: (ticket) => {
        lastSent = ticket;
        return { OTCSTicket: ticket };
      },
      // Every CS answer carries a fresh ticket (cs-rest); keep the newest so sessions slide.
      onResponse(headers, ticket) {
        const next = headers.get('OTCSTicket');
        if (next) lastTicketAt = Date.now();
        if (next && next !== ticket) cache.set(next);
      },
    },
  });
  const session = {
    // Drops the ticket only if it is still the current one (another request may have renewed it).
    invalidate: () => {
      if (lastSent !== undefined) cache.invalidate(lastSent);
    },
    idleMs: () => Date.now() - lastTicketAt,
  };
  const t: OtcsTransport = { http, mapping: opts.mapping, session };
  const pageSize = opts.pageSize ?? 50;
  // Retention reads share one copy of the schedule table per client (refreshed every 5 minutes).
  const schedules = scheduleTable(t);
  const workspaceReads = createWorkspaceReads(t);
  const documents = (ids: readonly string[]) => getDocuments(t, ids);

  return {
    system: 'OTCS',
    ...workspaceReads,
    ...createOtcsWrites(
      t,
      { getDocuments: documents, getWorkspaces: workspaceReads.getWorkspaces },
      opts.ticketRefreshAfterMs !== undefined ? { ticketRefreshAfterMs: opts.ticketRefreshAfterMs } : {},
    ),
    async ping() {
      const started = Date.now();
      // The body is read: a server answering malformed bodies is not healthy because it answers.
      const res = await http.request<unknown>({ path: p`/api/v1/auth` });
      if (!isRec(res.body)) throw malformed('the signed-in user');
      return { system: 'OTCS', ok: true, latencyMs: Date.now() - started };
    },
    changesSince: (cursor) => changesSince(t, cursor, startedAt),
    getDocuments: documents,
    findDocuments: (filter, page, o) => findDocuments(t, filter, page, { pageSize, ...(o?.facets ? { facets: true } : {}) }),
    getVersions: (id) => getVersions(t, id),
    openContent: (id, version) => openContent(t, id, version),
    getApprovals: (id) => getApprovals(t, id),
    getRetention: (id) => getRetention(t, schedules, id),
    getHolds: (id) => getHolds(t, id),
    getAudit: (id) => getAudit(t, id),
    modifiedSince: (since, maxPages) => modifiedSince(t, since, maxPages),
    auditSince: (id, since) => auditSince(t, id, since),
  };
}
