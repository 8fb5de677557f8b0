/**
 * What third-party Content Server clients (pyxecm, cs-rest, xecm) found wrong with the
 * simulator, each as the client meets it over HTTP: trailing slashes, category definitions
 * under `metadata.categories`, `OTLocation` search, the signed-in user as a member, the answer
 * for an unknown route, and the routes they call (serverinfo, volumes, v1 versions, v1
 * members, classifications, docworkflows).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { NODE, OTCS_ADMIN_USER_ID } from '../../../simulators/demo/world.ts';
import { createSimulator } from '../../../simulators/framework/server.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { createOtcsSimulator, type OtcsSimOptions, type OtcsSimulator } from '../../../simulators/otcs/simulator.ts';
import { simStats, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const CGI = '/otcs/cs.exe';
const docs = [...world.documents()];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read loosely

interface Running {
  sim: OtcsSimulator;
  base: string;
  api: string;
  ticket: string;
  get(path: string): Promise<{ status: number; body: Json }>;
  post(path: string, fields: Record<string, string>): Promise<{ status: number; body: Json }>;
}

async function start(opts: OtcsSimOptions = {}, username: string = DEMO_CREDENTIALS.otcs.username): Promise<Running> {
  const sim = createOtcsSimulator(world, mapping, opts);
  const base = await sim.listen(0);
  const api = base + CGI;
  const login = await fetch(`${api}/api/v1/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password: DEMO_CREDENTIALS.otcs.password }).toString(),
  });
  const ticket = ((await login.json()) as { ticket: string }).ticket;
  const read = async (res: Response) => ({ status: res.status, body: (await res.json()) as Json });
  return {
    sim,
    base,
    api,
    ticket,
    get: async (path) => read(await fetch(api + path, { headers: { OTCSTicket: ticket } })),
    post: async (path, fields) =>
      read(
        await fetch(api + path, {
          method: 'POST',
          headers: { OTCSTicket: ticket, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        }),
      ),
  };
}

describe('OTCS simulator as third-party clients call it', () => {
  let s: Running;
  before(async () => {
    s = await start();
  });
  after(() => s.sim.close());

  describe('1. trailing slashes', () => {
    it('logs in the way cs-rest does (multipart POST /api/v1/auth/) and serves routes with a trailing slash', async () => {
      const form = new FormData();
      form.append('username', DEMO_CREDENTIALS.otcs.username);
      form.append('password', DEMO_CREDENTIALS.otcs.password);
      const login = await fetch(`${s.api}/api/v1/auth/`, { method: 'POST', body: form });
      assert.equal(login.status, 200);
      const { ticket } = (await login.json()) as { ticket: string };
      const me = await fetch(`${s.api}/api/v1/auth/`, { headers: { OTCSTicket: ticket } });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as Json).data.id, OTCS_ADMIN_USER_ID);
      const node = await fetch(`${s.api}/api/v2/nodes/${NODE.enterprise}/`, { headers: { OTCSTicket: ticket } });
      assert.equal(((await node.json()) as Json).results.data.properties.id, NODE.enterprise);
      const stats = await simStats(s.base);
      assert.ok((stats.byRoute[`POST ${CGI}/api/v1/auth`] ?? 0) >= 2, 'counted under the route without the slash');
    });

    it('leaves other simulators exact: the framework matches a trailing slash only when asked', async () => {
      const plain = createSimulator({ name: 'plain' });
      plain.route('GET', '/x', () => ({ body: { ok: true } }));
      const url = await plain.listen(0);
      try {
        assert.equal((await fetch(`${url}/x`)).status, 200);
        assert.equal((await fetch(`${url}/x/`)).status, 404);
      } finally {
        await plain.close();
      }
    });
  });

  describe('2. category definitions', () => {
    it('nests them under metadata.categories, the category itself first, as pyxecm reads them', async () => {
      const doc = docs[0];
      assert.ok(doc);
      const { body } = await s.get(`/api/v2/nodes/${doc.nodeId}/categories?metadata`);
      const entry = body.results[0];
      const defs = entry.metadata.categories as Record<string, Json>;
      const cat = mapping.otcs.documentCategory;
      assert.equal(Object.keys(defs)[0], String(cat.id), 'pyxecm takes the first key as the category id');
      assert.equal(defs[String(cat.id)]?.name, cat.name);
      assert.equal(defs[cat.attributes.classification]?.name, 'Classification');
      assert.deepEqual(entry.metadata_order.categories, [String(cat.id)]);
      assert.ok(!(String(cat.id) in entry.metadata), 'not also flat');
    });
  });

  describe('3. OTLocation', () => {
    const hits = async (where: string) =>
      ((await s.post('/api/v2/search', { where, limit: '500' })).body.results as Json[]).map((r) => r.data.properties.id as number);

    it('matches any ancestor in the path, so a location finds everything beneath it', async () => {
      const ws = world.campaign(1).workspaceId;
      const inWorkspace = docs.filter((d) => d.workspaceId === ws).map((d) => d.nodeId);
      assert.deepEqual((await hits(`OTLocation:${ws} AND OTSubType:144`)).sort(), [...inWorkspace].sort());
      // The "Released" folder, with a sub-folder: its documents and those of the sub-folder.
      const folder = ws + 5;
      const tree = world.tree(ws);
      assert.ok(tree);
      const under = new Set([folder]);
      for (const f of tree.folders) if (under.has(f.parentId)) under.add(f.nodeId);
      const inFolder = tree.documents.filter((d) => under.has(d.parentId)).map((d) => d.nodeId);
      assert.ok(under.size > 1 && inFolder.length > 0);
      assert.deepEqual((await hits(`OTLocation:${folder} AND OTSubType:144`)).sort(), [...inFolder].sort());
      assert.deepEqual(
        (await hits(`OTLocation:${NODE.campaignsFolder} AND OTLocation:${ws} AND OTSubType:144`)).sort(),
        [...inWorkspace].sort(),
      );
    });

    it('still shows the location as one space-separated path ending with the node', async () => {
      const doc = docs[0];
      assert.ok(doc);
      const { body } = await s.post('/api/v2/search', { where: `OTObjectID:${doc.nodeId}`, select: 'OTLocation' });
      const path = body.results[0].data.regions.OTLocation as string;
      assert.match(path, new RegExp(`^${NODE.enterprise} .* ${doc.nodeId}$`));
      assert.ok(path.split(' ').includes(String(doc.workspaceId)));
    });
  });

  describe('4. the signed-in user is a member', () => {
    it('serves the user of GET /api/v1/auth under every members route, found by name', async () => {
      const me = (await s.get('/api/v1/auth')).body.data as Json;
      assert.equal(me.id, OTCS_ADMIN_USER_ID);
      const v2 = await s.get(`/api/v2/members/${me.id}`);
      assert.equal(v2.status, 200);
      assert.deepEqual(v2.body.results.data.properties, me);
      const v1 = await s.get(`/api/v1/members/${me.id}`);
      assert.deepEqual(v1.body.data, me);
      for (const q of [`where_name=${me.name}`, `query=${me.name}`, `where_type=0&query=${String(me.name).toLowerCase()}`]) {
        const found = (await s.get(`/api/v2/members?${q}`)).body.results as Json[];
        assert.ok(
          found.some((r) => r.data.properties.id === me.id),
          q,
        );
      }
    });

    it('is the same member in the audit trail (expand=audit{user_id})', async () => {
      const doc = docs.find((d) => d.audit.some((e) => e.userId === OTCS_ADMIN_USER_ID));
      assert.ok(doc);
      const me = (await s.get('/api/v1/auth')).body.data as Json;
      const { body } = await s.get(`/api/v2/nodes/${doc.nodeId}/audit?limit=100&expand=${encodeURIComponent('audit{user_id}')}`);
      const byAdmin = (body.results.data.audit as Json[]).filter((e) => e.user_id === OTCS_ADMIN_USER_ID);
      assert.ok(byAdmin.length > 0);
      for (const e of byAdmin) assert.deepEqual(e.user_id_expand, me);
    });

    it('keeps the login name as the member name when the account maps to no other, and knows any sign-in', async () => {
      const password = DEMO_CREDENTIALS.otcs.password;
      const direct = await start({
        users: [
          { username: 'otadmin', password, userId: OTCS_ADMIN_USER_ID },
          { username: 'svc-sync', password, userId: 1500 },
        ],
      });
      try {
        assert.equal((await direct.get('/api/v1/auth')).body.data.name, 'otadmin');
        const found = (await direct.get('/api/v2/members?query=otadmin')).body.results as Json[];
        assert.deepEqual(
          found.map((r) => r.data.properties.id),
          [OTCS_ADMIN_USER_ID],
        );
        assert.equal((await direct.get('/api/v2/members/1500')).body.results.data.properties.name, 'svc-sync');
      } finally {
        await direct.sim.close();
      }
    });
  });

  describe('5. unknown routes', () => {
    it('answer 400 "not found in the mappings registry" under /api, in the CS error body', async () => {
      for (const [method, path] of [
        ['GET', '/api/v2/nosuchresource'],
        ['GET', `/api/v1/nodes/${NODE.enterprise}/nosuchaction`],
        ['POST', '/api/v2/nodes/list/extra'],
      ] as const) {
        const res = await fetch(s.api + path, { method, headers: { OTCSTicket: s.ticket } });
        assert.equal(res.status, 400, `${method} ${path}`);
        assert.deepEqual(await res.json(), { error: 'The REST API URL could not be found in the mappings registry', errorDetail: '' });
      }
      const suppressed = await fetch(`${s.api}/api/v2/nosuchresource?suppress_response_codes`);
      assert.equal(suppressed.status, 200);
      assert.equal(((await suppressed.json()) as Json).statusCode, 400);
      assert.equal((await fetch(`${s.base}/not-the-cgi`)).status, 404, 'outside the REST API there is no mappings registry');
    });

    it('answer 404 when configured', async () => {
      const alt = await start({ unknownRouteStatus: 404 });
      try {
        assert.equal((await alt.get('/api/v2/nosuchresource')).status, 404);
      } finally {
        await alt.sim.close();
      }
    });
  });

  describe('6. routes clients call', () => {
    it('GET /api/v1/serverinfo reports the version and the session lifetime tickets get', async () => {
      const short = await start({ ticketTtlMs: 600_000 });
      try {
        const { status, body } = await short.get('/api/v1/serverinfo');
        assert.equal(status, 200);
        assert.equal(body.sessions.session_timeout, 600_000);
        assert.equal(body.server.version, '25.3');
        assert.equal(body.server.url, short.api);
        assert.match(body.server.current_date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      } finally {
        await short.sim.close();
      }
    });

    it('GET /api/v2/volumes and /api/v2/volumes/141 give the Enterprise volume', async () => {
      const list = (await s.get('/api/v2/volumes')).body;
      assert.deepEqual(
        list.results.map((r: Json) => [r.data.properties.id, r.data.properties.type]),
        [[NODE.enterprise, 141]],
      );
      assert.equal((await s.get('/api/v2/volumes/141')).body.results.data.properties.id, NODE.enterprise);
      assert.equal((await s.get('/api/v2/volumes/142')).status, 400);
    });

    it('GET /api/v1/nodes/{id}/versions and /versions/{n}, v1 style under data', async () => {
      const doc = docs.find((d) => d.versions.length > 2);
      assert.ok(doc);
      const list = (await s.get(`/api/v1/nodes/${doc.nodeId}/versions`)).body;
      assert.deepEqual(
        list.data.map((v: Json) => v.version_number),
        doc.versions.map((v) => v.number),
      );
      assert.equal(list.definitions.create_date.type, -7);
      const two = (await s.get(`/api/v1/nodes/${doc.nodeId}/versions/2`)).body;
      assert.equal(two.data.version_number, 2);
      assert.equal(two.data.file_name, doc.versions[1]?.fileName);
      assert.equal((await s.get(`/api/v1/nodes/${doc.nodeId}/versions/latest`)).body.data.version_number, doc.versions.length);
      assert.equal((await s.get(`/api/v1/nodes/${doc.nodeId}/versions/99`)).status, 400);
    });

    it('GET /api/v1/members/{id} for a world user, with definitions', async () => {
      const user = world.userByEmail('sales.emea@atrium.example');
      assert.ok(user);
      const { body } = await s.get(`/api/v1/members/${user.userId}`);
      assert.equal(body.data.business_email, user.email);
      assert.equal(body.type_name, 'User');
      assert.ok(body.definitions_order.includes('business_email'));
      assert.equal(body.definitions.business_email.key, 'business_email');
      assert.equal((await s.get('/api/v1/members/12')).status, 400);
    });

    it("GET /api/v1/nodes/{id}/classifications lists a record's classification, nothing elsewhere", async () => {
      const record = docs.find((d) => d.record);
      const plain = docs.find((d) => !d.record);
      assert.ok(record?.record && plain);
      const { body } = await s.get(`/api/v1/nodes/${record.nodeId}/classifications`);
      assert.deepEqual(
        body.data.map((c: Json) => [c.id, c.name]),
        [[record.record.rmClassificationId, record.record.classification]],
      );
      assert.deepEqual((await s.get(`/api/v1/nodes/${plain.nodeId}/classifications`)).body.data, []);
      assert.equal((await s.get('/api/v1/nodes/999/classifications')).status, 400);
    });

    it('GET /api/v2/docworkflows offers the approval map for documents', async () => {
      const [a, b] = docs;
      assert.ok(a && b);
      const one = (await s.get(`/api/v2/docworkflows?doc_id=${a.nodeId}&parent_id=${a.parentId}`)).body.results;
      assert.deepEqual(one.data, [{ DataID: 20130, Name: 'Document Approval', WorkflowType: 100 }]);
      assert.equal(one.fError, '');
      const two = (await s.get(`/api/v2/docworkflows?doc_id=${a.nodeId}&doc_id=${b.nodeId}&parent_id=${a.parentId}`)).body.results;
      assert.equal(two.data.length, 1);
      assert.deepEqual((await s.get(`/api/v2/docworkflows?doc_id=${a.parentId}`)).body.results.data, [], 'a folder offers none');
      assert.equal((await s.get('/api/v2/docworkflows')).status, 400);
      assert.equal((await s.get('/api/v2/docworkflows?doc_id=999')).status, 400);
    });
  });
});
