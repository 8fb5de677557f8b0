/**
 * The access audit end to end, on PGlite (in a temporary data directory) and on the local
 * PostgreSQL (in a schema of its own): views and downloads recorded per object, nothing lost
 * under concurrency or at a graceful stop, the chain verified and a tampered row found, the
 * events visible to compliance through the graph and the CSV export, and a store outage
 * reported by /readyz and recovered from.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startSimulators, type RunningSimulators } from '../../../simulators/start.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { AuditStore } from '../../../audit/store.ts';
import { verifyChain } from '../../../audit/chain.ts';
import type { StoredEvent, StoredRecord } from '../../../audit/event.ts';
import { campaignId } from '../../../access/ids.ts';
import { main as verify } from '../../../scripts/audit-verify.ts';
import { testWorld } from '../../helpers/world.ts';
import { pgliteBackend, postgresBackend, postgresReachable, type Backend } from '../../helpers/audit-backends.ts';
import { idsIn, startAuditStack, type AuditStack } from '../../helpers/audit-stack.ts';

const world = testWorld();
const ANNA = 'anna@northwind.example';
const COMPLIANCE = 'compliance@atrium.example';
const nimbus = [...world.campaigns()].find((c) => c.name === 'Nimbus for Retail');
assert.ok(nimbus);
const CAMPAIGN = campaignId(nimbus.code);
const CAMPAIGN_PAGE = `query($id: ID!) { campaign(id: $id) {
  id name
  documents(first: 20) { nodes { id name version downloadUrl } }
  assets(first: 20) { nodes { id title renditions { kind url } } }
} }`;

let sims: RunningSimulators;
before(async () => {
  sims = await startSimulators(world, demoMapping());
});
after(() => sims.close());

async function all(store: AuditStore): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.stream()) out.push(e);
  return out;
}

const suite = (name: string, make: () => Promise<Backend> | Backend, skip: () => Promise<string | false>) =>
  describe(`access audit on ${name}`, async () => {
    const why = await skip();
    const test = (title: string, fn: () => Promise<void>) => it(title, { skip: why || false }, fn);
    let backend: Backend;
    let stack: AuditStack;
    before(async () => {
      if (why) return;
      backend = await make();
      // Nothing is written until a test flushes (or the stop does): the graceful stop finds events still in memory.
      stack = await startAuditStack(sims, backend, { batchMs: 60_000, batchSize: 50_000 });
    });
    after(async () => {
      if (why) return;
      await stack?.close().catch(() => undefined);
      await backend.cleanup();
    });

    test("a partner's view of a campaign records one view event per object returned, with who, where from and which version", async () => {
      const requestId = `view-${name}-1`;
      const r = await stack.query(ANNA, CAMPAIGN_PAGE, { id: CAMPAIGN }, { 'x-request-id': requestId, 'user-agent': 'atrium-test/1.0' });
      assert.equal(r.status, 200, JSON.stringify(r.body.errors));
      const ids = idsIn(r.body.data);
      assert.ok(ids.size > 5, 'the campaign, its documents and assets');
      await stack.audit.writer.flush();
      const events = (await all(stack.store)).filter((e) => e.requestId === requestId);
      assert.equal(events.length, ids.size, 'one event per distinct object');
      assert.deepEqual(new Set(events.map((e) => e.objectId)), ids);
      // Recorded, and chained, together: one sequence number, one entry per object, distinct event ids.
      assert.equal(new Set(events.map((e) => e.seq)).size, 1);
      assert.deepEqual(
        events.map((e) => e.n).sort((a, b) => a - b),
        Array.from({ length: ids.size }, (_, i) => i + 1),
      );
      assert.equal(new Set(events.map((e) => e.id)).size, ids.size);
      for (const e of events) {
        assert.equal(e.action, 'view');
        assert.equal(e.email, ANNA);
        assert.equal(e.org, 'ACC-1001');
        assert.match(e.ip ?? '', /127\.0\.0\.1/);
        assert.equal(e.userAgent, 'atrium-test/1.0');
        assert.ok(e.system && e.nativeId && e.objectType);
      }
      const data = r.body.data as { campaign: { documents: { nodes: { id: string; version: number }[] } } };
      const doc = data.campaign.documents.nodes[0];
      assert.ok(doc);
      const docEvent = events.find((e) => e.objectId === doc.id);
      assert.equal(docEvent?.version, String(doc.version), 'the version handed out');
      assert.equal(docEvent?.objectType, 'Document');
      assert.equal(docEvent?.campaign, nimbus.code);
    });

    test('50 concurrent requests: every view event arrives', async () => {
      const before = await stack.store.count({ user: ANNA, action: 'view' });
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => stack.query(ANNA, CAMPAIGN_PAGE, { id: CAMPAIGN }, { 'x-request-id': `burst-${name}-${i}` })),
      );
      const expected = answers.reduce((n, a) => {
        assert.equal(a.status, 200);
        return n + idsIn(a.body.data).size;
      }, 0);
      await stack.audit.writer.flush();
      assert.equal(await stack.store.count({ user: ANNA, action: 'view' }), before + expected);
      const chain = await verifyChain(stack.store.records());
      assert.equal(chain.ok, true);
    });

    test('a download records a download event with the rendition (assets) or the version (documents)', async () => {
      const r = await stack.query(ANNA, CAMPAIGN_PAGE, { id: CAMPAIGN });
      const data = r.body.data as {
        campaign: {
          documents: { nodes: { id: string; version: number; downloadUrl: string }[] };
          assets: { nodes: { id: string; renditions: { kind: string; url: string }[] }[] };
        };
      };
      const asset = data.campaign.assets.nodes.find((a) => a.renditions.some((x) => x.kind === 'THUMBNAIL'));
      assert.ok(asset);
      const url = asset.renditions.find((x) => x.kind === 'THUMBNAIL')?.url as string;
      const got = await fetch(url, { headers: { authorization: `Bearer ${ANNA}`, 'x-request-id': `dl-${name}` } });
      assert.equal(got.status, 200);
      await got.arrayBuffer();
      const doc = data.campaign.documents.nodes[0];
      assert.ok(doc?.downloadUrl);
      const d = await fetch(doc.downloadUrl, { headers: { authorization: `Bearer ${ANNA}` } });
      assert.equal(d.status, 200);
      await d.arrayBuffer();
      // A refused download records nothing.
      assert.equal((await fetch(url, { headers: { authorization: 'Bearer ben@northwind.example' } })).status, 403);
      await stack.audit.writer.flush();
      const downloads = await stack.store.list({ action: 'download', user: ANNA }, 10);
      const a = downloads.items.find((e) => e.objectId === asset.id);
      assert.equal(a?.rendition, 'THUMBNAIL');
      assert.equal(a?.requestId, `dl-${name}`);
      assert.equal(a?.objectType, 'Asset');
      assert.equal(a?.campaign, nimbus.code);
      const dd = downloads.items.find((e) => e.objectId === doc.id);
      assert.equal(dd?.version, String(doc.version));
      assert.equal(await stack.store.count({ action: 'download', user: 'ben@northwind.example' }), 0);
    });

    test('compliance sees views and downloads through the graph; others are refused', async () => {
      const Q = `query($f: AuditEventFilter, $after: String) { auditEvents(filter: $f, first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { id action actor email company ip object objectType rendition version origin sequence hash }
    } }`;
      const downloads = await stack.query(COMPLIANCE, Q, { f: { user: ANNA, action: 'DOWNLOAD' } });
      assert.equal(downloads.status, 200, JSON.stringify(downloads.body.errors));
      const conn = (
        downloads.body.data as {
          auditEvents: {
            totalCount: number;
            pageInfo: { hasNextPage: boolean; endCursor: string };
            nodes: { action: string; company: string; origin: string; sequence: number }[];
          };
        }
      ).auditEvents;
      assert.equal(conn.totalCount, 2);
      assert.ok(conn.nodes.every((n) => n.action === 'download' && n.company === 'ACC-1001' && n.origin === 'ATRIUM'));
      assert.ok((conn.nodes[0]?.sequence ?? 0) > (conn.nodes[1]?.sequence ?? 0), 'newest first');
      const views = await stack.query(COMPLIANCE, Q, { f: { user: ANNA, action: 'VIEW', object: CAMPAIGN } });
      const v = (views.body.data as { auditEvents: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string } } })
        .auditEvents;
      assert.equal(v.totalCount, await stack.store.count({ user: ANNA, action: 'view', object: CAMPAIGN }));
      assert.ok(v.totalCount >= 52);
      const page2 = await stack.query(COMPLIANCE, Q, { f: { user: ANNA, action: 'VIEW', object: CAMPAIGN }, after: v.pageInfo.endCursor });
      assert.equal((page2.body.data as { auditEvents: { nodes: unknown[] } }).auditEvents.nodes.length, 2);

      const forbidden = await stack.query(ANNA, Q, {});
      assert.equal(forbidden.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');

      // The document's trail: the ECM's own audit and Atrium's views and downloads, in time order.
      const docs = await stack.store.list({ action: 'download', user: ANNA, campaign: nimbus.code }, 10);
      const docId = docs.items.find((e) => e.objectType === 'Document')?.objectId;
      assert.ok(docId);
      const trail = await stack.query(
        COMPLIANCE,
        'query($id: ID!) { document(id: $id) { auditTrail { action origin at email version } } }',
        { id: docId },
      );
      const entries = (trail.body.data as { document: { auditTrail: { action: string; origin: string; at: string }[] } }).document
        .auditTrail;
      assert.ok(
        entries.some((e) => e.origin === 'ECM'),
        'the ECM audit',
      );
      assert.ok(entries.some((e) => e.origin === 'ATRIUM' && e.action === 'view'));
      assert.ok(entries.some((e) => e.origin === 'ATRIUM' && e.action === 'download'));
      assert.deepEqual(
        entries.map((e) => e.at),
        [...entries.map((e) => e.at)].sort((a, b) => Date.parse(a) - Date.parse(b)),
      );
      const partnerTrail = await stack.query(ANNA, 'query($id: ID!) { document(id: $id) { auditTrail { action } } }', { id: docId });
      assert.equal(partnerTrail.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');

      const overview = await stack.query(COMPLIANCE, '{ complianceOverview { downloadsByCompany { company count } } }');
      const byCompany = (overview.body.data as { complianceOverview: { downloadsByCompany: { company: string; count: number }[] } })
        .complianceOverview.downloadsByCompany;
      assert.deepEqual(
        byCompany.find((c) => c.company === 'ACC-1001'),
        { company: 'ACC-1001', count: 2 },
      );
    });

    test('CSV export: streamed, escaped against injection, compliance and admin only', async () => {
      const ua = '=HYPERLINK("http://evil"),"x"';
      await stack.query(ANNA, '{ campaign(id: "' + CAMPAIGN + '") { id } }', undefined, {
        'user-agent': ua,
        'x-request-id': `csv-${name}`,
      });
      await stack.audit.writer.flush();
      const path = `/audit/events.csv?user=${encodeURIComponent(ANNA)}&action=view`;
      assert.equal((await fetch(`${stack.url}${path}`)).status, 401);
      assert.equal((await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${ANNA}` } })).status, 403);
      assert.equal(
        (await fetch(`${stack.url}/audit/events.csv?from=yesterday`, { headers: { authorization: `Bearer ${COMPLIANCE}` } })).status,
        400,
      );
      const res = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${COMPLIANCE}` } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="atrium-audit-.+\.csv"$/);
      const text = await res.text();
      const records = text.split(/\r\n(?=(?:[^"]*"[^"]*")*[^"]*$)/).filter(Boolean);
      assert.equal(records[0]?.split(',')[0], 'seq');
      assert.equal(records.length - 1, await stack.store.count({ user: ANNA, action: 'view' }));
      const row = records.find((r) => r.includes(`csv-${name}`));
      assert.ok(row);
      assert.ok(row.includes(`,"'=HYPERLINK(""http://evil""),""x""",`), row);
    });

    test('an unreachable store: the gateway keeps serving, /readyz says degraded and how many are buffered; then it recovers', async () => {
      await stack.audit.writer.flush();
      const before = await stack.store.count();
      stack.storeDown = true;
      let n: number;
      try {
        const r = await stack.query(ANNA, CAMPAIGN_PAGE, { id: CAMPAIGN });
        assert.equal(r.status, 200, 'reads go on');
        n = idsIn(r.body.data).size;
        await assert.rejects(stack.audit.writer.flush());
        const ready = await fetch(`${stack.url}/readyz`);
        assert.equal(ready.status, 503);
        const body = (await ready.json()) as {
          status: string;
          audit: { ok: boolean; concerns: string[]; buffered: number; dropped: number };
        };
        assert.equal(body.status, 'degraded');
        assert.deepEqual(
          { ok: body.audit.ok, concerns: body.audit.concerns, buffered: body.audit.buffered, dropped: body.audit.dropped },
          { ok: false, concerns: ['failing'], buffered: n, dropped: 0 },
        );
      } finally {
        stack.storeDown = false;
      }
      await stack.audit.writer.flush();
      const again = (await (await fetch(`${stack.url}/readyz`)).json()) as { status: string; audit: { ok: boolean; buffered: number } };
      assert.deepEqual(again.audit, { ok: true, concerns: [], buffered: 0, lagMs: 0, dropped: 0 });
      assert.equal(await stack.store.count(), before + n);
    });

    test('a graceful stop right after a burst loses nothing; the chain verifies; a row altered in the database is named', async () => {
      await stack.audit.writer.flush();
      const before = await stack.store.count();
      const answers = await Promise.all(Array.from({ length: 20 }, () => stack.query(ANNA, CAMPAIGN_PAGE, { id: CAMPAIGN })));
      const expected = answers.reduce((n, a) => n + idsIn(a.body.data).size, 0);
      assert.ok(stack.audit.status().buffered > 0, 'events are still in memory when the stop begins');
      await stack.close();
      // Reopen the database as a new gateway would (PGlite: one store at a time in a process).
      const reopened = new AuditStore(backend.store);
      let victim: StoredRecord | undefined;
      let records = 0;
      try {
        assert.equal(await reopened.count(), before + expected);
        for await (const r of reopened.records()) {
          records++;
          if (r.seq === 10) victim = r;
        }
      } finally {
        await reopened.close();
      }
      assert.ok(victim);
      const ok = await verifyIn(backend);
      assert.equal(ok.code, 0, ok.out);
      assert.equal(ok.out, `OK ${before + expected} events in ${records} records, 0 checkpoints hold (${reopened.location})`);
      // Tamper: bypass the append-only trigger as the database owner and change who viewed.
      const tamper = new AuditStore(backend.store);
      try {
        const db = await tamper.open();
        await db.exec(`ALTER TABLE ${backend.table} DISABLE TRIGGER audit_records_no_change;
        UPDATE ${backend.table} SET email = 'someone.else@example.com' WHERE seq = ${victim.seq};
        ALTER TABLE ${backend.table} ENABLE TRIGGER audit_records_no_change`);
      } finally {
        await tamper.close();
      }
      // The real command, as an operator runs it.
      const cli = spawnSync('npm', ['run', '--silent', 'audit:verify'], {
        env: { ...process.env, ...backend.env, DATABASE_URL: backend.env.DATABASE_URL ?? '' },
        encoding: 'utf8',
      });
      assert.equal(cli.status, 1, cli.stdout + cli.stderr);
      assert.match(
        cli.stdout,
        new RegExp(`^BROKEN at record ${victim.id} \\(seq ${victim.seq}\\): hash expected [0-9a-f]{64}, actual ${victim.hash}`, 'm'),
      );
    });
  });

/** Run audit:verify's main against a backend. */
async function verifyIn(b: Backend): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await verify([], { ...b.env }, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

suite(
  'PGlite',
  () => pgliteBackend(),
  async () => false,
);
suite('PostgreSQL', postgresBackend, async () => ((await postgresReachable()) ? false : 'PostgreSQL is not reachable at 127.0.0.1:5432'));
