/**
 * Who may write what (DESIGN.md, access policy, writes), pure: an integration client exactly
 * what its scopes name; admin everything; marketing may send assets to review and publish
 * approved content; sales may file documents into the accounts whose workspace team they are on;
 * everyone else nothing (partners' terms acceptances and share links come with their own issue). A reader with several roles may do what any one of them may.
 */
import type { Member } from '../../sources/model.ts';
import type { Principal } from '../principal.ts';
import { allow, deny, isMember, type Decision } from './decision.ts';

/** What a write does. */
export type WriteAction =
  /** Create or update a business workspace (a campaign's or an account's). */
  | 'workspace.write'
  /** File a document, or a new version of one, into a workspace. */
  | 'document.write'
  /** Send DAM assets to a review in Content Server. */
  | 'asset.review'
  /** Publish approved content into a DAM. */
  | 'content.publish';

/** The scope an integration client needs for each action (none: no client may). */
export const WRITE_SCOPES: Partial<Record<WriteAction, string>> = {
  'workspace.write': 'workspaces:write',
  'document.write': 'documents:write',
};

/** What each action is called in a refusal. */
const DOING: Record<WriteAction, string> = {
  'workspace.write': 'write workspaces',
  'document.write': 'file documents',
  'asset.review': 'send assets to review',
  'content.publish': 'publish content into the DAMs',
};

/** What a write goes into: the workspace's owner kind and its team (for documents). */
export interface WriteTarget {
  owner?: 'campaign' | 'account';
  team?: readonly Member[];
}

/** Whether `p` may do `action` into `target`; a denial names the rule. */
export function writeDecision(p: Principal | null, action: WriteAction, target: WriteTarget = {}): Decision {
  if (!p) return deny('write.anonymous', 'anonymous readers write nothing');
  if (p.client) {
    const scope = WRITE_SCOPES[action];
    if (!scope) return deny('write.client.scope', `no client may ${DOING[action]}`);
    return p.client.scopes.includes(scope)
      ? allow('write.client.scope', `client ${p.client.name} holds the scope ${scope}`)
      : deny('write.client.scope', `client ${p.client.name} lacks the scope ${scope}`);
  }
  if (p.roles.includes('admin')) return allow('write.admin', 'admins write everything');
  if (p.roles.includes('marketing') && (action === 'asset.review' || action === 'content.publish'))
    return allow('write.marketing', `marketing may ${DOING[action]}`);
  if (p.roles.includes('sales') && action === 'document.write') {
    if (target.owner !== 'account') return deny('write.sales.owner', 'sales file documents into account workspaces only');
    return isMember(p, target.team ?? [])
      ? allow('write.sales.member', "the reader is on the account workspace's team")
      : deny('write.sales.member', "the reader is not on the account workspace's team");
  }
  return deny('write.role', `the roles ${p.roles.join(', ') || '(none)'} may not ${DOING[action]}`);
}
