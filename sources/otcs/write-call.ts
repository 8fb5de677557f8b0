/**
 * One Content Server write request, and what its failure means.
 *
 * Writes ask with `?suppress_response_codes` (SPEC, vendor-apis §1.2): the server answers 200
 * with the real status in the body's `statusCode` and its `{error}` text, so the connector can
 * tell a name clash (500 "An item with the name '…' already exists.") from a server fault
 * (500) without the HTTP core reading error bodies. A status the server sends for real (a
 * server that ignores the flag, a proxy, an injected fault) is classified by status alone.
 *
 * A write is never sent twice, with one exception: a 401 reported in the body means the
 * server refused the ticket before doing anything, so a form write is sent once more with a
 * fresh ticket (as the core does for a real 401); a streamed upload cannot be, and fails
 * UNAUTHENTICATED with nothing stored.
 *
 * The vendor's text is only matched, never passed on: every message is composed here from
 * what the caller sent (names shortened and stripped of control characters by `shown`).
 */
import { UpstreamError, kindForStatus } from '../http/errors.ts';
import { formBody, type QueryValue } from '../http/path.ts';
import type { MultipartBody } from '../http/multipart.ts';
import { isRec, type Rec } from './map.ts';
import type { OtcsTransport } from './shared.ts';

/** What a write is about, for its error messages. */
export interface WriteContext {
  /** The operation, e.g. `upload of "Contract.pdf"`. */
  action: string;
  /** What must exist for it (e.g. `folder 2205`): named when the server says it does not. */
  target?: string;
  /** What already existing means here (e.g. `a document named "Contract.pdf" in folder 2205`). */
  clash?: string;
}

export interface WriteSpec {
  method: 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Form fields (urlencoded), or a multipart body (streamed). */
  form?: Record<string, QueryValue>;
  multipart?: MultipartBody;
  context: WriteContext;
}

/**
 * The UpstreamError for a failed write, from its status and the vendor's `error` (and
 * `errorDetail`) text, matched against the SPEC and SEEN texts of vendor-apis-writes §2.
 */
export function writeError(status: number, text: string, c: WriteContext): UpstreamError {
  const fail = (kind: UpstreamError['kind'], message: string) => new UpstreamError('OTCS', kind, message, status);
  if (/already exists/i.test(text)) {
    if (/business object/i.test(text)) return fail('CONFLICT', `${c.action}: the business object already has a workspace`);
    return fail('CONFLICT', `${c.action}: ${c.clash ?? 'an item of that name'} already exists`);
  }
  if (status === 409 || /edit conflict/i.test(text))
    return fail('CONFLICT', `${c.action}: edit conflict, it was changed meanwhile; read it again and retry`);
  if (/missing required parameter 'file'/i.test(text)) return fail('BAD_REQUEST', `${c.action}: the request carried no file`);
  if (/could not be accessed|could not get a node/i.test(text))
    return fail('NOT_FOUND', `${c.action}: ${c.target ?? 'the node'} does not exist`);
  if (/categor|attribute/i.test(text)) return fail('BAD_REQUEST', `${c.action}: category values refused (check the metadata mapping)`);
  const kind = kindForStatus(status);
  return fail(kind, `${c.action} failed (HTTP ${status})`);
}

/** Send one write; its answer's body, or a typed error. */
export async function sendWrite(t: OtcsTransport, spec: WriteSpec): Promise<Rec> {
  const streamed = spec.multipart !== undefined;
  for (let attempt = 0; ; attempt++) {
    let status: number;
    let body: unknown;
    try {
      const res = await t.http.request<unknown>({
        method: spec.method,
        path: spec.path,
        query: { suppress_response_codes: true },
        idempotent: false,
        ...(spec.multipart
          ? {
              headers: {
                'content-type': spec.multipart.contentType,
                ...(spec.multipart.length !== undefined ? { 'content-length': String(spec.multipart.length) } : {}),
              },
              body: spec.multipart.body,
            }
          : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(spec.form ?? {}) }),
      });
      status = res.status;
      body = res.body;
    } catch (e) {
      if (spec.multipart?.sizeMismatch)
        throw new UpstreamError('OTCS', 'BAD_REQUEST', `${spec.context.action}: the content was not the size it declared`);
      if (e instanceof UpstreamError && e.status !== undefined) throw writeError(e.status, '', spec.context);
      throw e;
    }
    const reported = isRec(body) && typeof body.statusCode === 'number' ? body.statusCode : status;
    if (reported < 300 && isRec(body)) return body;
    if (reported < 300) throw new UpstreamError('OTCS', 'MALFORMED', `${spec.context.action}: the answer is not an object`);
    if (reported === 401) {
      t.session?.invalidate();
      if (!streamed && attempt === 0) continue;
      throw new UpstreamError('OTCS', 'UNAUTHENTICATED', `${spec.context.action}: credentials refused; nothing was stored`, 401);
    }
    const text = isRec(body) ? [body.error, body.errorDetail].filter((x) => typeof x === 'string').join(' ') : '';
    throw writeError(reported, text, spec.context);
  }
}
