/**
 * Per-object visibility (DESIGN.md, "Access policy v1", the table). Every object the gateway
 * returns passes through one of these checks, whatever the pushdown already filtered: they are
 * the final word. Pure: the clock is an argument, nothing is fetched.
 *
 * Where a rule says "of a campaign/account they see", the caller states what it computed in
 * `visible`; the check re-derives what it can from the same inputs and ANDs the two, so a wrong
 * flag can only hide, never reveal.
 */
import type { Principal, Role } from '../principal.ts';
import type { Account, Asset, Campaign, Document, Member } from '../../sources/model.ts';
import { territoryOverlaps, type EffectiveRights } from '../rights.ts';
import { allow, decideForRoles, deny, isMember, unknownRole, type Decision } from './decision.ts';

/** The workspace a document lives in, and whether the caller found it visible to the reader. */
export type DocumentOwner =
  { kind: 'campaign'; campaign: Campaign; visible: boolean } | { kind: 'account'; account: Account; visible: boolean };

/** The campaign and/or account an asset belongs to (by its canonical metadata), with their visibility. */
export interface AssetOwners {
  campaign?: { campaign: Campaign; visible: boolean };
  account?: { account: Account; visible: boolean };
}

const everything = (role: 'admin' | 'compliance'): Decision => allow(`${role}.all`, `${role} readers see everything`);
const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
const docName = (d: Document) => `document ${d.source.nativeId}`;
const assetName = (a: Asset) => `asset ${a.source.system}:${a.source.nativeId}`;

/** Partners need their company: without an org there is no audience or account to match, so they see nothing. */
const noOrg = (): Decision => deny('partner.org', 'the partner reader has no company (org)');

function partnerCampaign(p: Principal, c: Campaign): Decision {
  if (!p.org) return noOrg();
  if (c.status !== 'ACTIVE') return deny('partner.campaign.status', `campaign ${c.code} is ${c.status}, not ACTIVE`);
  const shared = c.audience.includes(p.org);
  if (!shared && !c.openToAllPartners) {
    return deny('partner.campaign.audience', `campaign ${c.code} is not shared with ${p.org} and not open to all partners`);
  }
  const common = c.regions.filter((r) => p.regions.includes(r));
  if (!common.length) {
    return deny(
      'partner.campaign.region',
      `campaign ${c.code} runs in ${list(c.regions)}, none of the reader's regions (${list(p.regions)})`,
    );
  }
  return allow(
    'partner.campaign.shared',
    `campaign ${c.code} is ACTIVE, ${shared ? `shared with ${p.org}` : 'open to all partners'}, in ${list(common)}`,
  );
}

function campaignRule(role: Role, p: Principal, c: Campaign): Decision {
  switch (role) {
    case 'admin':
    case 'compliance':
      return everything(role);
    case 'marketing':
      return allow('marketing.campaign.all', 'marketing sees every campaign');
    case 'sales':
      return c.status === 'ACTIVE' || c.status === 'CLOSED'
        ? allow('sales.campaign.status', `campaign ${c.code} is ${c.status}`)
        : deny('sales.campaign.status', `campaign ${c.code} is ${c.status}, not ACTIVE or CLOSED`);
    case 'partner':
      return partnerCampaign(p, c);
    default:
      return unknownRole(role);
  }
}

function accountRule(role: Role, p: Principal, a: Account, team: readonly Member[]): Decision {
  switch (role) {
    case 'admin':
    case 'compliance':
      return everything(role);
    case 'marketing':
      return allow('marketing.account.all', 'marketing sees every account');
    case 'sales':
      return isMember(p, team)
        ? allow('sales.account.member', `${p.email} is on the team of account ${a.id}`)
        : deny('sales.account.member', `${p.email} is not on the team of account ${a.id}`);
    case 'partner':
      if (!p.org) return noOrg();
      return a.id === p.org
        ? allow('partner.account.own', `account ${a.id} is the reader's company`)
        : deny('partner.account.own', `account ${a.id} is not the reader's company (${p.org})`);
    default:
      return unknownRole(role);
  }
}

/** Whether `role` alone sees the document's owner, ANDed with the caller's flag. */
function ownerSeen(role: Role, p: Principal, owner: DocumentOwner, team: readonly Member[]): Decision {
  const name = owner.kind === 'campaign' ? `campaign ${owner.campaign.code}` : `account ${owner.account.id}`;
  const own = owner.kind === 'campaign' ? campaignRule(role, p, owner.campaign) : accountRule(role, p, owner.account, team);
  if (!own.allowed) return own;
  return owner.visible ? own : deny(`${role}.document.owner`, `${name} is not visible to the reader`);
}

