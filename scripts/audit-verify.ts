/**
 * `npm run --silent audit:verify [-- options]`: checks the audit hash chain from the first
 * record to the last, and its signed checkpoints (a chain cut off at its tail verifies on its
 * own, but not against a checkpoint of a record it no longer has).
 *
 * - Without `--url`: reads the configured store (DATABASE_URL, or the PGlite directory in
 *   ATRIUM_DATA_DIR). On PGlite, stop the gateway first: PGlite is one process's database.
 * - `--url <gateway>`: asks a running gateway (`auditChainStatus`, admin only), which verifies
 *   on its store's thread while it serves. The token is `--token`, else ATRIUM_TOKEN, else (demo
 *   mode) one minted for the demo admin.
 * - `--checkpoints <file>`: also checks the checkpoints in the file (JSON lines, or a JSON array,
 *   as `--export` or the graph's `auditCheckpoints` wrote them), so a tail cut off together with
 *   the checkpoints stored beside it is still found.
 * - `--export`: prints the stored checkpoints as JSON lines instead (keep them elsewhere).
 *
 * Prints `OK <n> events in <m> records, <k> checkpoints hold` and exits 0; or names each problem
 * (the first break: record id, sequence number, what failed, expected against actual; each
 * checkpoint that does not hold) and exits 1. Exits 2 when the store or gateway cannot be read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { exported, parseCheckpoint, type ChainStatus, type Checkpoint, type ExportedCheckpoint } from '../audit/checkpoint.ts';
import { AuditStore } from '../audit/store.ts';
import { loadCheckpointKey } from '../gateway/checkpoint-key.ts';
import { ConfigError, loadConfig, type Config } from '../gateway/config.ts';
import { demoIssuer } from '../gateway/demo-issuer.ts';
import { createWorld } from '../simulators/demo/world.ts';

class Refused extends Error {}

/** Checkpoints from a file of JSON lines or a JSON array. */
function readCheckpoints(file: string): Checkpoint[] {
  const text = readFileSync(file, 'utf8').trim();
  const values: unknown[] = text.startsWith('[')
    ? (JSON.parse(text) as unknown[])
    : text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
  return values.map((v, i) => {
    const c = parseCheckpoint(v);
    if (!c) throw new Refused(`${file}: entry ${i + 1} is not a checkpoint`);
    return c;
  });
}

/** The lines that report a status; the first is OK or the first problem. */
export function report(s: ChainStatus, where: string): string[] {
  const lines: string[] = [];
  if (s.break) {
    const b = s.break;
    lines.push(
      `BROKEN at record ${b.recordId} (seq ${b.seq}): ${b.field} expected ${b.expected}, actual ${b.actual}. ${s.events} events in ${s.records} records before it verify (${where})`,
    );
  }
  for (const f of s.failures) {
    const c = f.checkpoint;
    const what = `checkpoint of record ${c.seq} signed at ${c.at} by key ${c.keyId}`;
    if (f.problem === 'truncated')
      lines.push(`TRUNCATED: ${what}, but the chain ${f.found.replace(/^ends at (\d+)$/, 'ends at record $1')}`);
    else if (f.problem === 'hash') lines.push(`ALTERED: ${what} says hash ${c.hash}, the chain holds ${f.found}`);
    else lines.push(`FORGED: ${what} is not signed by this gateway's checkpoint key`);
  }
  if (lines.length === 0) lines.push(`OK ${s.events} events in ${s.records} records, ${s.checkpoints} checkpoints hold (${where})`);
  return lines;
}

/** The graph's AuditChainStatus as the store's ChainStatus. */
interface StatusView {
  ok: boolean;
  records: number;
  events: number;
  head: { sequence: number; hash: string } | null;
  break: { recordId: string; sequence: number; field: string; expected: string; actual: string } | null;
  checkpointsChecked: number;
  checkpointFailures: { checkpoint: ExportedCheckpoint; problem: 'SIGNATURE' | 'TRUNCATED' | 'HASH'; found: string }[];
  latestCheckpoint: ExportedCheckpoint | null;
}
const fromView = (v: StatusView): ChainStatus => ({
  ok: v.ok,
  records: v.records,
  events: v.events,
  head: v.head ? { seq: v.head.sequence, hash: v.head.hash } : null,
  break: v.break ? { ...v.break, seq: v.break.sequence } : null,
  checkpoints: v.checkpointsChecked,
  failures: v.checkpointFailures.map((f) => ({
    checkpoint: parseCheckpoint(f.checkpoint) as Checkpoint,
    problem: f.problem.toLowerCase() as 'signature' | 'truncated' | 'hash',
    found: f.found,
  })),
  latest: v.latestCheckpoint ? parseCheckpoint(v.latestCheckpoint) : null,
});

const CHECKPOINT_FIELDS = 'sequence hash at keyId signature';
const STATUS = `query($expect: [AuditCheckpointInput!]) { auditChainStatus(expect: $expect) {
  ok records events head { sequence hash } break { recordId sequence field expected actual } checkpointsChecked
  checkpointFailures { checkpoint { ${CHECKPOINT_FIELDS} } problem found } latestCheckpoint { ${CHECKPOINT_FIELDS} } } }`;
const CHECKPOINTS = `query($after: String) { auditCheckpoints(first: 100, after: $after) {
  nodes { ${CHECKPOINT_FIELDS} } pageInfo { hasNextPage endCursor } } }`;

