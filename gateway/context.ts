/**
 * The per-request context: who is reading, the request's loaders, its id and clock, and the
 * errors that partial failures add beside the data (a merged list that lost a source still
 * answers, and says so in `errors`).
 */
import type { GraphQLError } from 'graphql';
import type { Region } from '../sources/model.ts';
import { createLoaders, type Loaders } from '../access/loaders.ts';
import { Access } from '../access/access.ts';
import { linksFor, type Links, type Signer } from './files.ts';
import type { Logger } from './log.ts';
import { scopeKey } from '../access/policy.ts';
import type { ScopedSources, Sources } from '../access/sources.ts';

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
  /** The sources as this reader's scope sees them. */
  sources: ScopedSources;
  loaders: Loaders;
  /** Every read of the graph, checked against the reader. */
  access: Access;
  /** Health and pings, unscoped. */
  system: Sources;
  /** The read-time clock (injectable for tests). */
  now(): number;
  /** Base URL of the gateway, for links it hands out (renditions, downloads). */
  publicUrl: string;
  log: Logger;
  /** Errors to return beside the data (partial failures). */
  extraErrors: GraphQLError[];
  /** Signed download links for this reader. */
  links: Links;
  /** Readers by email, for explainAccess (demo users in demo mode). */
  directory: (email: string) => Principal | null;
}

export interface ContextDeps {
  sources: Sources;
  log: Logger;
  publicUrl: string;
  now?: () => number;
  signer?: Signer;
  directory?: (email: string) => Principal | null;
}

/** Build the context of one request. */
export function createContext(deps: ContextDeps, req: { requestId: string; principal: Principal | null }): Context {
  const sources = deps.sources.forScope(scopeKey(req.principal));
  const loaders = createLoaders(sources);
  const now = deps.now ?? Date.now;
  const access = new Access(req.principal, loaders, sources, now);
  return {
    requestId: req.requestId,
    principal: req.principal,
    sources,
    loaders,
    access,
    system: deps.sources,
    now,
    publicUrl: deps.publicUrl,
    log: deps.log.child({ requestId: req.requestId }),
    extraErrors: [],
    links: linksFor(deps.signer, req.principal, now, (a) => access.rights(a)),
    directory: deps.directory ?? (() => null),
  };
}
