/**
 * The browser-facing side of the /files proxy: the gateway's bytes streamed on, with headers
 * that keep them private to this reader and inert on the portal's origin.
 */
import type { GatewayFile } from './graphql.ts';

/** Stream a gateway file; `inline` for previews shown in the page, else a download. */
export function fileResponse(file: GatewayFile, inline: boolean): Response {
  const headers = new Headers({
    'content-type': file.mimeType,
    'content-disposition': inline ? 'inline' : (file.disposition ?? 'attachment'),
    // Per reader: a browser may keep a thumbnail briefly; no shared cache may keep anything.
    'cache-control': inline ? 'private, max-age=300' : 'private, no-store',
    'x-content-type-options': 'nosniff',
    // An uploaded SVG or HTML file must not run script with the portal's cookies.
    'content-security-policy': "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox",
  });
  if (file.size) headers.set('content-length', file.size);
  return new Response(file.body, { status: 200, headers });
}

/** A short plain-text refusal. */
export function refusal(status: number, message: string): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'private, no-store' },
  });
}
