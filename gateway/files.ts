/**
 * The `/files/...` route: renditions and document content at the short-lived URLs that
 * access/links.ts signs for one reader and one object. The download request must carry the
 * same reader's bearer token; a URL replayed by another reader, altered, or used after `exp`
 * is refused. Visibility is checked again at download time, and bytes stream from the
 * source, never buffered whole.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Content, RenditionKind } from '../sources/model.ts';
import { RENDITION_KINDS } from '../sources/model.ts';
import { decodeId } from '../access/ids.ts';
import type { Signer } from '../access/links.ts';
import type { DownloadEvent } from '../audit/ports.ts';
import type { Context } from '../resolvers/context.ts';
import type { Logger } from './log.ts';
import { sendError } from './respond.ts';

/** The download secret: configured, or (demo mode) generated once and kept in the data directory. */
export function downloadSecret(configured: string | undefined, dataDir: string, demo: boolean): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  if (!demo) throw new Error('DOWNLOAD_SECRET is required outside demo mode');
  const file = join(dataDir, 'download-secret');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const secret = randomBytes(32);
    try {
      writeFileSync(file, secret.toString('base64url'), { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      // Another process wrote it first: use theirs.
      return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    }
  }
}

const ASSET_PATH = /^\/files\/assets\/([A-Za-z0-9_-]{1,512})\/(thumbnail|preview|web|original)$/;
const DOCUMENT_PATH = /^\/files\/documents\/([A-Za-z0-9_-]{1,512})\/v(\d{1,6})$/;

const safeName = (s: string) => s.replace(/[^\w.\- ()]+/g, '_').slice(0, 200);

/**
 * Serve one `/files/...` request for the reader of `ctx`. `onServed` is called once the bytes
 * have gone out (the audit trail's hook).
 */
export async function serveDownload(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ctx: Context,
  signer: Signer,
  log: Logger,
  onServed?: (e: DownloadEvent) => void,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return sendError(res, 405, 'BAD_REQUEST', 'Method not allowed', { allow: 'GET, HEAD' });
  if (!ctx.principal) return sendError(res, 401, 'UNAUTHENTICATED', 'Authentication required', { 'www-authenticate': 'Bearer' });
  const path = url.pathname;
  const check = signer.verify(path, ctx.principal.id, url.searchParams.get('exp'), url.searchParams.get('sig'), ctx.now());
  if (check !== 'ok')
    return sendError(
      res,
      403,
      'FORBIDDEN',
      check === 'expired' ? 'This download link has expired' : 'This download link is not valid for you',
    );

  let content: Content;
  let event: DownloadEvent;
  const asset = ASSET_PATH.exec(path);
  const doc = DOCUMENT_PATH.exec(path);
  if (asset) {
    const id = decodeId(asset[1] as string);
    const kind = (asset[2] as string).toUpperCase() as RenditionKind;
    const found = id?.kind === 'Asset' && RENDITION_KINDS.includes(kind) ? await ctx.access.asset(id.system, id.nativeId) : null;
    if (!found || id?.kind !== 'Asset' || !found.renditions.some((r) => r.kind === kind))
      return sendError(res, 404, 'NOT_FOUND', 'Not found');
    content = await ctx.sources.dams[id.system].openRendition(id.nativeId, kind);
    event = { kind: 'asset', id: asset[1] as string, rendition: kind };
  } else if (doc) {
    const id = decodeId(doc[1] as string);
    const found = id?.kind === 'Document' ? await ctx.access.document(id.nodeId) : null;
    const version = Number(doc[2]);
    if (!found || id?.kind !== 'Document' || version < 1 || version > found.version) return sendError(res, 404, 'NOT_FOUND', 'Not found');
    content = await ctx.sources.ecm.openContent(id.nodeId, version);
    event = { kind: 'document', id: doc[1] as string, version };
  } else {
    return sendError(res, 404, 'NOT_FOUND', 'Not found');
  }
  res.writeHead(200, {
    'content-type': content.mimeType,
    ...(content.size !== undefined ? { 'content-length': String(content.size) } : {}),
    'content-disposition': `attachment; filename="${safeName(content.fileName ?? 'download')}"`,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    await content.body.cancel().catch(() => undefined);
    res.end();
    return;
  }
  try {
    await pipeline(Readable.fromWeb(content.body as WebReadableStream<Uint8Array>), res);
    onServed?.(event);
  } catch (e) {
    log.warn('download interrupted', { requestId: ctx.requestId, error: (e as Error)?.message });
    res.destroy();
  }
}
