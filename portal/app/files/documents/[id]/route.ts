/** GET /files/documents/:id — a document's current version, for the signed-in reader only. */
import { openDocument, signedIn } from '../../../../lib/dal.ts';
import { fileResponse, refusal } from '../../../../lib/file-response.ts';

export const dynamic = 'force-dynamic';

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  if (!(await signedIn())) return refusal(401, 'Sign in first.');
  const { id } = await params;
  const file = await openDocument(id);
  return file ? fileResponse(file, false) : refusal(404, 'Not found.');
}
