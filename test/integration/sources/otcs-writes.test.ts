/**
 * The Content Server connector's writes (EcmWrites) against the simulator over real HTTP:
 * workspaces from templates read back through the read methods, found by business object and
 * updated (with the edit-conflict path), documents uploaded into template folders with their
 * labels, versions, RM classification, the typed errors, no retry of a write, streamed
 * uploads that cost no memory of their size, and what each write leaves in the node's audit.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';
import { demoMapping, parseMapping, type Mapping } from '../../../sources/mapping.ts';
import type { WorkspaceDraft } from '../../../sources/ports.ts';
import { createOtcsClient, type OtcsClientOptions } from '../../../sources/otcs/client.ts';
import { createOtcsSimulator, type OtcsSimOptions } from '../../../simulators/otcs/simulator.ts';
import { TEMPLATES } from '../../../simulators/otcs/templates.ts';
import { simFaults, simRequests, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const CGI = '/otcs/cs.exe';
const docs = [...world.documents()];

type Client = ReturnType<typeof createOtcsClient>;

async function setup(simOpts: OtcsSimOptions = {}, clientOpts: Partial<OtcsClientOptions> = {}) {
  const sim = createOtcsSimulator(world, mapping, simOpts);
  const base = await sim.listen(0);
  const client = createOtcsClient({ baseUrl: base + CGI, ...DEMO_CREDENTIALS.otcs, mapping, backoffBaseMs: 5, ...clientOpts });
  return { sim, base, client };
}

/** The typed error a promise fails with. */
async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UpstreamError, `typed error, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

const bytes = (text: string) => new Blob([text]).stream();
const text = async (s: ReadableStream<Uint8Array>) => new Response(s).text();

const accountDraft = (
  id: string,
  name: string,
  extra: Partial<Extract<WorkspaceDraft, { kind: 'account' }>['account']> = {},
): WorkspaceDraft => ({
  kind: 'account',
  businessObject: { system: 'SFDC', type: 'Account', id },
  account: { id, name, kind: 'CUSTOMER', region: 'EMEA', ...extra },
});

const campaignDraft = (code: string): Extract<WorkspaceDraft, { kind: 'campaign' }> => ({
  kind: 'campaign',
  businessObject: { system: 'SFDC', type: 'Campaign', id: `701-${code}` },
  campaign: {
    code,
    name: 'Orion Launch',
    status: 'ACTIVE',
    productLine: 'Aurora Laptops',
    regions: ['EMEA', 'APAC'],
    startDate: '2027-02-01',
    endDate: '2027-05-31',
    openToAllPartners: false,
    audience: ['ACC-1001'],
  },
});

/** Audit actions of a node, oldest first. */
const actions = async (client: Client, id: string) => (await client.getAudit(id)).map((a) => a.action);

describe('OTCS connector: workspaces', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    s = await setup();
  });
  after(() => s.sim.close());

  it('creates an account workspace from its template, readable through getAccounts and listAccounts', async () => {
    const ws = await s.client.createWorkspace(accountDraft('ACC-8001', 'Globex'));
    assert.equal(ws.type, 'Customer');
    assert.equal(ws.name, 'Globex (ACC-8001)');
    assert.deepEqual(ws.businessObject, { system: 'SFDC', type: 'Account', id: 'ACC-8001' });
    assert.deepEqual(ws.owner, { accountId: 'ACC-8001' });
    const folders = await s.client.folders(ws.source.nativeId);
    assert.deepEqual(
      folders.map((f) => f.name),
      TEMPLATES.Customer.folders.map((f) => f.name),
    );
    const roles = await fetch(`${s.base}${CGI}/api/v2/businessworkspaces/${ws.source.nativeId}/roles`, {
      headers: { OTCSTicket: await ticket(s.base) },
    });
    const roleNames = ((await roles.json()) as { results: { data: { properties: { name: string } } }[] }).results.map(
      (r) => r.data.properties.name,
    );
    assert.deepEqual(roleNames, [...TEMPLATES.Customer.roles]);
    const [acc] = await s.client.getAccounts(['ACC-8001']);
    assert.deepEqual(
      { id: acc?.id, name: acc?.name, kind: acc?.kind, region: acc?.region, workspaceId: acc?.workspaceId },
      { id: 'ACC-8001', name: 'Globex', kind: 'CUSTOMER', region: 'EMEA', workspaceId: ws.source.nativeId },
    );
    const listed = await s.client.listAccounts({ regions: ['EMEA'], text: 'Globex' }, { first: 10 });
    assert.deepEqual(
      listed.items.map((a) => a.id),
      ['ACC-8001'],
    );
    assert.deepEqual(await actions(s.client, ws.source.nativeId), ['Create']);
  });

  it('creates a campaign workspace, readable through getCampaigns and listCampaigns', async () => {
    const ws = await s.client.createWorkspace(campaignDraft('CMP-2099-042'));
    assert.equal(ws.type, 'Campaign');
    const [c] = await s.client.getCampaigns(['CMP-2099-042']);
    assert.ok(c);
    assert.deepEqual(
      { ...c, workspace: undefined, source: undefined },
      {
        code: 'CMP-2099-042',
        name: 'Orion Launch',
        status: 'ACTIVE',
        productLine: 'Aurora Laptops',
        regions: ['EMEA', 'APAC'],
        startDate: '2027-02-01',
        endDate: '2027-05-31',
        openToAllPartners: false,
        audience: ['ACC-1001'],
        businessObject: { system: 'SFDC', type: 'Campaign', id: '701-CMP-2099-042' },
        workspaceId: ws.source.nativeId,
        workspace: undefined,
        source: undefined,
      },
    );
    const listed = await s.client.listCampaigns({ codes: ['CMP-2099-042'], statuses: ['ACTIVE'] }, { first: 5 });
    assert.equal(listed.total, 1);
    assert.equal((await s.client.folders(ws.source.nativeId)).length, 6, 'top-level template folders (Localized sits inside 05 Released)');
  });

  it('finds a workspace by its business object: written ones, world ones, and none', async () => {
    const created = await s.client.findWorkspace({ system: 'SFDC', type: 'Account', id: 'ACC-8001' });
    assert.equal(created?.name, 'Globex (ACC-8001)');
    const a = world.account(1);
    const worldWs = await s.client.findWorkspace(a.businessObject);
    assert.equal(worldWs?.source.nativeId, String(a.workspaceId));
    assert.ok((worldWs?.team.length ?? 0) > 0, 'with its team');
    assert.equal(await s.client.findWorkspace({ system: 'SFDC', type: 'Account', id: 'ACC-0000' }), null);
  });

  it('updates name, business object and categories; each change is one write, audited', async () => {
    const ws = await s.client.createWorkspace(accountDraft('ACC-8002', 'Initech'));
    const id = ws.source.nativeId;
    const before = (await simRequests(s.base)).length;
    const updated = await s.client.updateWorkspace(id, {
      kind: 'account',
      businessObject: { system: 'SFDC', type: 'Account', id: 'ACC-8002-B' },
      account: { id: 'ACC-8002', name: 'Initech Group', kind: 'CUSTOMER', region: 'APAC' },
    });
    assert.equal(updated.name, 'Initech Group (ACC-8002)');
    assert.deepEqual(updated.businessObject, { system: 'SFDC', type: 'Account', id: 'ACC-8002-B' });
    const [acc] = await s.client.getAccounts(['ACC-8002']);
    assert.equal(acc?.region, 'APAC');
    const writes = (await simRequests(s.base)).slice(before).filter((r) => r.method !== 'GET' && !r.rawPath.includes('/nodes/list'));
    assert.deepEqual(
      writes.map((r) => r.route),
      [
        `PUT ${CGI}/api/v2/businessworkspaces/:id/workspacereferences`,
        `PUT ${CGI}/api/v2/nodes/:id`,
        `PUT ${CGI}/api/v2/nodes/:id/categories/:cat`,
      ],
    );
    assert.deepEqual(await actions(s.client, id), ['Create', 'Rename', 'Attribute Value Changed']);
    const again = (await simRequests(s.base)).length;
    await s.client.updateWorkspace(id, {
      kind: 'account',
      businessObject: { system: 'SFDC', type: 'Account', id: 'ACC-8002-B' },
      account: { id: 'ACC-8002', name: 'Initech Group', kind: 'CUSTOMER', region: 'APAC' },
    });
    const noop = (await simRequests(s.base))
      .slice(again)
      .filter((r) => r.method === 'PUT' || (r.method === 'POST' && !r.rawPath.includes('/list')));
    assert.deepEqual(noop, [], 'nothing to change, nothing written');
  });

  it('updates a world campaign partially: only what the draft carries changes', async () => {
    const c = world.campaign(2);
    await s.client.updateWorkspace(String(c.workspaceId), {
      kind: 'campaign',
      businessObject: c.businessObject,
      campaign: { code: c.code, name: c.name, status: 'CLOSED' },
    });
    const [after] = await s.client.getCampaigns([c.code]);
    assert.equal(after?.status, 'CLOSED');
    assert.deepEqual(after?.regions, c.regions);
    assert.equal(after?.startDate, c.startDate);
  });

  it('fails an update with an edit conflict when the category changed after it was read (409)', async () => {
    const ws = await s.client.createWorkspace(accountDraft('ACC-8003', 'Hooli'));
    const id = ws.source.nativeId;
    let interfered = false;
    // Another writer changes the category between the connector's read (its token) and its PUT.
    const racing: typeof fetch = async (input, init) => {
      const url = String(input);
      if (!interfered && init?.method === 'PUT' && url.includes('/categories/')) {
        interfered = true;
        await fetch(`${s.base}${CGI}/api/v2/nodes/${id}/categories/9850`, {
          method: 'PUT',
          headers: { OTCSTicket: await ticket(s.base) },
          body: new URLSearchParams({ '9850_4': 'LATAM' }),
        });
      }
      return fetch(input, init);
    };
    const racer = createOtcsClient({ baseUrl: s.base + CGI, ...DEMO_CREDENTIALS.otcs, mapping, fetch: racing });
    const e = await failure(racer.updateWorkspace(id, accountDraft('ACC-8003', 'Hooli', { region: 'NA' })));
    assert.equal(e.kind, 'CONFLICT');
    assert.match(e.message, /edit conflict/);
    const [acc] = await s.client.getAccounts(['ACC-8003']);
    assert.equal(acc?.region, 'LATAM', 'the other writer kept its change');
    await racer.updateWorkspace(id, accountDraft('ACC-8003', 'Hooli', { region: 'NA' }));
    assert.equal((await s.client.getAccounts(['ACC-8003']))[0]?.region, 'NA', 'a retry reads again and succeeds');
  });

  it('refuses an existing business object, a name clash, a wrong kind, and drafts the reads could not read back', async () => {
    const taken = world.account(0);
    const bo = await failure(s.client.createWorkspace({ ...accountDraft('ACC-8004', 'Dup'), businessObject: taken.businessObject }));
    assert.deepEqual([bo.kind, /already has a workspace/.test(bo.message)], ['CONFLICT', true]);
    const name = await failure(
      s.client.createWorkspace({ ...accountDraft(taken.id, taken.name), businessObject: { system: 'SFDC', type: 'Account', id: 'X-1' } }),
    );
    assert.deepEqual([name.kind, /already exists/.test(name.message)], ['CONFLICT', true]);
    const kind = await failure(s.client.updateWorkspace(String(taken.workspaceId), campaignDraft('CMP-2099-043')));
    assert.equal(kind.kind, 'BAD_REQUEST');
    const before = (await simRequests(s.base)).length;
    const incomplete = await failure(
      s.client.createWorkspace({ ...campaignDraft('CMP-2099-044'), campaign: { code: 'CMP-2099-044', name: 'No dates' } }),
    );
    assert.match(incomplete.message, /lacks productLine, startDate, endDate/);
    assert.equal((await simRequests(s.base)).length, before, 'checked before any request');
    const missing = await failure(s.client.updateWorkspace('999999999', accountDraft('ACC-8005', 'Nobody')));
    assert.equal(missing.kind, 'NOT_FOUND');
  });
});

describe('OTCS connector: documents', () => {
  let s: Awaited<ReturnType<typeof setup>>;
  let wsId: string;
  let contracts: string;
  before(async () => {
    s = await setup();
    const ws = await s.client.createWorkspace(accountDraft('ACC-8100', 'Acme'));
    wsId = ws.source.nativeId;
    contracts = (await s.client.folders(wsId)).find((f) => f.name === '02 Contracts')?.id as string;
  });
  after(() => s.sim.close());

  it('uploads into a template folder with its labels; readable by id, by search, and as bytes', async () => {
    const doc = await s.client.uploadDocument({
      folderId: contracts,
      name: 'MSA 2027.pdf',
      fileName: 'msa.pdf',
      mimeType: 'application/pdf',
      size: 12,
      body: bytes('%PDF-1.4 MSA'),
      classification: 'CONFIDENTIAL',
      status: 'APPROVED',
      accountId: 'ACC-8100',
      productLine: 'Nimbus Cloud',
      region: 'EMEA',
    });
    assert.deepEqual(
      {
        name: doc.name,
        version: doc.version,
        size: doc.size,
        mimeType: doc.mimeType,
        workspaceId: doc.workspaceId,
        parentId: doc.parentId,
      },
      { name: 'MSA 2027.pdf', version: 1, size: 12, mimeType: 'application/pdf', workspaceId: wsId, parentId: contracts },
    );
    assert.deepEqual(doc.metadata, {
      accountId: 'ACC-8100',
      productLine: 'Nimbus Cloud',
      region: 'EMEA',
      classification: 'CONFIDENTIAL',
      status: 'APPROVED',
    });
    const [byId] = await s.client.getDocuments([doc.source.nativeId]);
    assert.deepEqual(byId, doc);
    const found = await s.client.findDocuments({ accountIds: ['ACC-8100'], classifications: ['CONFIDENTIAL'] }, { first: 10 });
    assert.deepEqual(
      found.items.map((d) => d.source.nativeId),
      [doc.source.nativeId],
    );
    const inWs = await s.client.findDocuments({ workspaceIds: [wsId] }, { first: 10 });
    assert.equal(inWs.total, 1);
    const content = await s.client.openContent(doc.source.nativeId);
    assert.equal(await text(content.body), '%PDF-1.4 MSA');
    assert.equal(content.fileName, 'msa.pdf');
    assert.equal((await s.client.findDocument(contracts, 'MSA 2027.pdf'))?.source.nativeId, doc.source.nativeId);
    assert.equal(await s.client.findDocument(contracts, 'MSA 2027'), null, 'an exact name, not a part of one');
    assert.deepEqual(await actions(s.client, doc.source.nativeId), ['Create']);
  });

  it('adds a version: version 2 is read back, both versions keep their bytes', async () => {
    const doc = await s.client.uploadDocument({ folderId: contracts, fileName: 'Order.txt', mimeType: 'text/plain', body: bytes('v1') });
    const v2 = await s.client.addVersion(doc.source.nativeId, {
      fileName: 'Order-signed.txt',
      mimeType: 'text/plain',
      size: 9,
      body: bytes('v2 signed'),
    });
    assert.equal(v2.version, 2);
    assert.equal(v2.size, 9);
    const versions = await s.client.getVersions(doc.source.nativeId);
    assert.deepEqual(
      versions.map((v) => [v.number, v.fileName, v.size]),
      [
        [1, 'Order.txt', 2],
        [2, 'Order-signed.txt', 9],
      ],
    );
    assert.equal(await text((await s.client.openContent(doc.source.nativeId, 1)).body), 'v1');
    assert.equal(await text((await s.client.openContent(doc.source.nativeId)).body), 'v2 signed');
    assert.deepEqual(await actions(s.client, doc.source.nativeId), ['Create', 'Version Added']);
  });

  it('classifies by file-plan class name or id; retention is read back; the same class again writes nothing', async () => {
    const doc = await s.client.uploadDocument({
      folderId: contracts,
      fileName: 'Licence.pdf',
      mimeType: 'application/pdf',
      body: bytes('lic'),
    });
    const id = doc.source.nativeId;
    await s.client.classify(id, 'legal / contracts and licences');
    const r = await s.client.getRetention(id);
    assert.deepEqual(
      { classification: r?.classification, schedule: r?.schedule, disposition: r?.disposition, status: r?.status },
      { classification: 'Legal / Contracts and Licences', schedule: 'LEG-10', disposition: 'REVIEW', status: 'ACTIVE' },
    );
    assert.equal(new Date(r?.dispositionDate ?? '').getUTCFullYear() - new Date(r?.recordDate ?? '').getUTCFullYear(), 10);
    await s.client.classify(id, 'Legal / Contracts and Licences');
    await s.client.classify(id, '41340');
    assert.equal((await s.client.getRetention(id))?.schedule, 'CRM-05', 'a change sends the current token');
    assert.deepEqual(await actions(s.client, id), ['Create', 'Classification Applied', 'Classification Applied']);
    const unknown = await failure(s.client.classify(id, 'Shredder'));
    assert.deepEqual([unknown.kind, /no records-management class/.test(unknown.message)], ['BAD_REQUEST', true]);
    const world0 = docs.find((d) => d.record?.schedule === 'LEG-10') as (typeof docs)[number];
    await s.client.classify(String(world0.nodeId), 'Finance / Budgets');
    assert.equal((await s.client.getRetention(String(world0.nodeId)))?.schedule, 'FIN-07', 'reclassifies a world record');
  });

  it('types its errors: a name clash, a missing folder, a refused category, bad input checked before any request', async () => {
    await s.client.uploadDocument({ folderId: contracts, fileName: 'Clash.txt', mimeType: 'text/plain', body: bytes('a') });
    const clash = await failure(
      s.client.uploadDocument({ folderId: contracts, fileName: 'Clash.txt', mimeType: 'text/plain', body: bytes('b') }),
    );
    assert.equal(clash.kind, 'CONFLICT');
    assert.match(clash.message, /a document named "Clash.txt" in folder \d+ already exists/);
    const missing = await failure(
      s.client.uploadDocument({ folderId: '987654321', fileName: 'x.txt', mimeType: 'text/plain', body: bytes('x') }),
    );
    assert.deepEqual([missing.kind, missing.message], ['NOT_FOUND', 'OTCS: upload of "x.txt": folder 987654321 does not exist']);
    const doc = JSON.parse(JSON.stringify(mapping)) as { otcs: { documentCategory: { id: number; attributes: Record<string, string> } } };
    doc.otcs.documentCategory.id = 9999;
    for (const [k, v] of Object.entries(doc.otcs.documentCategory.attributes))
      doc.otcs.documentCategory.attributes[k] = v.replace(/^9830_/, '9999_');
    const wrong = createOtcsClient({ baseUrl: s.base + CGI, ...DEMO_CREDENTIALS.otcs, mapping: parseMapping(doc) as Mapping });
    const cat = await failure(
      wrong.uploadDocument({ folderId: contracts, fileName: 'y.txt', mimeType: 'text/plain', body: bytes('y'), status: 'DRAFT' }),
    );
    assert.deepEqual([cat.kind, /category values refused/.test(cat.message)], ['BAD_REQUEST', true]);
    const before = (await simRequests(s.base)).length;
    for (const name of ['evil\u0000.txt', 'n'.repeat(300), '  ']) {
      const e = await failure(
        s.client.uploadDocument({ folderId: contracts, fileName: 'ok.txt', name, mimeType: 'text/plain', body: bytes('z') }),
      );
      assert.equal(e.kind, 'BAD_REQUEST');
    }
    assert.equal(
      (await failure(s.client.uploadDocument({ folderId: '../1', fileName: 'a', mimeType: 'text/plain', body: bytes('z') }))).kind,
      'NOT_FOUND',
    );
    assert.equal((await simRequests(s.base)).length, before, 'nothing was sent');
    const short = await failure(
      s.client.uploadDocument({ folderId: contracts, fileName: 'Short.txt', mimeType: 'text/plain', size: 10, body: bytes('12345') }),
    );
    assert.match(short.message, /not the size it declared/);
    assert.equal(await s.client.findDocument(contracts, 'Short.txt'), null, 'a truncated upload is not stored');
  });

  it('never retries a write: a failed upload is sent once and fails typed', async () => {
    await simFaults(s.base, { route: `POST ${CGI}/api/v2/nodes`, errorStatus: 503, times: 1 });
    const before = (await simRequests(s.base)).length;
    const e = await failure(
      s.client.uploadDocument({ folderId: contracts, fileName: 'Once.txt', mimeType: 'text/plain', body: bytes('once') }),
    );
    assert.equal(e.kind, 'UNAVAILABLE');
    const posts = (await simRequests(s.base)).slice(before).filter((r) => r.route === `POST ${CGI}/api/v2/nodes`);
    assert.equal(posts.length, 1);
    assert.equal(await s.client.findDocument(contracts, 'Once.txt'), null);
    await simFaults(s.base, { route: `POST ${CGI}/api/v2/businessworkspaces`, errorStatus: 500, times: 1 });
    const ws = await failure(s.client.createWorkspace(accountDraft('ACC-8101', 'Once')));
    assert.equal(ws.kind, 'UNAVAILABLE');
    assert.equal(await s.client.findWorkspace({ system: 'SFDC', type: 'Account', id: 'ACC-8101' }), null);
  });

  it('takes a document back (deleteDocument); taking it back twice is harmless', async () => {
    const doc = await s.client.uploadDocument({ folderId: contracts, fileName: 'Undo.txt', mimeType: 'text/plain', body: bytes('undo') });
    await s.client.deleteDocument(doc.source.nativeId);
    assert.deepEqual(await s.client.getDocuments([doc.source.nativeId]), [null]);
    await s.client.deleteDocument(doc.source.nativeId);
    await s.client.deleteDocument(contracts);
    assert.deepEqual((await s.client.folders(wsId)).map((f) => f.id).includes(contracts), true, 'a folder is not a document: left alone');
  });
});

describe('OTCS connector: tickets and uploads', () => {
  it('fails an upload whose ticket expired meanwhile, storing nothing; the next signs in again', async () => {
    const s = await setup();
    try {
      const folder = String(world.account(2).workspaceId + 1);
      await s.client.ping();
      s.sim.expireTickets();
      const e = await failure(
        s.client.uploadDocument({ folderId: folder, fileName: 'Expired.txt', mimeType: 'text/plain', body: bytes('x') }),
      );
      assert.equal(e.kind, 'UNAUTHENTICATED');
      assert.equal(await s.client.findDocument(folder, 'Expired.txt'), null);
      const ok = await s.client.uploadDocument({ folderId: folder, fileName: 'Expired.txt', mimeType: 'text/plain', body: bytes('x') });
      assert.equal(ok.version, 1);
    } finally {
      await s.sim.close();
    }
  });

  it('sends a form write refused for its ticket once more, with a fresh one: the server did nothing the first time', async () => {
    const s = await setup();
    try {
      await s.client.createWorkspace(accountDraft('ACC-8200', 'First'));
      s.sim.expireTickets();
      const before = (await simRequests(s.base)).length;
      const ws = await s.client.createWorkspace(accountDraft('ACC-8201', 'Second'));
      const log = (await simRequests(s.base)).slice(before).map((r) => `${r.route ?? r.rawPath} ${r.status}`);
      assert.deepEqual(log.slice(0, 3), [
        `POST ${CGI}/api/v2/businessworkspaces 200`,
        `POST ${CGI}/api/v1/auth 200`,
        `POST ${CGI}/api/v2/businessworkspaces 200`,
      ]);
      assert.equal((await s.client.findWorkspace(ws.businessObject))?.source.nativeId, ws.source.nativeId);
    } finally {
      await s.sim.close();
    }
  });

  it('renews an idle ticket with one read before a streamed upload', async () => {
    const s = await setup({}, { ticketRefreshAfterMs: 0 });
    try {
      await s.client.ping();
      s.sim.expireTickets();
      const doc = await s.client.uploadDocument({
        folderId: String(world.account(2).workspaceId + 1),
        fileName: 'Renewed.txt',
        mimeType: 'text/plain',
        body: bytes('x'),
      });
      assert.equal(doc.name, 'Renewed.txt');
    } finally {
      await s.sim.close();
    }
  });

  it('streams a 40 MB upload: neither connector nor simulator holds it in memory; the bytes come back intact', async () => {
    const s = await setup();
    try {
      setFlagsFromString('--expose_gc');
      const gc = runInNewContext('gc') as () => void;
      const size = 40 * 1024 * 1024;
      const chunk = 64 * 1024;
      const hash = createHash('sha256');
      let sent = 0;
      // Made as it is read: the test holds no copy either.
      const body = new ReadableStream<Uint8Array>(
        {
          pull(ctl) {
            if (sent >= size) return ctl.close();
            const b = new Uint8Array(Math.min(chunk, size - sent));
            for (let i = 0; i < b.length; i += 997) b[i] = (sent + i) % 251;
            sent += b.length;
            hash.update(b);
            ctl.enqueue(b);
          },
        },
        { highWaterMark: 0 },
      );
      await s.client.ping();
      gc();
      const base = process.memoryUsage();
      let peakRss = base.rss;
      let peakBuffers = base.arrayBuffers;
      const sampler = setInterval(() => {
        gc();
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
      }, 20);
      let doc;
      try {
        doc = await s.client.uploadDocument({
          folderId: String(world.account(3).workspaceId + 2),
          fileName: 'Big.bin',
          mimeType: 'application/octet-stream',
          size,
          body,
        });
      } finally {
        clearInterval(sampler);
      }
      assert.equal(doc.size, size);
      const mb = (n: number) => Math.round(n / 1e5) / 10;
      // Generous bounds that a buffered upload (at least one whole copy of 40 MB) cannot meet.
      assert.ok(peakBuffers - base.arrayBuffers < size / 4, `buffers grew ${mb(peakBuffers - base.arrayBuffers)} MB`);
      assert.ok(peakRss - base.rss < size, `RSS grew ${mb(peakRss - base.rss)} MB`);
      const back = createHash('sha256');
      const reader = (await s.client.openContent(doc.source.nativeId)).body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) back.update(r.value);
      assert.equal(back.digest('hex'), hash.digest('hex'));
    } finally {
      await s.sim.close();
    }
  });
});

/** A ticket for raw requests beside the connector. */
async function ticket(base: string): Promise<string> {
  const res = await fetch(`${base}${CGI}/api/v1/auth`, { method: 'POST', body: new URLSearchParams({ ...DEMO_CREDENTIALS.otcs }) });
  return ((await res.json()) as { ticket: string }).ticket;
}
