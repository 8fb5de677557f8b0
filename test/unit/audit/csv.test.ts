import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, csvLine, filterFromQuery } from '../../../audit/csv.ts';

test('cells are quoted only when needed, quotes doubled', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell(42), '42');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('cr\rlf'), '"cr\rlf"');
  assert.equal(csvLine(['a', null, 'b,c']), 'a,,"b,c"\r\n');
});

test('cells a spreadsheet would evaluate are neutralised (CSV injection)', () => {
  for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
    assert.equal(csvCell(s).replace(/^"|"$/g, '').startsWith("'"), true, JSON.stringify(s));
  assert.equal(csvCell('=HYPERLINK("http://evil")'), `"'=HYPERLINK(""http://evil"")"`);
  assert.equal(csvCell('a=b'), 'a=b', 'only a leading character matters');
});

test('the export filter comes from the query string; malformed values are reported together', () => {
  assert.deepEqual(
    filterFromQuery(
      new URLSearchParams('user=anna@northwind.example&company=ACC-1001&action=DOWNLOAD&from=2026-11-01&to=2026-12-01T00:00:00Z'),
    ),
    {
      user: 'anna@northwind.example',
      company: 'ACC-1001',
      action: 'download',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
    },
  );
  assert.deepEqual(filterFromQuery(new URLSearchParams('')), {});
  assert.deepEqual(filterFromQuery(new URLSearchParams('action=delete&from=yesterday')), [
    'action must be one of view, download, gap, write',
    'from must be an ISO-8601 date or date-time',
  ]);
});
