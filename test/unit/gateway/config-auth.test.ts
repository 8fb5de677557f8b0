import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../gateway/config.ts';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

test('auth defaults: no extra issuers, 30 s clock tolerance', () => {
  const c = loadConfig({});
  assert.deepEqual(c.auth, { issuers: [], clockToleranceS: 30 });
});

test('AUTH_ISSUERS parses into frozen issuer configs', () => {
  const issuers = [
    {
      issuer: 'https://login.example.com/',
      audience: ['atrium-gateway'],
      jwksUrl: 'https://login.example.com/jwks',
      algorithms: ['RS256'],
    },
  ];
  const c = loadConfig({ AUTH_ISSUERS: JSON.stringify(issuers), AUTH_CLOCK_TOLERANCE_S: '5' });
  assert.deepEqual(c.auth, { issuers, clockToleranceS: 5 });
  assert.ok(Object.isFrozen(c.auth.issuers[0]));
});

test('bad auth variables are named, together with every other problem', () => {
  const found = problems({
    AUTH_ISSUERS: JSON.stringify([
      { issuer: 'x', audience: 'y', jwksUrl: 'https://idp.example.com/jwks', algorithms: ['HS256'] },
      { issuer: 'z' },
    ]),
    AUTH_CLOCK_TOLERANCE_S: '9999',
    GATEWAY_PORT: 'x',
  });
  assert.equal(found.length, 5, found.join(' | '));
  assert.ok(found.some((p) => p.startsWith('AUTH_ISSUERS[0].algorithms')));
  assert.ok(found.some((p) => p.startsWith('AUTH_ISSUERS[1].audience')));
  assert.ok(found.some((p) => p.startsWith('AUTH_ISSUERS[1] needs exactly one')));
  assert.ok(found.some((p) => p.startsWith('AUTH_CLOCK_TOLERANCE_S')));
  assert.ok(found.some((p) => p.startsWith('GATEWAY_PORT')));
});

test('AUTH_ISSUERS that is not JSON is reported without echoing it', () => {
  const found = problems({ AUTH_ISSUERS: '[{"publicKey":"-----BEGIN PUBLIC KEY-----' });
  assert.deepEqual(found, ['AUTH_ISSUERS must be valid JSON']);
});

test('in demo mode AUTH_ISSUERS may not claim the demo issuer', () => {
  const demoNamed = JSON.stringify([{ issuer: 'atrium-demo', audience: 'atrium-gateway', jwksUrl: 'https://idp.example.com/jwks' }]);
  assert.deepEqual(problems({ AUTH_ISSUERS: demoNamed }), ['AUTH_ISSUERS may not name "atrium-demo": demo mode issues it itself']);
});
