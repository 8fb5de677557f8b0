/**
 * `npm start`: runs everything on one machine. In demo mode (the default) that is the four
 * simulators serving the demo world and the demo CRM, then the gateway, then the portal (a
 * production build, made first when missing or stale; `npm start -- --dev` runs `next dev` instead).
 * Prints what runs where and the demo sign-ins; stops cleanly on Ctrl-C (SIGINT/SIGTERM): the
 * gateway's /readyz turns 503 at once, the portal stops, the gateway finishes its requests in
 * flight and writes its audit buffer, then the simulators stop, and the process exits 0.
 */
import { ConfigError, loadConfig } from '../gateway/config.ts';
import { DEMO_CLIENTS, hookSecret } from '../gateway/demo-issuer.ts';
import { createLogger } from '../gateway/log.ts';
import { startGateway } from '../gateway/main.ts';
import { stopOnSignals } from '../gateway/shutdown.ts';
import { StartupError } from '../gateway/startup.ts';
import { DEMO_CREDENTIALS } from '../simulators/demo/credentials.ts';
import { DEMO_CRM_TOKEN } from '../simulators/crm/simulator.ts';
import { STATUS_PATH } from '../simulators/crm/wire.ts';
import { startSimulators, type RunningSimulators } from '../simulators/start.ts';
import { createWorld } from '../simulators/demo/world.ts';
import { MappingError, loadMapping } from '../sources/mapping.ts';
import { buildPortal, buildReason, startPortal } from './portal.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const mapping = loadMapping(config.mappingFile);
  const stoppers: (() => Promise<void>)[] = [];
  let sims: RunningSimulators | undefined;

  if (config.simulators) {
    const t0 = Date.now();
    const world = createWorld(config.world);
    // The CRM pushes to the gateway's /hooks/crm, signed with the secret the gateway verifies with.
    const crmHookSecret = await hookSecret('crm', { configured: config.hooks.secrets, dataDir: config.dataDir, demo: config.demo });
    sims = await startSimulators(world, mapping, {
      host: config.host,
      ports: { ...config.simPorts, crm: config.crmSimPort },
      latencyMs: config.simLatencyMs,
      crm: {
        ...(crmHookSecret ? { hookSecret: crmHookSecret } : {}),
        hookUrl: `http://${config.host}:${config.gatewayPort}/hooks/crm`,
        // The CRM accepts its own demo token and the one Atrium's status calls carry.
        tokens: [DEMO_CRM_TOKEN, ...(config.business.statusEndpoints.SFDC ? [config.business.statusEndpoints.SFDC.token] : [])],
      },
    });
    stoppers.push(() => (sims as RunningSimulators).close());
    const assets = Object.values(world.counts.assets).reduce((a, b) => a + b, 0);
    console.log(
      `Atrium demo world: seed ${world.seed}, scale ${world.scale}, as of ${new Date(world.asOf).toISOString().slice(0, 10)}: ` +
        `${world.counts.campaigns} campaigns, ${world.counts.accounts} accounts, ${assets} assets (${Date.now() - t0} ms)`,
    );
    console.log('');
    console.log('Simulated upstream systems (vendor APIs; control surface under /__sim/):');
    console.log(
      `  Content Server + xECM  ${sims.urls.otcs}/api/v1/auth   user ${DEMO_CREDENTIALS.otcs.username} / ${DEMO_CREDENTIALS.otcs.password}`,
    );
    console.log(
      `  iconik                 ${sims.urls.iconik}/   App-ID ${DEMO_CREDENTIALS.iconik.appId}, Auth-Token ${DEMO_CREDENTIALS.iconik.authToken}`,
    );
    console.log(`  NetX                   ${sims.urls.netx}/api/rpc   Authorization: apiToken ${DEMO_CREDENTIALS.netx.apiToken}`);
    console.log(
      `  OpenText Media Mgmt    ${sims.urls.otmm}/otmmapi/v6/sessions   user ${DEMO_CREDENTIALS.otmm.username} / ${DEMO_CREDENTIALS.otmm.password}`,
    );
    console.log(`  CRM (demo)             ${sims.urls.crm}${STATUS_PATH}   Authorization: Bearer ${DEMO_CRM_TOKEN}`);
    console.log(`                         POST ${sims.urls.crm}/__sim/send {"type":"account.created","data":{…}} pushes a signed webhook`);
    console.log('');
    console.log('Demo users (portal password "demo"):');
    for (const u of world.demoUsers())
      console.log(`  ${u.email.padEnd(30)} ${u.roles.join(',').padEnd(11)} ${u.name}${u.org ? ` (${u.org})` : ''}`);
  }
  const gateway = await startGateway(config, createLogger(config.logLevel));
  stoppers.push(() => gateway.close());
  console.log(`\nGateway                  ${gateway.url}/graphql   (also /healthz, /readyz, /metrics)`);
  if (config.demo) {
    console.log('  a bearer token for a demo user:  npm run --silent token -- anna@northwind.example');
    console.log('  for a demo integration client:   npm run --silent token -- --client crm');
    for (const c of DEMO_CLIENTS) console.log(`    ${c.name.padEnd(12)} ${c.scopes.join(' ').padEnd(33)} ${c.description}`);
    console.log("  the secret of the CRM's webhooks:  npm run --silent token -- --hook-secret crm");
  }

  let stopped: Promise<void> | null = null;
  /**
   * Stop in reverse order of start: the portal (the gateway's client), then the gateway
   * (draining), then the simulators its requests in flight still read. Once only.
   */
  const stop = (reason: string): Promise<void> =>
    (stopped ??= (async () => {
      console.log(`\n${reason}: stopping…`);
      // At once, before the portal stops: a load balancer in front of the gateway stops sending now.
      gateway.beginStop();
      for (const s of stoppers.reverse()) await s().catch((e: unknown) => console.error(e));
    })());
  // Installed before the portal's build, which can take a minute or two: Ctrl-C then still stops everything.
  stopOnSignals(stop, {
    onRepeat: () => console.log('already stopping: waiting for requests in flight and the audit to be written (SIGKILL ends at once)'),
  });

  const dev = process.argv.includes('--dev');
  try {
    const reason = dev ? null : buildReason();
    if (reason) {
      console.log(`\nBuilding the portal (${reason}); this takes a minute or two…`);
      await buildPortal();
    }
    const portal = await startPortal({
      host: config.host,
      port: config.portalPort,
      gatewayUrl: gateway.url,
      dataDir: config.dataDir,
      demo: config.demo,
      dev,
    });
    stoppers.push(() => portal.close());
    console.log(`\nPortal                   ${portal.url}/${dev ? '   (next dev)' : ''}`);
    if (config.demo) console.log('  sign in as any demo user above with the password "demo", e.g. anna@northwind.example (partner)');
  } catch (e) {
    // Ctrl-C during the build ends the build too: the signal's stop is under way and exits.
    if (stopped) return;
    console.error(`\nThe portal did not start: ${(e as Error).message}`);
    await stop('portal failed');
    process.exit(1);
  }
  console.log('\nPress Ctrl-C to stop.');
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof MappingError || e instanceof StartupError) console.error(e.message);
  else if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
    console.error(`A port is already in use: ${(e as Error).message}. Set the *_PORT variables (see .env.example).`);
  else console.error(e);
  process.exit(1);
});
