/**
 * Rights write-back end to end, over real HTTP, with the gateway as `npm start` wires it (the
 * change feed polling the simulators, the outbox consumers, the job runner): a licence shortened
 * in Content Server is written into every citing asset in all three DAMs (read back through each
 * DAM's own API by its connector), the assets leave their partner distribution containers, and a
 * partner stops seeing them; renewed, the rights and the containers come back. A DAM down during
 * the write-back: the job retries and completes once it is back, writing each asset once (counted
 * in the NetX simulator's call log). (Timings are printed, not asserted: npm run bench measures.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetId } from '../../../access/ids.ts';
import { loadConfig } from '../../../gateway/config.ts';
import { demoIssuer } from '../../../gateway/demo-issuer.ts';
import { createLogger } from '../../../gateway/log.ts';
import { startGateway, type RunningGateway } from '../../../gateway/main.ts';
import { startSimulators, type RunningSimulators } from '../../../simulators/start.ts';
import { demoMapping } from '../../../sources/mapping.ts';
import type { DamSystem } from '../../../sources/model.ts';
import { TEST_AS_OF, testWorld } from '../../helpers/world.ts';

const world = testWorld();
const POLL_MS = 300;
let sims: RunningSimulators;
let gw: RunningGateway;
let dataDir: string;
const tokens: Record<string, string> = {};

async function gql<T = Record<string, unknown>>(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: T | null; errors?: { message: string; path?: string[]; extensions?: { code?: string } }[] };
}

async function control(root: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${root}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(res.ok, `${path}: HTTP ${res.status}`);
  await res.arrayBuffer();
}

async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, withinMs = 30_000): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Licences cited by assets in all three DAMs, and their citing assets. */
const licences = (() => {
  const by = new Map<string, { system: DamSystem; nativeId: string }[]>();
  for (const a of world.assets()) {
    if (!a.rights.licenceId) continue;
    by.set(a.rights.licenceId, [...(by.get(a.rights.licenceId) ?? []), { system: a.system, nativeId: a.nativeId }]);
  }
  return [...by].filter(([, list]) => new Set(list.map((a) => a.system)).size === 3);
})();

/** An asset's DAM-side rights, read through its connector (each DAM's own API, uncached). */
async function damRights(a: { system: DamSystem; nativeId: string }) {
  const [asset] = await gw.sources.raw.dams[a.system].getAssets([a.nativeId]);
  return asset?.rights;
}

before(async () => {
  sims = await startSimulators(world, demoMapping(), {});
  dataDir = await mkdtemp(join(tmpdir(), 'atrium-writeback-'));
  const config = loadConfig({
    ATRIUM_DATA_DIR: dataDir,
    ATRIUM_AS_OF: TEST_AS_OF,
    OTCS_URL: sims.urls.otcs,
    ICONIK_URL: sims.urls.iconik,
    NETX_URL: sims.urls.netx,
    OTMM_URL: sims.urls.otmm,
    FEED_INTERVAL_MS: String(POLL_MS),
  });
  gw = await startGateway(config, createLogger(process.env.TEST_LOG ? 'info' : 'silent'), { port: 0 });
  const issuer = await demoIssuer(dataDir);
  for (const role of ['marketing', 'partner'] as const) {
    const u = world.demoUsers().find((x) => x.roles.includes(role as never));
    tokens[role] = await issuer.sign(u as never);
  }
  tokens.partners = JSON.stringify(
    await Promise.all(
      world
        .demoUsers()
        .filter((u) => u.roles.includes('partner' as never))
        .map((u) => issuer.sign(u)),
    ),
  );
  // Every feed has recorded its first poll (its cursor starts there), on a store that may take seconds to open.
  await eventually(
    'every feed polled once',
    async () => (gw.feed?.stats() ?? []).every((f) => f.lastSuccessAt !== null) && (gw.feed?.stats().length ?? 0) === 4,
    90_000,
  );
});

