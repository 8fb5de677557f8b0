/**
 * Rendition bytes from iconik: find the proxy or file of the wanted kind, ask iconik for its
 * signed download URL, then stream from that URL. The signed URL is fetched WITHOUT iconik
 * credentials (it usually points at a storage provider, another host), and the body is
 * streamed, never buffered.
 */
import type { HttpClient } from '../http/client.ts';
import { UpstreamError, kindForStatus } from '../http/errors.ts';
import { pathOf } from '../http/path.ts';
import type { Content, RenditionKind } from '../model.ts';
import { isObj, malformed, mimeFromName, type Obj } from './map.ts';
import { UUID_RE } from './wire.ts';

const p = pathOf('ICONIK');
/** Pages of files or proxies we are willing to walk before giving up. */
const MAX_PAGES = 20;

export interface DownloadDeps {
  http: HttpClient;
  proxyKinds: Readonly<Record<string, RenditionKind>>;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** The proxy or file of `kind`, walking `last_id` pages. */
async function findItem(deps: DownloadDeps, assetId: string, kind: RenditionKind): Promise<{ list: 'files' | 'proxies'; item: Obj }> {
  const list = kind === 'ORIGINAL' ? 'files' : 'proxies';
  const matches = (x: Obj) =>
    list === 'files' ? x.type === undefined || x.type === 'FILE' : deps.proxyKinds[String(x.name ?? '').toLowerCase()] === kind;
  let lastId: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const path = list === 'files' ? p`/files/v1/assets/${assetId}/files/` : p`/files/v1/assets/${assetId}/proxies/`;
    const res = await deps.http.request<unknown>({ path, query: { per_page: 50, last_id: lastId, generate_signed_url: 'false' } });
    if (!isObj(res.body) || !Array.isArray(res.body.objects)) throw malformed(`${list} list`);
    const objects = res.body.objects.filter(isObj);
    const hit = objects.find(matches);
    if (hit) {
      if (typeof hit.id !== 'string') throw malformed(`a ${list} entry has no id`);
      return { list, item: hit };
    }
    const last = objects[objects.length - 1];
    if (!res.body.next_url || !last || typeof last.id !== 'string') break;
    lastId = last.id;
  }
  throw new UpstreamError('ICONIK', 'NOT_FOUND', `no ${kind.toLowerCase()} rendition`);
}

/** Validate `{"url": "..."}`: an absolute http(s) URL. */
function signedUrl(body: unknown): URL {
  if (!isObj(body) || typeof body.url !== 'string') throw malformed('download_url has no url');
  let u: URL;
  try {
    u = new URL(body.url);
  } catch {
    throw malformed('download url is not absolute');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw malformed('download url is not http(s)');
  return u;
}

function fileNameOf(disposition: string | null, fallback: string | undefined): string | undefined {
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition ?? '');
  return m?.[1] ? decodeURIComponent(m[1]) : fallback;
}

/** Stream a rendition of an asset. */
export async function openRendition(deps: DownloadDeps, assetId: string, kind: RenditionKind): Promise<Content> {
  if (!UUID_RE.test(assetId)) throw new UpstreamError('ICONIK', 'NOT_FOUND', 'invalid asset id');
  const { list, item } = await findItem(deps, assetId, kind);
  const id = item.id as string;
  const urlPath =
    list === 'files'
      ? p`/files/v1/assets/${assetId}/files/${id}/download_url/`
      : p`/files/v1/assets/${assetId}/proxies/${id}/download_url/`;
  const url = signedUrl((await deps.http.request<unknown>({ path: urlPath })).body);

  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), deps.timeoutMs);
  let res: Response;
  try {
    res = await deps.fetch(url, { signal: ctrl.signal, redirect: 'follow' });
  } catch {
    throw new UpstreamError('ICONIK', 'UNAVAILABLE', ctrl.signal.aborted ? 'download timed out' : 'download failed');
  } finally {
    clearTimeout(timer);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw new UpstreamError('ICONIK', res.ok ? 'MALFORMED' : kindForStatus(res.status), `download answered HTTP ${res.status}`, res.status);
  }
  const declared =
    typeof (item.original_name ?? item.filename ?? item.name) === 'string'
      ? String(item.original_name ?? item.filename ?? item.name)
      : undefined;
  const length = Number(res.headers.get('content-length'));
  const fileName = fileNameOf(res.headers.get('content-disposition'), declared);
  return {
    body: res.body,
    mimeType: res.headers.get('content-type')?.split(';')[0]?.trim() || mimeFromName(declared) || 'application/octet-stream',
    ...(Number.isFinite(length) && length > 0 ? { size: length } : {}),
    ...(fileName ? { fileName } : {}),
  };
}
