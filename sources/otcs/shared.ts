/**
 * The seam between the parts of the Content Server connector: the core client (client.ts)
 * and its resource modules (nodes, search, records, the Business Workspaces half, writes).
 */
import type { HttpClient } from '../http/client.ts';
import type { Mapping } from '../mapping.ts';
import type { EcmSource } from '../ports.ts';

/** What the core client gives resource modules: an authenticated transport. */
export interface OtcsTransport {
  http: HttpClient;
  mapping: Mapping;
  /** The ticket's housekeeping, for writes (client.ts); absent in harnesses with a fixed credential. */
  session?: OtcsSession;
}

/** What writes need to know of the ticket beyond what the HTTP core does with it. */
export interface OtcsSession {
  /** Drop the current ticket (the server refused it in a body-reported 401): the next request signs in again. */
  invalidate(): void;
  /** Milliseconds since the last answer that came with a (fresh) ticket; Infinity before any. */
  idleMs(): number;
}

/** The workspace half of the EcmSource port. */
export type WorkspaceReads = Pick<EcmSource, 'listCampaigns' | 'getCampaigns' | 'listAccounts' | 'getAccounts' | 'getWorkspaces'>;
