/** The outgoing webhooks' configuration: defaults, the allow-list, and every bad value reported. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../gateway/config.ts';

describe('webhook configuration', () => {
  it('defaults: 1 s dispatch, 10 s attempts, retried for 24 h, no allow-list', () => {
    const w = loadConfig({}).webhooks;
    assert.deepEqual(
      [w.dispatchIntervalMs, w.timeoutMs, w.retryHorizonMs, w.backoffMinMs, w.backoffMaxMs, w.secretGraceMs, w.allow.length],
      [1000, 10_000, 86_400_000, 5000, 3_600_000, 86_400_000, 0],
    );
  });

  it('reads the allow-list and the timings', () => {
    const w = loadConfig({
      WEBHOOK_ALLOW_HOSTS: 'hooks.intranet.example, 10.20.0.0/16',
      WEBHOOK_RETRY_HORIZON_S: '3600',
      WEBHOOK_BACKOFF_MIN_MS: '100',
    }).webhooks;
    assert.equal(w.allow.length, 2);
    assert.equal(w.retryHorizonMs, 3_600_000);
    assert.equal(w.backoffMinMs, 100);
  });

  it('reports every bad value at once', () => {
    try {
      loadConfig({
        WEBHOOK_ALLOW_HOSTS: '10.0.0.0/40, http://x',
        WEBHOOK_TIMEOUT_MS: 'soon',
        WEBHOOK_BACKOFF_MIN_MS: '9000',
        WEBHOOK_BACKOFF_MAX_MS: '100',
      });
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      const text = e.problems.join('\n');
      assert.match(text, /WEBHOOK_ALLOW_HOSTS: "10.0.0.0\/40" has an invalid prefix length/);
      assert.match(text, /WEBHOOK_ALLOW_HOSTS: "http:\/\/x" is neither/);
      assert.match(text, /WEBHOOK_TIMEOUT_MS must be an integer/);
      assert.match(text, /WEBHOOK_BACKOFF_MIN_MS must not be more than WEBHOOK_BACKOFF_MAX_MS/);
    }
  });
});
