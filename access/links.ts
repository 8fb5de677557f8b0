/**
 * Signed download links: renditions and document content are served through the gateway at
 * short-lived URLs signed for one reader and one object. The URL carries `exp` and `sig`, an
 * HMAC over (reader, path, exp); the download route (gateway/files.ts) checks them against
 * the bearer of the request, and a rendition link never outlives the asset's effective rights.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Asset, DamSystem, Document, RenditionKind } from '../sources/model.ts';
import { assetId, documentId } from './ids.ts';
import type { Principal } from './principal.ts';

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
  const mac = (path: string, reader: string, exp: string) =>
    createHmac('sha256', secret).update(`${reader}\n${path}\n${exp}`).digest('base64url');
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

/** Path of an asset rendition download. */
export const renditionPath = (assetGlobalId: string, kind: RenditionKind) => `/files/assets/${assetGlobalId}/${kind.toLowerCase()}`;
/** Path of a document version download. */
export const documentPath = (documentGlobalId: string, version: number) => `/files/documents/${documentGlobalId}/v${version}`;

/** Lifetime of a rendition link whose rights could not be checked against their licence. */
export const UNVERIFIED_LINK_MS = 60_000;

/** Signed links for one reader (null for anonymous readers, or without a signer). */
export interface Links {
  rendition(asset: Asset, kind: RenditionKind): Promise<string | null>;
  document(doc: Document): string | null;
}

/** Links for the reader of a request; a rendition link never outlives the asset's effective rights. */
export function linksFor(
  signer: Signer | undefined,
  principal: Principal | null,
  now: () => number,
  rightsOf: (a: Asset) => Promise<{ validUntil?: string; verified?: boolean }>,
): Links {
  return {
    async rendition(asset, kind) {
      if (!signer || !principal) return null;
      const rights = await rightsOf(asset);
      const until = rights.validUntil ? Date.parse(rights.validUntil) : Infinity;
      // Rights not checked against their licence (its source failed) get a short link: the licence may end sooner.
      const ttl = rights.verified === false ? Math.min(signer.ttlMs, UNVERIFIED_LINK_MS) : signer.ttlMs;
      const exp = Math.min(now() + ttl, until > now() ? until : now() + ttl);
      return signer.url(renditionPath(assetId(asset.source.system as DamSystem, asset.source.nativeId), kind), principal.id, exp);
    },
    document(doc) {
      if (!signer || !principal) return null;
      return signer.url(documentPath(documentId(doc.source.nativeId), doc.version), principal.id, now() + signer.ttlMs);
    },
  };
}
