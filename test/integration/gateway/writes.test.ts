/**
 * Business events in and writes through the graph, over real HTTP against the simulators, with
 * the gateway as `npm start` wires it (gateway/main.ts: flows, hooks, audit, storage thread):
 * - a CRM webhook for a new customer creates its workspace from the template, and the account
 *   appears for admin and for the partner of that org;
 * - a document uploaded for the business object lands in that workspace with its
 *   classification and retention category, and a second upload of it is version 2;
 * - replays (the same webhook id, the same idempotency key) create nothing new;
 * - a bad signature, a stale timestamp, a partner's token, a body over the limit and hostile
 *   file names each get a clear error and leave Content Server as it was;
 * - a failure injected at each step of an upload leaves all or nothing, and sending it again
 *   completes it;
 * - every write is in the audit chain, which verifies.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountId as accountGlobalId } from '../../../access/ids.ts';
import { loadConfig } from '../../../gateway/config.ts';
import { demoIssuer, hookSecret } from '../../../gateway/demo-issuer.ts';
import { createLogger } from '../../../gateway/log.ts';
import { startGateway, type RunningGateway } from '../../../gateway/main.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/start.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { preferPostgres } from '../../helpers/audit-backends.ts';
import { simFaults, TEST_AS_OF, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const NEW_ID = 'ACC-9901';
const LEGAL = 'Legal / Contracts and Licences';

let sims: RunningSimulators;
let gw: RunningGateway;
let dataDir: string;
let cleanupDb: () => Promise<void> = async () => undefined;
const tokens: Record<string, string> = {};
let secret = '';

/** A GraphQL request with a bearer token. */
async function gql<T = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } };
}

const UPLOAD = `mutation($input: DocumentInput!, $file: Upload!, $key: String!) {
  uploadDocument(input: $input, file: $file, idempotencyKey: $key) {
    documentId version replayed document { id name classification version retention { schedule classification } }
  }
}`;

/** A GraphQL multipart request carrying one file (the bytes as given). */
async function upload(
  token: string,
  variables: Record<string, unknown>,
  file: { name: string; type: string; bytes: Uint8Array } | { name: string; type: string; size: number },
  extra: Record<string, string> = {},
) {
  const boundary = `----atrium${Math.random().toString(16).slice(2)}`;
  const ops = JSON.stringify({ query: UPLOAD, variables: { ...variables, file: null } });
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${ops}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      authorization: `Bearer ${token}`,
      'x-atrium-upload': '1',
      ...extra,
    },
    // A file given by its size is generated as it is sent (200 MB is never in memory here).
    ...('bytes' in file
      ? { body: Buffer.concat([head, file.bytes, tail]) }
      : {
          body: Readable.toWeb(
            Readable.from(
              (function* () {
                yield head;
                const chunk = Buffer.alloc(64 * 1024, 0x25);
                for (let left = file.size; left > 0; left -= chunk.length) yield left >= chunk.length ? chunk : chunk.subarray(0, left);
                yield tail;
              })(),
            ),
          ),
          duplex: 'half',
        }),
  } as RequestInit);
  return {
    status: res.status,
    body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] },
  };
}

/** Content Server's requests that change something (anything but reads), since the last reset. */
async function otcsWrites(opts: { acceptedOnly?: boolean } = {}): Promise<string[]> {
  const log = (await (await fetch(`${sims.roots.otcs}/__sim/requests`)).json()) as { method: string; rawPath: string; status: number }[];
  return log
    .filter((r) => r.method !== 'GET' && !/\/(auth|nodes\/list|search)$/.test(r.rawPath.split('?')[0] ?? ''))
    .filter((r) => !opts.acceptedOnly || (r.status >= 200 && r.status < 300))
    .map((r) => `${r.method} ${r.rawPath}`);
}
const resetLog = () => fetch(`${sims.roots.otcs}/__sim/requests`, { method: 'DELETE' });

