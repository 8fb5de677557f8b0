/**
 * Node reads of the Content Server connector: documents by id (one `POST /api/v2/nodes/list`),
 * versions, and content streams. Ids are validated before any request: only positive integers
 * reach a path, so no id can change which resource is requested.
 */
import { UpstreamError } from '../http/errors.ts';
import { formBody, pathOf } from '../http/path.ts';
import type { Content, Document, Version } from '../model.ts';
import { latestVersion, malformed, parseNodeEntry, rec, resultsList, toDocument, toVersion } from './map.ts';
import type { OtcsTransport } from './shared.ts';

export const p = pathOf('OTCS');
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' } as const;
const NODE_ID = /^[1-9]\d{0,14}$/;

/** Whether a key is a Content Server node id (a positive integer, nothing else). */
export const isNodeId = (id: string): boolean => NODE_ID.test(id);

/** The id, or NOT_FOUND without any request for anything that is not a node id. */
export function nodeId(id: string): string {
  if (!isNodeId(id)) throw new UpstreamError('OTCS', 'NOT_FOUND', 'invalid document id');
  return id;
}

/**
 * Runs a per-node read. CS answers an unknown node with 400 "Could not get a node for {id}"
 * (SPEC); since only valid ids are ever sent, a 400 or 404 here means the node does not exist.
 */
export async function forNode<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof UpstreamError && (e.status === 400 || e.status === 404))
      throw new UpstreamError('OTCS', 'NOT_FOUND', 'no such document', e.status);
    throw e;
  }
}

/** Sections of a node the mapping needs. `ancestors` is an INFERRED section (README.md). */
const DOCUMENT_FIELDS_PARAM = ['properties', 'categories', 'versions.element(0)', 'ancestors'];

/** Documents by id in key order, `null` for invalid, missing or non-document ids: ONE request. */
export async function getDocuments(t: OtcsTransport, ids: readonly string[]): Promise<(Document | null)[]> {
  const wanted = [...new Set(ids.filter(isNodeId))];
  if (wanted.length === 0) return ids.map(() => null);
  const res = await t.http.request<unknown>({
    method: 'POST',
    path: p`/api/v2/nodes/list`,
    headers: FORM,
    idempotent: true,
    body: formBody({ ids: wanted, fields: DOCUMENT_FIELDS_PARAM }),
  });
  const byId = new Map<string, Document>();
  for (const entry of resultsList(res.body)) {
    const doc = toDocument(parseNodeEntry(entry), t.mapping);
    if (doc) byId.set(doc.source.nativeId, doc);
  }
  return ids.map((id) => byId.get(id) ?? null);
}

/** All versions of a document, oldest first. */
export async function getVersions(t: OtcsTransport, documentId: string): Promise<Version[]> {
  const id = nodeId(documentId);
  const res = await forNode(() => t.http.request<unknown>({ path: p`/api/v2/nodes/${id}/versions` }));
  return resultsList(res.body)
    .map((r) => latestVersion(rec(r, 'data', 'version data').versions))
    .map((v) => {
      if (!v) throw malformed('data.versions is missing');
      return toVersion(v);
    })
    .sort((a, b) => a.number - b.number);
}

/** The file name of a Content-Disposition header (RFC 6266 `filename*` preferred). */
export function dispositionFileName(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent((star[1] as string).trim());
    } catch {
      // fall back to the plain parameter
    }
  }
  return /filename\s*=\s*"?([^";]+)"?/.exec(header)?.[1]?.trim();
}

/** Streams a version's bytes (latest when omitted) from `GET /api/v1/...content` (pyxecm: v2 downloads had issues). */
export async function openContent(t: OtcsTransport, documentId: string, version?: number): Promise<Content> {
  const id = nodeId(documentId);
  if (version !== undefined && !(Number.isSafeInteger(version) && version > 0))
    throw new UpstreamError('OTCS', 'NOT_FOUND', 'invalid version');
  const path = version === undefined ? p`/api/v1/nodes/${id}/content` : p`/api/v1/nodes/${id}/versions/${version}/content`;
  const res = await forNode(() =>
    t.http.request<ReadableStream<Uint8Array> | null>({ path, expect: 'stream', headers: { accept: '*/*' } }),
  );
  if (!res.body) throw malformed('content has no body');
  const length = Number(res.headers.get('content-length'));
  const fileName = dispositionFileName(res.headers.get('content-disposition'));
  return {
    body: res.body,
    mimeType: (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]?.trim() || 'application/octet-stream',
    ...(Number.isSafeInteger(length) && length >= 0 && res.headers.has('content-length') ? { size: length } : {}),
    ...(fileName ? { fileName } : {}),
  };
}
