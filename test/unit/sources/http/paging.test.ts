import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pageWindow } from '../../../../sources/http/paging.ts';

test('every range within reach is covered by one page', () => {
  for (let offset = 0; offset < 400; offset += 7) {
    for (const count of [1, 5, 20, 50]) {
      const w = pageWindow(offset, count, 500);
      assert.ok(w, `${offset}+${count}`);
      const first = (w.page - 1) * w.perPage + w.skip;
      assert.equal(first, offset);
      assert.ok(w.skip + count <= w.perPage, `${offset}+${count}: ${JSON.stringify(w)}`);
    }
  }
  assert.deepEqual(pageWindow(0, 20, 500), { page: 1, perPage: 20, skip: 0 });
  assert.deepEqual(pageWindow(40, 20, 500), { page: 3, perPage: 20, skip: 0 });
  const far = pageWindow(1000, 20, 100);
  assert.ok(far && far.perPage <= 100 && (far.page - 1) * far.perPage + far.skip === 1000);
  assert.equal(pageWindow(0, 600, 500), null);
});
