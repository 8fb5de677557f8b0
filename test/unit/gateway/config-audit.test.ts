import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../../gateway/config.ts';

test('auditing is on by default, on PGlite in the data directory', () => {
  const c = loadConfig({ ATRIUM_DATA_DIR: '/tmp/atrium-x' });
  assert.deepEqual(c.audit, {
    enabled: true,
    schema: 'public',
    dir: resolve('/tmp/atrium-x/audit'),
    bufferMax: 100_000,
    batchMs: 200,
    batchSize: 10_000,
    shutdownMs: 30_000,
  });
  assert.equal(c.trustProxy, false);
});

test('DATABASE_URL, the audit knobs and TRUST_PROXY are read and checked together', () => {
  const c = loadConfig({
    DATABASE_URL: 'postgres://u@db:5432/atrium',
    AUDIT_SCHEMA: 'audit',
    AUDIT_ENABLED: 'false',
    AUDIT_BUFFER_MAX: '50',
    AUDIT_BATCH_MS: '10',
    AUDIT_BATCH_SIZE: '5',
    TRUST_PROXY: 'true',
  });
  assert.equal(c.audit.databaseUrl, 'postgres://u@db:5432/atrium');
  assert.equal(c.audit.enabled, false);
  assert.deepEqual([c.audit.schema, c.audit.bufferMax, c.audit.batchMs, c.audit.batchSize, c.trustProxy], ['audit', 50, 10, 5, true]);
  assert.throws(
    () => loadConfig({ DATABASE_URL: 'mysql://x', AUDIT_SCHEMA: 'Robert"); DROP', AUDIT_BUFFER_MAX: '0', TRUST_PROXY: 'maybe' }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems.length, 4, e.message);
      return true;
    },
  );
});
