/**
 * One GraphQL request to the gateway with a reader's token, and the portal's reading of the
 * answer: a source outage becomes an `Outage` beside the data (the page still renders), a
 * hidden or unknown object is a null field (NOT_FOUND; the page shows not-found), a fenced
 * field (FORBIDDEN) is simply absent, and anything else without data is a `GatewayError`.
 */
import 'server-only';
import { portalEnv } from './env.ts';

export interface Outage {
  /** The upstream system named by the gateway (OTCS, ICONIK, NETX, OTMM). */
  source: string;
  message: string;
}

interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; source?: string };
}

export interface Answer<T> {
  data: T;
  outages: Outage[];
}

/** The gateway refused the token (expired or revoked). */
export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

/** The gateway could not answer at all, or rejected the query. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

const SYSTEM_NAMES: Record<string, string> = { OTCS: 'Content Server', ICONIK: 'iconik', NETX: 'NetX', OTMM: 'OpenText Media Management' };

/** A reader-facing name for an upstream system. */
export const systemName = (system: string): string => SYSTEM_NAMES[system] ?? system;

/** POST a query to the gateway for the reader whose token this is. */
export async function gatewayQuery<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer<T>> {
  let res: Response;
  try {
    res = await fetch(`${portalEnv().gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      cache: 'no-store',
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new GatewayError('The gateway cannot be reached', 'GATEWAY_UNREACHABLE', 503);
  }
  if (res.status === 401) throw new UnauthenticatedError('The gateway did not accept the session');
  let body: { data?: T | null; errors?: GraphQLErrorBody[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new GatewayError(`The gateway answered ${res.status} without GraphQL`, undefined, res.status);
  }
  const errors = body.errors ?? [];
  const outages: Outage[] = [];
  for (const e of errors) {
    const code = e.extensions?.code;
    if (code === 'UPSTREAM_UNAVAILABLE') {
      const source = e.extensions?.source ?? 'a source';
      if (!outages.some((o) => o.source === source)) outages.push({ source, message: e.message });
    }
  }
  if (!body.data) {
    const first = errors[0];
    throw new GatewayError(first?.message ?? `The gateway answered ${res.status}`, first?.extensions?.code, res.status);
  }
  return { data: body.data, outages };
}

/** A file the gateway streams: its bytes and what the browser needs to know about them. */
export interface GatewayFile {
  body: ReadableStream<Uint8Array>;
  mimeType: string;
  size: string | null;
  disposition: string | null;
}

/**
 * GET a signed gateway link (`/files/…`) or export (`/audit/…`) with the reader's token. Only
 * the link's path and query are used, on the configured gateway origin, so the token is never
 * sent anywhere else whatever the link says. Null when the gateway refuses or has no such file.
 */
export async function gatewayFile(token: string, link: string): Promise<GatewayFile | null> {
  const { pathname, search } = new URL(link, 'http://gateway.invalid');
  if (!pathname.startsWith('/files/') && !pathname.startsWith('/audit/')) return null;
  let res: Response;
  try {
    res = await fetch(`${portalEnv().gatewayUrl}${pathname}${search}`, {
      headers: { authorization: `Bearer ${token}` },
      cache: 'no-store',
      signal: AbortSignal.timeout(60_000),
    });
  } catch {
    throw new GatewayError('The gateway cannot be reached', 'GATEWAY_UNREACHABLE', 503);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 500) throw new GatewayError(`The gateway answered ${res.status}`, undefined, res.status);
    return null;
  }
  return {
    body: res.body,
    mimeType: res.headers.get('content-type') ?? 'application/octet-stream',
    size: res.headers.get('content-length'),
    disposition: res.headers.get('content-disposition'),
  };
}
