/**
 * Simulated server routes (vendor-apis §1.1, §1.6 Volumes): `ping` (open), `serverinfo` and
 * the volumes. The world has one volume, the Enterprise Workspace (node 2000, subtype 141).
 */
import { NODE } from '../demo/world.ts';
import type { SimRequest, SimResponse } from '../framework/server.ts';
import { fail, selfLink, type CoreSim } from './kit.ts';
import { naiveDate, nodeProperties } from './render.ts';
import { SUBTYPE } from '../../sources/otcs/wire.ts';

const VERSION = '25.3';
/** The warning time before a session ends, as in the pyxecm example (3 minutes). */
const REACTION_MS = 180_000;

/**
 * `GET /api/v1/serverinfo`: `{mobile, server, sessions, viewer}` as objects (the keys are
 * SPEC serverinfo_results, whose arrays are the spec's artifact; the objects are SEEN in
 * pyxecm's get_server_info example; vendor-apis §1.1 names only the URL). `sessions` tells the
 * ticket lifetime this simulator runs with.
 */
function serverInfo(ctx: CoreSim, req: SimRequest): SimResponse {
  const host = typeof req.headers.host === 'string' ? req.headers.host : '127.0.0.1';
  const english = { default: true, display_name: 'English', language_code: 'en' };
  return {
    body: {
      mobile: { cs_viewer_support: false, offline_use: true },
      server: {
        advanced_versioning: true,
        character_encoding: 1,
        current_date: naiveDate(new Date().toISOString()),
        current_locale_suffix: '_en_US',
        domain_access_enabled: false,
        enhanced_advanced_versioning: false,
        force_download_for_mime_types: [],
        language_code: 'USA',
        languages: [english],
        metadata_languages: [english],
        url: `http://${host}${ctx.basePath}`,
        version: VERSION,
      },
      sessions: {
        enabled: true,
        expire_after_last_login: false,
        expire_after_last_request: true,
        logout_url: '?func=ll.DoLogout',
        session_inactivity: Math.max(0, ctx.opts.ticketTtlMs - REACTION_MS),
        session_reaction_time: REACTION_MS,
        session_timeout: ctx.opts.ticketTtlMs,
      },
      viewer: { content_suite: { enabled: false, supported_mime_types: [] } },
    },
  };
}

/** The Enterprise volume as a `{data: {properties}}` result (properties as on a node GET). */
function enterprise(ctx: CoreSim): { data: { properties: Record<string, unknown> } } {
  const n = ctx.nodes.get(NODE.enterprise);
  if (!n) throw new Error('the world has no Enterprise volume');
  return { data: { properties: nodeProperties(n, ctx.nodes.children(n.id).length) } };
}

/** `GET /api/v2/volumes`: `{links, results: [{data: {properties}}]}` (SEEN pyxecm get_volumes example). */
function volumes(ctx: CoreSim, req: SimRequest): SimResponse {
  return { body: { links: selfLink(ctx, req), results: [enterprise(ctx)] } };
}

/**
 * `GET /api/v2/volumes/{type}`: `results` as one object (pyxecm reads
 * `["results"]["data"]["properties"]["id"]`, SEEN). A type the world has no volume of answers
 * 400 [NOT FOUND: the error text is ours].
 */
function volume(ctx: CoreSim, req: SimRequest): SimResponse {
  const type = req.params.type ?? '';
  if (type !== String(SUBTYPE.enterpriseVolume)) return fail(400, `Could not get a volume of type ${type.slice(0, 16)}`);
  return { body: { links: selfLink(ctx, req), results: enterprise(ctx) } };
}

/** Register ping, serverinfo and the volume routes. */
export function registerSystemRoutes(ctx: CoreSim): void {
  ctx.route(
    'GET',
    '/api/v1/ping',
    () => ({ body: { build: '2025.3', href: `${ctx.basePath}/api/v1/ping`, version: `${VERSION}.0` } }),
    true,
  );
  ctx.route('GET', '/api/v1/serverinfo', (r) => serverInfo(ctx, r));
  ctx.route('GET', '/api/v2/volumes', (r) => volumes(ctx, r));
  ctx.route('GET', '/api/v2/volumes/:type', (r) => volume(ctx, r));
}
