/**
 * Downloads: renditions and document content are served through the gateway at short-lived
 * URLs signed for one reader and one object. The URL carries `exp` and `sig`, an HMAC over
 * (reader, path, exp); the download request must carry the same reader's bearer token. A URL
 * replayed by another reader, altered, or used after `exp` is refused. Visibility is checked
 * again at download time, and bytes stream from the source, never buffered whole.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Asset, Content, DamSystem, Document, RenditionKind } from '../sources/model.ts';
import { RENDITION_KINDS } from '../sources/model.ts';
import { assetId, decodeId, documentId } from '../access/ids.ts';
import type { Context, Principal } from './context.ts';
import type { Logger } from './log.ts';

export interface Signer {
  /** A signed absolute URL for `path` (starting `/files/`), valid for `reader` until `exp` (ms). */
  url(path: string, reader: string, expMs: number): string;
  /** Check a request path's signature: 'ok', 'expired' or 'bad'. */
  verify(path: string, reader: string, exp: string | null, sig: string | null, nowMs: number): 'ok' | 'expired' | 'bad';
  /** Default lifetime of a URL, in ms. */
  readonly ttlMs: number;
}

/** A signer over a secret of at least 32 bytes. */
export function createSigner(secret: Buffer, publicUrl: string, ttlMs = 300_000): Signer {
  if (secret.length < 32) throw new Error('the download secret must be at least 32 bytes');
  const mac = (path: string, reader: string, exp: string) => createHmac('sha256', secret).update(`${reader}\n${path}\n${exp}`).digest('base64url');
  return {
    ttlMs,
    url(path, reader, expMs) {
      const exp = String(Math.floor(expMs / 1000));
      return `${publicUrl}${path}?exp=${exp}&sig=${mac(path, reader, exp)}`;
    },
    verify(path, reader, exp, sig, nowMs) {
      if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'bad';
      const want = Buffer.from(mac(path, reader, exp));
      const got = Buffer.from(sig);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return 'bad';
      return Number(exp) * 1000 <= nowMs ? 'expired' : 'ok';
    },
  };
}

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

/** Path of an asset rendition download. */
export const renditionPath = (assetGlobalId: string, kind: RenditionKind) => `/files/assets/${assetGlobalId}/${kind.toLowerCase()}`;
/** Path of a document version download. */
export const documentPath = (documentGlobalId: string, version: number) => `/files/documents/${documentGlobalId}/v${version}`;

/** Signed links for one reader (null for anonymous readers, or without a signer). */
export interface Links {
  rendition(asset: Asset, kind: RenditionKind): Promise<string | null>;
  document(doc: Document): string | null;
}

/** Links for the reader of a request; a rendition link never outlives the asset's effective rights. */
export function linksFor(signer: Signer | undefined, principal: Principal | null, now: () => number, rightsOf: (a: Asset) => Promise<{ validUntil?: string }>): Links {
  return {
    async rendition(asset, kind) {
      if (!signer || !principal) return null;
      const rights = await rightsOf(asset);
      const until = rights.validUntil ? Date.parse(rights.validUntil) : Infinity;
      const exp = Math.min(now() + signer.ttlMs, until > now() ? until : now() + signer.ttlMs);
      return signer.url(renditionPath(assetId(asset.source.system as DamSystem, asset.source.nativeId), kind), principal.id, exp);
    },
    document(doc) {
      if (!signer || !principal) return null;
      return signer.url(documentPath(documentId(doc.source.nativeId), doc.version), principal.id, now() + signer.ttlMs);
    },
  };
}

const ASSET_PATH = /^\/files\/assets\/([A-Za-z0-9_-]{1,512})\/(thumbnail|preview|web|original)$/;
const DOCUMENT_PATH = /^\/files\/documents\/([A-Za-z0-9_-]{1,512})\/v(\d{1,6})$/;

function fail(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

const safeName = (s: string) => s.replace(/[^\w.\- ()]+/g, '_').slice(0, 200);

export interface DownloadEvent {
  kind: 'asset' | 'document';
  id: string;
  rendition?: RenditionKind;
  version?: number;
}

/**
 * Serve one `/files/...` request for the reader of `ctx`. `onServed` is called once the bytes
 * have gone out (the audit trail's hook).
 */
export async function serveDownload(
  req: IncomingMessage, res: ServerResponse, url: URL, ctx: Context, signer: Signer, log: Logger,
  onServed?: (e: DownloadEvent) => void,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'BAD_REQUEST', 'Method not allowed', { allow: 'GET, HEAD' });
  if (!ctx.principal) return fail(res, 401, 'UNAUTHENTICATED', 'Authentication required', { 'www-authenticate': 'Bearer' });
  const path = url.pathname;
  const check = signer.verify(path, ctx.principal.id, url.searchParams.get('exp'), url.searchParams.get('sig'), ctx.now());
  if (check !== 'ok') return fail(res, 403, 'FORBIDDEN', check === 'expired' ? 'This download link has expired' : 'This download link is not valid for you');

  let content: Content;
  let event: DownloadEvent;
  const asset = ASSET_PATH.exec(path);
  const doc = DOCUMENT_PATH.exec(path);
  if (asset) {
    const id = decodeId(asset[1] as string);
    const kind = (asset[2] as string).toUpperCase() as RenditionKind;
    const found = id?.kind === 'Asset' && RENDITION_KINDS.includes(kind) ? await ctx.access.asset(id.system, id.nativeId) : null;
    if (!found || id?.kind !== 'Asset' || !found.renditions.some((r) => r.kind === kind)) return fail(res, 404, 'NOT_FOUND', 'Not found');
    content = await ctx.sources.dams[id.system].openRendition(id.nativeId, kind);
    event = { kind: 'asset', id: asset[1] as string, rendition: kind };
  } else if (doc) {
    const id = decodeId(doc[1] as string);
    const found = id?.kind === 'Document' ? await ctx.access.document(id.nodeId) : null;
    const version = Number(doc[2]);
    if (!found || id?.kind !== 'Document' || version < 1 || version > found.version) return fail(res, 404, 'NOT_FOUND', 'Not found');
    content = await ctx.sources.ecm.openContent(id.nodeId, version);
    event = { kind: 'document', id: doc[1] as string, version };
  } else {
    return fail(res, 404, 'NOT_FOUND', 'Not found');
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
