/**
 * The workspace types of the simulated Extended ECM and their templates: where a workspace of
 * each type is created, the folders and team roles its template creates with it, and the
 * category it carries. `GET /api/v2/businessworkspacetypes` (workspaces.ts) and
 * `POST /api/v2/businessworkspaces` (writes-workspaces.ts) both read this table, so the types
 * a client lists are exactly the ones it can create.
 *
 * Templates are configuration on a real server (NOT FOUND in any public source beyond the
 * `template_id` of the create body); these are our choice, documented in README.md:
 * - Campaign: the folder layout every campaign workspace of the world has, so a campaign made
 *   from the template looks like the others ("Localized" inside "05 Released").
 * - Customer: proposals, contracts, meeting notes and correspondence with the customer.
 * - Partner: the same, with "04 Partner Resources" (what the world files for partners) in
 *   place of correspondence.
 * Roles are the world's role catalogs (catalog.ts); a template's roles start without members.
 */
import { ACCOUNT_ROLES, CAMPAIGN_ROLES } from '../demo/catalog.ts';
import { NODE, WORKSPACE_TYPE_IDS } from '../demo/world.ts';
import type { WorkspaceType } from '../../sources/model.ts';

/** A folder a template creates; `parent` names another folder of the same template (else the workspace). */
export interface TemplateFolder {
  name: string;
  parent?: string;
}

export interface WorkspaceTemplate {
  type: WorkspaceType;
  /** Extended ECM workspace type id (`wksp_type_id`). */
  typeId: number;
  /** The template's node id (`template_id`), illustrative: the world does not model templates. */
  templateId: number;
  /** Where workspaces of the type are created when the body names no `parent_id` (`wksp_creation.location_value`). */
  location: number;
  /** The business object type the type is bound to (`business_object_type`), and its illustrative id. */
  boType: string;
  boTypeId: number;
  /** Which category of the mapping the workspace carries. */
  category: 'campaign' | 'account';
  folders: readonly TemplateFolder[];
  roles: readonly string[];
}

const ACCOUNT_FOLDERS = ['01 Proposals', '02 Contracts', '03 Meeting Notes'] as const;

export const TEMPLATES: Readonly<Record<WorkspaceType, WorkspaceTemplate>> = {
  Campaign: {
    type: 'Campaign',
    typeId: WORKSPACE_TYPE_IDS.Campaign,
    templateId: 20116,
    location: NODE.campaignsFolder,
    boType: 'Campaign',
    boTypeId: 41,
    category: 'campaign',
    folders: [
      { name: '01 Brief' },
      { name: '02 Creative' },
      { name: '03 Legal and Licences' },
      { name: '04 Approvals' },
      { name: '05 Released' },
      { name: '06 Archive' },
      { name: 'Localized', parent: '05 Released' },
    ],
    roles: CAMPAIGN_ROLES,
  },
  Customer: {
    type: 'Customer',
    typeId: WORKSPACE_TYPE_IDS.Customer,
    templateId: 20117,
    location: NODE.accountsFolder,
    boType: 'Account',
    boTypeId: 42,
    category: 'account',
    folders: [...ACCOUNT_FOLDERS.map((name) => ({ name })), { name: '04 Correspondence' }],
    roles: ACCOUNT_ROLES,
  },
  Partner: {
    type: 'Partner',
    typeId: WORKSPACE_TYPE_IDS.Partner,
    templateId: 20118,
    location: NODE.accountsFolder,
    boType: 'Account',
    boTypeId: 42,
    category: 'account',
    folders: [...ACCOUNT_FOLDERS.map((name) => ({ name })), { name: '04 Partner Resources' }],
    roles: ACCOUNT_ROLES,
  },
};

/** Every workspace type, in type-id order. */
export const WORKSPACE_TYPES: readonly WorkspaceType[] = ['Campaign', 'Customer', 'Partner'];

/** The template of a workspace type id, or undefined. */
export function templateOfType(typeId: number): WorkspaceTemplate | undefined {
  return WORKSPACE_TYPES.map((t) => TEMPLATES[t]).find((t) => t.typeId === typeId);
}

/** The template with this template id, or undefined. */
export function templateById(templateId: number): WorkspaceTemplate | undefined {
  return WORKSPACE_TYPES.map((t) => TEMPLATES[t]).find((t) => t.templateId === templateId);
}
