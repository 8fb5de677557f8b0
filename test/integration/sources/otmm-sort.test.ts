import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createOtmmSimulator } from '../../../simulators/otmm/simulator.ts';
import { createOtmmClient } from '../../../sources/otmm/client.ts';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { testWorld } from '../../helpers/world.ts';

let sim: Simulator;
let url = '';
before(async () => {
  sim = createOtmmSimulator(testWorld(), demoMapping());
  url = await sim.listen(0);
});
after(() => sim.close());

test('name and date sorts are pushed down and hold across pages', async () => {
  const client = createOtmmClient({ baseUrl: url, ...DEMO_CREDENTIALS.otmm, mapping: demoMapping() });
  for (const sort of [
    { field: 'name', direction: 'asc' },
    { field: 'date', direction: 'desc' },
  ] as const) {
    const keys: string[] = [];
    for (let offset = 0; offset < 120; offset += 40) {
      const page = await client.findAssets({ locales: ['de-DE', 'fr-FR'] }, { first: 40, offset, sort });
      keys.push(...page.items.map((a) => (sort.field === 'name' ? a.title : a.modifiedAt)));
    }
    assert.equal(keys.length, 100);
    const sorted = [...keys].sort((a, b) => (sort.direction === 'asc' ? a.localeCompare(b) : b.localeCompare(a)));
    assert.deepEqual(keys, sorted, sort.field);
  }
});