function documentRule(role: Role, p: Principal, d: Document, owner: DocumentOwner, team: readonly Member[]): Decision {
  switch (role) {
    case 'admin':
    case 'compliance':
      return everything(role);
    case 'marketing':
      return d.classification === 'CONFIDENTIAL' && !isMember(p, team)
        ? deny(
            'marketing.document.confidential',
            `${docName(d)} is CONFIDENTIAL and ${p.email} is not on the team of workspace ${d.workspaceId}`,
          )
        : allow('marketing.document.all', `marketing sees ${docName(d)} (${d.classification})`);
    case 'sales': {
      const seen = ownerSeen(role, p, owner, team);
      if (!seen.allowed) return deny('sales.document.owner', `${docName(d)} is in a workspace the reader does not see (${seen.rule})`);
      if (owner.kind === 'account')
        return allow('sales.document.account', `${docName(d)} is in account ${owner.account.id}, which the reader sees`);
      if (d.classification === 'CONFIDENTIAL' && !isMember(p, team)) {
        return deny(
          'sales.document.confidential',
          `${docName(d)} is CONFIDENTIAL and ${p.email} is not on the team of campaign ${owner.campaign.code}`,
        );
      }
      return allow(
        'sales.document.campaign',
        `${docName(d)} (${d.classification}) is in campaign ${owner.campaign.code}, which the reader sees`,
      );
    }
    case 'partner': {
      if (d.classification !== 'PUBLIC' && d.classification !== 'PARTNER') {
        return deny('partner.document.classification', `${docName(d)} is ${d.classification}, not PUBLIC or PARTNER`);
      }
      if (d.status !== 'RELEASED') return deny('partner.document.status', `${docName(d)} is ${d.status}, not RELEASED`);
      const seen = ownerSeen(role, p, owner, team);
      if (!seen.allowed)
        return deny('partner.document.owner', `${docName(d)} is not of a campaign the reader sees or of their own account (${seen.rule})`);
      return allow('partner.document.released', `${docName(d)} is ${d.classification} and RELEASED, ${seen.rule}`);
    }
    default:
      return unknownRole(role);
  }
}

/**
 * Whether `role` alone sees one of the asset's owners. The campaign is re-derived; an account
 * is re-derived for partners (their own), and taken from the flag for sales (membership needs
 * the account's team, which the caller resolved).
 */
function assetOwnerSeen(role: 'sales' | 'partner', p: Principal, owners: AssetOwners): Decision {
  const reasons: string[] = [];
  if (owners.campaign) {
    const { campaign, visible } = owners.campaign;
    const own = campaignRule(role, p, campaign);
    if (own.allowed && visible) return own;
    reasons.push(own.allowed ? `campaign ${campaign.code} is not visible to the reader` : own.rule);
  }
  if (owners.account) {
    const { account, visible } = owners.account;
    const own =
      role === 'partner'
        ? accountRule(role, p, account, [])
        : allow('sales.account.member', `the caller resolved account ${account.id} as visible`);
    if (own.allowed && visible) return own;
    reasons.push(own.allowed ? `account ${account.id} is not visible to the reader` : own.rule);
  }
  return deny(`${role}.asset.owner`, reasons.length ? reasons.join('; ') : 'it belongs to no campaign or account');
}

/** Rights in force at `now`: CLEARED and `validFrom <= now < validUntil` (re-checked here, whatever instant they were computed at). */
function inWindow(rights: EffectiveRights, now: number): boolean {
  return (!rights.validFrom || Date.parse(rights.validFrom) <= now) && (!rights.validUntil || now < Date.parse(rights.validUntil));
}

