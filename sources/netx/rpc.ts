/**
 * One NetX JSON-RPC 2.0 call over the shared HTTP core: the envelope, the echoed id, and the
 * JSON-RPC error codes as typed errors. Reads (client.ts) and writes (writes.ts) share it.
 *
 * Every call is marked idempotent, so the core retries 5xx, 429 (Retry-After) and timeouts:
 * right for reads, and right for the writes too, because each one the connector sends sets a
 * state (attribute values, folder membership) rather than adding to it (writes.ts).
 */
import type { HttpClient } from '../http/client.ts';
import { UpstreamError } from '../http/errors.ts';
import { AUTH_SCHEME, JSONRPC_VERSION, RPC_ERRORS, RPC_PATH, type RpcRequest } from './wire.ts';

/** What NetX answered: its `result`, or the `code` of its JSON-RPC error. */
export type RpcOutcome = { ok: true; result: unknown } | { ok: false; code: unknown };

export interface NetxRpc {
  /** The JSON-RPC outcome; transport failures and malformed envelopes throw typed errors. */
  outcome(method: string, params: unknown[]): Promise<RpcOutcome>;
  /** The `result`, or the typed error of the JSON-RPC error (`rpcFailure`). */
  call(method: string, params: unknown[]): Promise<unknown>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const malformed = (what: string) => new UpstreamError('NETX', 'MALFORMED', `malformed response: ${what}`);

/**
 * A JSON-RPC error code as a typed error (the upstream message is not passed on): 10000
 * UNAUTHENTICATED (a static apiToken cannot be renewed), 3004 FORBIDDEN, -32603 and the
 * -32000…-32099 server range UNAVAILABLE, any other code BAD_REQUEST.
 */
export function rpcFailure(code: unknown): UpstreamError {
  if (code === RPC_ERRORS.authInvalid) return new UpstreamError('NETX', 'UNAUTHENTICATED', 'apiToken refused (invalid or expired)');
  if (code === RPC_ERRORS.accessDenied) return new UpstreamError('NETX', 'FORBIDDEN', 'access not allowed for this apiToken');
  if (typeof code !== 'number') return malformed('error without a numeric code');
  const server = code === RPC_ERRORS.internal || (code <= -32000 && code >= -32099);
  return new UpstreamError('NETX', server ? 'UNAVAILABLE' : 'BAD_REQUEST', `JSON-RPC error ${code}`);
}

/** The JSON-RPC transport of one client: request ids count up from 1. */
export function createNetxRpc(http: HttpClient, apiToken: string): NetxRpc {
  const headers = { authorization: `${AUTH_SCHEME} ${apiToken}`, 'content-type': 'application/json' };
  let seq = 0;

  async function outcome(method: string, params: unknown[]): Promise<RpcOutcome> {
    const id = ++seq;
    const request: RpcRequest = { jsonrpc: JSONRPC_VERSION, id, method, params, dataContext: 'json' };
    const res = await http.request<unknown>({
      method: 'POST',
      path: RPC_PATH,
      idempotent: true,
      expect: 'json',
      headers,
      body: JSON.stringify(request),
    });
    const body = res.body;
    if (!isObj(body) || body.jsonrpc !== JSONRPC_VERSION) throw malformed('not a JSON-RPC 2.0 response');
    // An error may carry id null (the server could not read ours), never someone else's id.
    if (body.error !== undefined && body.error !== null && (body.id === id || body.id === null)) {
      return { ok: false, code: isObj(body.error) ? body.error.code : undefined };
    }
    if (body.id !== id) throw malformed('response id does not echo the request id');
    if (!('result' in body)) throw malformed('neither result nor error');
    return { ok: true, result: body.result };
  }

  return {
    outcome,
    async call(method, params) {
      const out = await outcome(method, params);
      if (!out.ok) throw rpcFailure(out.code);
      return out.result;
    },
  };
}
