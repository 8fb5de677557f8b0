/** Where a request came from, for audit events. */
import type { IncomingMessage } from 'node:http';
import type { ClientInfo } from '../audit/ports.ts';

const MAX_UA = 512;

/**
 * The client's address and user agent. The address is the socket's peer, unless the gateway
 * is configured to sit behind a proxy it trusts (TRUST_PROXY): then the first address of
 * `x-forwarded-for`, which any client could otherwise forge.
 */
export function clientOf(req: IncomingMessage, trustProxy: boolean): ClientInfo {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  const ip = (trustProxy && first ? first : req.socket?.remoteAddress) ?? null;
  const ua = req.headers['user-agent'];
  return { ip: ip ? ip.slice(0, 64) : null, userAgent: typeof ua === 'string' ? ua.slice(0, MAX_UA) : null };
}