function assetRule(role: Role, p: Principal, a: Asset, rights: EffectiveRights, owners: AssetOwners, now: number): Decision {
  switch (role) {
    case 'admin':
    case 'compliance':
      return everything(role);
    case 'marketing':
      return allow('marketing.asset.all', 'marketing sees every asset');
    case 'sales': {
      if (a.approval !== 'APPROVED') return deny('sales.asset.approval', `${assetName(a)} is ${a.approval}, not APPROVED`);
      const seen = assetOwnerSeen(role, p, owners);
      if (!seen.allowed) return deny('sales.asset.owner', `${assetName(a)} is not of a campaign or account the reader sees (${seen.rule})`);
      return allow('sales.asset.approved', `${assetName(a)} is APPROVED, ${seen.rule}`);
    }
    case 'partner': {
      if (!p.org) return noOrg();
      if (a.approval !== 'APPROVED') return deny('partner.asset.approval', `${assetName(a)} is ${a.approval}, not APPROVED`);
      // Fail closed: a licence that cannot be read now may narrow the rights to nothing.
      if (!rights.verified)
        return deny('partner.asset.unverified', `the licence that narrows the rights of ${assetName(a)} cannot be read now`);
      if (rights.status !== 'CLEARED') return deny('partner.asset.rights', `the effective rights of ${assetName(a)} are ${rights.status}`);
      const at = new Date(now).toISOString();
      if (!inWindow(rights, now)) {
        return deny(
          'partner.asset.rights',
          `the effective rights of ${assetName(a)} (${rights.validFrom ?? '-'} to ${rights.validUntil ?? '-'}) are not in force at ${at}`,
        );
      }
      if (!territoryOverlaps(rights.territories, p.regions)) {
        return deny(
          'partner.asset.territory',
          `the effective territories of ${assetName(a)} (${list(rights.territories)}) include none of the reader's regions (${list(p.regions)})`,
        );
      }
      if (!rights.channels.includes('partner')) {
        return deny('partner.asset.channel', `the effective channels of ${assetName(a)} (${list(rights.channels)}) do not include partner`);
      }
      // Implied by the checks above when the rights were computed at `now`; kept so rights
      // computed elsewhere and found not in force can never be overruled here.
      if (!rights.inForce) return deny('partner.asset.rights', `the effective rights of ${assetName(a)} are not in force`);
      const seen = assetOwnerSeen(role, p, owners);
      if (!seen.allowed)
        return deny('partner.asset.owner', `${assetName(a)} is not of a campaign the reader sees or of their own account (${seen.rule})`);
      return allow(
        'partner.asset.cleared',
        `${assetName(a)} is APPROVED and cleared for partner use in ${list(rights.territories)} at ${at}, ${seen.rule}`,
      );
    }
    default:
      return unknownRole(role);
  }
}

/** Whether the reader sees the campaign. */
export function campaignDecision(p: Principal | null, c: Campaign): Decision {
  return decideForRoles(p, (role, reader) => campaignRule(role, reader, c));
}

/** Whether the reader sees the account; `team` is the account workspace's team. */
export function accountDecision(p: Principal | null, a: Account, team: readonly Member[]): Decision {
  return decideForRoles(p, (role, reader) => accountRule(role, reader, a, team));
}

/** Whether the reader sees the document; `team` is the owner workspace's team. */
export function documentDecision(p: Principal | null, d: Document, owner: DocumentOwner, team: readonly Member[]): Decision {
  return decideForRoles(p, (role, reader) => documentRule(role, reader, d, owner, team));
}

/**
 * Whether the reader sees the asset at `now`. `rights` are its effective rights (DAM rights
 * narrowed by the ECM licence, `effectiveRights`); their window is re-checked against `now`, so
 * rights computed a moment earlier (or cached) cannot keep an expired asset visible.
 */
export function assetDecision(p: Principal | null, a: Asset, rights: EffectiveRights, owners: AssetOwners, now: number): Decision {
  return decideForRoles(p, (role, reader) => assetRule(role, reader, a, rights, owners, now));
}

/** An object to explain access to, with the same inputs its visibility check takes. */
export type AccessTarget =
  | { kind: 'campaign'; campaign: Campaign }
  | { kind: 'account'; account: Account; team: readonly Member[] }
  | { kind: 'document'; document: Document; owner: DocumentOwner; team: readonly Member[] }
  | { kind: 'asset'; asset: Asset; rights: EffectiveRights; owners: AssetOwners };

/**
 * The decision `explainAccess(id, as)` reports: the same check the gateway enforces, for the
 * target principal `as`; a denial names the first failing rule. Callers gate it to audit readers.
 */
export function explainDecision(as: Principal | null, target: AccessTarget, now: number): Decision {
  switch (target.kind) {
    case 'campaign':
      return campaignDecision(as, target.campaign);
    case 'account':
      return accountDecision(as, target.account, target.team);
    case 'document':
      return documentDecision(as, target.document, target.owner, target.team);
    case 'asset':
      return assetDecision(as, target.asset, target.rights, target.owners, now);
  }
}
