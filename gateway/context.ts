/**
 * Builds the per-request `Context` that resolvers/context.ts declares: the reader's scoped
 * sources and loaders, their checked reads (`Access`), signed links, and the request's logger.
 * Built once per request; nothing in it is shared between readers except the sources' cache,
 * which is keyed by policy scope.
 */
import { Access } from '../access/access.ts';
import { linksFor, type Signer } from '../access/links.ts';
import { createLoaders } from '../access/loaders.ts';
import { scopeKey } from '../access/policy.ts';
import type { Principal } from '../access/principal.ts';
import type { Sources } from '../access/sources.ts';
import type { Context, Writes } from '../resolvers/context.ts';
import type { WebhookSubscriptions } from '../flows/outbox/subscriptions.ts';
import type { ReviewRecord, SyncRecord, SyncStorePort } from '../flows/writeback/sync-store.ts';
import DataLoader from 'dataloader';
import type { Logger } from './log.ts';

export interface ContextDeps {
  sources: Sources;
  log: Logger;
  publicUrl: string;
  now?: () => number;
  signer?: Signer;
  directory?: (email: string) => Principal | null;
  writes?: Writes;
  webhooks?: WebhookSubscriptions;
  sync?: SyncStorePort;
}

/** Build the context of one request. */
export function createContext(deps: ContextDeps, req: { requestId: string; principal: Principal | null }): Context {
  const sources = deps.sources.forRequest(scopeKey(req.principal));
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
    ...(deps.writes ? { writes: deps.writes } : {}),
    ...(deps.webhooks ? { webhooks: deps.webhooks } : {}),
    ...(deps.sync ? { sync: syncLoader(deps.sync) } : {}),
  };
}

/** One store call per level of a query for the assets' write-back records. */
function syncLoader(store: SyncStorePort): NonNullable<Context['sync']> {
  const records = new DataLoader<string, SyncRecord | null>((ids) => store.get(ids), { maxBatchSize: 500 });
  const reviews = new DataLoader<string, ReviewRecord[]>((ids) => store.reviewsOf(ids), { maxBatchSize: 500 });
  return { load: (id) => records.load(id), reviews: (id) => reviews.load(id) };
}
