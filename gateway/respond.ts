/** Plain responses of the gateway's own routes (GraphQL answers are Apollo's). */
import type { ServerResponse } from 'node:http';

/** Send `body` (JSON, or text when a string), never cached. */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Send an error in the GraphQL error shape (`{ errors: [{ message, extensions: { code } }] }`). */
export function sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  send(res, status, { errors: [{ message, extensions: { code } }] }, headers);
}
