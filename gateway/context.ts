/**
 * The per-request context: who is reading, the request's loaders, its id and clock, and the
 * errors that partial failures add beside the data (a merged list that lost a source still
 * answers, and says so in `errors`).
 */
import type { GraphQLError } from 'graphql';
import type { Region } from '../sources/model.ts';
import { createLoaders, type Loaders } from '../resolvers/loaders.ts';
import type { Logger } from './log.ts';
import type { Sources } from './sources.ts';

export type Role = 'partner' | 'sales' | 'marketing' | 'compliance' | 'admin';

/** The reader, as DESIGN.md's access policy sees them. */
export interface Principal {
  id: string;
  email: string;
  name?: string;
  roles: Role[];
  /** CRM id of a partner's company. */
  org?: string;
  regions: Region[];
}

export interface Context {
  requestId: string;
  principal: Principal | null;
  sources: Sources;
  loaders: Loaders;
  /** The read-time clock (injectable for tests). */
  now(): number;
  /** Base URL of the gateway, for links it hands out (renditions, downloads). */
  publicUrl: string;
  log: Logger;
  /** Errors to return beside the data (partial failures). */
  extraErrors: GraphQLError[];
}

export interface ContextDeps {
  sources: Sources;
  log: Logger;
  publicUrl: string;
  now?: () => number;
}

/** Build the context of one request. */
export function createContext(deps: ContextDeps, req: { requestId: string; principal: Principal | null }): Context {
  return {
    requestId: req.requestId,
    principal: req.principal,
    sources: deps.sources,
    loaders: createLoaders(deps.sources),
    now: deps.now ?? Date.now,
    publicUrl: deps.publicUrl,
    log: deps.log.child({ requestId: req.requestId }),
    extraErrors: [],
  };
}
