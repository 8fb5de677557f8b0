/**
 * The seam between the two halves of the Content Server connector: core nodes (simulator.ts,
 * client.ts) and Extended ECM Business Workspaces (sim-workspaces.ts, workspaces.ts).
 */
import type { DemoWorld } from '../demo/world.ts';
import type { HttpClient } from '../http/client.ts';
import type { Mapping } from '../mapping.ts';
import type { EcmSource } from '../ports.ts';
import type { Handler, Simulator } from '../sim/server.ts';

/** What the core simulator gives route modules. */
export interface OtcsSimContext {
  /** The CGI path every API route is mounted under (e.g. `/otcs/cs.exe`). */
  basePath: string;
  world: DemoWorld;
  mapping: Mapping;
  /**
   * Wraps a handler with Content Server ticket checking: a missing, unknown or expired
   * OTCSTicket gets 401 `{"error":"Authentication Required","errorDetail":""}`; a good one
   * runs the handler and adds a (rotated) `OTCSTicket` response header.
   */
  authed(handler: Handler): Handler;
}

export type OtcsRouteModule = (sim: Simulator, ctx: OtcsSimContext) => void;

/** What the core client gives resource modules: an authenticated transport. */
export interface OtcsTransport {
  http: HttpClient;
  mapping: Mapping;
}

/** The workspace half of the EcmSource port. */
export type WorkspaceReads = Pick<EcmSource, 'listCampaigns' | 'getCampaigns' | 'listAccounts' | 'getAccounts' | 'getWorkspaces'>;
