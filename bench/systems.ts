/**
 * How each system of a run is started: which file runs in its child process and with what
 * environment, given the simulators' URLs and the credentials the runner obtained.
 */
import { DEMO_CREDENTIALS } from '../simulators/demo/credentials.ts';
import type { SystemName } from './scenarios.ts';

/** What the simulators' process announces. */
export interface SimInfo {
  urls: { otcs: string; iconik: string; netx: string; otmm: string };
  roots: { otcs: string; iconik: string; netx: string; otmm: string };
}

/** Tokens obtained up front for the peer whose config cannot log in by itself. */
export interface PreAuth {
  otcsTicket: string;
  otmmToken: string;
}

/** A system's child process: its entry file and environment. */
export interface SystemSpec {
  file: string;
  env: Record<string, string>;
}

/** Log in to Content Server (ticket) and OTMM (OAuth token) with the demo credentials. */
export async function preAuthenticate(sims: SimInfo): Promise<PreAuth> {
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const c = DEMO_CREDENTIALS;
  const otcs = await fetch(`${sims.urls.otcs}/api/v1/auth`, form({ username: c.otcs.username, password: c.otcs.password }));
  if (!otcs.ok) throw new Error(`Content Server login failed: HTTP ${otcs.status}`);
  const otmm = await fetch(
    `${sims.urls.otmm}/otmmapi/v6/sessions/oauth2/token`,
    form({ grant_type: 'password', client_id: 'atrium-bench', username: c.otmm.username, password: c.otmm.password }),
  );
  if (!otmm.ok) throw new Error(`OTMM login failed: HTTP ${otmm.status}`);
  const token = ((await otmm.json()) as { token_info: { oauth_token: { accessToken: string } } }).token_info.oauth_token.accessToken;
  return { otcsTicket: ((await otcs.json()) as { ticket: string }).ticket, otmmToken: token };
}

/** The child process of one system. */
export function systemSpec(system: SystemName, sims: SimInfo, auth: PreAuth, supergraph: string, dataDir: string): SystemSpec {
  const upstreams = {
    OTCS_URL: sims.urls.otcs,
    ICONIK_URL: sims.urls.iconik,
    NETX_URL: sims.urls.netx,
    OTMM_URL: sims.urls.otmm,
    ATRIUM_DATA_DIR: dataDir,
  };
  // The read scenarios count every upstream request: the change feed's polls stay out of them
  // (the feed scenario, bench/feed.ts, turns it on).
  const atrium = { ...upstreams, FEED_ENABLED: 'false' };
  switch (system) {
    case 'atrium':
      return { file: 'bench/systems/atrium.ts', env: atrium };
    case 'atrium-noaudit':
      return { file: 'bench/systems/atrium.ts', env: { ...atrium, AUDIT_ENABLED: 'false' } };
    case 'atrium-nojournal':
      return { file: 'bench/systems/atrium.ts', env: { ...atrium, AUDIT_JOURNAL: 'false' } };
    case 'naive':
      return { file: 'bench/peers/naive/server.ts', env: upstreams };
    case 'hive':
      return {
        file: 'bench/peers/hive/serve.ts',
        env: {
          BENCH_SUPERGRAPH: supergraph,
          BENCH_OTCS_URL: sims.urls.otcs,
          BENCH_OTCS_TICKET: auth.otcsTicket,
          BENCH_ICONIK_URL: sims.urls.iconik,
          BENCH_ICONIK_APP_ID: DEMO_CREDENTIALS.iconik.appId,
          BENCH_ICONIK_AUTH_TOKEN: DEMO_CREDENTIALS.iconik.authToken,
          BENCH_NETX_URL: sims.urls.netx,
          BENCH_NETX_TOKEN: DEMO_CREDENTIALS.netx.apiToken,
          BENCH_OTMM_URL: sims.urls.otmm,
          BENCH_OTMM_TOKEN: auth.otmmToken,
        },
      };
  }
}
