/**
 * GET /files/assets/:id/:kind — one rendition of an asset, for the signed-in reader only. The
 * gateway's signed link and the reader's token stay on the server; the browser sees bytes.
 */
import { openRendition, signedIn } from '../../../../../lib/dal.ts';
import { fileResponse, refusal } from '../../../../../lib/file-response.ts';

export const dynamic = 'force-dynamic';

const KINDS = ['THUMBNAIL', 'PREVIEW', 'WEB', 'ORIGINAL'];

export async function GET(_req: Request, { params }: { params: Promise<{ id: string; kind: string }> }): Promise<Response> {
  if (!(await signedIn())) return refusal(401, 'Sign in first.');
  const { id, kind } = await params;
  const k = kind.toUpperCase();
  if (!KINDS.includes(k)) return refusal(404, 'Not found.');
  const file = await openRendition(id, k);
  if (file === 'missing') return refusal(404, 'Not found.');
  if (file === 'terms') return refusal(403, 'Accept the usage terms on the asset page before the first download.');
  return fileResponse(file, k === 'THUMBNAIL' || k === 'PREVIEW');
}
