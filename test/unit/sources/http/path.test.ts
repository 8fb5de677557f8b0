import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formBody, pathOf, queryString, segment } from '../../../../sources/http/path.ts';
import { UpstreamError } from '../../../../sources/http/errors.ts';

const p = pathOf('OTCS');

test('interpolated values are single encoded segments', () => {
  assert.equal(p`/api/v2/nodes/${'../x'}/versions`, '/api/v2/nodes/..%2Fx/versions');
  assert.equal(p`/n/${'1?a=b'}`, '/n/1%3Fa%3Db');
  assert.equal(p`/n/${'%2F'}`, '/n/%252F');
  assert.equal(p`/n/${'#x'}`, '/n/%23x');
  assert.equal(p`/n/${'http://evil/x'}`, '/n/http%3A%2F%2Fevil%2Fx');
  assert.equal(p`/n/${'a\r\nb'}`, '/n/a%0D%0Ab');
  assert.equal(p`/n/${42}/`, '/n/42/');
  // The URL parser keeps each of these inside its segment.
  for (const hostile of ['../x', '1?a=b', '%2F', '#x', 'http://evil/x', 'a\r\nb']) {
    const url = new URL(`http://h/base${p`/n/${hostile}/end`}`);
    assert.equal(url.pathname.split('/').length, 5, hostile);
    assert.equal(url.search, '');
    assert.equal(url.hash, '');
    assert.equal(decodeURIComponent(url.pathname.split('/')[3] ?? ''), hostile);
  }
});

test('dot segments are refused, since no encoding keeps them literal', () => {
  for (const v of ['.', '..', '%2e', '%2E%2e', '']) {
    assert.throws(
      () => segment('ICONIK', v),
      (e: unknown) => e instanceof UpstreamError && e.kind === 'NOT_FOUND',
      v,
    );
  }
});

test('query strings repeat keys for lists and keep flags bare', () => {
  assert.equal(
    queryString({ ids: [1, 2], fields: 'properties', metadata: true, skip: undefined, no: false }),
    '?ids=1&ids=2&fields=properties&metadata',
  );
  assert.equal(queryString({ where: 'a&b=c#d' }), '?where=a%26b%3Dc%23d');
  assert.equal(queryString({}), '');
  assert.equal(formBody({ body: JSON.stringify({ name: 'x y' }) }), 'body=%7B%22name%22%3A%22x%20y%22%7D');
});
