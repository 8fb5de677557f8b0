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
}
