/**
 * The audit chain verified while the gateway serves, on PGlite and on PostgreSQL: admins ask
 * `auditChainStatus` (and `audit:verify --url`) during a concurrent read load and every answer
 * is a whole, valid chain; checkpoints are made as events are written and exported; a tail cut
 * off behind the database's back, checkpoints and all, is reported against the exported copy.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulators, type RunningSimulators } from '../../../simulators/start.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import { campaignId } from '../../../access/ids.ts';
import { checkpointKey } from '../../../audit/checkpoint.ts';
import { main as verify } from '../../../scripts/audit-verify.ts';
import { testWorld } from '../../helpers/world.ts';
import { pgliteBackend, postgresBackend, postgresReachable, type Backend } from '../../helpers/audit-backends.ts';
import { startAuditStack, type AuditStack } from '../../helpers/audit-stack.ts';

const world = testWorld();
const ADMIN = 'admin@atrium.example';
const READERS = ['anna@northwind.example', 'sales.emea@atrium.example', 'marketing@atrium.example', 'kenji@sakura-media.example'];
const campaigns = [...world.campaigns()].map((c) => campaignId(c.code));
const PAGE = `query($id: ID!) { campaign(id: $id) { id name documents(first: 10) { nodes { id } } assets(first: 10) { nodes { id } } } }`;
const STATUS = `query($expect: [AuditCheckpointInput!]) { auditChainStatus(expect: $expect) {
  ok records events head { sequence hash } break { sequence field } checkpointsChecked
  checkpointFailures { problem found checkpoint { sequence } } latestCheckpoint { sequence keyId } checkpointKey } }`;

interface Status {
  ok: boolean;
  records: number;
  events: number;
  head: { sequence: number; hash: string } | null;
  break: unknown;
  checkpointsChecked: number;
  checkpointFailures: { problem: string; found: string; checkpoint: { sequence: number } }[];
  latestCheckpoint: { sequence: number; keyId: string } | null;
  checkpointKey: string | null;
}

let sims: RunningSimulators;
before(async () => {
  sims = await startSimulators(world, demoMapping());
});
after(() => sims.close());

const suite = (name: string, make: () => Promise<Backend> | Backend, skip: () => Promise<string | false>) =>
  describe(`live audit verification on ${name}`, async () => {
    const why = await skip();
    const test = (title: string, fn: () => Promise<void>) => it(title, { skip: why || false }, fn);
    const key = checkpointKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    let backend: Backend;
    let stack: AuditStack;
    let dir: string;
    before(async () => {
      if (why) return;
      backend = await make();
      dir = await mkdtemp(join(tmpdir(), 'atrium-checkpoints-'));
      stack = await startAuditStack(sims, backend, { batchMs: 20, batchSize: 200, checkpoints: { key, everyEvents: 150 } });
    });
    after(async () => {
      if (why) return;
      await stack?.close().catch(() => undefined);
      await backend?.cleanup();
      await rm(dir, { recursive: true, force: true });
    });
    const status = async (email = ADMIN, expect?: unknown[]) => stack.query<{ auditChainStatus: Status }>(email, STATUS, { expect });

    test('while readers load the gateway, every verification sees a whole, valid chain, and checkpoints are made', async () => {
      let stop = false;
      const load = READERS.map(async (email, w) => {
        let n = 0;
        while (!stop) {
          const r = await stack.query(email, PAGE, { id: campaigns[(w + n++) % campaigns.length] });
          assert.equal(r.status, 200);
        }
        return n;
      });
      const seen: Status[] = [];
      const until = Date.now() + 2500;
      while (Date.now() < until) {
        const r = await status();
        assert.equal(r.body.errors, undefined, JSON.stringify(r.body.errors));
        seen.push(r.body.data?.auditChainStatus as Status);
      }
      stop = true;
      const requests = (await Promise.all(load)).reduce((a, b) => a + b, 0);
      assert.ok(requests > 20, `the load ran (${requests} requests)`);
      assert.ok(seen.length >= 2, `verified ${seen.length} times`);
      for (const s of seen) assert.deepEqual([s.ok, s.break, s.checkpointFailures], [true, null, []], JSON.stringify(s));
      const records = seen.map((s) => s.records);
      assert.ok((records.at(-1) as number) > (records[0] as number), `the chain grew while it was verified: ${records.join(' → ')}`);
      await stack.audit.writer.flush();
      const last = (await status()).body.data?.auditChainStatus as Status;
      assert.ok(last.ok && last.checkpointsChecked > 0 && last.latestCheckpoint, JSON.stringify(last));
      assert.equal(last.latestCheckpoint?.keyId, key.keyId);
      assert.equal(last.checkpointKey, key.publicKeyPem);
    });

    test('only admins verify or export the chain', async () => {
      for (const email of ['compliance@atrium.example', 'anna@northwind.example']) {
        const r = await status(email);
        assert.equal(r.body.data, null);
        assert.equal(r.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
        const c = await stack.query(email, '{ auditCheckpoints { totalCount } }');
        assert.equal(c.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
      }
      const bad = await status(ADMIN, [{ sequence: 1, hash: 'nope', at: '2026-01-01T00:00:00Z', keyId: 'x', signature: 'y' }]);
      assert.equal(bad.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    });

    test('audit:verify --url verifies the running chain; a tail cut off with its checkpoints is found against the export', async () => {
      await stack.audit.writer.flush();
      const lines: string[] = [];
      const args = ['--url', stack.url, '--token', ADMIN];
      assert.equal(await verify(args, {}, (l) => lines.push(l)), 0, lines.join('\n'));
      assert.match(lines.join('\n'), /^OK \d+ events in \d+ records, \d+ checkpoints hold/);

      const exported: string[] = [];
      assert.equal(await verify([...args, '--export'], {}, (l) => exported.push(l)), 0);
      assert.ok(exported.length > 0);
      const file = join(dir, 'checkpoints.jsonl');
      await writeFile(file, `${exported.join('\n')}\n`);
      const newest = JSON.parse(exported.at(-1) as string) as { sequence: number };

      // Behind the database's back: the records after the second-newest checkpoint, and the newest checkpoint, go.
      const cut = newest.sequence - 1;
      const db = await stack.store.open();
      const checkpoints = backend.table.replace('audit_records', 'audit_checkpoints');
      await db.exec(
        `ALTER TABLE ${backend.table} DISABLE TRIGGER audit_records_no_change; DELETE FROM ${backend.table} WHERE seq > ${cut}; ALTER TABLE ${backend.table} ENABLE TRIGGER audit_records_no_change;
         ALTER TABLE ${checkpoints} DISABLE TRIGGER audit_checkpoints_no_change; DELETE FROM ${checkpoints} WHERE seq > ${cut}; ALTER TABLE ${checkpoints} ENABLE TRIGGER audit_checkpoints_no_change`,
      );
      const alone: string[] = [];
      assert.equal(await verify(args, {}, (l) => alone.push(l)), 0, 'the cut chain verifies on its own');
      const against: string[] = [];
      assert.equal(await verify([...args, '--checkpoints', file], {}, (l) => against.push(l)), 1);
      assert.match(
        against.join('\n'),
        new RegExp(`^TRUNCATED: checkpoint of record ${newest.sequence} signed at .*, but the chain ends at record ${cut}$`, 'm'),
      );
    });
  });

suite(
  'PGlite',
  () => pgliteBackend(),
  async () => false,
);
suite('PostgreSQL', postgresBackend, async () => ((await postgresReachable()) ? false : 'PostgreSQL is not reachable at 127.0.0.1:5432'));
