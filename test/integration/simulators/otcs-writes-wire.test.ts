/**
 * Wire fidelity of the Content Server simulator's writes (vendor-apis-writes §2): requests as
 * the reference shows them are accepted, and the answers have the keys and types of its
 * examples (test/fixtures/vendor/otcs-writes/README.md says where each comes from).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { createOtcsSimulator, type OtcsSimulator } from '../../../simulators/otcs/simulator.ts';
import { assertSameShape } from '../../helpers/shape.ts';
import { testWorld } from '../../helpers/world.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- wire bodies are read loosely

const CGI = '/otcs/cs.exe';
const world = testWorld();
const fixture = (dir: string, name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../fixtures/vendor/${dir}/${name}`, import.meta.url), 'utf8')) as Json;
const writes = (name: string) => fixture('otcs-writes', name);

describe('Content Server simulator: write wire shapes (vendor-apis-writes §2)', () => {
  let sim: OtcsSimulator;
  let api: string;
  let ticket: string;
  const call = async (method: string, path: string, body?: RequestInit['body']) => {
    const res = await fetch(api + path, { method, headers: { OTCSTicket: ticket }, ...(body ? { body } : {}) });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const form = (fields: Record<string, string>) => new URLSearchParams(fields);

  before(async () => {
    sim = createOtcsSimulator(world, demoMapping());
    api = (await sim.listen(0)) + CGI;
    const res = await fetch(`${api}/api/v1/auth`, { method: 'POST', body: form({ ...DEMO_CREDENTIALS.otcs }) });
    ticket = ((await res.json()) as Json).ticket as string;
  });
  after(() => sim.close());

  it('§2.1 takes the create body as pyxecm sends it and answers {links, results:{direct_open, id, sub_folder_id}}', async () => {
    const res = await call('POST', '/api/v2/businessworkspaces', form({ body: JSON.stringify(writes('workspace-create-request.json')) }));
    assert.equal(res.status, 200);
    assertSameShape(res.body, writes('workspace-create-response.json'), '§2.1 create');
    const got = await call('GET', `/api/v2/businessworkspaces/${res.body.results.id}?metadata`);
    assertSameShape(got.body.results, (fixture('otcs-workspaces', 'workspace-get.json').results as unknown[])[0], '§2.1 read back');
    assert.equal(got.body.results.data.business_properties.business_object_id, '0000050031');
  });

  it('§2.3 takes the upload body part and a file part; answers results.data.properties; ?state gives results.state', async () => {
    const folder = world.account(1).workspaceId + 2;
    const fd = new FormData();
    fd.append('body', JSON.stringify({ ...writes('upload-body.json'), parent_id: String(folder) }));
    fd.append('file', new Blob(['%PDF-1.4 contract'], { type: 'application/pdf' }), 'Contract.pdf');
    const res = await call('POST', '/api/v2/nodes', fd);
    assert.equal(res.status, 200);
    assertSameShape(res.body, writes('node-create-response.json'), '§2.3 upload');
    const id = res.body.results.data.properties.id as number;
    const state = await call('GET', `/api/v2/nodes/${id}?state`);
    assertSameShape(state.body, writes('state.json'), '?state');
    // Definitions as the example has them; values only where the upload set them (the rest are empty: null).
    const cats = await call('GET', `/api/v2/nodes/${id}/categories`);
    const { data: _values, ...definitions } = fixture('otcs', 'categories-nested.json').results[0] as Json;
    assertSameShape(cats.body.results[0], definitions, 'categories of the upload');
    assert.equal(cats.body.results[0].data.categories['9830_8'], 'DRAFT');
    assert.equal(cats.body.results[0].data.categories['9830_10'], '2023-05-10T00:00:00');
  });

  it('§2.4 answers a new version with results.data.{properties, versions}', async () => {
    const doc = [...world.documents()][0] as { nodeId: number };
    const fd = new FormData();
    fd.append('file', new Blob(['v next'], { type: 'text/plain' }), 'next.txt');
    const res = await call('POST', `/api/v2/nodes/${doc.nodeId}/versions`, fd);
    assert.equal(res.status, 200);
    assertSameShape(res.body, writes('version-add-response.json'), '§2.4 add version');
    const versions = await call('GET', `/api/v2/nodes/${doc.nodeId}/versions`);
    assertSameShape(versions.body, fixture('otcs', 'versions.json'), 'versions after');
  });

  it('§2.3 answers an RM classification with the GET shape, and the audit keeps its SEEN envelope', async () => {
    const doc = [...world.documents()].find((d) => !d.record) as { nodeId: number };
    const res = await call(
      'POST',
      `/api/v1/nodes/${doc.nodeId}/rmclassifications`,
      form({ body: JSON.stringify({ class_id: 41320, apply_to_sub_items: false }) }),
    );
    assert.equal(res.status, 200);
    assertSameShape(res.body, fixture('otcs', 'rmclassifications.json'), 'rmclassifications POST');
    const audit = await call('GET', `/api/v2/nodes/${doc.nodeId}/audit`);
    assertSameShape(audit.body, fixture('otcs', 'audit.json'), 'audit after writes');
    assert.equal(audit.body.results.data.audit[0].event_type, 264);
  });

  it('answers write errors with the CS error body', async () => {
    const clash = await call('POST', '/api/v2/businessworkspaces', form({ body: JSON.stringify(writes('workspace-create-request.json')) }));
    assert.equal(clash.status, 500);
    assertSameShape(clash.body, fixture('otcs', 'error.json'), 'already exists');
    const conflict = await call(
      'PUT',
      `/api/v2/nodes/${world.account(0).workspaceId}/categories/9850`,
      form({ '9850_4': 'NA', '9850_1': '{"metadata_token":"stale"}' }),
    );
    assert.equal(conflict.status, 409);
    assert.deepEqual(conflict.body, { error: 'Could not update metadata (edit conflict).', errorDetail: '' });
  });
});
