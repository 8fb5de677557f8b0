/**
 * Status back to the business object, over real HTTP against the demo CRM: the durable job
 * tells the CRM once (a status noticed twice is one job, and one call), waits out the CRM
 * being down and tells it afterwards, fails for good on a refused token without the token or
 * the URL in any error, and skips a system with no endpoint.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sharedDatabase } from '../../../storage/database.ts';
import { FlowStore } from '../../../flows/store.ts';
import { JobRunner } from '../../../flows/jobs.ts';
import { registerStatusReports, STATUS_ACTOR, statusKey } from '../../../flows/outbound/bo-status.ts';
import { createStatusClient, statusEndpointsFrom, type StatusReport } from '../../../sources/business/status.ts';
import { createCrmSimulator, DEMO_CRM_TOKEN, type CrmSimulator } from '../../../simulators/crm/simulator.ts';
import { simFaults, simReset, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const account = world.account(0);
const quiet = { info: () => undefined, warn: () => undefined };

let sim: CrmSimulator;
let url: string;
const db = sharedDatabase({});
const store = new FlowStore({ db });
let t = Date.parse('2026-12-02T10:00:00Z');

before(async () => {
  sim = createCrmSimulator(world);
  url = await sim.listen(0);
  await db();
});
after(async () => {
  await sim.close();
  await db.close();
});
beforeEach(() => simReset(url));

const report = (over: Partial<StatusReport> = {}): StatusReport => ({
  businessObject: account.businessObject,
  status: 'SIGNED',
  document: { id: 'RG9jdW1lbnQ6NTAwMQ', name: 'Master Services Agreement.pdf', version: 2 },
  ...over,
});

function setup(token = DEMO_CRM_TOKEN) {
  const settled: { outcome: string; error?: string }[] = [];
  const runner = new JobRunner(store, {
    log: quiet,
    now: () => t,
    backoffMs: () => 1000,
    onSettled: (_job, outcome, r) => settled.push({ outcome, ...(outcome === 'done' ? {} : { error: (r as Error).message }) }),
  });
  const client = createStatusClient({ endpoints: { SFDC: { url: `${url}/api/status`, token } }, timeoutMs: 2000 });
  return { runner, settled, reports: registerStatusReports(runner, client) };
}

describe('status back to the business object', () => {
  it('tells the CRM once, with the idempotency key; the same status noticed again is the same job', async () => {
    const { runner, reports, settled } = setup();
    const r = report();
    assert.equal(await reports.reportStatus(r), true);
    await runner.sweep();
    assert.equal(await reports.reportStatus(r), true);
    await runner.sweep();
    assert.deepEqual(settled, [{ outcome: 'done' }]);
    const statuses = sim.statuses();
    assert.equal(statuses.length, 1);
    assert.equal(statuses[0]?.status, 'SIGNED');
    assert.equal(statuses[0]?.idempotencyKey, statusKey(r));
    const seen = (await (
      await fetch(`${url}/api/objects/Account/${account.id}`, { headers: { authorization: `Bearer ${DEMO_CRM_TOKEN}` } })
    ).json()) as { documents: { status: string; document: { id: string } }[] };
    assert.deepEqual(
      seen.documents.map((d) => [d.document.id, d.status]),
      [[r.document.id, 'SIGNED']],
    );
  });

  it('waits while the CRM is down and tells it once it is back', async () => {
    const { runner, reports, settled } = setup();
    await simFaults(url, { route: 'POST /api/status', errorStatus: 503, times: 1 });
    await reports.reportStatus(report({ status: 'APPROVED', document: { id: 'RG9jdW1lbnQ6NTAwMg', name: 'Brief.docx', version: 1 } }));
    await runner.sweep();
    assert.equal(settled[0]?.outcome, 'pending');
    assert.equal(sim.statuses().length, 0);
    t += 2000; // past the backoff
    await runner.sweep();
    assert.equal(settled[1]?.outcome, 'done');
    assert.deepEqual(
      sim.statuses().map((s) => s.status),
      ['APPROVED'],
    );
  });

  it('a refused token fails the job for good; no error carries the token or the URL', async () => {
    const token = 'a-wrong-token-for-the-crm-0000';
    const { runner, reports, settled } = setup(token);
    await reports.reportStatus(report({ status: 'REJECTED', document: { id: 'RG9jdW1lbnQ6NTAwMw', name: 'Flyer.pdf', version: 1 } }));
    await runner.sweep();
    assert.equal(settled.length, 1);
    assert.equal(settled[0]?.outcome, 'failed');
    assert.match(settled[0]?.error ?? '', /SFDC status call: the token was refused \(HTTP 401\)/);
    assert.ok(!settled[0]?.error?.includes(token) && !settled[0]?.error?.includes(url));
    const [job] = (await store.due(10, new Date(t + 60_000).toISOString(), new Date(t + 3_600_000).toISOString())).filter(
      (j) => j.actor === STATUS_ACTOR,
    );
    assert.equal(job, undefined, 'nothing left to retry');
    assert.equal(sim.statuses().length, 0);
  });

  it('a business object of a system with no endpoint is not told (nothing queued)', async () => {
    const { reports } = setup();
    assert.equal(await reports.reportStatus(report({ businessObject: { system: 'SAP', type: 'Vendor', id: 'V-1' } })), false);
  });
});

describe('BO_STATUS_ENDPOINTS', () => {
  it('accepts http(s) endpoints with tokens, and names every problem without a token', () => {
    const problems: string[] = [];
    const ok = statusEndpointsFrom({ SFDC: { url: 'https://crm.example/api/status', token: 'secret-1' } }, problems);
    assert.deepEqual(ok, { SFDC: { url: 'https://crm.example/api/status', token: 'secret-1' } });
    assert.equal(problems.length, 0);
    statusEndpointsFrom(
      { SAP: { url: 'ftp://x', token: 'secret-2' }, ERP: { url: 'https://x', token: 'has space' }, 'bad name!': {} },
      problems,
    );
    assert.equal(problems.length, 3);
    assert.ok(problems.every((p) => !p.includes('secret-2') && !p.includes('has space')));
    statusEndpointsFrom([], problems);
    assert.equal(problems.length, 4);
  });
});
