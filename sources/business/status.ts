/**
 * The status call back to a business object's system (issue 14 §6, seed 003: "a signed supplier
 * agreement can automatically change the contract status in the source system"): when a document
 * filed for a business object is approved, signed, archived or rejected, the system that owns the
 * object (a CRM, an ERP) is told the status and the content reference.
 *
 * No vendor defines this call (xECM's own business-object integration is SAP/Salesforce-specific
 * and not public), so its endpoint is configuration, per business-object system
 * (`BO_STATUS_ENDPOINTS`, e.g. `{"SFDC":{"url":"https://crm.example.com/api/status","token":"…"}}`),
 * and its wire is Atrium's own, served by the demo CRM (`simulators/crm/`):
 * `POST <url>` with `Authorization: Bearer <token>`, `Idempotency-Key`, and the JSON body
 * `{ businessObject: { system, type, id }, status, document: { id, name, version, url? } }`;
 * any 2xx is accepted, its JSON `id` kept as the receipt when there is one.
 *
 * The call is sent once per try, never retried here: the durable job that makes it
 * (flows/outbound/bo-status.ts) retries with backoff, the same Idempotency-Key each time, so a
 * receiver that honours the key records it once. Errors are typed and public: they name the
 * system and the status code, never the URL, the token or the answer's body.
 */
import type { BusinessObject } from '../model.ts';

export const BO_STATUSES = ['APPROVED', 'SIGNED', 'ARCHIVED', 'REJECTED'] as const;
export type BoStatus = (typeof BO_STATUSES)[number];

/** What the business object's system is told. */
export interface StatusReport {
  businessObject: BusinessObject;
  status: BoStatus;
  /** The content reference: the graph's document id, its name and version, and a link when there is one. */
  document: { id: string; name: string; version: number; url?: string };
}

export interface StatusEndpoint {
  /** The full URL the call is posted to. */
  url: string;
  /** The bearer token the system gave Atrium. */
  token: string;
}

export type StatusCallErrorKind =
  | 'NOT_CONFIGURED' // no endpoint for the business object's system
  | 'UNAUTHENTICATED' // 401/403: the token is refused
  | 'REJECTED' // 4xx: the system refuses the call (unknown object, invalid body, key clash)
  | 'RATE_LIMITED' // 429
  | 'UNAVAILABLE'; // timeout, connection failure, 5xx, a redirect

export class StatusCallError extends Error {
  override readonly name = 'StatusCallError';
  constructor(
    readonly system: string,
    readonly kind: StatusCallErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(`${system} status call: ${message}`);
  }

  /** Whether trying again later may succeed. */
  get transient(): boolean {
    return this.kind === 'UNAVAILABLE' || this.kind === 'RATE_LIMITED';
  }
}

export interface StatusClientOptions {
  /** Endpoint by business-object system (`SFDC`, `SAP`, …). */
  endpoints: Readonly<Record<string, StatusEndpoint>>;
  /** Per call, in ms. Default 10000. */
  timeoutMs?: number;
  /** Injected for tests. */
  fetch?: typeof fetch;
}

export interface StatusClient {
  /** Whether a business object's system has an endpoint. */
  configured(system: string): boolean;
  /** Tell the system; resolves with its receipt id (when it gave one). */
  report(report: StatusReport, idempotencyKey: string): Promise<{ receipt?: string }>;
}

export function createStatusClient(opts: StatusClientOptions): StatusClient {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const endpoints = new Map(Object.entries(opts.endpoints));
  return {
    configured: (system) => endpoints.has(system),
    async report(report, idempotencyKey) {
      const system = report.businessObject.system;
      const endpoint = endpoints.get(system);
      if (!endpoint) throw new StatusCallError(system, 'NOT_CONFIGURED', 'no endpoint is configured for this system');
      let res: Response;
      try {
        res = await doFetch(endpoint.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            authorization: `Bearer ${endpoint.token}`,
            'idempotency-key': idempotencyKey,
          },
          body: JSON.stringify(report),
        });
      } catch (e) {
        const timedOut = (e as Error)?.name === 'TimeoutError';
        throw new StatusCallError(system, 'UNAVAILABLE', timedOut ? `no answer within ${timeoutMs} ms` : 'the system could not be reached');
      }
      const text = await res.text().catch(() => '');
      if (res.ok) {
        let receipt: string | undefined;
        try {
          const id = (JSON.parse(text) as { id?: unknown }).id;
          if (typeof id === 'string' && id.length <= 256) receipt = id;
        } catch {
          // Any 2xx is accepted; a receipt is optional.
        }
        return receipt === undefined ? {} : { receipt };
      }
      const s = res.status;
      if (s === 401 || s === 403) throw new StatusCallError(system, 'UNAUTHENTICATED', `the token was refused (HTTP ${s})`, s);
      if (s === 429) throw new StatusCallError(system, 'RATE_LIMITED', 'too many calls (HTTP 429)', s);
      if (s >= 300 && s < 400) throw new StatusCallError(system, 'UNAVAILABLE', `redirected (HTTP ${s}); redirects are not followed`, s);
      if (s >= 500 || s === 408) throw new StatusCallError(system, 'UNAVAILABLE', `the system failed (HTTP ${s})`, s);
      throw new StatusCallError(system, 'REJECTED', `the call was refused (HTTP ${s})`, s);
    },
  };
}

/**
 * `BO_STATUS_ENDPOINTS`: a JSON object of business-object system → `{ url, token }`. Problems
 * name the system and what is wrong, never the token.
 */
export function statusEndpointsFrom(value: unknown, problems: string[]): Record<string, StatusEndpoint> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push('BO_STATUS_ENDPOINTS must be a JSON object of system to { "url": …, "token": … }');
    return {};
  }
  const out: Record<string, StatusEndpoint> = {};
  for (const [system, e] of Object.entries(value as Record<string, unknown>)) {
    const { url, token } = (typeof e === 'object' && e !== null ? e : {}) as { url?: unknown; token?: unknown };
    let ok = typeof url === 'string';
    if (ok) {
      try {
        ok = /^https?:$/.test(new URL(url as string).protocol);
      } catch {
        ok = false;
      }
    }
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(system))
      problems.push('BO_STATUS_ENDPOINTS may only name systems of 1-32 letters, digits, "_" or "-"');
    else if (!ok) problems.push(`BO_STATUS_ENDPOINTS.${system}.url must be an http(s) URL`);
    else if (typeof token !== 'string' || token.length === 0 || [...token].some((c) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f))
      problems.push(`BO_STATUS_ENDPOINTS.${system}.token must be a non-empty token without spaces`);
    else out[system] = { url: url as string, token };
  }
  return out;
}
