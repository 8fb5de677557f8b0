/**
 * Readiness tells the truth about the sources: /readyz is 503 within 2 s of a source answering
 * malformed bodies (its reads only, while its ping still answers) and 200 again within 2 s of
 * its recovery, under a steady trickle of reads, as a load balancer would see it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, type Stack } from '../../helpers/stack.ts';

let stack: Stack;
before(async () => {
  stack = await startStack({ timeoutMs: 2000, retries: 1, cacheTtlMs: 0 });
  await stack.query('{ search(first: 5) { totalCount } }');
});
after(() => stack.close());

const readyz = async () => (await fetch(`${stack.url}/readyz`)).status;

/** Poll /readyz every 100 ms until it answers `status`; the ms it took, or Infinity after `limitMs`. */
async function until(status: number, limitMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < limitMs) {
    if ((await readyz()) === status) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 100));
  }
  return Infinity;
}

test('a source whose reads come back malformed makes /readyz 503 within 2 s, and 200 within 2 s of recovery', async () => {
  assert.equal(await readyz(), 200);
  let stop = false;
  const trickle = (async () => {
    while (!stop) {
      await stack.query('{ search(first: 5) { totalCount } }');
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    // The search route only: the ping (GET /api/v1/auth) still answers well.
    await fetch(`${stack.sims.roots.otcs}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clear: true, faults: [{ route: '/otcs/cs.exe/api/v2/search', malformed: true }] }),
    });
    const down = await until(503, 5000);
    assert.ok(down <= 2000, `503 after ${down} ms`);
    const body = (await (await fetch(`${stack.url}/readyz`)).json()) as { upstreams: { system: string; ok: boolean; message?: string }[] };
    const otcs = body.upstreams.find((u) => u.system === 'OTCS');
    assert.equal(otcs?.ok, false);
    assert.ok(
      body.upstreams.filter((u) => u.system !== 'OTCS').every((u) => u.ok),
      'the other sources stay ready',
    );
    await fetch(`${stack.sims.roots.otcs}/__sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clear: true }),
    });
    const up = await until(200, 5000);
    assert.ok(up <= 2000, `200 again after ${up} ms`);
  } finally {
    stop = true;
    await trickle;
  }
});
