import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../gateway/config.ts';
import { StartupError, startupSteps } from '../../../gateway/startup.ts';

test('every step runs and their results come back by name', async () => {
  const out = await startupSteps({ a: () => 1, b: async () => 'two' });
  assert.deepEqual(out, { a: 1, b: 'two' });
});

test('every failing step is reported at once (lists flattened), and what succeeded is undone', async () => {
  let undone: unknown;
  let late = false;
  await assert.rejects(
    startupSteps(
      {
        port: async () => 4000,
        database: async () => {
          throw new Error('audit store postgres://db:5432/atrium (schema public): role "x" does not exist');
        },
        mapping: () => {
          throw new ConfigError(['first', 'second']);
        },
        slow: async () => {
          await new Promise((r) => setTimeout(r, 30));
          late = true;
          return 'done';
        },
      },
      (done) => {
        undone = done;
      },
    ),
    (e: unknown) => {
      assert.ok(e instanceof StartupError);
      assert.deepEqual(e.problems, ['audit store postgres://db:5432/atrium (schema public): role "x" does not exist', 'first', 'second']);
      assert.match(e.message, /^the gateway cannot start:\n {2}- audit store/);
      return true;
    },
  );
  assert.ok(late, 'a slow step is waited for, not abandoned');
  assert.deepEqual(undone, { port: 4000, slow: 'done' });
});
