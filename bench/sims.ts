/**
 * Child process: the four simulators on free loopback ports, serving the demo world at
 * `ATRIUM_SCALE` with `SIM_LATENCY_MS` added to every vendor request. Every system of a run
 * talks to these same simulators. Prints one `READY {json}` line with their URLs once they are
 * warm, then serves until it is sent SIGTERM.
 */
import { startSimulators } from '../simulators/start.ts';
import { demoMapping } from '../sources/mapping.ts';
import { DEMO_CREDENTIALS } from '../simulators/demo/credentials.ts';
import { createOtcsClient } from '../sources/otcs/client.ts';
import { createIconikClient } from '../sources/iconik/client.ts';
import { createNetxClient } from '../sources/netx/client.ts';
import { createOtmmClient } from '../sources/otmm/client.ts';
import { benchWorld } from './world.ts';

const scale = Number(process.env.ATRIUM_SCALE ?? '1');
const latencyMs = Number(process.env.SIM_LATENCY_MS ?? '20');
const world = benchWorld(scale);
const mapping = demoMapping();
const sims = await startSimulators(world, mapping, { latencyMs, host: '127.0.0.1' });

// The simulators index the world on their first search (over a second at scale 10): that is
// set-up, not upstream latency, so it happens here rather than in whichever system is first.
const common = { mapping, timeoutMs: 60_000, retries: 0 };
const c = DEMO_CREDENTIALS;
const code = world.campaign(0).code;
const ecm = createOtcsClient({
  ...common,
  baseUrl: sims.urls.otcs,
  username: c.otcs.username,
  password: c.otcs.password,
  domain: c.otcs.domain,
});
await Promise.all([
  ecm.listCampaigns({}, { first: 1 }),
  ecm.findDocuments({ text: 'warm' }, { first: 1 }),
  createIconikClient({ ...common, baseUrl: sims.urls.iconik, appId: c.iconik.appId, authToken: c.iconik.authToken }).findAssets(
    { campaignCodes: [code] },
    { first: 1 },
  ),
  createNetxClient({ ...common, baseUrl: sims.urls.netx, apiToken: c.netx.apiToken }).findAssets({ campaignCodes: [code] }, { first: 1 }),
  createOtmmClient({ ...common, baseUrl: sims.urls.otmm, username: c.otmm.username, password: c.otmm.password }).findAssets(
    { campaignCodes: [code] },
    { first: 1 },
  ),
]);
for (const s of [sims.otcs, sims.iconik, sims.netx, sims.otmm]) s.reset();

process.stdout.write(`READY ${JSON.stringify({ urls: sims.urls, roots: sims.roots })}\n`);
const stop = () => void sims.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
