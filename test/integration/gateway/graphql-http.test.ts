import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serverAudits } from 'graphql-http';
import { startStack, type Stack } from '../../helpers/stack.ts';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack.close());

test('the graphql-http audit passes every MUST over HTTP', async () => {
  const audits = serverAudits({ url: `${stack.url}/graphql` });
  const failures: string[] = [];
  let musts = 0;
  for (const audit of audits) {
    if (!audit.name.startsWith('MUST')) continue;
    musts++;
    const result = await audit.fn();
    if (result.status !== 'ok') failures.push(`${audit.name}: ${result.reason}`);
  }
  assert.ok(musts > 10, `ran ${musts} MUST audits`);
  assert.deepEqual(failures, []);
});
