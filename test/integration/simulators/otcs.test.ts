/**
 * The Content Server simulator over real HTTP: vendor conventions (tickets, forms, paging,
 * errors, `fields`, search LQL) and every fault mode of the /__sim control surface.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { documentContent } from '../../../simulators/demo/content.ts';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { NODE } from '../../../simulators/demo/world.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { createOtcsSimulator, type OtcsSimOptions, type OtcsSimulator } from '../../../simulators/otcs/simulator.ts';
import { simFaults, simReset, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const CGI = '/otcs/cs.exe';
const docs = [...world.documents()];
const campaign0 = world.campaign(0);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test bodies are read loosely

async function start(opts: OtcsSimOptions = {}): Promise<{ sim: OtcsSimulator; base: string; api: string }> {
  const sim = createOtcsSimulator(world, mapping, opts);
  const base = await sim.listen(0);
  return { sim, base, api: base + (opts.cgiPath ?? CGI) };
}

const form = (fields: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
};

async function login(api: string, username: string = DEMO_CREDENTIALS.otcs.username, password: string = DEMO_CREDENTIALS.otcs.password) {
  const res = await fetch(`${api}/api/v1/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ username, password }),
  });
  return { res, body: (await res.json()) as Json };
}

async function get(api: string, path: string, ticket?: string) {
  const res = await fetch(api + path, { headers: ticket ? { OTCSTicket: ticket } : {} });
  const text = await res.text();
  return {
    res,
    text,
    body: (() => {
      try {
        return JSON.parse(text) as Json;
      } catch {
        return null;
      }
    })(),
  };
}

async function post(api: string, path: string, ticket: string, fields: Record<string, string | string[]>) {
  const res = await fetch(api + path, {
    method: 'POST',
    headers: { OTCSTicket: ticket, 'content-type': 'application/x-www-form-urlencoded' },
    body: form(fields),
  });
  return { res, body: (await res.json()) as Json };
}

describe('OTCS simulator: authentication', () => {
  let s: Awaited<ReturnType<typeof start>>;
  before(async () => {
    s = await start();
  });
  after(() => s.sim.close());

  it('issues a ticket for good credentials and refuses bad ones with 401 {error, errorDetail}', async () => {
    const good = await login(s.api);
    assert.equal(good.res.status, 200);
    assert.equal(typeof good.body.ticket, 'string');
    assert.ok(good.body.ticket.length >= 16);
    const bad = await login(s.api, DEMO_CREDENTIALS.otcs.username, 'wrong');
    assert.equal(bad.res.status, 401);
    assert.deepEqual(Object.keys(bad.body).sort(), ['error', 'errorDetail']);
    const missing = await login(s.api, '', 'x');
    assert.equal(missing.res.status, 500);
    assert.match(missing.body.error, /username is required/);
  });

  it('rejects application/json bodies and accepts the body= JSON convention', async () => {
    const json = await fetch(`${s.api}/api/v1/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_CREDENTIALS.otcs),
    });
    assert.equal(json.status, 400);
    const body = await fetch(`${s.api}/api/v1/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ body: JSON.stringify({ username: DEMO_CREDENTIALS.otcs.username, password: DEMO_CREDENTIALS.otcs.password }) }),
    });
    assert.equal(body.status, 200);
    assert.equal(typeof ((await body.json()) as Json).ticket, 'string');
    const broken = await fetch(`${s.api}/api/v1/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ body: '{not json' }),
    });
    assert.equal(broken.status, 400);
  });

  it('requires a ticket, rotates it on every answer, and knows the current user', async () => {
    const none = await get(s.api, '/api/v2/nodes/2000');
    assert.equal(none.res.status, 401);
    assert.deepEqual(none.body, { error: 'Authentication Required', errorDetail: '' });
    const { body } = await login(s.api);
    const first = await get(s.api, '/api/v2/nodes/2000', body.ticket);
    assert.equal(first.res.status, 200);
    const rotated = first.res.headers.get('otcsticket');
    assert.ok(rotated && rotated !== body.ticket, 'a fresh ticket comes back');
    const me = await get(s.api, '/api/v1/auth', rotated);
    assert.equal(me.body?.data.id, 1000);
    assert.equal(me.body?.data.type_name, 'User');
    const cookie = await fetch(`${s.api}/api/v2/nodes/2000`, { headers: { cookie: `LLCookie=${encodeURIComponent(rotated)}` } });
    assert.equal(cookie.status, 200);
  });

  it('logs out with DELETE /api/v1/auth', async () => {
    const { body } = await login(s.api);
    assert.equal((await get(s.api, '/api/v1/auth', body.ticket)).res.status, 200);
    await fetch(`${s.api}/api/v1/auth`, { method: 'DELETE', headers: { OTCSTicket: body.ticket } });
    assert.equal((await get(s.api, '/api/v1/auth', body.ticket)).res.status, 401);
  });

  it('expires tickets after their TTL; without rotation the same ticket comes back', async () => {
    const short = await start({ ticketTtlMs: 150, rotateTickets: false });
    try {
      const { body } = await login(short.api);
      const ok = await get(short.api, '/api/v2/nodes/2000', body.ticket);
      assert.equal(ok.res.status, 200);
      assert.equal(ok.res.headers.get('otcsticket'), body.ticket);
      await new Promise((r) => setTimeout(r, 250));
      const expired = await get(short.api, '/api/v2/nodes/2000', body.ticket);
      assert.equal(expired.res.status, 401);
      assert.equal(expired.body?.error, 'Authentication Required');
    } finally {
      await short.sim.close();
    }
  });

  it('answers ping without a ticket', async () => {
    const ping = await get(s.api, '/api/v1/ping');
    assert.equal(ping.res.status, 200);
    assert.deepEqual(Object.keys(ping.body ?? {}).sort(), ['build', 'href', 'version']);
  });
});

describe('OTCS simulator: nodes', () => {
  let s: Awaited<ReturnType<typeof start>>;
  let ticket: string;
  before(async () => {
    s = await start();
    ticket = (await login(s.api)).body.ticket;
  });
  after(() => s.sim.close());

  it('serves the node tree with the vendor subtypes', async () => {
    const doc = docs[0];
    assert.ok(doc);
    const expect: [number, number][] = [
      [NODE.enterprise, 141],
      [NODE.campaignsFolder, 0],
      [campaign0.workspaceId, 848],
      [campaign0.workspaceId + 1, 0],
      [doc.nodeId, 144],
    ];
    for (const [id, type] of expect) {
      const { body } = await get(s.api, `/api/v2/nodes/${id}`, ticket);
      assert.equal(body?.results.data.properties.type, type, `type of ${id}`);
      assert.equal(body?.results.data.properties.id, id);
    }
  });

  it('honours fields: properties{a,b}, categories, versions.element(0), permissions', async () => {
    const doc = docs.find((d) => d.versions.length > 1);
    assert.ok(doc);
    const q = `fields=${encodeURIComponent('properties{id,name}')}&fields=categories&fields=${encodeURIComponent('versions.element(0)')}&fields=permissions`;
    const { body } = await get(s.api, `/api/v2/nodes/${doc.nodeId}?${q}`, ticket);
    const data = body?.results.data;
    assert.deepEqual(Object.keys(data.properties).sort(), ['id', 'name']);
    assert.equal(data.versions.version_number, doc.versions.length);
    assert.equal(data.categories[0]['9830_2'], doc.metadata.campaignCode ?? null);
    assert.equal(data.categories[0]['9830_7'], doc.classification);
    assert.ok(Array.isArray(data.permissions) && data.permissions.some((p: Json) => p.type === 'owner'));
  });

  it('answers an unknown node with 400 "Could not get a node for {id}" (or 404 when configured)', async () => {
    const missing = await get(s.api, '/api/v2/nodes/999', ticket);
    assert.equal(missing.res.status, 400);
    assert.deepEqual(missing.body, { error: 'Could not get a node for 999', errorDetail: '' });
    const alt = await start({ missingNodeStatus: 404 });
    try {
      const t = (await login(alt.api)).body.ticket;
      assert.equal((await get(alt.api, '/api/v2/nodes/999', t)).res.status, 404);
    } finally {
      await alt.sim.close();
    }
  });

  it('survives hostile ids with a 400 and keeps serving', async () => {
    for (const raw of ['..%2Fx', '%2e%2e', '1%3Fa%3Db', '%zz', 'abc', '-1', '0', '1e3', '99999999999999999999']) {
      const r = await get(s.api, `/api/v2/nodes/${raw}`, ticket);
      assert.ok(r.res.status === 400 || r.res.status === 404, `${raw} -> ${r.res.status}`);
    }
    assert.equal((await get(s.api, '/api/v2/nodes/2000', ticket)).res.status, 200);
  });

  it('supports suppress_response_codes: 200 with statusCode in the body', async () => {
    const r = await get(s.api, '/api/v2/nodes/999?suppress_response_codes', ticket);
    assert.equal(r.res.status, 200);
    assert.equal(r.body?.statusCode, 400);
    assert.match(r.body?.error, /Could not get a node/);
    const unauth = await get(s.api, '/api/v2/nodes/2000?suppress_response_codes');
    assert.equal(unauth.res.status, 200);
    assert.equal(unauth.body?.statusCode, 401);
  });

  it('pages children to the end by page_total; pages past it repeat results (vendor quirk)', async () => {
    const seen: number[] = [];
    let page = 1;
    let pageTotal = Infinity;
    while (page <= pageTotal) {
      const body = (await get(s.api, `/api/v2/nodes/${NODE.campaignsFolder}/nodes?limit=3&page=${page}`, ticket)).body as Json;
      pageTotal = body.collection.paging.page_total;
      seen.push(...body.results.map((r: Json) => r.data.properties.id));
      page++;
    }
    const expected = [...world.campaigns()].map((c) => c.workspaceId);
    assert.equal(pageTotal, Math.ceil(expected.length / 3));
    assert.deepEqual([...seen].sort(), [...expected].sort());
    const beyond = await get(s.api, `/api/v2/nodes/${NODE.campaignsFolder}/nodes?limit=3&page=${pageTotal + 1}`, ticket);
    assert.ok(beyond.body?.results.length > 0, 'out-of-range page is not empty, so clients must stop at page_total');
  });

  it('filters children by where_type and sorts them', async () => {
    const released = campaign0.workspaceId + 5;
    const { body } = await get(s.api, `/api/v2/nodes/${released}/nodes?where_type=144&sort=desc_name&limit=100`, ticket);
    const names: string[] = body?.results.map((r: Json) => r.data.properties.name);
    const expected = docs
      .filter((d) => d.parentId === released)
      .map((d) => d.name)
      .sort((a, b) => b.localeCompare(a));
    assert.deepEqual(names, expected);
    const folders = await get(s.api, `/api/v2/nodes/${released}/nodes?where_type=-1`, ticket);
    assert.deepEqual(
      folders.body?.results.map((r: Json) => r.data.properties.name),
      ['Localized'],
    );
  });

  it('lists nodes by id in key order and leaves out missing ones', async () => {
    const ids = [docs[5], docs[1], docs[40]].map((d) => String(d?.nodeId));
    const { res, body } = await post(s.api, '/api/v2/nodes/list', ticket, {
      ids: [ids[0] as string, '999', ids[1] as string, ids[2] as string],
      fields: ['properties'],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(
      body.results.map((r: Json) => String(r.data.properties.id)),
      ids,
    );
  });

  it('serves versions, the latest version (v1) and bytes with vendor headers', async () => {
    const doc = docs.find((d) => d.versions.length > 2);
    assert.ok(doc);
    const list = await get(s.api, `/api/v2/nodes/${doc.nodeId}/versions`, ticket);
    assert.deepEqual(
      list.body?.results.map((r: Json) => r.data.versions.version_number),
      doc.versions.map((v) => v.number),
    );
    const one = await get(s.api, `/api/v2/nodes/${doc.nodeId}/versions/2`, ticket);
    assert.equal(one.body?.results.data.versions.version_number, 2);
    const latest = await get(s.api, `/api/v1/nodes/${doc.nodeId}/versions/latest`, ticket);
    assert.equal(latest.body?.data.version_number, doc.versions.length);
    for (const path of [
      `/api/v1/nodes/${doc.nodeId}/content`,
      `/api/v2/nodes/${doc.nodeId}/content`,
      `/api/v1/nodes/${doc.nodeId}/versions/1/content`,
    ]) {
      const res = await fetch(s.api + path, { headers: { OTCSTicket: ticket } });
      const bytes = Buffer.from(await res.arrayBuffer());
      const version: number = path.includes('/versions/1/') ? 1 : doc.versions.length;
      assert.deepEqual(bytes, documentContent(doc, version), path);
      assert.equal(res.headers.get('content-type'), doc.mimeType);
      assert.equal(res.headers.get('content-length'), String(bytes.length));
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename=/);
    }
  });

  it('serves categories as a list with values and metadata, and permissions', async () => {
    const doc = docs.find((d) => d.metadata.territories);
    assert.ok(doc);
    const { body } = await get(s.api, `/api/v2/nodes/${doc.nodeId}/categories`, ticket);
    assert.ok(Array.isArray(body?.results));
    assert.deepEqual(body?.results[0].data.categories['9830_12'], doc.metadata.territories);
    assert.equal(body?.results[0].data.categories['9830_11'], doc.metadata.validUntil?.slice(0, 19), 'dates are zone-less');
    assert.deepEqual(body?.results[0].metadata_order.categories, ['9830']);
    const perms = await get(s.api, `/api/v2/nodes/${doc.nodeId}/permissions`, ticket);
    assert.ok(perms.body?.results.data.permissions.length >= 3);
  });
});

describe('OTCS simulator: search', () => {
  let s: Awaited<ReturnType<typeof start>>;
  let ticket: string;
  before(async () => {
    s = await start();
    ticket = (await login(s.api)).body.ticket;
  });
  after(() => s.sim.close());

  const ids = (body: Json) => body.results.map((r: Json) => r.data.properties.id as number);

  it('pages a filtered search to page_total, each hit once, totals matching the world', async () => {
    const where = 'OTSubType:144 AND Attr_9830_7:"PUBLIC"';
    const seen: number[] = [];
    let page = 1;
    let pageTotal = Infinity;
    let total = -1;
    while (page <= pageTotal) {
      const { body } = await post(s.api, '/api/v2/search', ticket, { where, limit: '7', page: String(page) });
      pageTotal = body.collection.paging.page_total;
      total = body.collection.paging.total_count;
      seen.push(...ids(body));
      page++;
    }
    const expected = docs.filter((d) => d.classification === 'PUBLIC').map((d) => d.nodeId);
    assert.equal(total, expected.length);
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual([...seen].sort(), [...expected].sort());
  });

  it('restricts by location_id (recursive), OR/NOT, ranges and full text', async () => {
    const ws = world.campaign(1).workspaceId;
    const inWs = await post(s.api, '/api/v2/search', ticket, { where: 'OTSubType:144', location_id1: String(ws), limit: '100' });
    assert.deepEqual(
      ids(inWs.body).sort(),
      docs
        .filter((d) => d.workspaceId === ws)
        .map((d) => d.nodeId)
        .sort(),
    );
    const either = await post(s.api, '/api/v2/search', ticket, {
      where: 'OTSubType:144 AND (Attr_9830_8:"DRAFT" OR Attr_9830_8:"ARCHIVED") AND NOT Attr_9830_7:"CONFIDENTIAL"',
      limit: '500',
    });
    assert.deepEqual(
      ids(either.body).sort(),
      docs
        .filter((d) => (d.status === 'DRAFT' || d.status === 'ARCHIVED') && d.classification !== 'CONFIDENTIAL')
        .map((d) => d.nodeId)
        .sort(),
    );
    const range = await post(s.api, '/api/v2/search', ticket, {
      where: 'OTSubType:144 AND Attr_9830_11:["2026-11-22T00:00:00Z" TO "2027-03-01T00:00:00Z"]',
      limit: '500',
    });
    const lo = Date.parse('2026-11-22T00:00:00Z');
    const hi = Date.parse('2027-03-01T00:00:00Z');
    const inRange = docs.filter(
      (d) => d.metadata.validUntil && Date.parse(d.metadata.validUntil) >= lo && Date.parse(d.metadata.validUntil) <= hi,
    );
    assert.ok(inRange.length > 0);
    assert.deepEqual(ids(range.body).sort(), inRange.map((d) => d.nodeId).sort());
    const text = await post(s.api, '/api/v2/search', ticket, { where: 'OTSubType:144 AND "playbook"', limit: '500' });
    assert.deepEqual(
      ids(text.body).sort(),
      docs
        .filter((d) => d.name.toLowerCase().includes('playbook') || d.description.toLowerCase().includes('playbook'))
        .map((d) => d.nodeId)
        .sort(),
    );
  });

  it('returns selected regions, facets on request, and 400 for a bad query', async () => {
    const r = await post(s.api, '/api/v2/search', ticket, {
      where: 'OTSubType:144',
      select: ['Attr_9830_2', 'Attr_9830_7'],
      options: 'facets',
      limit: '1',
    });
    assert.ok('Attr_9830_7' in r.body.results[0].data.regions);
    const facets = r.body.collection.searching.facets.available as Json[];
    const cls = facets.find((f) => f.name === 'Attr_9830_7');
    const publicCount = cls?.facet_items.find((i: Json) => i.value === 'PUBLIC')?.count;
    assert.equal(publicCount, docs.filter((d) => d.classification === 'PUBLIC').length);
    const bad = await post(s.api, '/api/v2/search', ticket, { where: 'OTName:"unterminated' });
    assert.equal(bad.res.status, 400);
    assert.equal(typeof bad.body.error, 'string');
  });
});

describe('OTCS simulator: audit, records, holds, workflows', () => {
  let s: Awaited<ReturnType<typeof start>>;
  let ticket: string;
  before(async () => {
    s = await start();
    ticket = (await login(s.api)).body.ticket;
  });
  after(() => s.sim.close());

  it('serves audit in object form with paging, sort and a start date; list form on option', async () => {
    const doc = docs.find((d) => d.audit.length >= 4);
    assert.ok(doc);
    const { body } = await get(s.api, `/api/v2/nodes/${doc.nodeId}/audit?limit=2&page=1&sort=asc_audit_date`, ticket);
    assert.equal(body?.collection.paging.total_count, doc.audit.length);
    assert.deepEqual(
      body?.results.data.audit.map((e: Json) => e.audit_date),
      doc.audit.slice(0, 2).map((a) => a.at),
    );
    const since = doc.audit[2]?.at as string;
    const later = await get(
      s.api,
      `/api/v2/nodes/${doc.nodeId}/audit?where_audit_date_start=${encodeURIComponent(since)}&limit=100`,
      ticket,
    );
    assert.equal(later.body?.results.data.audit.length, doc.audit.filter((a) => a.at >= since).length);
    const alt = await start({ auditResultsAsList: true });
    try {
      const t = (await login(alt.api)).body.ticket;
      const list = await get(alt.api, `/api/v2/nodes/${doc.nodeId}/audit`, t);
      assert.ok(Array.isArray(list.body?.results));
      assert.equal(list.body?.results[0].data.audit.length, Math.min(25, doc.audit.length));
    } finally {
      await alt.sim.close();
    }
  });

  it('serves RM classifications, holds, and workflow status from the world', async () => {
    const held = docs.find((d) => d.holdIds.length > 0 && d.record);
    assert.ok(held);
    const rm = await get(s.api, `/api/v1/nodes/${held.nodeId}/rmclassifications`, ticket);
    assert.equal(rm.body?.data[0].file_number, held.record?.fileNumber);
    assert.equal(rm.body?.data[0].rsi, held.record?.schedule);
    const holds = await get(s.api, `/api/v1/nodes/${held.nodeId}/holds`, ticket);
    assert.deepEqual(
      holds.body?.results.data.holds.map((h: Json) => h.HoldID),
      held.holdIds,
    );
    const all = await get(s.api, '/api/v2/holds', ticket);
    assert.equal(all.body?.results.data.holds.length, world.holds().length);
    const wfDoc = docs.find((d) => d.workflow.some((a) => a.decision === 'PENDING'));
    assert.ok(wfDoc);
    const list = await get(s.api, `/api/v2/nodes/${wfDoc.nodeId}/workflows`, ticket);
    const pid = list.body?.results[0].data.wfstatus.process_id;
    const proc = await get(s.api, `/api/v2/workflows/status/processes/${pid}`, ticket);
    assert.equal(proc.body?.results.step_list.current.length, wfDoc.workflow.filter((a) => a.decision === 'PENDING').length);
    assert.equal(proc.body?.results.wf_details.status, 'ontime');
  });
});

describe('OTCS simulator: fault modes of /__sim/faults', () => {
  let s: Awaited<ReturnType<typeof start>>;
  let ticket: string;
  const route = `GET ${CGI}/api/v2/nodes/:id`;
  before(async () => {
    s = await start();
    ticket = (await login(s.api)).body.ticket;
  });
  after(() => s.sim.close());
  const node = () => fetch(`${s.api}/api/v2/nodes/2000`, { headers: { OTCSTicket: ticket } });

  it('latency', async () => {
    await simFaults(s.base, { route, latencyMs: 150 });
    const t0 = Date.now();
    assert.equal((await node()).status, 200);
    assert.ok(Date.now() - t0 >= 140);
    await simReset(s.base);
  });

  it('errorStatus with rate and Retry-After, in the CS error body', async () => {
    await simFaults(s.base, { route, errorStatus: 503, errorRate: 1, retryAfter: 2 });
    const res = await node();
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '2');
    assert.deepEqual(await res.json(), { error: 'Service Unavailable', errorDetail: '' });
    await simFaults(s.base, { route, errorStatus: 503, errorRate: 0 });
    assert.equal((await node()).status, 200);
    await simReset(s.base);
  });

  it('down resets the connection', async () => {
    await simFaults(s.base, { route, down: true });
    await assert.rejects(node());
    await simReset(s.base);
  });

  it('slowBodyMs trickles the body', async () => {
    await simFaults(s.base, { route, slowBodyMs: 200 });
    const t0 = Date.now();
    const res = await node();
    await res.json();
    assert.ok(Date.now() - t0 >= 150);
    await simReset(s.base);
  });

  it('truncate and malformed break the body', async () => {
    await simFaults(s.base, { route, truncate: true });
    await assert.rejects(async () => JSON.parse(await (await node()).text()));
    await simFaults(s.base, { route, malformed: true });
    const res = await node();
    assert.equal(res.status, 200);
    await assert.rejects(async () => JSON.parse(await res.text()));
    await simReset(s.base);
  });

  it('times lifts the fault after N requests', async () => {
    await simFaults(s.base, { route, errorStatus: 500, times: 1 });
    assert.equal((await node()).status, 500);
    assert.equal((await node()).status, 200);
    await simReset(s.base);
  });
});