after(async () => {
  await gw?.close();
  await sims?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('rights write-back end to end', () => {
  it('a licence shortened: every citing asset in the three DAMs is written back and leaves distribution; renewed, all comes back', async () => {
    const [licence, citing] = licences[0] ?? [];
    assert.ok(licence && citing, 'a licence cited in all three DAMs');
    // A partner who sees one of the citing assets now.
    let seen: { token: string; id: string } | null = null;
    for (const token of JSON.parse(tokens.partners as string) as string[]) {
      for (const a of citing) {
        const id = assetId(a.system, a.nativeId);
        const r = await gql<{ asset: { id: string } | null }>(token, 'query($id: ID!) { asset(id: $id) { id } }', { id });
        if (r.data?.asset) seen = { token, id };
        if (seen) break;
      }
      if (seen) break;
    }
    const distributed = new Map<string, string[]>();
    for (const a of citing) distributed.set(a.nativeId, await gw.sources.raw.dams[a.system].distributionOf(a.nativeId));
    assert.ok(
      [...distributed.values()].some((c) => c.length > 0),
      'some citing asset is in a distribution container',
    );

    const past = new Date(Date.now() - 2 * 86_400_000).toISOString();
    const t0 = Date.now();
    await control(sims.roots.otcs, `/__sim/otcs/documents/${licence}/licence`, { validUntil: past });
    for (const a of citing) {
      await eventually(`${a.system} ${a.nativeId} written back`, async () => {
        const r = await damRights(a);
        return r?.status === 'EXPIRED' && r.validUntil?.slice(0, 10) === past.slice(0, 10);
      });
    }
    console.log(
      `  ${citing.length} assets in 3 DAMs written back ${Date.now() - t0} ms after the licence changed (poll interval ${POLL_MS} ms)`,
    );
    // The fields first, then the containers (a step after): each asset leaves its containers shortly after.
    for (const a of citing)
      await eventually(`${a.system} ${a.nativeId} out of distribution`, async () =>
        (await gw.sources.raw.dams[a.system].distributionOf(a.nativeId)).length === 0 ? true : null,
      );
    if (seen) {
      const r = await gql<{ asset: unknown }>(seen.token, 'query($id: ID!) { asset(id: $id) { id } }', { id: seen.id });
      assert.equal(r.data?.asset, null, 'the partner no longer sees it');
    }
    const one = citing[0] as { system: DamSystem; nativeId: string };
    const sync = await eventually('the record', async () => {
      const r = await gql<{ asset: { sync: { state: string; lastWrittenAt: string | null; lastError: string | null } | null } | null }>(
        tokens.marketing as string,
        'query($id: ID!) { asset(id: $id) { sync { state lastWrittenAt lastError } } }',
        { id: assetId(one.system, one.nativeId) },
      );
      return r.data?.asset?.sync?.state === 'IN_SYNC' && r.data.asset.sync;
    });
    assert.equal(sync.lastError, null);
    assert.ok(Date.parse(sync.lastWrittenAt as string) >= t0);

    const future = new Date(Date.now() + 400 * 86_400_000).toISOString();
    await control(sims.roots.otcs, `/__sim/otcs/documents/${licence}/licence`, { validUntil: future });
    for (const a of citing) {
      await eventually(`${a.system} ${a.nativeId} renewed`, async () => {
        const r = await damRights(a);
        return r?.status !== 'EXPIRED' && r?.validUntil?.slice(0, 10) === future.slice(0, 10);
      });
    }
    for (const a of citing) {
      const back = await eventually(`${a.system} ${a.nativeId} back in distribution`, async () => {
        const now = await gw.sources.raw.dams[a.system].distributionOf(a.nativeId);
        return now.length === (distributed.get(a.nativeId) ?? []).length && now;
      });
      assert.deepEqual([...back].sort(), [...(distributed.get(a.nativeId) ?? [])].sort(), 'exactly the containers it was taken out of');
    }
  });

  it('write-back states are for internal readers: a partner asking gets FORBIDDEN on the field', async () => {
    const [, citing] = licences[0] ?? [];
    for (const token of JSON.parse(tokens.partners as string) as string[]) {
      for (const a of citing ?? []) {
        const r = await gql(token, 'query($id: ID!) { asset(id: $id) { id sync { state } } }', { id: assetId(a.system, a.nativeId) });
        if (!(r.data?.asset as { id?: string } | null)?.id) continue;
        assert.equal(r.errors?.[0]?.extensions?.code, 'FORBIDDEN');
        assert.deepEqual(r.errors?.[0]?.path, ['asset', 'sync']);
        return;
      }
    }
    assert.fail('a partner sees a citing asset (renewed above)');
  });

  it('NetX down during the write-back: the job retries and completes once it is back, each asset written once', async () => {
    const [licence, citing] = licences[1] ?? [];
    assert.ok(licence && citing);
    const netx = citing.filter((a) => a.system === 'NETX');
    assert.ok(netx.length > 0);
    await control(sims.roots.netx, '/__sim/faults', { down: true });
    const past = new Date(Date.now() - 3 * 86_400_000).toISOString();
    await control(sims.roots.otcs, `/__sim/otcs/documents/${licence}/licence`, { validUntil: past });
    // The other DAMs are written back meanwhile.
    for (const a of citing.filter((x) => x.system !== 'NETX'))
      await eventually(`${a.system} ${a.nativeId} written back`, async () => (await damRights(a))?.status === 'EXPIRED');
    await new Promise((r) => setTimeout(r, 1500));
    await control(sims.roots.netx, '/__sim/faults', { clear: true });
    for (const a of netx)
      await eventually(`NETX ${a.nativeId} written back`, async () => (await damRights(a))?.status === 'EXPIRED', 60_000);
    // Give a second write a chance to show up, then count.
    await new Promise((r) => setTimeout(r, 3 * POLL_MS));
    const calls = (await (await fetch(`${sims.roots.netx}/__sim/rpc`)).json()) as { method: string; params: unknown[]; error?: number }[];
    for (const a of netx) {
      const writes = calls.filter(
        (c) => c.method === 'updateAsset' && c.error === undefined && String((c.params[0] as { id?: unknown })?.id) === a.nativeId,
      );
      assert.equal(writes.length, 1, `NETX ${a.nativeId}: written once (${writes.length})`);
    }
  });
});
