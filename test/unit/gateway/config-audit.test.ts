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
    readyLagMs: 1500,
    readyBufferFraction: 0.5,
    checkpointIntervalMs: 300_000,
    checkpointEvents: 100_000,
    journalDir: resolve('/tmp/atrium-x/audit-journal'),
  });
  assert.equal(c.trustProxy, false);
  assert.equal(loadConfig({ AUDIT_JOURNAL: 'false' }).audit.journalDir, undefined, 'the journal can be turned off');
});

test('the checkpoint key comes as PEM, with \\n for its line breaks; anything else is refused', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ3Xq8gC0KvRkz8Zr8Fq3Ty7l6b5x2fX6k5nJm0Vh6tE\n-----END PRIVATE KEY-----';
  const c = loadConfig({
    AUDIT_CHECKPOINT_KEY: pem.replace(/\n/g, '\\n'),
    AUDIT_CHECKPOINT_INTERVAL_S: '60',
    AUDIT_CHECKPOINT_EVENTS: '500',
  });
  assert.deepEqual([c.audit.checkpointKey, c.audit.checkpointIntervalMs, c.audit.checkpointEvents], [pem, 60_000, 500]);
  assert.throws(
    () => loadConfig({ AUDIT_CHECKPOINT_KEY: 'hunter2', AUDIT_CHECKPOINT_INTERVAL_S: '0' }),
    (e: unknown) => e instanceof ConfigError && e.problems.length === 2 && !e.message.includes('hunter2'),
  );
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
