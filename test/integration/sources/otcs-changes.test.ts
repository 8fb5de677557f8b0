/**
 * The Content Server connector's change reads (EcmChangeReads, issue 15) against the simulator
 * over real HTTP: nodes by modify date (one search per page, documents and workspaces, oldest
 * first, capped with `more`), a node's audit since an instant (the day filter sent, the rows
 * cut to the instant, event type ids kept), the simulator's control routes moving modify
 * dates and audit (approval, licence, holds; the vendor hold write), and typed errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_CREDENTIALS } from '../../../simulators/demo/credentials.ts';
import { createOtcsSimulator } from '../../../simulators/otcs/simulator.ts';
import { HOLD_EVENTS } from '../../../simulators/otcs/changes.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { createOtcsClient } from '../../../sources/otcs/client.ts';
import type { Simulator } from '../../../simulators/framework/server.ts';
import { simFaults, simRequests, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const mapping = demoMapping();
const CGI = '/otcs/cs.exe';
const docs = [...world.documents()];

let sim: Simulator;
let base: string;
let client: ReturnType<typeof createOtcsClient>;
before(async () => {
  sim = createOtcsSimulator(world, mapping);
  base = await sim.listen(0);
  client = createOtcsClient({ baseUrl: base + CGI, ...DEMO_CREDENTIALS.otcs, mapping, backoffBaseMs: 5, retries: 1 });
});
after(() => sim.close());

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UpstreamError, `typed error, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}
const control = (path: string, body: unknown) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('OTCS change reads', () => {
  it('modifiedSince: documents and workspaces, oldest first, one search per page; a cap says more', async () => {
    const all = await client.modifiedSince('2000-01-01T00:00:00Z', 1);
    assert.equal(all.nodes.length, 100);
    assert.equal(all.more, true);
    const dates = all.nodes.map((n) => n.modifiedAt);
    assert.deepEqual(dates, [...dates].sort(), 'oldest first');
    const everything = await client.modifiedSince('2000-01-01T00:00:00Z', 50);
    assert.equal(everything.more, false);
    assert.ok(everything.nodes.some((n) => n.kind === 'workspace'));
    assert.ok(everything.nodes.some((n) => n.kind === 'document'));
    assert.equal(everything.nodes.length, docs.length + [...world.workspaces()].length);
  });

  it('an approval, a licence change and a hold move the modify date and the audit; nothing before the instant', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    assert.deepEqual((await client.modifiedSince(since)).nodes, [], 'the world changed nothing since');
    const pending = docs.find((d) => d.workflow.some((s) => s.decision === 'PENDING')) as (typeof docs)[number];
    const licence = docs.find((d) => d.kind === 'licence') as (typeof docs)[number];
    const held = docs.find((d) => d !== pending && d !== licence && !d.holdIds.includes(13)) as (typeof docs)[number];
    assert.equal((await control(`/__sim/otcs/documents/${pending.nodeId}/approval`, { decision: 'APPROVED' })).status, 200);
    assert.equal((await control(`/__sim/otcs/documents/${licence.nodeId}/licence`, { validUntil: '2020-01-01T00:00:00Z' })).status, 200);
    assert.equal((await control(`/__sim/otcs/documents/${held.nodeId}/holds`, { holdId: 13, action: 'apply' })).status, 200);
    const changed = (await client.modifiedSince(since)).nodes.map((n) => n.id).sort();
    assert.deepEqual(changed, [pending.nodeId, licence.nodeId, held.nodeId].map(String).sort());

    await fetch(`${base}/__sim/requests`, { method: 'DELETE' });
    const rows = await client.auditSince(String(held.nodeId), since);
    assert.deepEqual(
      rows.map((r) => [r.eventType, r.name]),
      [[HOLD_EVENTS.applied.type, HOLD_EVENTS.applied.name]],
    );
    assert.ok(Date.parse(rows[0]?.at ?? '') >= Date.parse(since));
    const [req] = (await simRequests(base)).filter((r) => r.route === `GET ${CGI}/api/v2/nodes/:id/audit`);
    assert.match(req?.rawPath ?? '', new RegExp(`where_audit_date_start=${since.slice(0, 10)}`), 'the day filter is sent');
    assert.deepEqual(
      (await client.auditSince(String(licence.nodeId), since)).map((r) => r.eventType),
      [10],
    );
    assert.equal((await client.getHolds(String(held.nodeId))).filter((h) => h.id === '13').length, 1);
    const approvals = await client.getApprovals(String(pending.nodeId));
    assert.ok(approvals.every((a) => a.decision !== 'PENDING'));
    assert.equal((await client.getDocuments([String(licence.nodeId)]))[0]?.metadata.validUntil, '2020-01-01T00:00:00.000Z');
  });

  it('the vendor hold write applies a hold once; releasing by control route removes it', async () => {
    const d = docs.find((x) => !x.holdIds.includes(14)) as (typeof docs)[number];
    const ticket = (
      (await (
        await fetch(`${base}${CGI}/api/v1/auth`, { method: 'POST', body: new URLSearchParams({ ...DEMO_CREDENTIALS.otcs }) })
      ).json()) as { ticket: string }
    ).ticket;
    const apply = () =>
      fetch(`${base}${CGI}/api/v1/nodes/${d.nodeId}/holds`, {
        method: 'POST',
        headers: { OTCSTicket: ticket },
        body: new URLSearchParams({ body: JSON.stringify({ hold_id: 14 }) }),
      });
    assert.equal((await apply()).status, 200);
    assert.equal((await apply()).status, 200);
    assert.deepEqual((await client.getHolds(String(d.nodeId))).filter((h) => h.id === '14').length, 1);
    const res = await control(`/__sim/otcs/documents/${d.nodeId}/holds`, { holdId: 14, action: 'release' });
    assert.equal(((await res.json()) as { changed: boolean }).changed, true);
    assert.equal((await client.getHolds(String(d.nodeId))).filter((h) => h.id === '14').length, 0);
    assert.equal((await control(`/__sim/otcs/documents/${d.nodeId}/holds`, { holdId: 999, action: 'apply' })).status, 400);
    assert.equal((await control(`/__sim/otcs/documents/1/approval`, { decision: 'APPROVED' })).status, 404);
  });

  it('typed errors: a bad instant, a non-node id, an unavailable server, a malformed answer', async () => {
    assert.equal((await failure(client.modifiedSince('garbage'))).kind, 'BAD_REQUEST');
    assert.equal((await failure(client.auditSince('../1', '2026-01-01T00:00:00Z'))).kind, 'NOT_FOUND');
    await simFaults(base, { route: `POST ${CGI}/api/v2/search`, errorStatus: 503 });
    assert.equal((await failure(client.modifiedSince('2026-01-01T00:00:00Z'))).kind, 'UNAVAILABLE');
    await simFaults(base, { route: `POST ${CGI}/api/v2/search`, malformed: true });
    assert.equal((await failure(client.modifiedSince('2026-01-01T00:00:00Z'))).kind, 'MALFORMED');
    await simFaults(base, { clear: true });
  });
});