/** Push a CRM event through the CRM simulator (it signs it), as the CRM would. */
async function push(type: string, data: Record<string, unknown>, over: Record<string, unknown> = {}) {
  const res = await fetch(`${sims.roots.crm}/__sim/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${gw.url}/hooks/crm`, type, data, secret, ...over }),
  });
  return (await res.json()) as { id: string; status: number; body: unknown };
}

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined>, withinMs = 15_000): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  sims = await startSimulators(world, demoMapping());
  dataDir = await mkdtemp(join(tmpdir(), 'atrium-writes-'));
  const { env: db, cleanup } = await preferPostgres();
  cleanupDb = cleanup;
  const config = loadConfig({
    ...db,
    ATRIUM_DATA_DIR: dataDir,
    ATRIUM_AS_OF: TEST_AS_OF,
    OTCS_URL: sims.urls.otcs,
    ICONIK_URL: sims.urls.iconik,
    NETX_URL: sims.urls.netx,
    OTMM_URL: sims.urls.otmm,
    UPSTREAM_TIMEOUT_MS: '10000',
    UPSTREAM_RETRIES: '0',
    UPLOAD_MAX_BYTES: String(2 * 1024 * 1024),
    AUDIT_BATCH_MS: '20',
  });
  gw = await startGateway(config, createLogger(process.env.TEST_LOG ? 'info' : 'silent'), { port: 0 });
  const issuer = await demoIssuer(dataDir);
  const users = world.demoUsers();
  const user = (role: string) => users.find((u) => u.roles.includes(role as never)) as (typeof users)[number];
  tokens.admin = await issuer.sign(user('admin'));
  tokens.partner = await issuer.sign(user('partner'));
  tokens.newPartner = await issuer.sign({
    ...user('partner'),
    email: 'pat@new-partner.example',
    name: 'Pat',
    org: NEW_ID,
    regions: ['EMEA'],
  });
  tokens.crm = await issuer.signClient('crm');
  secret = (await hookSecret('crm', { configured: {}, dataDir, demo: true })) as string;
});
after(async () => {
  await gw?.close();
  await sims?.close();
  await cleanupDb();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const ACCOUNT = `query($id: ID!) { account(id: $id) { id name kind region workspace { name } } }`;

describe('business events in', () => {
  it('account.created: the workspace is made from the template, the account appears for admin and its partner; a redelivery makes nothing new', async () => {
    await resetLog();
    const event = { id: NEW_ID, name: 'New Partner Co', kind: 'PARTNER', region: 'EMEA', owner: 'sales.emea@atrium.example' };
    const sent = await push('account.created', event);
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    let last: unknown;
    const account = await eventually('the account in the graph', async () => {
      const r = await gql<{ account: unknown }>(tokens.admin as string, ACCOUNT, { id: accountGlobalId(NEW_ID) });
      last = r.body;
      return r.body.data?.account;
    }).catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(last)}`);
    });
    assert.deepEqual(account, {
      id: accountGlobalId(NEW_ID),
      name: 'New Partner Co',
      kind: 'PARTNER',
      region: 'EMEA',
      workspace: { name: (account as { workspace: { name: string } }).workspace.name },
    });
    const seen = await gql<{ accounts: { nodes: { id: string }[] } }>(
      tokens.newPartner as string,
      '{ accounts(first: 10) { nodes { id } } }',
    );
    assert.deepEqual(
      seen.body.data?.accounts.nodes.map((a) => a.id),
      [accountGlobalId(NEW_ID)],
      'the partner of that org sees it, and only it',
    );
    const creates = (await otcsWrites()).filter((r) => r.startsWith('POST') && r.includes('/businessworkspaces'));
    assert.equal(creates.length, 1, 'one workspace created');
    const again = await push('account.created', event, { id: sent.id });
    assert.equal(again.status, 202);
    assert.deepEqual((again.body as { duplicate?: boolean }).duplicate, true);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(
      (await otcsWrites()).filter((r) => r.startsWith('POST') && r.includes('/businessworkspaces')).length,
      1,
      'a redelivery writes nothing',
    );
  });

  it('a bad signature, a stale timestamp and an unknown event type are refused and write nothing', async () => {
    await resetLog();
    const event = { id: 'ACC-9902', name: 'Mallory', kind: 'CUSTOMER', region: 'NA' };
    const forged = await push('account.created', event, { secret: 'whsec_' + Buffer.alloc(32, 7).toString('base64') });
    assert.equal(forged.status, 401);
    const stale = await push('account.created', event, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    assert.equal(stale.status, 401);
    const unknown = await push('account.deleted', event);
    assert.equal(unknown.status, 422);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(await otcsWrites(), []);
  });
});

describe('documents filed through the graph', () => {
  const pdf = (text: string) => ({
    name: 'Master Services Agreement.pdf',
    type: 'application/pdf',
    bytes: Buffer.from(`%PDF-1.4\n${text}\n%%EOF\n`),
  });
  const input = {
    businessObject: { system: 'SFDC', type: 'Account', id: NEW_ID },
    folder: '02 Contracts',
    classification: 'CONFIDENTIAL',
    status: 'APPROVED',
    retentionCategory: LEGAL,
  };

  it('lands in the workspace with its classification and retention; the second upload is version 2; a replay is the first answer', async () => {
    const first = await upload(tokens.crm as string, { input, key: 'msa-1' }, pdf('v1'));
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.errors, undefined, JSON.stringify(first.body.errors));
    const doc = (first.body.data?.uploadDocument as { documentId: string; version: number }) ?? { documentId: '', version: 0 };
    assert.equal(doc.version, 1);
    const read = await gql<{ document: { name: string; classification: string; retention: { classification: string } | null } }>(
      tokens.admin as string,
      'query($id: ID!) { document(id: $id) { name classification retention { classification } } }',
      { id: Buffer.from(`Document:${doc.documentId}`).toString('base64url') },
    );
    assert.deepEqual(read.body.data?.document, {
      name: 'Master Services Agreement.pdf',
      classification: 'CONFIDENTIAL',
      retention: { classification: LEGAL },
    });
    await resetLog();
    const replay = await upload(tokens.crm as string, { input, key: 'msa-1' }, pdf('v1'));
    assert.deepEqual(
      [
        (replay.body.data?.uploadDocument as { documentId: string }).documentId,
        (replay.body.data?.uploadDocument as { replayed: boolean }).replayed,
      ],
      [doc.documentId, true],
    );
    assert.deepEqual(await otcsWrites(), [], 'a replay writes nothing');
    const second = await upload(tokens.crm as string, { input, key: 'msa-2' }, pdf('v2'));
    assert.deepEqual(
      [
        (second.body.data?.uploadDocument as { documentId: string }).documentId,
        (second.body.data?.uploadDocument as { version: number }).version,
      ],
      [doc.documentId, 2],
    );
    const conflict = await upload(tokens.crm as string, { input: { ...input, classification: 'INTERNAL' }, key: 'msa-1' }, pdf('v1'));
    assert.equal(conflict.body.errors?.[0]?.extensions?.code, 'CONFLICT');
  });

  it("a partner's token, a file over the limit and hostile names get clear errors and write nothing", async () => {
    await resetLog();
    const partner = await upload(tokens.partner as string, { input, key: 'p-1' }, pdf('x'));
    assert.equal(partner.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const big = await upload(
      tokens.crm as string,
      { input, key: 'big-1' },
      { name: 'big.pdf', type: 'application/pdf', size: 200 * 1024 * 1024 },
    );
    // Sent without a length, it is refused when the limit is reached, mid-stream.
    assert.equal(big.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(big.body));
    assert.match(big.body.errors?.[0]?.message ?? '', /larger than \d+ bytes/);
    // Its upload to Content Server began as the file did, and was cut off: refused, nothing stored.
    assert.deepEqual(await otcsWrites({ acceptedOnly: true }), []);
    const found = await gql<{ search: { totalCount: number } }>(
      tokens.admin as string,
      'query { search(query: "big.pdf", first: 1) { totalCount } }',
      {},
    );
    assert.equal(found.body.data?.search.totalCount, 0);
    await resetLog();
    for (const name of ['../../etc/passwd', 'a\u0000b.pdf', `${'x'.repeat(500)}.pdf`]) {
      const r = await upload(
        tokens.crm as string,
        { input, key: `bad-${name.length}` },
        { name, type: 'application/pdf', bytes: Buffer.from('x') },
      );
      assert.equal(
        r.body.errors?.[0]?.extensions?.code,
        'BAD_USER_INPUT',
        `${JSON.stringify(name.slice(0, 20))}: ${JSON.stringify(r.body)}`,
      );
    }
    assert.deepEqual(await otcsWrites(), []);
  });
});

/** A GET of Content Server's REST API, straight at the simulator (what is really there). */
let otcsTicket = '';
async function otcsGet(path: string): Promise<Record<string, unknown>> {
  if (!otcsTicket) {
    const login = await fetch(`${sims.urls.otcs}/api/v1/auth`, { method: 'POST', body: new URLSearchParams({ ...DEMO_CREDENTIALS.otcs }) });
    otcsTicket = ((await login.json()) as { ticket: string }).ticket;
  }
  const res = await fetch(`${sims.urls.otcs}${path}`, { headers: { OTCSTicket: otcsTicket } });
  assert.equal(res.status, 200, path);
  return (await res.json()) as Record<string, unknown>;
}
type Props = { id: number; name: string };
const propsOf = (body: Record<string, unknown>): Props[] =>
  ((body.results as { data: { properties: Props } }[] | undefined) ?? []).map((r) => r.data.properties);

/** The workspaces Content Server holds for an account's business object. */
async function workspacesOf(id: string): Promise<Props[]> {
  return propsOf(await otcsGet(`/api/v2/businessworkspaces?where_ext_system_id=SFDC&where_bo_type=Account&where_bo_id=${id}`));
}

/** The documents (name, RM classification) in a workspace's folder. */
async function documentsIn(workspaceId: number, folder: string): Promise<{ name: string; rm: string[] }[]> {
  const f = propsOf(await otcsGet(`/api/v2/nodes/${workspaceId}/nodes?where_type=0`)).find((x) => x.name === folder);
  assert.ok(f, `folder ${folder}`);
  const out: { name: string; rm: string[] }[] = [];
  for (const d of propsOf(await otcsGet(`/api/v2/nodes/${f.id}/nodes?where_type=144`))) {
    const rm = (await otcsGet(`/api/v1/nodes/${d.id}/rmclassifications`)) as { data?: { name?: string }[] };
    out.push({ name: d.name, rm: (rm.data ?? []).map((c) => c.name ?? '') });
  }
  return out;
}

/** Send until the answer is no longer "still being carried out" (the background runner may hold the job a moment). */
async function settled<T extends { body: { errors?: { extensions?: { code?: string } }[] } }>(send: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    const r = await send();
    if (r.body.errors?.[0]?.extensions?.code !== 'CONFLICT' || i > 50) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe('a failure at any step of a write', () => {
  const FAIL_ID = 'ACC-9903';
  const CREATE = `mutation($input: WorkspaceInput!, $key: String!) {
    createWorkspace(input: $input, idempotencyKey: $key) { created replayed workspace { id } account { id name region } }
  }`;
  const account = (region: string) => ({
    businessObject: { system: 'SFDC', type: 'Account', id: FAIL_ID },
    account: { name: 'Fault Line Ltd', kind: 'CUSTOMER', region },
  });
  // Route keys carry the CGI path the routes live under.
  const fail = (route: string) => {
    const [method, path] = route.split(' ');
    return simFaults(sims.roots.otcs, { route: `${method} /otcs/cs.exe${path}`, errorStatus: 503, times: 100 });
  };
  const clear = () => simFaults(sims.roots.otcs, { clear: true });
  after(clear);

  it('creating a workspace: nothing when the create fails, the whole workspace when it is sent again', async () => {
    await fail('POST /api/v2/businessworkspaces');
    const failed = await gql(tokens.crm as string, CREATE, { input: account('EMEA'), key: 'ws-fail-1' });
    assert.equal(failed.body.errors?.[0]?.extensions?.code, 'UPSTREAM_UNAVAILABLE', JSON.stringify(failed.body));
    assert.deepEqual(await workspacesOf(FAIL_ID), [], 'nothing created');
    await clear();
    const again = await settled(() => gql(tokens.crm as string, CREATE, { input: account('EMEA'), key: 'ws-fail-1' }));
    assert.equal(again.body.errors, undefined, JSON.stringify(again.body));
    assert.equal((await workspacesOf(FAIL_ID)).length, 1, 'one workspace');
    const ws = (await workspacesOf(FAIL_ID))[0] as Props;
    const folders = propsOf(await otcsGet(`/api/v2/nodes/${ws.id}/nodes?where_type=0`)).map((f) => f.name);
    assert.ok(folders.includes('02 Contracts'), `template folders: ${folders.join(', ')}`);
  });

  it('updating a workspace: a failed category write is finished by sending it again (each step a set, never done twice)', async () => {
    await fail('PUT /api/v2/nodes/:id/categories/:cat');
    const failed = await gql(tokens.crm as string, CREATE, { input: account('APAC'), key: 'ws-fail-2' });
    assert.equal(failed.body.errors?.[0]?.extensions?.code, 'UPSTREAM_UNAVAILABLE', JSON.stringify(failed.body));
    await clear();
    const again = await settled(() => gql(tokens.crm as string, CREATE, { input: account('APAC'), key: 'ws-fail-2' }));
    assert.equal(again.body.errors, undefined, JSON.stringify(again.body));
    const read = await gql<{ account: { region: string } }>(tokens.admin as string, 'query($id: ID!) { account(id: $id) { region } }', {
      id: accountGlobalId(FAIL_ID),
    });
    assert.equal(read.body.data?.account.region, 'APAC');
    assert.equal((await workspacesOf(FAIL_ID)).length, 1, 'still one workspace');
  });

  for (const [step, route] of [
    ['finding the folder', 'GET /api/v2/nodes/:id/nodes'],
    ['the upload', 'POST /api/v2/nodes'],
    ['the retention category', 'POST /api/v1/nodes/:id/rmclassifications'],
  ] as const) {
    it(`uploading: a failure at ${step} leaves no document; sending it again files it whole, once`, async () => {
      const ws = (await workspacesOf(FAIL_ID))[0] as Props;
      const name = `Contract ${step}.pdf`;
      const input = {
        businessObject: { system: 'SFDC', type: 'Account', id: FAIL_ID },
        folder: '02 Contracts',
        name,
        classification: 'CONFIDENTIAL',
        retentionCategory: LEGAL,
      };
      const file = { name: 'contract.pdf', type: 'application/pdf', bytes: Buffer.from(`%PDF-1.4\n${step}\n%%EOF\n`) };
      await fail(route);
      const failed = await upload(tokens.crm as string, { input, key: `up-${step}` }, file);
      assert.equal(failed.body.errors?.[0]?.extensions?.code, 'UPSTREAM_UNAVAILABLE', JSON.stringify(failed.body));
      await clear();
      assert.deepEqual(
        (await documentsIn(ws.id, '02 Contracts')).filter((d) => d.name === name),
        [],
        'nothing half filed',
      );
      const again = await settled(() => upload(tokens.crm as string, { input, key: `up-${step}` }, file));
      assert.equal(again.body.errors, undefined, JSON.stringify(again.body));
      assert.equal((again.body.data?.uploadDocument as { version: number }).version, 1);
      assert.deepEqual(
        (await documentsIn(ws.id, '02 Contracts')).filter((d) => d.name === name),
        [{ name, rm: [LEGAL] }],
        'filed whole, once',
      );
    });
  }

  it('every accepted write is in the audit chain, which verifies', async () => {
    await new Promise((r) => setTimeout(r, 200)); // the audit's batch (AUDIT_BATCH_MS=20) written
    const events = await gql<{ auditEvents: { nodes: { action: string; actor: string; detail: string; nativeId: string | null }[] } }>(
      tokens.admin as string,
      '{ auditEvents(first: 100, filter: { action: WRITE }) { nodes { action actor detail nativeId } } }',
    );
    assert.equal(events.body.errors, undefined, JSON.stringify(events.body));
    const writes = (events.body.data?.auditEvents.nodes ?? []).map((n) => ({
      ...n,
      ...(JSON.parse(n.detail) as { operation: string; outcome: string; idempotencyKey: string }),
    }));
    const of = (key: string) => writes.filter((w) => w.idempotencyKey === key).map((w) => w.outcome);
    assert.deepEqual(of('up-the upload').sort(), ['done', 'pending']);
    assert.deepEqual(of('msa-1').sort(), ['conflict', 'done', 'replayed']);
    assert.deepEqual(of('p-1'), ['forbidden']);
    const done = writes.find((w) => w.idempotencyKey === 'msa-2');
    assert.equal(done?.operation, 'uploadDocument');
    assert.ok(done?.nativeId, "the document written is the event's object");
    const hooks = writes.filter((w) => w.operation.startsWith('hook:') || w.actor.includes('crm'));
    assert.ok(hooks.length > 0, 'the webhook writes, by the crm client');
    const chain = await gql<{ auditChainStatus: { ok: boolean } }>(tokens.admin as string, '{ auditChainStatus { ok } }');
    assert.deepEqual(chain.body.data?.auditChainStatus, { ok: true });
  });
});
