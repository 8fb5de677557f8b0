/** Who is reading or writing, as DESIGN.md's access policy sees them. */
import type { Region } from '../sources/model.ts';

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
  /**
   * An integration client (client-credentials token): its name and the scopes it was granted
   * (`workspaces:write`, `documents:write`, ...). A client has no roles, so it reads nothing a
   * role grants; it may write exactly what its scopes name.
   */
  client?: { name: string; scopes: string[] };
}
