import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditJournal } from '../../../audit/journal.ts';
import { blankRecord, type AuditRecord } from '../../../audit/event.ts';

const rec = (i: number): AuditRecord => ({
  ...blankRecord(`r-${i}`, `2026-12-02T10:00:${String(i % 60).padStart(2, '0')}.000Z`, 'view'),
  email: 'a@x',
});
const temp = () => mkdtempSync(join(tmpdir(), 'atrium-journal-'));

describe('the audit journal', () => {
  it('a process killed before its records were stored leaves them for the next start, whole lines only', () => {
    const dir = temp();
    try {
      const j = new AuditJournal(dir);
      assert.deepEqual(j.recover(), { records: [], gaps: [] });
      for (let i = 0; i < 5; i++) j.append(rec(i));
      j.release(['r-0', 'r-1']);
      j.appendGap('gap-1', { count: 3, from: '2026-12-02T09:00:00.000Z', to: '2026-12-02T09:01:00.000Z' });
      // Killed here: no close. The kill cut the last line short.
      appendFileSync(join(dir, j.segments()[0] as string), '{"r":{"id":"r-9","at":');
      const next = new AuditJournal(dir);
      const got = next.recover();
      assert.deepEqual(
        got.records.map((r) => r.id),
        ['r-0', 'r-1', 'r-2', 'r-3', 'r-4'],
        'the whole segment comes back: the store skips what it already has',
      );
      assert.deepEqual(got.records[2], rec(2));
      assert.deepEqual(got.gaps, [{ count: 3, from: '2026-12-02T09:00:00.000Z', to: '2026-12-02T09:01:00.000Z' }]);
      next.recovered();
      assert.deepEqual(next.segments(), [], 'once stored, the previous process leaves nothing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('forgets what is stored: segments go once all their lines are, and a clean close leaves no file', () => {
    const dir = temp();
    try {
      const j = new AuditJournal(dir, 200);
      for (let i = 0; i < 12; i++) j.append(rec(i));
      assert.ok(j.segments().length > 3, `small segments rotate (${j.segments().length})`);
      j.release(Array.from({ length: 6 }, (_, i) => `r-${i}`));
      const left = new AuditJournal(dir).recover().records.map((r) => r.id);
      assert.ok(!left.includes('r-0') && left.includes('r-11'), `stored lines' segments are gone: ${left.join(',')}`);
      j.release(Array.from({ length: 12 }, (_, i) => `r-${i}`));
      j.close();
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
