/**
 * The seam between the parts of the Content Server connector: the core client (client.ts)
 * and its resource modules (nodes, search, records, and the Business Workspaces half).
 */
import type { HttpClient } from '../http/client.ts';
import type { Mapping } from '../mapping.ts';
import type { EcmSource } from '../ports.ts';

/** What the core client gives resource modules: an authenticated transport. */
export interface OtcsTransport {
  http: HttpClient;
  mapping: Mapping;
}

/** The workspace half of the EcmSource port. */
export type WorkspaceReads = Pick<EcmSource, 'listCampaigns' | 'getCampaigns' | 'listAccounts' | 'getAccounts' | 'getWorkspaces'>;