/** A GraphQL client of a running gateway. */
function gatewayClient(url: string, token: string) {
  return async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(new URL('/graphql', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (e) {
      throw new Refused(`the gateway at ${url} cannot be reached (${(e as Error).message})`);
    }
    const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length || !body.data) {
      const e = body.errors?.[0];
      throw new Refused(`the gateway refused: ${e ? `${e.extensions?.code ?? 'ERROR'} ${e.message}` : `HTTP ${res.status}`}`);
    }
    return body.data;
  };
}

/** The bearer token for `--url`: given, from ATRIUM_TOKEN, or (demo mode) the demo admin's. */
async function tokenFor(given: string | undefined, env: Record<string, string | undefined>, config: Readonly<Config>): Promise<string> {
  const token = given ?? env.ATRIUM_TOKEN;
  if (token) return token;
  if (!config.demo) throw new Refused('--url needs an admin token: --token <token> or ATRIUM_TOKEN');
  const admin = createWorld(config.world)
    .demoUsers()
    .find((u) => u.roles.includes('admin'));
  if (!admin) throw new Refused('no demo admin to mint a token for');
  return (await demoIssuer(config.dataDir)).sign(admin);
}

async function online(url: string, token: string, extra: Checkpoint[], exportOnly: boolean, out: (line: string) => void): Promise<number> {
  const ask = gatewayClient(url, token);
  if (exportOnly) {
    for (let after: string | null = null; ;) {
      const d: { auditCheckpoints: { nodes: ExportedCheckpoint[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
        await ask(CHECKPOINTS, { after });
      for (const c of d.auditCheckpoints.nodes) out(JSON.stringify(c));
      if (!d.auditCheckpoints.pageInfo.hasNextPage) return 0;
      after = d.auditCheckpoints.pageInfo.endCursor;
    }
  }
  const d = await ask<{ auditChainStatus: StatusView }>(STATUS, { expect: extra.length ? extra.map(exported) : null });
  const status = fromView(d.auditChainStatus);
  for (const line of report(status, url)) out(line);
  return status.ok ? 0 : 1;
}

async function offline(config: Readonly<Config>, extra: Checkpoint[], exportOnly: boolean, out: (line: string) => void): Promise<number> {
  const { audit } = config;
  if (!audit.databaseUrl && !existsSync(audit.dir)) {
    out(`OK 0 events (no audit store at ${audit.dir} yet)`);
    return 0;
  }
  const store = new AuditStore({
    ...(audit.databaseUrl ? { databaseUrl: audit.databaseUrl } : { dir: audit.dir }),
    schema: audit.schema,
    migrate: false,
  });
  try {
    if (!(await store.exists())) {
      const db = await store.open();
      const legacy = (await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`"${audit.schema}".audit_events`])).rows[0]
        ?.t;
      if (legacy) {
        out(
          `ERROR the audit store in ${store.location} predates this version's tables: start the gateway once to migrate it (its events are carried over with their hashes), then verify`,
        );
        return 2;
      }
      out(`OK 0 events (no audit table in ${store.location} yet)`);
      return 0;
    }
    const hasCheckpoints =
      (await (await store.open()).query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`"${audit.schema}".audit_checkpoints`]))
        .rows[0]?.t != null;
    if (exportOnly) {
      for (let after = 0; hasCheckpoints;) {
        const page = await store.checkpoints(1000, after);
        for (const c of page.items) out(JSON.stringify(exported(c)));
        if (!page.hasNext) break;
        after = (page.items.at(-1) as { id: number }).id;
      }
      return 0;
    }
    const key = loadCheckpointKey(audit.checkpointKey, config.dataDir, config.demo, { create: false });
    const keys = key ? [key.publicKeyPem] : [];
    const status = hasCheckpoints ? await store.verify(keys, extra) : await verifyWithoutCheckpoints(store, extra);
    for (const line of report(status, store.location)) out(line);
    return status.ok ? 0 : 1;
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** A store from before checkpoints (not migrated since): the chain alone, and `extra` cannot be judged. */
async function verifyWithoutCheckpoints(store: AuditStore, extra: Checkpoint[]): Promise<ChainStatus> {
  if (extra.length) throw new Refused('this store predates checkpoints: start the gateway once to migrate it, then verify checkpoints');
  const { verifyChain } = await import('../audit/chain.ts');
  const chain = await verifyChain(store.records(1000));
  return {
    ok: chain.ok,
    records: chain.count,
    events: chain.events,
    head: await store.head(),
    break: chain.ok ? null : chain.break,
    checkpoints: 0,
    failures: [],
    latest: null,
  };
}

/** Verify and report; returns the exit code. */
export async function main(
  argv: string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
  out: (line: string) => void = console.log,
): Promise<number> {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, token: { type: 'string' }, checkpoints: { type: 'string' }, export: { type: 'boolean' } },
      strict: true,
    });
    const config = loadConfig(env);
    const extra = values.checkpoints ? readCheckpoints(values.checkpoints) : [];
    if (values.url) return await online(values.url, await tokenFor(values.token, env, config), extra, values.export ?? false, out);
    return await offline(config, extra, values.export ?? false, out);
  } catch (e) {
    out(`ERROR ${e instanceof ConfigError || e instanceof Refused ? e.message : (e as Error).message}`);
    return 2;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
