/**
 * The Content Server simulator's writes over real HTTP (vendor-apis-writes §2): business
 * workspaces from templates, references, renames, categories with edit-conflict tokens,
 * uploads (both encodings), versions, RM classification, deletes, the errors the reference
 * lists, and that every read route serves what was written, with its audit rows. Also the
 * overlay: its own id range, its bound, `POST /__sim/reset`, and uploads stored once on disk.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { NODE } from '../../../simulators/demo/world.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { OVERLAY_BASE } from '../../../simulators/otcs/overlay.ts';
import { createOtcsSimulator, type OtcsSimOptions, type OtcsSimulator } from '../../../simulators/otcs/simulator.ts';
import { TEMPLATES } from '../../../simulators/otcs/templates.ts';
import { simFaults, simReset, testWorld } from '../../helpers/world.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- wire bodies are read loosely

const CGI = '/otcs/cs.exe';
const world = testWorld();
const mapping = demoMapping();
const docs = [...world.documents()];

interface Api {
  sim: OtcsSimulator;
  base: string;
  call(method: string, path: string, body?: RequestInit['body']): Promise<{ status: number; body: Json; headers: Headers }>;
  /** `POST /api/v2/businessworkspaces` with a `body` form field. */
  createWorkspace(body: Json): Promise<{ status: number; body: Json }>;
  /** `POST /api/v2/nodes` multipart: a `body` JSON part and a file part. */
  upload(body: Json, bytes: string | Uint8Array, fileName?: string, type?: string): Promise<{ status: number; body: Json }>;
  close(): Promise<void>;
}

