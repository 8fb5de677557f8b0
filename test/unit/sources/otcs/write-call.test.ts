/** What a failed Content Server write means (vendor texts → typed errors), and that a write is sent once. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpClient, RequestSpec } from '../../../../sources/http/client.ts';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { multipartBody } from '../../../../sources/http/multipart.ts';
import { demoMapping } from '../../../../sources/mapping.ts';
import type { OtcsTransport } from '../../../../sources/otcs/shared.ts';
import { sendWrite, writeError } from '../../../../sources/otcs/write-call.ts';

const c = { action: 'upload of "a.txt"', target: 'folder 7', clash: 'a document named "a.txt" in folder 7' };

describe('writeError', () => {
  const cases: [number, string, UpstreamError['kind'], RegExp][] = [
    [500, "An item with the name 'a.txt' already exists.", 'CONFLICT', /a document named "a.txt" in folder 7 already exists/],
    [500, "A business workspace for the business object 'SFDC Account 1' already exists.", 'CONFLICT', /already has a workspace/],
    [409, 'Could not update metadata (edit conflict).', 'CONFLICT', /edit conflict/],
    [400, "Missing required parameter 'File'", 'BAD_REQUEST', /carried no file/],
    [400, 'Sorry, the item you requested could not be accessed. Either it does not exist ...', 'NOT_FOUND', /folder 7 does not exist/],
    [500, 'Could not get a node for 7', 'NOT_FOUND', /folder 7 does not exist/],
    [
      400,
      "Category ID '9850' was specified for Categories Update, but a non-matching attribute ('9830_4') was found",
      'BAD_REQUEST',
      /category values refused/,
    ],
    [500, "The role 'categories' of the parameter 'roles' cannot be parsed.", 'BAD_REQUEST', /category values refused/],
    [401, 'Authentication Required', 'UNAUTHENTICATED', /HTTP 401/],
    [403, 'Forbidden', 'FORBIDDEN', /HTTP 403/],
    [500, 'Internal Server Error', 'UNAVAILABLE', /HTTP 500/],
    [400, 'One or more parameters are invalid', 'BAD_REQUEST', /HTTP 400/],
  ];
  for (const [status, text, kind, message] of cases) {
    it(`${status} "${text.slice(0, 40)}" is ${kind}`, () => {
      const e = writeError(status, text, c);
      assert.equal(e.kind, kind);
      assert.match(e.message, message);
      assert.doesNotMatch(
        e.message,
        new RegExp(text.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
        'the vendor text is not passed on',
      );
    });
  }
});

/** A transport whose answers are scripted; it records what was sent. */
function scripted(answers: { status: number; body: unknown }[]) {
  const sent: RequestSpec[] = [];
  let invalidated = 0;
  const http: HttpClient = {
    system: 'OTCS',
    async request<T>(spec: RequestSpec) {
      sent.push(spec);
      const a = answers.shift();
      if (!a) throw new Error('no more answers');
      return { status: a.status, headers: new Headers(), body: a.body as T };
    },
  };
  const t: OtcsTransport = { http, mapping: demoMapping(), session: { invalidate: () => invalidated++, idleMs: () => 0 } };
  return { t, sent, invalidated: () => invalidated };
}

describe('sendWrite', () => {
  it('asks with suppress_response_codes, never as idempotent, and reads the status from the body', async () => {
    const s = scripted([
      { status: 200, body: { error: "An item with the name 'a.txt' already exists.", errorDetail: '', statusCode: 500 } },
    ]);
    await assert.rejects(sendWrite(s.t, { method: 'POST', path: '/api/v2/nodes', form: { a: '1' }, context: c }), /already exists/);
    assert.equal(s.sent.length, 1);
    assert.deepEqual(s.sent[0]?.query, { suppress_response_codes: true });
    assert.equal(s.sent[0]?.idempotent, false);
  });

  it('sends a form write once more after a 401 in the body (refused before it ran), a streamed one never', async () => {
    const form = scripted([
      { status: 200, body: { error: 'Authentication Required', errorDetail: '', statusCode: 401 } },
      { status: 200, body: { results: {} } },
    ]);
    assert.deepEqual(await sendWrite(form.t, { method: 'PUT', path: '/x', form: {}, context: c }), { results: {} });
    assert.deepEqual([form.sent.length, form.invalidated()], [2, 1]);
    const upload = scripted([{ status: 200, body: { error: 'Authentication Required', errorDetail: '', statusCode: 401 } }]);
    const multipart = multipartBody([], { field: 'file', fileName: 'a', contentType: 'text/plain', body: new Blob(['a']).stream() });
    await assert.rejects(
      sendWrite(upload.t, { method: 'POST', path: '/x', multipart, context: c }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'UNAUTHENTICATED' && /nothing was stored/.test(e.message),
    );
    assert.deepEqual([upload.sent.length, upload.invalidated()], [1, 1]);
  });

  it('classifies a real status by status alone (a fault, or a server ignoring the flag)', async () => {
    const http: HttpClient = {
      system: 'OTCS',
      request: () => Promise.reject(new UpstreamError('OTCS', 'UNAVAILABLE', 'HTTP 503', 503)),
    };
    await assert.rejects(
      sendWrite({ http, mapping: demoMapping() }, { method: 'POST', path: '/x', form: {}, context: c }),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'UNAVAILABLE' && e.status === 503,
    );
  });
});
