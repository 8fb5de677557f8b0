/**
 * The per-request context every resolver receives: who is reading, the request's loaders and
 * checked reads, its id and clock, and the errors that partial failures add beside the data (a
 * merged list that lost a source still answers, and says so in `extraErrors`). The gateway
 * builds it once per request (gateway/context.ts); resolvers only read it.
 */
import type { ReviewRecord, SyncRecord } from '../flows/writeback/sync-store.ts';
import type { ReviewRequest } from '../flows/writeback/reviews.ts';
import type { PublishInput, PublishResult } from '../flows/writeback/publish.ts';
import type { GraphQLError } from 'graphql';
import type { Access } from '../access/access.ts';
import type { Links } from '../access/links.ts';
import type { Loaders } from '../access/loaders.ts';
import type { Principal } from '../access/principal.ts';
import type { ScopedSources, Sources } from '../access/sources.ts';
import type { RequestAudit } from '../audit/index.ts';
import type { WriteCommands } from '../flows/commands.ts';
import type { JobKind, JobRunner } from '../flows/jobs.ts';
import type { WebhookSubscriptions } from '../flows/outbox/subscriptions.ts';

/** What resolvers log through (the gateway's structured logger). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
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
  /** The access audit's per-request part, when auditing is on. */
  audit?: RequestAudit;
  /** The durable writes (flows/), on a gateway that takes writes. */
  writes?: Writes;
  /** Webhook subscriptions and their delivery log (flows/outbox/), on a gateway that delivers them. */
  webhooks?: WebhookSubscriptions;
  /** Assets' write-back records and reviews (flows/writeback/), batched per request, on a gateway that writes back. */
  sync?: { load(assetId: string): Promise<SyncRecord | null>; reviews(assetId: string): Promise<ReviewRecord[]> };
}

/** What mutations carry out writes with. */
export interface Writes {
  runner: JobRunner;
  commands: WriteCommands;
  /** A write landed: cached reads of what it may have changed are dropped. */
  written(): void;
  /** Reviews of assets and publishing into the DAMs (issue 16), on a gateway that writes back. */
  writeback?: {
    review: JobKind<ReviewRequest & { id: string }, ReviewRecord>;
    publish: JobKind<PublishInput, PublishResult>;
  };
}