async function start(opts: OtcsSimOptions = {}): Promise<Api> {
  const sim = createOtcsSimulator(world, mapping, opts);
  const base = await sim.listen(0);
  const api = base + CGI;
  const login = await fetch(`${api}/api/v1/auth`, { method: 'POST', body: new URLSearchParams({ ...DEMO_CREDENTIALS.otcs }) });
  const ticket = ((await login.json()) as Json).ticket as string;
  const call = async (method: string, path: string, body?: RequestInit['body']) => {
    const res = await fetch(api + path, { method, headers: { OTCSTicket: ticket }, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: Json = {};
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    sim,
    base,
    call,
    createWorkspace: (body) => call('POST', '/api/v2/businessworkspaces', new URLSearchParams({ body: JSON.stringify(body) })),
    upload(body, bytes, fileName = 'file.txt', type = 'text/plain') {
      const fd = new FormData();
      fd.append('body', JSON.stringify(body));
      fd.append('file', new Blob([bytes], { type }), fileName);
      return call('POST', '/api/v2/nodes', fd);
    },
    close: () => sim.close(),
  };
}

const form = (fields: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p;
};

const account = (id: string, name: string, extra: Json = {}) => ({
  template_id: String(TEMPLATES.Customer.templateId),
  wksp_type_id: String(TEMPLATES.Customer.typeId),
  type: '848',
  name: `${name} (${id})`,
  roles: { categories: { '9850': { '9850_2': id, '9850_3': 'CUSTOMER', '9850_4': 'EMEA' } } },
  ext_system_id: 'SFDC',
  bo_type: 'Account',
  bo_id: id,
  ...extra,
});

const names = (body: Json): string[] => (body.results as Json[]).map((r) => r.data.properties.name as string);

describe('Content Server simulator: writes', () => {
  let s: Api;
  before(async () => {
    s = await start();
  });
  after(() => s.close());

  describe('business workspaces (§2.1–2.2)', () => {
    it('creates a workspace from its type template: folders, roles, category, business object, audit', async () => {
      const res = await s.createWorkspace(account('ACC-7001', 'Globex'));
      assert.equal(res.status, 200);
      const id = res.body.results.id as number;
      assert.ok(id >= OVERLAY_BASE, 'created ids have a range of their own');
      const children = await s.call('GET', `/api/v2/nodes/${id}/nodes`);
      assert.deepEqual(names(children.body), ['01 Proposals', '02 Contracts', '03 Meeting Notes', '04 Correspondence']);
      const roles = await s.call('GET', `/api/v2/businessworkspaces/${id}/roles`);
      assert.deepEqual(
        (roles.body.results as Json[]).map((r) => r.data.properties.name),
        ['Account Executive', 'Account Manager', 'Sales Engineer', 'Legal'],
      );
      const byBo = await s.call(
        'GET',
        '/api/v2/businessworkspaces?where_ext_system_id=SFDC&where_bo_type=Account&where_bo_id=ACC-7001&fields=categories',
      );
      assert.equal(byBo.body.paging.total_count, 1);
      assert.deepEqual(byBo.body.results[0].data.categories[0], { '9850_2': 'ACC-7001', '9850_3': 'CUSTOMER', '9850_4': 'EMEA' });
      assert.equal(byBo.body.results[0].data.properties.wnf_wksp_template_id, TEMPLATES.Customer.templateId);
      const query = await s.call('GET', `/api/v2/businessworkspaces?where_column_query=${encodeURIComponent("Attr_9850_2 = 'ACC-7001'")}`);
      assert.equal(query.body.paging.total_count, 1);
      const node = await s.call('GET', `/api/v2/nodes/${id}`);
      assert.equal(node.body.results.data.properties.parent_id, NODE.accountsFolder, 'the type decides the location');
      assert.equal(node.body.results.data.properties.container_size, 4);
      const audit = await s.call('GET', `/api/v2/nodes/${id}/audit`);
      assert.deepEqual(
        (audit.body.results.data.audit as Json[]).map((a) => [a.event_type, a.audit_name, a.user_id]),
        [[1, 'Create', 1000]],
      );
      const folderAudit = await s.call('GET', `/api/v2/nodes/${children.body.results[0].data.properties.id}/audit`);
      assert.equal(folderAudit.body.results.data.audit[0].audit_name, 'Create');
    });

    it('nests a campaign template folder and takes categories flat as well as nested', async () => {
      const res = await s.createWorkspace({
        template_id: String(TEMPLATES.Campaign.templateId),
        name: 'Launch (CMP-2099-001)',
        roles: { categories: { '9840_2': 'CMP-2099-001', '9840_3': 'PLANNED', '9840_5': ['EMEA', 'NA'], '9840_6': '2099-01-01' } },
        ext_system_id: 'SFDC',
        bo_type: 'Campaign',
        bo_id: '701X',
      });
      assert.equal(res.status, 200);
      const id = res.body.results.id as number;
      const top = await s.call('GET', `/api/v2/nodes/${id}/nodes?where_type=0`);
      assert.equal(names(top.body).length, 6);
      const released = (top.body.results as Json[]).find((r) => r.data.properties.name === '05 Released');
      const inner = await s.call('GET', `/api/v2/nodes/${released?.data.properties.id}/nodes`);
      assert.deepEqual(names(inner.body), ['Localized']);
      const ws = await s.call('GET', `/api/v2/businessworkspaces/${id}?fields=categories`);
      const cat = ws.body.results.data.categories[0] as Json;
      assert.deepEqual(cat['9840_5'], ['EMEA', 'NA']);
      assert.equal(cat['9840_6'], '2099-01-01T00:00:00', 'dates stored zone-less, as the world sends them');
      assert.equal(cat['9840_8'], null, 'attributes not sent are empty');
    });

    it('refuses a name clash, a second workspace for a business object, a missing parent, bad categories and templates', async () => {
      await s.createWorkspace(account('ACC-7002', 'Initech'));
      const name = await s.createWorkspace(account('ACC-7003', 'Initech', { name: 'Initech (ACC-7002)' }));
      assert.deepEqual([name.status, name.body.error], [500, "An item with the name 'Initech (ACC-7002)' already exists."]);
      const bo = await s.createWorkspace(account('ACC-7002', 'Initech Two'));
      assert.equal(bo.status, 500);
      assert.match(bo.body.error, /already exists/);
      const parent = await s.createWorkspace(account('ACC-7004', 'Hooli', { parent_id: 123456789 }));
      assert.equal(parent.status, 400);
      assert.match(parent.body.error, /^Sorry, the item you requested could not be accessed/);
      const cat = await s.createWorkspace(account('ACC-7005', 'Vandelay', { roles: { categories: { '12345_2': 'x' } } }));
      assert.deepEqual([cat.status, cat.body.error], [400, 'Could not create a new Business Workspace']);
      const attr = await s.createWorkspace(account('ACC-7005', 'Vandelay', { roles: { categories: { '9850_77': 'x' } } }));
      assert.equal(attr.status, 400);
      const unparsable = await s.createWorkspace(account('ACC-7005', 'Vandelay', { roles: { categories: 'nope' } }));
      assert.deepEqual(
        [unparsable.status, unparsable.body.error],
        [500, "The role 'categories' of the parameter 'roles' cannot be parsed."],
      );
      const template = await s.createWorkspace(account('ACC-7005', 'Vandelay', { template_id: '99' }));
      assert.equal(template.status, 400);
      const mismatch = await s.createWorkspace(account('ACC-7005', 'Vandelay', { wksp_type_id: String(TEMPLATES.Campaign.typeId) }));
      assert.equal(mismatch.status, 400);
      const { bo_id: _id, ...noBo } = account('ACC-7005', 'Vandelay');
      assert.equal((await s.createWorkspace(noBo)).status, 400, 'the business object comes in full or not at all');
    });

    it('updates the business object reference with plain form fields (§2.2)', async () => {
      const res = await s.createWorkspace(account('ACC-7010', 'Soylent'));
      const id = res.body.results.id as number;
      const put = await s.call(
        'PUT',
        `/api/v2/businessworkspaces/${id}/workspacereferences`,
        form({ ext_system_id: 'SFDC', bo_type: 'Account', bo_id: 'ACC-7011' }),
      );
      assert.equal(put.status, 200);
      const old = await s.call('GET', '/api/v2/businessworkspaces?where_bo_id=ACC-7010');
      assert.equal(old.body.paging.total_count, 0);
      const now = await s.call('GET', `/api/v2/businessworkspaces/${id}`);
      assert.equal(now.body.results.data.business_properties.business_object_id, 'ACC-7011');
      const taken = world.account(0).businessObject;
      const dup = await s.call(
        'PUT',
        `/api/v2/businessworkspaces/${id}/workspacereferences`,
        form({ ext_system_id: taken.system, bo_type: taken.type, bo_id: taken.id }),
      );
      assert.equal(dup.status, 500);
    });

    it('adds and removes team members of a role', async () => {
      const res = await s.createWorkspace(account('ACC-7020', 'Umbrella'));
      const id = res.body.results.id as number;
      const roles = await s.call('GET', `/api/v2/businessworkspaces/${id}/roles`);
      const lead = roles.body.results[0].data.properties.id as number;
      const user = [...world.users()][3] as { userId: number; email: string };
      const add = await s.call('POST', `/api/v2/businessworkspaces/${id}/roles/${lead}/members`, form({ id: String(user.userId) }));
      assert.equal(add.body.results.data.properties.business_email, user.email);
      const members = await s.call('GET', `/api/v2/businessworkspaces/${id}/roles/${lead}/members`);
      assert.deepEqual(
        (members.body.results as Json[]).map((m) => m.data.properties.id),
        [user.userId],
      );
      const byMember = await s.call('GET', `/api/v2/businessworkspaces?where_member_id=${user.userId}&where_bo_id=ACC-7020`);
      assert.equal(byMember.body.paging.total_count, 1);
      await s.call('DELETE', `/api/v2/businessworkspaces/${id}/roles/${lead}/members/${user.userId}`);
      const after = await s.call('GET', `/api/v2/businessworkspaces/${id}/roles/${lead}/members`);
      assert.deepEqual(after.body.results, []);
    });
  });

  describe('rename and categories (§2.2)', () => {
    it('renames with body=, audits the rename, refuses a sibling name and a stale node token', async () => {
      const doc = docs[0] as (typeof docs)[number];
      const state = await s.call('GET', `/api/v2/nodes/${doc.nodeId}?state`);
      const token = state.body.results.state.properties.metadata_token as string;
      const put = await s.call(
        'PUT',
        `/api/v2/nodes/${doc.nodeId}`,
        form({ body: JSON.stringify({ name: 'Renamed Brief.pdf', metadata_token: token }) }),
      );
      assert.equal(put.status, 200);
      assert.notEqual(put.body.results.state.properties.metadata_token, token, 'the next token comes back');
      const got = await s.call('GET', `/api/v2/nodes/${doc.nodeId}`);
      assert.equal(got.body.results.data.properties.name, 'Renamed Brief.pdf');
      const stale = await s.call(
        'PUT',
        `/api/v2/nodes/${doc.nodeId}`,
        form({ body: JSON.stringify({ name: 'Again.pdf', metadata_token: token }) }),
      );
      assert.equal(stale.status, 409);
      const sibling = docs.find((d) => d.parentId === doc.parentId && d.nodeId !== doc.nodeId) as (typeof docs)[number];
      const clash = await s.call('PUT', `/api/v2/nodes/${doc.nodeId}`, form({ body: JSON.stringify({ name: sibling.name }) }));
      assert.deepEqual([clash.status, clash.body.error], [500, `An item with the name '${sibling.name}' already exists.`]);
      const move = await s.call('PUT', `/api/v2/nodes/${doc.nodeId}`, form({ body: JSON.stringify({ parent_id: 2000 }) }));
      assert.equal(move.status, 400, 'moves are not simulated, and say so');
      const audit = await s.call('GET', `/api/v2/nodes/${doc.nodeId}/audit?where_type=5`);
      assert.deepEqual(
        (audit.body.results.data.audit as Json[]).map((a) => a.audit_name),
        ['Rename'],
      );
    });

    it('updates category values with plain fields (slash or not), guarded by the {cat}_1 metadata token', async () => {
      const ws = world.account(2);
      const state = await s.call('GET', `/api/v2/businessworkspaces/${ws.workspaceId}?state`);
      const token = state.body.results.state.categories['9850'].metadata_token as string;
      const put = await s.call(
        'PUT',
        `/api/v2/nodes/${ws.workspaceId}/categories/9850/`,
        form({ '9850_4': 'LATAM', '9850_1': JSON.stringify({ metadata_token: token }) }),
      );
      assert.equal(put.status, 200);
      const next = put.body.results.state.categories['9850'].metadata_token as string;
      assert.notEqual(next, token);
      const stale = await s.call(
        'PUT',
        `/api/v2/nodes/${ws.workspaceId}/categories/9850`,
        form({ '9850_4': 'NA', '9850_1': JSON.stringify({ metadata_token: token }) }),
      );
      assert.deepEqual([stale.status, stale.body.error], [409, 'Could not update metadata (edit conflict).']);
      const plain = await s.call('PUT', `/api/v2/nodes/${ws.workspaceId}/categories/9850`, form({ '9850_4': 'APAC' }));
      assert.equal(plain.status, 200, 'without a token there is no check (pyxecm sends none)');
      const read = await s.call('GET', `/api/v2/businessworkspaces?where_bo_id=${ws.id}&fields=categories`);
      assert.equal(read.body.results[0].data.categories[0]['9850_4'], 'APAC');
      const wrong = await s.call('PUT', `/api/v2/nodes/${ws.workspaceId}/categories/9850`, form({ '9830_4': 'x' }));
      assert.deepEqual(
        [wrong.status, wrong.body.error],
        [400, "Category ID '9850' was specified for Categories Update, but a non-matching attribute ('9830_4') was found"],
      );
      const audit = await s.call('GET', `/api/v2/nodes/${ws.workspaceId}/audit?where_type=10`);
      assert.equal(audit.body.collection.paging.total_count, 2);
    });

    it('applies a category first when it is not on the node (pyxecm set_category_values)', async () => {
      const folder = world.account(3).workspaceId + 1;
      const missing = await s.call('PUT', `/api/v2/nodes/${folder}/categories/9830`, form({ '9830_2': 'CMP-1' }));
      assert.deepEqual([missing.status, missing.body.error], [400, `Category ID '9830' is not a category on node '${folder}'`]);
      const add = await s.call('POST', `/api/v2/nodes/${folder}/categories`, form({ category_id: '9830', '9830_2': 'CMP-1' }));
      assert.equal(add.status, 200);
      const again = await s.call('POST', `/api/v2/nodes/${folder}/categories`, form({ category_id: '9830' }));
      assert.deepEqual([again.status, again.body.error], [400, "The attribute group 'Atrium Content' already exists"]);
      const put = await s.call('PUT', `/api/v2/nodes/${folder}/categories/9830`, form({ '9830_12': ['EMEA', 'WORLD'] }));
      assert.equal(put.status, 200);
      const cats = await s.call('GET', `/api/v2/nodes/${folder}/categories`);
      assert.equal(cats.body.results[0].data.categories['9830_2'], 'CMP-1');
      assert.deepEqual(cats.body.results[0].data.categories['9830_12'], ['EMEA', 'WORLD']);
      const unknown = await s.call('POST', `/api/v2/nodes/${folder}/categories`, form({ category_id: '4242' }));
      assert.equal(unknown.status, 400);
      const gone = await s.call('PUT', '/api/v2/nodes/999999999/categories/9830', form({ '9830_2': 'x' }));
      assert.deepEqual([gone.status, gone.body.error], [500, 'Could not get a node for 999999999']);
    });
  });

  describe('documents (§1.1, §2.3–2.4)', () => {
    const folderOf = (i: number) => world.account(i).workspaceId + 2;

    it('uploads with a body part and a file; every read route serves the document', async () => {
      const folder = folderOf(4);
      const res = await s.upload(
        {
          type: 144,
          name: 'Signed Contract.pdf',
          parent_id: folder,
          roles: { categories: { '9830_7': 'CONFIDENTIAL', '9830_8': 'APPROVED', '9830_3': world.account(4).id, '9830_6': 'NA' } },
        },
        '%PDF-1.4 signed',
        'signed.pdf',
        'application/pdf',
      );
      assert.equal(res.status, 200);
      const id = res.body.results.data.properties.id as number;
      assert.equal(res.body.results.data.properties.mime_type, 'application/pdf');
      const list = await s.call(
        'POST',
        '/api/v2/nodes/list',
        form({ ids: String(id), fields: ['properties', 'categories', 'versions.element(0)', 'ancestors'] }),
      );
      const data = list.body.results[0].data as Json;
      assert.equal(data.versions.file_name, 'signed.pdf');
      assert.equal(data.versions.file_size, '%PDF-1.4 signed'.length);
      assert.deepEqual(
        (data.ancestors as Json[]).map((a) => a.id),
        [NODE.enterprise, NODE.accountsFolder, world.account(4).workspaceId, folder],
      );
      assert.equal(data.categories[0]['9830_7'], 'CONFIDENTIAL');
      const children = await s.call('GET', `/api/v2/nodes/${folder}/nodes`);
      assert.ok(names(children.body).includes('Signed Contract.pdf'));
      const search = await s.call(
        'POST',
        '/api/v2/search',
        form({ where: 'OTSubType:144 AND Attr_9830_8:"APPROVED" AND OTName:Signed', location_id1: String(world.account(4).workspaceId) }),
      );
      assert.deepEqual(names(search.body), ['Signed Contract.pdf']);
      const v1 = await s.call('GET', `/api/v1/nodes/${id}/versions`);
      assert.equal(v1.body.data.length, 1);
      const content = await fetch(`${s.base}${CGI}/api/v1/nodes/${id}/content`, { headers: { OTCSTicket: await ticketOf(s) } });
      assert.equal(content.headers.get('content-type'), 'application/pdf');
      assert.equal(await content.text(), '%PDF-1.4 signed');
      const audit = await s.call('GET', `/api/v2/nodes/${id}/audit`);
      assert.deepEqual(
        (audit.body.results.data.audit as Json[]).map((a) => a.event_type),
        [1],
      );
    });

    it('uploads with plain fields too (pyxecm before 3.4.10, vendor-apis-writes §1.1)', async () => {
      const fd = new FormData();
      fd.append('type', '144');
      fd.append('parent_id', String(folderOf(5)));
      fd.append('name', 'Plain Fields.txt');
      fd.append('roles', JSON.stringify({ categories: { '9830_8': 'DRAFT' } }));
      fd.append('file', new Blob(['plain']), 'plain.txt');
      const res = await s.call('POST', '/api/v2/nodes', fd);
      assert.equal(res.status, 200);
      const cats = await s.call('GET', `/api/v2/nodes/${res.body.results.data.properties.id}/categories`);
      assert.equal(cats.body.results[0].data.categories['9830_8'], 'DRAFT');
    });

    it('refuses a missing file, a name clash, a missing parent, a bad category, upload keys, and a parent that holds nothing', async () => {
      const folder = folderOf(6);
      const noFile = await s.call('POST', '/api/v2/nodes', form({ body: JSON.stringify({ type: 144, parent_id: folder, name: 'x.txt' }) }));
      assert.deepEqual([noFile.status, noFile.body.error], [400, "Missing required parameter 'File'"]);
      const taken = docs.find((d) => d.parentId === folder) as (typeof docs)[number];
      const clash = await s.upload({ type: 144, parent_id: folder, name: taken.name }, 'x');
      assert.deepEqual([clash.status, clash.body.error], [500, `An item with the name '${taken.name}' already exists.`]);
      const parent = await s.upload({ type: 144, parent_id: 987654321, name: 'x.txt' }, 'x');
      assert.equal(parent.status, 400);
      const cat = await s.upload({ type: 144, parent_id: folder, name: 'x.txt', roles: { categories: { '9830_99': 'x' } } }, 'x');
      assert.deepEqual([cat.status, cat.body.error], [400, 'Could not create a new Document']);
      const key = await s.call(
        'POST',
        '/api/v2/nodes',
        form({ body: JSON.stringify({ type: 144, parent_id: folder, name: 'k.txt', upload_key: 'abc' }) }),
      );
      assert.deepEqual([key.status, key.body.error], [400, 'Error: File could not be found within the upload directory.']);
      const intoDoc = await s.upload({ type: 144, parent_id: taken.nodeId, name: 'x.txt' }, 'x');
      assert.equal(intoDoc.status, 400);
      const longName = await s.upload({ type: 144, parent_id: folder, name: 'n'.repeat(249) }, 'x');
      assert.equal(longName.status, 400);
      const children = await s.call('GET', `/api/v2/nodes/${folder}/nodes?where_name=x.txt`);
      assert.equal(children.body.collection.paging.total_count, 0, 'nothing was stored');
    });

    it('adds versions (multipart, §2.4): the latest serves the new bytes, older ones keep theirs', async () => {
      const doc = docs[3] as (typeof docs)[number];
      const n = doc.versions.length;
      const fd = new FormData();
      fd.append('description', 'Signed copy');
      fd.append('file', new Blob(['new bytes'], { type: 'text/plain' }), 'signed.txt');
      const res = await s.call('POST', `/api/v2/nodes/${doc.nodeId}/versions`, fd);
      assert.equal(res.status, 200);
      assert.equal(res.body.results.data.versions.version_number, n + 1);
      assert.equal(res.body.results.data.versions.description, 'Signed copy');
      const latest = await s.call('GET', `/api/v1/nodes/${doc.nodeId}/versions/latest`);
      assert.equal(latest.body.data.version_number, n + 1);
      const ticket = await ticketOf(s);
      const bytes = await (await fetch(`${s.base}${CGI}/api/v1/nodes/${doc.nodeId}/content`, { headers: { OTCSTicket: ticket } })).text();
      assert.equal(bytes, 'new bytes');
      const first = await fetch(`${s.base}${CGI}/api/v1/nodes/${doc.nodeId}/versions/1/content`, { headers: { OTCSTicket: ticket } });
      assert.notEqual(await first.text(), 'new bytes');
      const major = new FormData();
      major.append('add_major_version', 'true');
      major.append('file', new Blob(['major']), 'major.txt');
      const m = await s.call('POST', `/api/v2/nodes/${doc.nodeId}/versions`, major);
      assert.deepEqual([m.body.results.data.versions.version_number_major, m.body.results.data.versions.version_number_minor], [1, 0]);
      const long = new FormData();
      long.append('description', 'd'.repeat(256));
      long.append('file', new Blob(['x']), 'x.txt');
      assert.equal((await s.call('POST', `/api/v2/nodes/${doc.nodeId}/versions`, long)).status, 400);
      const none = await s.call('POST', `/api/v2/nodes/${doc.nodeId}/versions`, form({ description: 'no file' }));
      assert.deepEqual([none.status, none.body.error], [400, "Missing required parameter 'File'"]);
      const audit = await s.call('GET', `/api/v2/nodes/${doc.nodeId}/audit?where_type=11`);
      assert.deepEqual(
        (audit.body.results.data.audit as Json[]).map((a) => a.audit_name),
        ['Version Added', 'Version Added'],
      );
    });

    it('classifies for records management; changing it wants the current rm_metadataToken', async () => {
      const doc = docs.find((d) => !d.record) as (typeof docs)[number];
      const post = (body: Json) => s.call('POST', `/api/v1/nodes/${doc.nodeId}/rmclassifications`, form({ body: JSON.stringify(body) }));
      const first = await post({ class_id: 41310, apply_to_sub_items: false });
      assert.equal(first.status, 200);
      assert.equal(first.body.data[0].rsi, 'MKT-03');
      const classes = await s.call('GET', `/api/v1/nodes/${doc.nodeId}/classifications`);
      assert.equal(classes.body.data[0].name, 'Marketing / Campaigns');
      const noToken = await post({ class_id: 41320, apply_to_sub_items: false });
      assert.equal(noToken.status, 409);
      const changed = await post({ class_id: 41320, apply_to_sub_items: false, rm_metadataToken: first.body.rm_metadataToken });
      assert.equal(changed.body.data[0].rmclassification_id, 41320);
      assert.equal((await post({ class_id: 1 })).status, 400);
      const plan = await s.call('GET', '/api/v2/nodes/2164/nodes');
      assert.ok(names(plan.body).includes('Legal / Contracts and Licences'), 'the file plan can be browsed');
      const audit = await s.call('GET', `/api/v2/nodes/${doc.nodeId}/audit?where_type=264`);
      assert.equal(audit.body.collection.paging.total_count, 2);
    });

    it('deletes documents, written and world ones alike; folders are not deleted', async () => {
      const folder = folderOf(7);
      const up = await s.upload({ type: 144, parent_id: folder, name: 'Temp.txt' }, 'temp');
      const id = up.body.results.data.properties.id as number;
      assert.equal((await s.call('DELETE', `/api/v2/nodes/${id}`)).status, 200);
      assert.equal((await s.call('GET', `/api/v2/nodes/${id}`)).status, 400);
      const world0 = docs.find((d) => d.parentId === folder) as (typeof docs)[number];
      assert.equal((await s.call('DELETE', `/api/v2/nodes/${world0.nodeId}`)).status, 200);
      const children = await s.call('GET', `/api/v2/nodes/${folder}/nodes`);
      assert.ok(!names(children.body).includes(world0.name));
      const search = await s.call('POST', '/api/v2/search', form({ where: `OTObjectID:${world0.nodeId}` }));
      assert.equal(search.body.collection.paging.total_count, 0);
      assert.equal((await s.call('DELETE', `/api/v2/nodes/${folder}`)).status, 400);
      assert.equal((await s.call('DELETE', `/api/v2/nodes/${world0.nodeId}`)).status, 500, 'gone is gone');
    });
  });
});

/** A fresh ticket for raw content requests. */
async function ticketOf(s: Api): Promise<string> {
  const res = await fetch(`${s.base}${CGI}/api/v1/auth`, { method: 'POST', body: new URLSearchParams({ ...DEMO_CREDENTIALS.otcs }) });
  return ((await res.json()) as Json).ticket as string;
}

describe('Content Server simulator: the write overlay', () => {
  it('is cleared by POST /__sim/reset: written nodes are gone, world nodes as generated again, upload files deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otcs-sim-test-'));
    const s = await start({ contentDir: dir });
    try {
      const doc = docs[5] as (typeof docs)[number];
      const up = await s.upload({ type: 144, parent_id: doc.parentId, name: 'Reset me.txt' }, 'reset');
      const id = up.body.results.data.properties.id as number;
      await s.call('PUT', `/api/v2/nodes/${doc.nodeId}`, form({ body: JSON.stringify({ name: 'Changed.pdf' }) }));
      assert.equal(readdirSync(dir).length, 1);
      await simReset(s.base);
      assert.equal((await s.call('GET', `/api/v2/nodes/${id}`)).status, 400);
      assert.equal((await s.call('GET', `/api/v2/nodes/${doc.nodeId}`)).body.results.data.properties.name, doc.name);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(readdirSync(dir).length, 0);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is bounded: writes past maxOverlayNodes are refused and change nothing', async () => {
    const s = await start({ maxOverlayNodes: 3 });
    try {
      const res = await s.createWorkspace(account('ACC-7100', 'Too Big'));
      assert.equal(res.status, 500);
      assert.match(res.body.errorDetail, /__sim\/reset/);
      const found = await s.call('GET', '/api/v2/businessworkspaces?where_bo_id=ACC-7100');
      assert.equal(found.body.paging.total_count, 0);
    } finally {
      await s.close();
    }
  });

  it('answers per its options: 201 creates, 500 for a missing parent, second workspaces for a business object', async () => {
    const s = await start({ createdStatus: 201, missingParentStatus: 500, duplicateBusinessObject: 'allow', rmTokenRequired: false });
    try {
      assert.equal((await s.createWorkspace(account('ACC-7200', 'One'))).status, 201);
      assert.equal((await s.createWorkspace(account('ACC-7200', 'Two'))).status, 201);
      const parent = await s.upload({ type: 144, parent_id: 987654321, name: 'x.txt' }, 'x');
      assert.deepEqual([parent.status, parent.body.error], [500, 'Could not get a node for 987654321']);
      const doc = docs.find((d) => d.record) as (typeof docs)[number];
      const change = await s.call(
        'POST',
        `/api/v1/nodes/${doc.nodeId}/rmclassifications`,
        form({ body: JSON.stringify({ class_id: 41340 }) }),
      );
      assert.equal(change.status, 200);
    } finally {
      await s.close();
    }
  });

  it('stores nothing for an upload refused by an injected fault, or sent without a ticket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otcs-sim-test-'));
    const s = await start({ contentDir: dir });
    try {
      await simFaults(s.base, { route: `POST ${CGI}/api/v2/nodes`, errorStatus: 503, times: 1 });
      const refused = await s.upload({ type: 144, parent_id: world.account(8).workspaceId + 1, name: 'Fault.txt' }, 'x'.repeat(100_000));
      assert.equal(refused.status, 503);
      const fd = new FormData();
      fd.append('body', JSON.stringify({ type: 144, parent_id: world.account(8).workspaceId + 1, name: 'NoTicket.txt' }));
      fd.append('file', new Blob(['y'.repeat(100_000)]), 'n.txt');
      assert.equal((await fetch(`${s.base}${CGI}/api/v2/nodes`, { method: 'POST', body: fd })).status, 401);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('streams large uploads to disk once, byte for byte, whatever the chunking', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otcs-sim-test-'));
    const s = await start({ contentDir: dir });
    try {
      const size = 30 * 1024 * 1024;
      // Random bytes, with delimiter look-alikes spliced in, sent in chunks of odd sizes.
      const bytes = randomBytes(size);
      const lookalike = Buffer.from('\r\n------formdata-undici-0\r\n--');
      for (let at = 1000; at < size - 100; at += 1_048_573) lookalike.copy(bytes, at);
      const fd = new FormData();
      fd.append('body', JSON.stringify({ type: 144, parent_id: world.account(9).workspaceId + 2, name: 'Big.bin' }));
      fd.append('file', new Blob([bytes]), 'big.bin');
      const res = await s.call('POST', '/api/v2/nodes', fd);
      assert.equal(res.status, 200);
      const files = readdirSync(dir);
      assert.equal(files.length, 1, 'one stored file');
      assert.equal(statSync(join(dir, files[0] as string)).size, size, 'stored once, exactly');
      const id = res.body.results.data.properties.id as number;
      const got = await fetch(`${s.base}${CGI}/api/v1/nodes/${id}/content`, { headers: { OTCSTicket: await ticketOf(s) } });
      const digest = createHash('sha256')
        .update(Buffer.from(await got.arrayBuffer()))
        .digest('hex');
      assert.equal(digest, createHash('sha256').update(bytes).digest('hex'));
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
