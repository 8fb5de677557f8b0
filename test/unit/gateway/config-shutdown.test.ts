import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../gateway/config.ts';

test('a DATABASE_URL without a user is refused, saying to name one, never echoing the password', () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'postgres://:hunter2@127.0.0.1:5432/test' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.deepEqual(e.problems, ['DATABASE_URL must name a user, e.g. postgres://atrium@127.0.0.1:5432/atrium']);
      assert.doesNotMatch(e.message, /hunter2/);
      return true;
    },
  );
  assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://127.0.0.1:5432/test' }), /must name a user/);
  assert.equal(
    loadConfig({ DATABASE_URL: 'postgres://root@127.0.0.1:5432/test' }).audit.databaseUrl,
    'postgres://root@127.0.0.1:5432/test',
  );
  assert.equal(
    loadConfig({ DATABASE_URL: 'postgresql://127.0.0.1/test?user=atrium' }).audit.databaseUrl,
    'postgresql://127.0.0.1/test?user=atrium',
  );
});

test('the drain deadline and the audit readiness bounds have defaults and are checked with the rest', () => {
  const c = loadConfig({});
  assert.deepEqual([c.drainMs, c.audit.readyLagMs, c.audit.readyBufferFraction], [25_000, 1500, 0.5]);
  const d = loadConfig({ SHUTDOWN_DRAIN_MS: '5000', AUDIT_READY_LAG_MS: '2000', AUDIT_READY_BUFFER_PCT: '80' });
  assert.deepEqual([d.drainMs, d.audit.readyLagMs, d.audit.readyBufferFraction], [5000, 2000, 0.8]);
  assert.throws(
    () => loadConfig({ SHUTDOWN_DRAIN_MS: '-1', AUDIT_READY_LAG_MS: '0', AUDIT_READY_BUFFER_PCT: '101', DATABASE_URL: 'postgres://db/x' }),
    (e: unknown) => e instanceof ConfigError && e.problems.length === 4,
  );
});
