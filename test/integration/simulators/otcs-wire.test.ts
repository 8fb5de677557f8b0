/**
 * Wire fidelity: the simulator's answers have the keys and JSON types of the vendor examples
 * in vendor-apis.md §1 and of the sources it cites where it names a route without an example
 * (test/fixtures/vendor/otcs, adaptations listed in its README).
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { LICENCE_OFFSETS } from '../../../simulators/demo/world.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { createOtcsSimulator, type OtcsSimulator } from '../../../simulators/otcs/simulator.ts';
import { assertSameShape, shapeDiff } from '../../helpers/shape.ts';
import { testWorld } from '../../helpers/world.ts';
import assert from 'node:assert/strict';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../fixtures/vendor/otcs/${name}.json`, import.meta.url), 'utf8'));

async function login(api: string): Promise<string> {
  const res = await fetch(`${api}/api/v1/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: DEMO_CREDENTIALS.otcs.username, password: DEMO_CREDENTIALS.otcs.password }).toString(),
  });
  return ((await res.json()) as { ticket: string }).ticket;
}

const world = testWorld();
const docs = [...world.documents()];
const campaign0 = world.campaign(0);

describe('OTCS wire fidelity against vendor examples', () => {
  let sim: OtcsSimulator;
  let api: string;
  let ticket: string;
  before(async () => {
    sim = createOtcsSimulator(world, demoMapping());
    api = `${await sim.listen(0)}/otcs/cs.exe`;
    ticket = await login(api);
  });
  after(() => sim.close());

  const get = async (path: string): Promise<unknown> => (await fetch(api + path, { headers: { OTCSTicket: ticket } })).json();
  const post = async (path: string, fields: Record<string, string>): Promise<unknown> =>
    (
      await fetch(api + path, {
        method: 'POST',
        headers: { OTCSTicket: ticket, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      })
    ).json();

  it('node get (folder and document)', async () => {
    assertSameShape(await get(`/api/v2/nodes/${campaign0.workspaceId + 1}?fields=properties`), fixture('node-get'), 'folder');
    assertSameShape(await get(`/api/v2/nodes/${docs[0]?.nodeId}?fields=properties`), fixture('node-get'), 'document');
  });

  it('child listing', async () => {
    assertSameShape(await get(`/api/v2/nodes/${campaign0.workspaceId + 1}/nodes?limit=2`), fixture('node-children'));
  });

  it('categories: definitions under metadata.categories by default, flat on option', async () => {
    const path = `/api/v2/nodes/${campaign0.workspaceId + LICENCE_OFFSETS.music}/categories?metadata`;
    assertSameShape(await get(path), fixture('categories-nested'), 'nested');
    const flat = createOtcsSimulator(world, demoMapping(), { categoryMetadata: 'flat' });
    try {
      const flatApi = `${await flat.listen(0)}/otcs/cs.exe`;
      const flatTicket = await login(flatApi);
      const body: unknown = await (await fetch(flatApi + path, { headers: { OTCSTicket: flatTicket } })).json();
      assertSameShape(body, fixture('categories'), 'flat');
    } finally {
      await flat.close();
    }
  });

  it('search', async () => {
    assertSameShape(await post('/api/v2/search', { where: 'OTSubType:144', limit: '5' }), fixture('search'));
  });

  it('audit', async () => {
    assertSameShape(await get(`/api/v2/nodes/${docs[0]?.nodeId}/audit`), fixture('audit'));
  });

  it('versions', async () => {
    assertSameShape(await get(`/api/v2/nodes/${docs[0]?.nodeId}/versions`), fixture('versions'));
  });

  it('rmclassifications', async () => {
    const record = docs.find((d) => d.record);
    assertSameShape(await get(`/api/v1/nodes/${record?.nodeId}/rmclassifications`), fixture('rmclassifications'));
  });

  it('holds', async () => {
    assertSameShape(await get('/api/v2/holds'), fixture('holds'));
  });

  it('classifications (v1 style, no results)', async () => {
    const record = docs.find((d) => d.record);
    assertSameShape(await get(`/api/v1/nodes/${record?.nodeId}/classifications`), fixture('classifications'));
  });

  it('docworkflows', async () => {
    assertSameShape(await get(`/api/v2/docworkflows?doc_id=${docs[0]?.nodeId}&parent_id=${docs[0]?.parentId}`), fixture('docworkflows'));
  });

  it('v1 versions list and v1 member', async () => {
    assertSameShape(await get(`/api/v1/nodes/${docs[0]?.nodeId}/versions`), fixture('versions-v1'), 'versions');
    const user = [...world.users()][0];
    assertSameShape(await get(`/api/v1/members/${user?.userId}`), fixture('member-v1'), 'member');
  });

  it('serverinfo and volumes', async () => {
    assertSameShape(await get('/api/v1/serverinfo'), fixture('serverinfo'), 'serverinfo');
    assertSameShape(await get('/api/v2/volumes'), fixture('volumes'), 'volumes');
  });

  it('error body', async () => {
    assertSameShape(await get('/api/v2/nodes/999'), fixture('error'));
    assertSameShape(await get(`/api/v2/nodes/${encodeURIComponent('../x')}`), fixture('error'), 'hostile id');
  });

  it('the shape check itself catches a wrong envelope', async () => {
    const listEnvelope = await get(`/api/v2/nodes/${docs[0]?.nodeId}/versions`);
    assert.notDeepEqual(shapeDiff(listEnvelope, fixture('node-get')), []);
  });
});
