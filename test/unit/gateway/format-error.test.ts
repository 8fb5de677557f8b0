import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLError } from 'graphql';
import { NotFoundError, UpstreamUnavailableError } from '../../../access/errors.ts';
import { makeFormatError } from '../../../gateway/format-error.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';

const logged: Record<string, unknown>[] = [];
const format = makeFormatError({ error: (_m, f) => logged.push(f) });

test('unexpected errors are masked and logged', () => {
  const original = new Error('connect ECONNREFUSED http://10.0.0.5:8080/otcs?ticket=abc');
  const out = format(
    { message: original.message, path: ['campaign'], extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['x'] } },
    new GraphQLError(original.message, { originalError: original }),
  );
  assert.deepEqual(out, { message: 'Internal server error', path: ['campaign'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  assert.match(String(logged.at(-1)?.message), /ECONNREFUSED/);
});

test('known errors pass; upstream errors become UPSTREAM_UNAVAILABLE naming the source, without internals', () => {
  const nf = new NotFoundError('Asset');
  assert.equal(format({ message: nf.message, extensions: nf.extensions }, nf).extensions?.code, 'NOT_FOUND');
  const up = new UpstreamError('NETX', 'UNAVAILABLE', 'timed out');
  const out = format(
    { message: 'NETX: timed out', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    new GraphQLError('x', { originalError: up }),
  );
  assert.equal(out.extensions?.code, 'UPSTREAM_UNAVAILABLE');
  assert.equal(out.extensions?.source, 'NETX');
  assert.equal(out.message, new UpstreamUnavailableError('NETX').message);
});
