/**
 * The GraphQL multipart parser refuses a map that would write anywhere but a null variable of
 * the operation: prototype paths (which once threw out of the parser's event and ended the
 * process), inherited or missing properties, and paths outside `variables`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { parseMultipart, setPath } from '../../../gateway/uploads.ts';
import { BadUserInputError } from '../../../access/errors.ts';

test('setPath writes only at a null own property under variables', () => {
  const op = () => ({ query: 'q', variables: { file: null, nested: { f: null } } }) as Record<string, unknown>;
  for (const bad of [
    'a.__proto__.__proto__',
    'variables.__proto__',
    'variables.constructor',
    'variables.toString',
    'query',
    'variables.missing',
    'x.file',
    'variables',
  ])
    assert.equal(setPath(op(), bad, 1), false, bad);
  const o = op();
  assert.equal(setPath(o, 'variables.nested.f', 1), true);
  assert.deepEqual(o.variables, { file: null, nested: { f: 1 } });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a hostile map is a typed error, not a crash', async () => {
  const boundary = 'b0undary';
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"a":{},"variables":{"file":null}}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["a.__proto__.__proto__"]}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="x.pdf"\r\nContent-Type: application/pdf\r\n\r\nx\r\n--${boundary}--\r\n`;
  const req = Object.assign(new PassThrough(), { headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
  const parsed = parseMultipart(req as unknown as IncomingMessage, { maxBytes: 1024 });
  req.end(body);
  await assert.rejects(parsed, BadUserInputError);
});
