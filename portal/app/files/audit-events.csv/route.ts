/** GET /files/audit-events.csv — the gateway's audit export, for compliance and admin readers. */
import { openAuditCsv, signedIn } from '../../../lib/dal.ts';
import { fileResponse, refusal } from '../../../lib/file-response.ts';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  if (!(await signedIn())) return refusal(401, 'Sign in first.');
  const file = await openAuditCsv();
  return file ? fileResponse(file, false) : refusal(404, 'The audit export is not available to you.');
}
