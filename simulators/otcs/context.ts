/**
 * The seam between the two halves of the Content Server simulator: core nodes (simulator.ts)
 * and Extended ECM Business Workspaces (workspaces.ts), which the core mounts under its CGI path.
 */
import type { DemoWorld } from '../demo/world.ts';
import type { Mapping } from '../../sources/mapping.ts';
import type { Handler, Simulator } from '../framework/server.ts';
import type { MemberDirectory } from './members.ts';
import type { Overlay } from './overlay.ts';

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
  /**
   * The members every route serves, sign-in accounts included (members.ts). Without it the
   * workspace half builds its own from the world (users and the Admin, no sign-ins).
   */
  members?: MemberDirectory;
  /**
   * What was written through the API (overlay.ts): the listings and GETs serve written and
   * created workspaces from it. Without it the workspace half serves the world as generated.
   */
  overlay?: Overlay;
}

export type OtcsRouteModule = (sim: Simulator, ctx: OtcsSimContext) => void;
