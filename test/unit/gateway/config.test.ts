import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../gateway/config.ts';

test('defaults run the demo against local simulators on DESIGN.md ports', () => {
  const c = loadConfig({});
  assert.equal(c.demo, true);
  assert.equal(c.simulators, true);
  assert.deepEqual(c.simPorts, { otcs: 4101, iconik: 4102, netx: 4103, otmm: 4104 });
  assert.equal(c.gatewayPort, 4000);
  assert.equal(c.upstream.otcs.url, 'http://127.0.0.1:4101/otcs/cs.exe');
  assert.ok(Object.isFrozen(c.upstream.otcs));
});

test('env overrides ports and scale', () => {
  const c = loadConfig({ NETX_SIM_PORT: '5103', ATRIUM_SCALE: '10', HOST: '0.0.0.0' });
  assert.equal(c.simPorts.netx, 5103);
  assert.equal(c.world.scale, 10);
  assert.equal(c.upstream.netx.url, 'http://0.0.0.0:5103');
});

test('every bad variable is reported at once', () => {
  try {
    loadConfig({ GATEWAY_PORT: 'x', ATRIUM_SCALE: '0', ATRIUM_DEMO: 'maybe', OTCS_URL: 'ftp://x' });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.problems.length, 4);
    assert.match(e.message, /GATEWAY_PORT/);
    assert.match(e.message, /ATRIUM_SCALE/);
    assert.match(e.message, /ATRIUM_DEMO/);
    assert.match(e.message, /OTCS_URL/);
  }
});

test('outside demo mode every upstream must be configured', () => {
  assert.throws(
    () => loadConfig({ ATRIUM_DEMO: 'false' }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.problems.some((p) => p.startsWith('NETX_API_TOKEN')) &&
      e.problems.some((p) => p.startsWith('OTCS_URL')),
  );
  const ok = loadConfig({
    ATRIUM_DEMO: 'false',
    DOWNLOAD_SECRET: 'x'.repeat(32),
    OTCS_URL: 'https://cs.example.com/otcs/cs.exe',
    OTCS_USERNAME: 'u',
    OTCS_PASSWORD: 'p',
    ICONIK_URL: 'https://app.iconik.io/API',
    ICONIK_APP_ID: 'a',
    ICONIK_AUTH_TOKEN: 't',
    NETX_URL: 'https://netx.example.com',
    NETX_API_TOKEN: 'n',
    OTMM_URL: 'https://otmm.example.com',
    OTMM_USERNAME: 'u',
    OTMM_PASSWORD: 'p',
  });
  assert.equal(ok.simulators, false);
});
