/**
 * The demo world: one coherent company, generated deterministically from a seed, a scale and
 * an `asOf` day (rights and campaign dates are relative to it, so the world never goes stale).
 *
 * Nothing is materialized up front. Every record is a pure function of its position, and ids
 * encode positions (Content Server node ids carry the workspace index, DAM ids the asset
 * index), so a record can be produced by id in O(1) and `--scale 100` never holds the whole
 * world in memory. Iterators walk the world in order.
 *
 * This is the ground truth the simulators serve in each vendor's wire format; tests compare
 * what the connectors read back with it.
 */
import type {
  AccountKind,
  Approval,
  ApprovalStatus,
  AssetKind,
  BusinessObject,
  CampaignStatus,
  CanonicalMetadata,
  Classification,
  DamSystem,
  DocumentStatus,
  Region,
  RenditionKind,
  Rights,
  Territory,
  WorkspaceType,
} from '../../sources/model.ts';
import {
  ACCOUNT_ROLES,
  ACCOUNT_TEMPLATES,
  CAMPAIGN_ROLES,
  CAMPAIGN_TEMPLATES,
  COMPANY,
  DEMO_USERS,
  LEGAL_HOLDS,
  RETENTION_SCHEDULES,
  RM_CLASSIFICATIONS,
  STAFF_NAMES,
  type Role,
} from './catalog.ts';
import { hash32, hex, rngFor } from './rng.ts';

export interface WorldOptions {
  seed?: number;
  scale?: number;
  /** The day the world is "now" for (ISO date or date-time); defaults to today, UTC. */
  asOf?: string | Date;
}

const DAY = 86_400_000;
export const BLOCK_ACCOUNTS = ACCOUNT_TEMPLATES.length;
export const BLOCK_CAMPAIGNS = CAMPAIGN_TEMPLATES.length;
export const ASSETS_PER_BLOCK = { ICONIK: 150, NETX: 250, OTMM: 200 } as const satisfies Record<DamSystem, number>;
/** Node-id layout of the simulated Content Server (see `decodeNode`). */
export const NODE = {
  enterprise: 2000,
  campaignsFolder: 2100,
  accountsFolder: 2200,
  campaignBase: 10_000_000,
  accountBase: 50_000_000,
  stride: 1000,
} as const;
export const OTCS_ADMIN_USER_ID = 1000;
export const LOCALES = ['en-US', 'de-DE', 'fr-FR', 'ja-JP'] as const;

export interface DemoUser {
  /** Content Server user id. */
  userId: number;
  email: string;
  name: string;
  /** Roles for the demo sign-in; staff who are not demo users have none. */
  roles: Role[];
  org?: string;
  regions: Region[];
  demo: boolean;
}

export interface DemoMember {
  email: string;
  name: string;
  role: string;
  userId: number;
}

export interface DemoWorkspace {
  nodeId: number;
  parentId: number;
  name: string;
  type: WorkspaceType;
  /** Extended ECM workspace type id (see WORKSPACE_TYPE_IDS). */
  typeId: number;
  businessObject: BusinessObject;
  team: DemoMember[];
  createdAt: string;
  modifiedAt: string;
  /** Canonical metadata the workspace carries in its category. */
  metadata: CanonicalMetadata;
}
export const WORKSPACE_TYPE_IDS: Record<WorkspaceType, number> = { Campaign: 16, Customer: 17, Partner: 18 };

export interface DemoAccount {
  index: number;
  id: string;
  name: string;
  kind: AccountKind;
  region: Region;
  domain: string;
  businessObject: BusinessObject;
  workspaceId: number;
}

export interface DemoCampaign {
  index: number;
  code: string;
  name: string;
  status: CampaignStatus;
  productLine: string;
  project: string;
  regions: Region[];
  startDate: string;
  endDate: string;
  openToAllPartners: boolean;
  audience: string[];
  businessObject: BusinessObject;
  workspaceId: number;
}

export interface DemoFolder {
  nodeId: number;
  parentId: number;
  name: string;
  workspaceId: number;
  createdAt: string;
}

export type DocKind =
  | 'brief'
  | 'summary'
  | 'draft'
  | 'copy'
  | 'press'
  | 'productSheet'
  | 'playbook'
  | 'faq'
  | 'licence'
  | 'approvalRecord'
  | 'budget'
  | 'mediaPlan'
  | 'archived'
  | 'checklist'
  | 'meetingNotes'
  | 'announcement'
  | 'invitation'
  | 'proposal'
  | 'contract'
  | 'orderForm'
  | 'partnerAgreement'
  | 'priceList'
  | 'plan'
  | 'release';

export interface DemoVersion {
  number: number;
  fileName: string;
  mimeType: string;
  size: number;
  createdAt: string;
  createdBy: number;
  description: string;
}

export interface DemoRecord {
  rmClassificationId: number;
  classification: string;
  fileNumber: string;
  schedule: string;
  scheduleTitle: string;
  recordDate: string;
  dispositionDate: string;
  disposition: string;
  status: 'ACTIVE' | 'CLOSED';
}

export interface DemoAuditEntry {
  id: number;
  eventType: number;
  eventName: string;
  at: string;
  userId: number;
}

export interface DemoDocument {
  nodeId: number;
  parentId: number;
  workspaceId: number;
  name: string;
  kind: DocKind;
  mimeType: string;
  size: number;
  classification: Classification;
  status: DocumentStatus;
  metadata: CanonicalMetadata;
  versions: DemoVersion[];
  createdAt: string;
  modifiedAt: string;
  ownerId: number;
  record?: DemoRecord;
  holdIds: number[];
  workflow: Approval[];
  audit: DemoAuditEntry[];
  description: string;
}

export interface DemoTree {
  workspace: DemoWorkspace;
  folders: DemoFolder[];
  documents: DemoDocument[];
}

export type RightsCase =
  | 'cleared-world'
  | 'cleared-region'
  | 'pending-approval'
  | 'rejected'
  | 'expired'
  | 'not-yet-valid'
  | 'territory-restricted'
  | 'channel-restricted'
  | 'licence-expired'
  | 'licence-narrowed'
  | 'restricted-status'
  | 'expiring-soon';
/** Cycled over asset indexes (17 is prime, so every campaign meets every case). */
export const RIGHTS_CASES: readonly RightsCase[] = [
  'cleared-world',
  'pending-approval',
  'cleared-region',
  'expired',
  'cleared-world',
  'not-yet-valid',
  'territory-restricted',
  'cleared-world',
  'licence-expired',
  'rejected',
  'cleared-world',
  'channel-restricted',
  'licence-narrowed',
  'cleared-region',
  'restricted-status',
  'expiring-soon',
  'cleared-world',
];

export interface DemoRendition {
  kind: RenditionKind;
  mimeType: string;
  width?: number;
  height?: number;
}

export interface DemoAsset {
  system: DamSystem;
  index: number;
  nativeId: string;
  title: string;
  description: string;
  kind: AssetKind;
  mimeType: string;
  fileName: string;
  approval: ApprovalStatus;
  /** The DAM's own rights metadata (before any narrowing by an ECM licence). */
  rights: Rights;
  rightsCase: RightsCase;
  campaignCode?: string;
  accountId?: string;
  productLine: string;
  region?: Region;
  locale?: string;
  variantOf?: string;
  renditions: DemoRendition[];
  createdAt: string;
  modifiedAt: string;
  /** Colour seed for the generated images. */
  hue: number;
}

export interface DemoHold {
  id: number;
  name: string;
  type: string;
  reason: string;
  appliedAt: string;
}

/** Document template of a campaign workspace, by fixed offset (licences are referenced by assets). */
interface DocTemplate {
  offset: number;
  folder: number;
  kind: DocKind;
  name: (c: DemoCampaign, locale?: string) => string;
  classification: Classification;
  status: DocumentStatus;
  mime: 'application/pdf' | 'text/plain' | 'text/csv' | 'text/markdown';
  locale?: string;
}

const CAMPAIGN_FOLDERS = ['01 Brief', '02 Creative', '03 Legal and Licences', '04 Approvals', '05 Released', '06 Archive', 'Localized'];
/** `Localized` (offset 7) sits inside `05 Released`, so documents are found recursively. */
const CAMPAIGN_FOLDER_PARENT: Record<number, number> = { 7: 5 };
export const LICENCE_OFFSETS = { music: 30, talent: 31, stock: 32 } as const;

const CAMPAIGN_DOCS: readonly DocTemplate[] = [
  {
    offset: 10,
    folder: 1,
    kind: 'brief',
    name: (c) => `${c.name} - Campaign Brief.pdf`,
    classification: 'INTERNAL',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
  {
    offset: 11,
    folder: 1,
    kind: 'summary',
    name: () => 'Creative Brief Summary.pdf',
    classification: 'PARTNER',
    status: 'RELEASED',
    mime: 'application/pdf',
  },
  {
    offset: 12,
    folder: 1,
    kind: 'budget',
    name: () => 'Campaign Budget.csv',
    classification: 'CONFIDENTIAL',
    status: 'APPROVED',
    mime: 'text/csv',
  },
  {
    offset: 13,
    folder: 1,
    kind: 'mediaPlan',
    name: () => 'Media Plan.csv',
    classification: 'CONFIDENTIAL',
    status: 'DRAFT',
    mime: 'text/csv',
  },
  {
    offset: 14,
    folder: 1,
    kind: 'meetingNotes',
    name: () => 'Meeting Notes - Kickoff.md',
    classification: 'INTERNAL',
    status: 'RELEASED',
    mime: 'text/markdown',
  },
  {
    offset: 15,
    folder: 2,
    kind: 'draft',
    name: () => 'Key Messages (draft).pdf',
    classification: 'INTERNAL',
    status: 'DRAFT',
    mime: 'application/pdf',
  },
  {
    offset: 16,
    folder: 2,
    kind: 'copy',
    name: () => 'Social Copy.txt',
    classification: 'PARTNER',
    status: 'IN_REVIEW',
    mime: 'text/plain',
  },
  {
    offset: 17,
    folder: 2,
    kind: 'checklist',
    name: () => 'Launch Checklist.md',
    classification: 'INTERNAL',
    status: 'IN_REVIEW',
    mime: 'text/markdown',
  },
  {
    offset: 18,
    folder: 5,
    kind: 'press',
    name: (c) => `Press Release - ${c.name}.pdf`,
    classification: 'PUBLIC',
    status: 'RELEASED',
    mime: 'application/pdf',
  },
  {
    offset: 19,
    folder: 5,
    kind: 'playbook',
    name: () => 'Partner Playbook.pdf',
    classification: 'PARTNER',
    status: 'RELEASED',
    mime: 'application/pdf',
  },
  {
    offset: 20,
    folder: 5,
    kind: 'faq',
    name: () => 'Sales FAQ.pdf',
    classification: 'INTERNAL',
    status: 'RELEASED',
    mime: 'application/pdf',
  },
  {
    offset: 21,
    folder: 5,
    kind: 'announcement',
    name: () => 'Partner Announcement.pdf',
    classification: 'PARTNER',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
  {
    offset: 22,
    folder: 5,
    kind: 'invitation',
    name: () => 'Event Invitation.pdf',
    classification: 'PUBLIC',
    status: 'RELEASED',
    mime: 'application/pdf',
  },
  ...LOCALES.map((locale, i): DocTemplate => ({
    offset: 23 + i,
    folder: 7,
    kind: 'productSheet',
    locale,
    name: (c) => `Product Sheet - ${c.productLine} (${locale}).pdf`,
    classification: i % 2 === 0 ? 'PUBLIC' : 'PARTNER',
    status: 'RELEASED',
    mime: 'application/pdf',
  })),
  {
    offset: LICENCE_OFFSETS.music,
    folder: 3,
    kind: 'licence',
    name: () => 'Music Licence - Brightline Studios.pdf',
    classification: 'CONFIDENTIAL',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
  {
    offset: LICENCE_OFFSETS.talent,
    folder: 3,
    kind: 'licence',
    name: () => 'Talent Release - Lead Model.pdf',
    classification: 'CONFIDENTIAL',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
  {
    offset: LICENCE_OFFSETS.stock,
    folder: 3,
    kind: 'licence',
    name: () => 'Stock Photo Licence - Northlight Images.pdf',
    classification: 'INTERNAL',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
  {
    offset: 33,
    folder: 4,
    kind: 'approvalRecord',
    name: () => 'Approval Record - Creative Round 1.pdf',
    classification: 'INTERNAL',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
  {
    offset: 34,
    folder: 4,
    kind: 'approvalRecord',
    name: () => 'Approval Record - Creative Round 2.pdf',
    classification: 'INTERNAL',
    status: 'IN_REVIEW',
    mime: 'application/pdf',
  },
  {
    offset: 35,
    folder: 6,
    kind: 'archived',
    name: () => 'Retired Visual Guidelines.pdf',
    classification: 'PARTNER',
    status: 'ARCHIVED',
    mime: 'application/pdf',
  },
];

interface AccountDocTemplate {
  offset: number;
  folder: number;
  kind: DocKind;
  name: (a: DemoAccount) => string;
  classification: Classification;
  status: DocumentStatus;
  mime: DocTemplate['mime'];
  partnerOnly?: boolean;
}
const ACCOUNT_FOLDERS = ['01 Proposals', '02 Contracts', '03 Meeting Notes', '04 Partner Resources'];
export const ACCOUNT_LICENCE_OFFSET = 24;
const ACCOUNT_DOCS: readonly AccountDocTemplate[] = [
  {
    offset: 10,
    folder: 1,
    kind: 'proposal',
    name: () => 'Proposal - 2027 Fleet Refresh.pdf',
    classification: 'CONFIDENTIAL',
    status: 'IN_REVIEW',
    mime: 'application/pdf',
  },
  {
    offset: 11,
    folder: 1,
    kind: 'proposal',
    name: () => 'Proposal - Renewal.pdf',
    classification: 'CONFIDENTIAL',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
  {
    offset: 12,
    folder: 2,
    kind: 'contract',
    name: () => 'Master Services Agreement.pdf',
    classification: 'CONFIDENTIAL',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
  {
    offset: 13,
    folder: 2,
    kind: 'orderForm',
    name: () => 'Order Form 2026.pdf',
    classification: 'CONFIDENTIAL',
    status: 'RELEASED',
    mime: 'application/pdf',
  },
  {
    offset: 14,
    folder: 3,
    kind: 'meetingNotes',
    name: () => 'Meeting Notes - QBR Q1.md',
    classification: 'INTERNAL',
    status: 'RELEASED',
    mime: 'text/markdown',
  },
  {
    offset: 15,
    folder: 3,
    kind: 'meetingNotes',
    name: () => 'Meeting Notes - QBR Q2.md',
    classification: 'INTERNAL',
    status: 'RELEASED',
    mime: 'text/markdown',
  },
  {
    offset: 16,
    folder: 3,
    kind: 'meetingNotes',
    name: () => 'Meeting Notes - Executive Sync (draft).md',
    classification: 'INTERNAL',
    status: 'DRAFT',
    mime: 'text/markdown',
  },
  {
    offset: 17,
    folder: 1,
    kind: 'plan',
    name: (a) => `Account Plan - ${a.name}.pdf`,
    classification: 'INTERNAL',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
  {
    offset: 18,
    folder: 4,
    kind: 'partnerAgreement',
    name: () => 'Partner Agreement.pdf',
    classification: 'PARTNER',
    status: 'RELEASED',
    mime: 'application/pdf',
    partnerOnly: true,
  },
  {
    offset: 19,
    folder: 4,
    kind: 'priceList',
    name: () => 'Partner Price List.csv',
    classification: 'PARTNER',
    status: 'RELEASED',
    mime: 'text/csv',
    partnerOnly: true,
  },
  {
    offset: 20,
    folder: 4,
    kind: 'plan',
    name: () => 'Co-marketing Plan (draft).pdf',
    classification: 'PARTNER',
    status: 'DRAFT',
    mime: 'application/pdf',
    partnerOnly: true,
  },
  {
    offset: 21,
    folder: 4,
    kind: 'announcement',
    name: () => 'Logo Usage Guidelines.pdf',
    classification: 'PUBLIC',
    status: 'RELEASED',
    mime: 'application/pdf',
  },
  {
    offset: ACCOUNT_LICENCE_OFFSET,
    folder: 2,
    kind: 'release',
    name: (a) => `Testimonial Release - ${a.name}.pdf`,
    classification: 'CONFIDENTIAL',
    status: 'APPROVED',
    mime: 'application/pdf',
  },
];

const AUDIT_EVENTS = {
  create: { type: 1, name: 'Create' },
  addVersion: { type: 28, name: 'Add Version' },
  attribute: { type: 10, name: 'Attribute Value Changed' },
  permission: { type: 9, name: 'Permission Changed' },
  classification: { type: 264, name: 'Classification Applied' },
  fetch: { type: 4, name: 'Fetch' },
} as const;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** A generated demo world. All methods are pure and cheap; nothing is cached between calls. */
export class DemoWorld {
  readonly seed: number;
  readonly scale: number;
  /** Midnight UTC of the world's "today", in ms. */
  readonly asOf: number;
  readonly counts: { blocks: number; accounts: number; campaigns: number; assets: Record<DamSystem, number> };
  private readonly idPrefix: string;

  constructor(opts: WorldOptions = {}) {
    this.seed = opts.seed ?? 42;
    this.scale = Math.max(1, Math.floor(opts.scale ?? 1));
    if (this.scale > 4000) throw new RangeError('scale must be at most 4000 (node-id layout)');
    const asOf = opts.asOf === undefined ? new Date() : new Date(opts.asOf);
    if (Number.isNaN(asOf.getTime())) throw new RangeError(`asOf is not a date: ${String(opts.asOf)}`);
    this.asOf = Math.floor(asOf.getTime() / DAY) * DAY;
    this.counts = {
      blocks: this.scale,
      accounts: BLOCK_ACCOUNTS * this.scale,
      campaigns: BLOCK_CAMPAIGNS * this.scale,
      assets: {
        ICONIK: ASSETS_PER_BLOCK.ICONIK * this.scale,
        NETX: ASSETS_PER_BLOCK.NETX * this.scale,
        OTMM: ASSETS_PER_BLOCK.OTMM * this.scale,
      },
    };
    this.idPrefix = hex(hash32(this.seed, 'ids'), 8);
  }

  private day(offsetDays: number): number {
    return this.asOf + offsetDays * DAY;
  }

  // ---------------------------------------------------------------- people

  /** Staff and demo users; partner users are demo users too. Content Server ids from 8001. */
  *users(): Generator<DemoUser> {
    let userId = 8001;
    for (const u of DEMO_USERS) {
      const org = u.orgAccount === undefined ? undefined : this.account(u.orgAccount).id;
      yield {
        userId: userId++,
        email: u.email,
        name: u.name,
        roles: [...u.roles],
        regions: [...u.regions],
        demo: true,
        ...(org ? { org } : {}),
      };
    }
    for (let b = 0; b < this.scale; b++) {
      for (let s = 0; s < STAFF_NAMES.length; s++) yield this.staff(b, s);
    }
  }

  /** The demo users only (who can sign in). */
  demoUsers(): DemoUser[] {
    return [...this.users()].filter((u) => u.demo);
  }

  userById(userId: number): DemoUser | null {
    if (userId >= 8001 && userId < 8001 + DEMO_USERS.length) return this.demoUsers()[userId - 8001] ?? null;
    const k = userId - 9001;
    if (k < 0) return null;
    const b = Math.floor(k / STAFF_NAMES.length);
    if (b >= this.scale) return null;
    return this.staff(b, k % STAFF_NAMES.length);
  }

  userByEmail(email: string): DemoUser | null {
    const demo = this.demoUsers().find((u) => u.email === email.toLowerCase());
    if (demo) return demo;
    const m = /^([a-z]+)\.([a-z]+)(?:\.b(\d+))?@atrium\.example$/.exec(email.toLowerCase());
    if (!m) return null;
    const s = STAFF_NAMES.findIndex((n) => n.toLowerCase() === `${m[1]} ${m[2]}`);
    const b = m[3] ? Number(m[3]) : 0;
    if (s < 0 || b >= this.scale) return null;
    return this.staff(b, s);
  }

  private staff(block: number, s: number): DemoUser {
    const name = STAFF_NAMES[s] as string;
    const [first, last] = name.toLowerCase().split(' ');
    const suffix = block === 0 ? '' : `.b${block}`;
    return {
      userId: 9001 + block * STAFF_NAMES.length + s,
      email: `${first}.${last}${suffix}@${COMPANY.domain}`,
      name: block === 0 ? name : `${name} (${block + 1})`,
      roles: [],
      regions: [],
      demo: false,
    };
  }

  private demoUserId(email: string): number {
    return 8001 + DEMO_USERS.findIndex((u) => u.email === email);
  }

  // ---------------------------------------------------------------- accounts and campaigns

  account(index: number): DemoAccount {
    const t = ACCOUNT_TEMPLATES[index % BLOCK_ACCOUNTS];
    if (!t || index < 0 || index >= this.counts.accounts) throw new RangeError(`no account ${index}`);
    const block = Math.floor(index / BLOCK_ACCOUNTS);
    const id = `ACC-${1001 + index}`;
    return {
      index,
      id,
      name: block === 0 ? t.name : `${t.name} ${block + 1}`,
      kind: t.kind,
      region: t.region,
      domain: t.domain,
      businessObject: { system: 'SFDC', type: 'Account', id },
      workspaceId: NODE.accountBase + index * NODE.stride,
    };
  }

  accountById(id: string): DemoAccount | null {
    const m = /^ACC-(\d+)$/.exec(id);
    if (!m) return null;
    const index = Number(m[1]) - 1001;
    return index >= 0 && index < this.counts.accounts ? this.account(index) : null;
  }

  *accounts(): Generator<DemoAccount> {
    for (let i = 0; i < this.counts.accounts; i++) yield this.account(i);
  }

  campaign(index: number): DemoCampaign {
    const t = CAMPAIGN_TEMPLATES[index % BLOCK_CAMPAIGNS];
    if (!t || index < 0 || index >= this.counts.campaigns) throw new RangeError(`no campaign ${index}`);
    const block = Math.floor(index / BLOCK_CAMPAIGNS);
    const rng = rngFor(this.seed, 'campaign', index);
    const year = new Date(this.asOf).getUTCFullYear();
    const code = `CMP-${year}-${String(index + 1).padStart(this.scale >= 100 ? 5 : 3, '0')}`;
    let start: number;
    let end: number;
    switch (t.status) {
      case 'PLANNED':
        start = this.day(rng.int(20, 90));
        end = start + rng.int(60, 120) * DAY;
        break;
      case 'ACTIVE':
        start = this.day(-rng.int(10, 120));
        end = this.day(rng.int(30, 200));
        break;
      case 'CLOSED':
        end = this.day(-rng.int(10, 90));
        start = end - rng.int(60, 150) * DAY;
        break;
    }
    return {
      index,
      code,
      name: block === 0 ? t.name : `${t.name} ${block + 1}`,
      status: t.status,
      productLine: t.productLine,
      project: t.project,
      regions: [...t.regions],
      startDate: isoDay(start),
      endDate: isoDay(end),
      openToAllPartners: t.audience === 'open',
      audience: t.audience === 'open' ? [] : t.audience.map((a) => this.account(block * BLOCK_ACCOUNTS + a).id),
      businessObject: {
        system: 'SFDC',
        type: 'Campaign',
        id: `701${hex(hash32(this.seed, 'cmp', index), 8).toUpperCase()}${String(index).padStart(4, '0')}`,
      },
      workspaceId: NODE.campaignBase + index * NODE.stride,
    };
  }

  campaignByCode(code: string): DemoCampaign | null {
    const m = /^CMP-(\d{4})-(\d+)$/.exec(code);
    if (!m) return null;
    const index = Number(m[2]) - 1;
    if (index < 0 || index >= this.counts.campaigns) return null;
    const c = this.campaign(index);
    return c.code === code ? c : null;
  }

  *campaigns(): Generator<DemoCampaign> {
    for (let i = 0; i < this.counts.campaigns; i++) yield this.campaign(i);
  }

  // ---------------------------------------------------------------- workspaces

  private campaignTeam(c: DemoCampaign): DemoMember[] {
    const block = Math.floor(c.index / BLOCK_CAMPAIGNS);
    const local = c.index % BLOCK_CAMPAIGNS;
    const rng = rngFor(this.seed, 'campaign-team', c.index);
    const staff = rng.sample([...Array(STAFF_NAMES.length).keys()], 3).map((s) => this.staff(block, s));
    const team: DemoMember[] = staff.map((u, i) => ({ email: u.email, name: u.name, role: CAMPAIGN_ROLES[i] as string, userId: u.userId }));
    if (block === 0) {
      for (const u of DEMO_USERS) {
        if (u.campaignTeams?.includes(local)) {
          team.push({
            email: u.email,
            name: u.name,
            role: u.roles.includes('marketing') ? 'Brand Manager' : 'Regional Marketing',
            userId: this.demoUserId(u.email),
          });
        }
      }
    }
    return team;
  }

  private accountTeam(a: DemoAccount): DemoMember[] {
    const block = Math.floor(a.index / BLOCK_ACCOUNTS);
    const local = a.index % BLOCK_ACCOUNTS;
    const rng = rngFor(this.seed, 'account-team', a.index);
    const staff = rng.sample([...Array(STAFF_NAMES.length).keys()], 2).map((s) => this.staff(block, s));
    const team: DemoMember[] = staff.map((u, i) => ({
      email: u.email,
      name: u.name,
      role: ACCOUNT_ROLES[i + 1] as string,
      userId: u.userId,
    }));
    if (block === 0) {
      for (const u of DEMO_USERS) {
        if (u.accountTeams?.includes(local))
          team.unshift({ email: u.email, name: u.name, role: 'Account Executive', userId: this.demoUserId(u.email) });
      }
    }
    return team;
  }

  campaignWorkspace(c: DemoCampaign): DemoWorkspace {
    const rng = rngFor(this.seed, 'campaign-ws', c.index);
    const created = Date.parse(c.startDate) - rng.int(30, 90) * DAY;
    return {
      nodeId: c.workspaceId,
      parentId: NODE.campaignsFolder,
      name: `${c.name} (${c.code})`,
      type: 'Campaign',
      typeId: WORKSPACE_TYPE_IDS.Campaign,
      businessObject: c.businessObject,
      team: this.campaignTeam(c),
      createdAt: iso(created),
      modifiedAt: iso(Math.min(this.asOf - DAY, created + rng.int(5, 200) * DAY)),
      metadata: { campaignCode: c.code, productLine: c.productLine, project: c.project },
    };
  }

  accountWorkspace(a: DemoAccount): DemoWorkspace {
    const rng = rngFor(this.seed, 'account-ws', a.index);
    const created = this.day(-rng.int(400, 1500));
    const type: WorkspaceType = a.kind === 'PARTNER' ? 'Partner' : 'Customer';
    return {
      nodeId: a.workspaceId,
      parentId: NODE.accountsFolder,
      name: `${a.name} (${a.id})`,
      type,
      typeId: WORKSPACE_TYPE_IDS[type],
      businessObject: a.businessObject,
      team: this.accountTeam(a),
      createdAt: iso(created),
      modifiedAt: iso(this.day(-rng.int(1, 30))),
      metadata: { accountId: a.id, region: a.region },
    };
  }

  /** The workspace whose node-id block contains `nodeId`, or null. */
  workspaceOf(nodeId: number): { kind: 'campaign'; campaign: DemoCampaign } | { kind: 'account'; account: DemoAccount } | null {
    if (nodeId >= NODE.campaignBase && nodeId < NODE.campaignBase + this.counts.campaigns * NODE.stride) {
      return { kind: 'campaign', campaign: this.campaign(Math.floor((nodeId - NODE.campaignBase) / NODE.stride)) };
    }
    if (nodeId >= NODE.accountBase && nodeId < NODE.accountBase + this.counts.accounts * NODE.stride) {
      return { kind: 'account', account: this.account(Math.floor((nodeId - NODE.accountBase) / NODE.stride)) };
    }
    return null;
  }

  /** The whole content of one workspace: the workspace, its folders and documents. */
  tree(workspaceNodeId: number): DemoTree | null {
    const owner = this.workspaceOf(workspaceNodeId);
    if (!owner) return null;
    return owner.kind === 'campaign' ? this.campaignTree(owner.campaign) : this.accountTree(owner.account);
  }

  *workspaces(): Generator<DemoWorkspace> {
    for (const c of this.campaigns()) yield this.campaignWorkspace(c);
    for (const a of this.accounts()) yield this.accountWorkspace(a);
  }

  private campaignTree(c: DemoCampaign): DemoTree {
    const workspace = this.campaignWorkspace(c);
    const created = Date.parse(workspace.createdAt);
    const folders = CAMPAIGN_FOLDERS.map((name, i) => ({
      nodeId: c.workspaceId + i + 1,
      parentId: CAMPAIGN_FOLDER_PARENT[i + 1] ? c.workspaceId + (CAMPAIGN_FOLDER_PARENT[i + 1] as number) : c.workspaceId,
      name,
      workspaceId: c.workspaceId,
      createdAt: iso(created + DAY),
    }));
    const documents = CAMPAIGN_DOCS.map((t) => this.campaignDoc(c, workspace, t));
    return { workspace, folders, documents };
  }

  private accountTree(a: DemoAccount): DemoTree {
    const workspace = this.accountWorkspace(a);
    const created = Date.parse(workspace.createdAt);
    const folders = ACCOUNT_FOLDERS.map((name, i) => ({
      nodeId: a.workspaceId + i + 1,
      parentId: a.workspaceId,
      name,
      workspaceId: a.workspaceId,
      createdAt: iso(created + DAY),
    }));
    const documents = ACCOUNT_DOCS.filter((t) => !t.partnerOnly || a.kind === 'PARTNER').map((t) => this.accountDoc(a, workspace, t));
    return { workspace, folders, documents };
  }

  /** Licence terms of a campaign's licence documents (what assets' rights are narrowed by). */
  licenceTerms(
    c: DemoCampaign,
    offset: number,
  ): Pick<CanonicalMetadata, 'rightsStatus' | 'validFrom' | 'validUntil' | 'territories' | 'channels'> | null {
    switch (offset) {
      case LICENCE_OFFSETS.music:
        return {
          rightsStatus: 'CLEARED',
          validFrom: iso(this.day(-300)),
          validUntil: iso(this.day(400)),
          territories: ['WORLD'],
          channels: ['partner', 'web', 'social', 'broadcast', 'internal'],
        };
      case LICENCE_OFFSETS.talent:
        return {
          rightsStatus: 'EXPIRED',
          validFrom: iso(this.day(-400)),
          validUntil: iso(this.day(-20 - (c.index % 7))),
          territories: ['WORLD'],
          channels: ['partner', 'web', 'print', 'social'],
        };
      case LICENCE_OFFSETS.stock:
        return {
          rightsStatus: 'CLEARED',
          validFrom: iso(this.day(-200)),
          validUntil: iso(this.day(45 + (c.index % 20))),
          territories: [c.regions[0] as Region],
          channels: ['partner', 'web', 'print'],
        };
      default:
        return null;
    }
  }

  private accountLicenceTerms(
    a: DemoAccount,
  ): Pick<CanonicalMetadata, 'rightsStatus' | 'validFrom' | 'validUntil' | 'territories' | 'channels'> {
    const expired = a.index % 4 === 3;
    return {
      rightsStatus: expired ? 'EXPIRED' : 'CLEARED',
      validFrom: iso(this.day(-500)),
      validUntil: iso(this.day(expired ? -15 : 300 + a.index)),
      territories: ['WORLD'],
      channels: ['partner', 'web', 'internal'],
    };
  }

  private makeDoc(
    ws: DemoWorkspace,
    nodeId: number,
    parentId: number,
    kind: DocKind,
    name: string,
    classification: Classification,
    status: DocumentStatus,
    mime: DocTemplate['mime'],
    metadata: CanonicalMetadata,
    team: DemoMember[],
  ): DemoDocument {
    const rng = rngFor(this.seed, 'doc', nodeId);
    const created = Date.parse(ws.createdAt) + rng.int(2, 40) * DAY;
    const nVersions = rng.int(1, 4);
    const owner = (team[rng.int(0, team.length - 1)] ?? team[0])?.userId ?? OTCS_ADMIN_USER_ID;
    const versions: DemoVersion[] = [];
    let at = created;
    for (let v = 1; v <= nVersions; v++) {
      at = Math.min(this.asOf - 3600_000, at + rng.int(1, 20) * DAY + rng.int(0, 86_000) * 1000);
      versions.push({
        number: v,
        fileName: name,
        mimeType: mime,
        size: mime === 'application/pdf' ? 900 + name.length * 3 + v * 17 : 200 + name.length * 5 + v * 11,
        createdAt: iso(at),
        createdBy: (team[(v + rng.int(0, 5)) % Math.max(1, team.length)] ?? team[0])?.userId ?? owner,
        description: v === 1 ? 'Initial version' : `Revision ${v}`,
      });
    }
    const last = versions[versions.length - 1] as DemoVersion;
    const record = this.recordFor(kind, created);
    const holdIds = this.holdsFor(ws, kind, nodeId);
    const workflow = this.workflowFor(kind, status, versions, team, rng);
    const audit: DemoAuditEntry[] = [];
    let auditId = nodeId * 10;
    const push = (e: { type: number; name: string }, t: number, userId: number) =>
      audit.push({ id: auditId++, eventType: e.type, eventName: e.name, at: iso(t), userId });
    push(AUDIT_EVENTS.create, created, owner);
    for (const v of versions.slice(1)) push(AUDIT_EVENTS.addVersion, Date.parse(v.createdAt), v.createdBy);
    push(AUDIT_EVENTS.attribute, created + 3600_000, owner);
    if (record) push(AUDIT_EVENTS.classification, created + 7200_000, OTCS_ADMIN_USER_ID);
    if (classification === 'CONFIDENTIAL') push(AUDIT_EVENTS.permission, created + 10_800_000, OTCS_ADMIN_USER_ID);
    if (rng.chance(0.6)) push(AUDIT_EVENTS.fetch, Date.parse(last.createdAt) + 3600_000, (team[0] ?? { userId: owner }).userId);
    audit.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.id - y.id));
    return {
      nodeId,
      parentId,
      workspaceId: ws.nodeId,
      name,
      kind,
      mimeType: mime,
      size: last.size,
      classification,
      status,
      metadata: { ...metadata, classification, status },
      versions,
      createdAt: iso(created),
      modifiedAt: last.createdAt,
      ownerId: owner,
      ...(record ? { record } : {}),
      holdIds,
      workflow,
      audit,
      description: `${name.replace(/\.[a-z]+$/, '')} for ${ws.name}.`,
    };
  }

  private campaignDoc(c: DemoCampaign, ws: DemoWorkspace, t: DocTemplate): DemoDocument {
    const parentId = c.workspaceId + t.folder;
    const licence = t.kind === 'licence' ? this.licenceTerms(c, t.offset) : null;
    const metadata: CanonicalMetadata = {
      campaignCode: c.code,
      project: c.project,
      productLine: c.productLine,
      region: c.regions[0] as Region,
      ...(t.locale ? { locale: t.locale } : {}),
      ...(licence ?? {}),
    };
    return this.makeDoc(ws, c.workspaceId + t.offset, parentId, t.kind, t.name(c), t.classification, t.status, t.mime, metadata, ws.team);
  }

  private accountDoc(a: DemoAccount, ws: DemoWorkspace, t: AccountDocTemplate): DemoDocument {
    const metadata: CanonicalMetadata = { accountId: a.id, region: a.region, ...(t.kind === 'release' ? this.accountLicenceTerms(a) : {}) };
    return this.makeDoc(
      ws,
      a.workspaceId + t.offset,
      a.workspaceId + t.folder,
      t.kind,
      t.name(a),
      t.classification,
      t.status,
      t.mime,
      metadata,
      ws.team,
    );
  }

  private recordFor(kind: DocKind, created: number): DemoRecord | undefined {
    const cls =
      kind === 'contract' || kind === 'licence' || kind === 'release' || kind === 'orderForm' || kind === 'partnerAgreement'
        ? RM_CLASSIFICATIONS.legal
        : kind === 'budget' || kind === 'mediaPlan'
          ? RM_CLASSIFICATIONS.finance
          : kind === 'approvalRecord' || kind === 'brief'
            ? RM_CLASSIFICATIONS.marketing
            : kind === 'proposal' || kind === 'meetingNotes'
              ? RM_CLASSIFICATIONS.customer
              : undefined;
    if (!cls) return undefined;
    const schedule = RETENTION_SCHEDULES.find((s) => s.code === cls.schedule);
    if (!schedule) return undefined;
    const recordDate = new Date(created);
    const disposition = new Date(created);
    disposition.setUTCFullYear(disposition.getUTCFullYear() + schedule.years);
    return {
      rmClassificationId: cls.id,
      classification: cls.name,
      fileNumber: cls.fileNumber,
      schedule: schedule.code,
      scheduleTitle: schedule.title,
      recordDate: iso(recordDate.getTime()),
      dispositionDate: iso(disposition.getTime()),
      disposition: schedule.disposition,
      status: 'ACTIVE',
    };
  }

  private holdsFor(ws: DemoWorkspace, kind: DocKind, nodeId: number): number[] {
    // Contoso's contracts, every Helix campaign's licences, budgets of the first campaign of each block.
    const owner = this.workspaceOf(ws.nodeId);
    const holds: number[] = [];
    if (owner?.kind === 'account' && owner.account.index % BLOCK_ACCOUNTS === 1 && (kind === 'contract' || kind === 'orderForm'))
      holds.push(13);
    if (
      owner?.kind === 'campaign' &&
      owner.campaign.productLine === 'Helix Wearables' &&
      kind === 'licence' &&
      nodeId % NODE.stride === LICENCE_OFFSETS.talent
    )
      holds.push(14);
    if (owner?.kind === 'campaign' && owner.campaign.index % BLOCK_CAMPAIGNS === 0 && kind === 'budget') holds.push(15);
    return holds;
  }

  private workflowFor(
    kind: DocKind,
    status: DocumentStatus,
    versions: DemoVersion[],
    team: DemoMember[],
    rng: ReturnType<typeof rngFor>,
  ): Approval[] {
    if (!['brief', 'approvalRecord', 'licence', 'productSheet', 'press', 'contract', 'proposal', 'playbook'].includes(kind)) return [];
    const last = versions[versions.length - 1] as DemoVersion;
    const t0 = Date.parse(last.createdAt);
    const actor = (i: number) => (team[i % Math.max(1, team.length)] ?? { email: `legal@${COMPANY.domain}` }).email;
    const steps: Approval[] = [
      { step: 'Submit for review', decision: 'APPROVED', actor: actor(0), at: iso(t0 + 3600_000), version: last.number },
    ];
    if (status === 'IN_REVIEW' || status === 'DRAFT') {
      steps.push({ step: 'Brand review', decision: 'PENDING', actor: actor(1), at: iso(t0 + 7200_000), version: last.number });
      return steps;
    }
    if (versions.length > 1 && rng.chance(0.5)) {
      steps.splice(0, 0, {
        step: 'Brand review',
        decision: 'REJECTED',
        actor: actor(1),
        at: iso(Date.parse((versions[0] as DemoVersion).createdAt) + 7200_000),
        comment: 'Logo placement off-guideline; please revise.',
        version: 1,
      });
    }
    steps.push({
      step: 'Brand review',
      decision: 'APPROVED',
      actor: actor(1),
      at: iso(t0 + 2 * 3600_000),
      version: last.number,
      comment: 'Approved.',
    });
    steps.push({ step: 'Legal review', decision: 'APPROVED', actor: actor(2), at: iso(t0 + 5 * 3600_000), version: last.number });
    return steps;
  }

  /** A document, folder or workspace by Content Server node id. */
  node(
    nodeId: number,
  ):
    | { kind: 'workspace'; workspace: DemoWorkspace }
    | { kind: 'folder'; folder: DemoFolder }
    | { kind: 'document'; document: DemoDocument }
    | null {
    const owner = this.workspaceOf(nodeId);
    if (!owner) return null;
    const wsId = owner.kind === 'campaign' ? owner.campaign.workspaceId : owner.account.workspaceId;
    const tree = this.tree(wsId);
    if (!tree) return null;
    if (nodeId === wsId) return { kind: 'workspace', workspace: tree.workspace };
    const folder = tree.folders.find((f) => f.nodeId === nodeId);
    if (folder) return { kind: 'folder', folder };
    const document = tree.documents.find((d) => d.nodeId === nodeId);
    return document ? { kind: 'document', document } : null;
  }

  *documents(): Generator<DemoDocument> {
    for (const ws of this.workspaces()) yield* this.tree(ws.nodeId)?.documents ?? [];
  }

  holds(): DemoHold[] {
    return LEGAL_HOLDS.map((h) => ({
      id: h.id,
      name: h.name,
      type: h.type,
      reason: h.reason,
      appliedAt: iso(this.day(-h.appliedDaysAgo)),
    }));
  }

  // ---------------------------------------------------------------- assets

  /** Native id of asset `index` of a DAM, in that vendor's id format. */
  assetId(system: DamSystem, index: number): string {
    switch (system) {
      case 'ICONIK': {
        const h = hex(hash32(this.seed, 'iconik', Math.floor(index / 65536)), 8);
        return `${this.idPrefix}-${h.slice(0, 4)}-4${h.slice(4, 7)}-8${hex(index >>> 20, 3)}-${hex(index, 12)}`;
      }
      case 'NETX':
        return String(100_000 + index);
      case 'OTMM':
        return `${this.idPrefix}${hex(hash32(this.seed, 'otmm'), 8)}${hex(hash32(this.seed, 'otmm2'), 8)}0000${hex(index, 12)}`;
    }
  }

  /** Index of a native id, or -1 when it is not one of this world's. */
  assetIndex(system: DamSystem, nativeId: string): number {
    let index = -1;
    if (system === 'NETX') index = /^\d+$/.test(nativeId) ? Number(nativeId) - 100_000 : -1;
    else if (system === 'ICONIK')
      index = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/.test(nativeId) ? parseInt(nativeId.slice(-12), 16) : -1;
    else index = /^[0-9a-f]{40}$/.test(nativeId) ? parseInt(nativeId.slice(-12), 16) : -1;
    if (index < 0 || index >= this.counts.assets[system]) return -1;
    return this.assetId(system, index) === nativeId ? index : -1;
  }

  assetById(system: DamSystem, nativeId: string): DemoAsset | null {
    const i = this.assetIndex(system, nativeId);
    return i < 0 ? null : this.asset(system, i);
  }

  *assets(system?: DamSystem): Generator<DemoAsset> {
    for (const s of system ? [system] : (['ICONIK', 'NETX', 'OTMM'] as const)) {
      for (let i = 0; i < this.counts.assets[s]; i++) yield this.asset(s, i);
    }
  }

  /** Asset `index` of a DAM. */
  asset(system: DamSystem, index: number): DemoAsset {
    if (index < 0 || index >= this.counts.assets[system]) throw new RangeError(`no ${system} asset ${index}`);
    const block = Math.floor(index / ASSETS_PER_BLOCK[system]);
    const local = index % ASSETS_PER_BLOCK[system];
    const rng = rngFor(this.seed, 'asset', system, index);
    const campaignOf = (k: number) => this.campaign(block * BLOCK_CAMPAIGNS + (k % BLOCK_CAMPAIGNS));
    const accountOf = (k: number) => this.account(block * BLOCK_ACCOUNTS + (k % BLOCK_ACCOUNTS));
    const systemShift = system === 'ICONIK' ? 0 : system === 'NETX' ? 5 : 11;
    let rightsCase = RIGHTS_CASES[(local + systemShift) % RIGHTS_CASES.length] as RightsCase;
    let kind: AssetKind;
    let title: string;
    let mimeType: string;
    let ext: string;
    let campaign: DemoCampaign | undefined;
    let account: DemoAccount | undefined;
    let locale: string | undefined;
    let variantOf: string | undefined;

    if (system === 'ICONIK') {
      kind = 'VIDEO';
      mimeType = 'video/mp4';
      ext = 'mp4';
      if (local % 5 === 0) {
        account = accountOf(local / 5);
        const testimonial = (local / 5) % 2 === 1;
        title = testimonial ? `Customer Testimonial - ${account.name}` : `Product Demo for ${account.name}`;
        if (rightsCase === 'licence-expired' || rightsCase === 'licence-narrowed') rightsCase = 'cleared-world';
      } else {
        // Count only campaign videos, so every campaign gets some (not just the odd-indexed ones).
        campaign = campaignOf(local - Math.floor(local / 5));
        const cut = ['Hero Film 30s', 'Cutdown 15s', 'Social Teaser 6s', 'Behind the Scenes', 'Product Walkthrough', 'Event Recap'][
          rng.int(0, 5)
        ];
        title = `${campaign.name} - ${cut}`;
        if (local % 31 === 7) {
          kind = 'AUDIO';
          mimeType = 'audio/mpeg';
          ext = 'mp3';
          title = `${campaign.name} - Radio Spot 30s`;
        }
      }
    } else if (system === 'NETX') {
      if (local % 25 === 0) {
        account = accountOf(local / 25);
        kind = 'IMAGE';
        mimeType = 'image/png';
        ext = 'png';
        title = `Co-branded Logo - ${account.name}`;
        if (rightsCase === 'licence-expired' || rightsCase === 'licence-narrowed') rightsCase = 'cleared-world';
      } else {
        campaign = campaignOf(local);
        const pick = local % 10;
        if (pick < 6) {
          kind = 'IMAGE';
          mimeType = 'image/png';
          ext = 'png';
          title = `${campaign.name} - ${['Lifestyle Photo', 'Hero Image', 'Product Shot', 'Banner'][rng.int(0, 3)]} ${local}`;
        } else if (pick < 8) {
          kind = 'IMAGE';
          mimeType = 'image/png';
          ext = 'png';
          title = `${campaign.productLine} Logo Lockup ${local}`;
        } else if (pick < 9) {
          kind = 'DOCUMENT';
          mimeType = 'application/pdf';
          ext = 'pdf';
          title = `${campaign.name} - Brochure ${local}`;
        } else {
          kind = 'TEMPLATE';
          mimeType = 'application/pdf';
          ext = 'pdf';
          title = `${campaign.name} - Social Template ${local}`;
        }
      }
    } else {
      // OTMM: groups of four locale variants (the first is the master).
      const group = Math.floor(local / LOCALES.length);
      const v = local % LOCALES.length;
      campaign = campaignOf(group);
      locale = LOCALES[v];
      if (v > 0) variantOf = this.assetId(system, index - v);
      const insert = group % 3 === 2;
      kind = insert ? 'DOCUMENT' : 'IMAGE';
      mimeType = insert ? 'application/pdf' : 'image/png';
      ext = insert ? 'pdf' : 'png';
      title = insert
        ? `${campaign.productLine} Print Insert ${group} (${locale})`
        : `${campaign.productLine} Product Image ${group} (${locale})`;
    }

    const region = campaign ? (campaign.regions[rng.int(0, campaign.regions.length - 1)] as Region) : (account as DemoAccount).region;
    const rights = this.rightsFor(rightsCase, campaign, account, rng);
    const approval: ApprovalStatus = rightsCase === 'pending-approval' ? 'PENDING' : rightsCase === 'rejected' ? 'REJECTED' : 'APPROVED';
    const created = this.day(-rng.int(20, 400));
    const modified = Math.min(this.asOf - 3600_000, created + rng.int(0, 19) * DAY + rng.int(0, 86_000) * 1000);
    const nativeId = this.assetId(system, index);
    return {
      system,
      index,
      nativeId,
      title,
      description: `${title}. ${campaign ? `Campaign ${campaign.code}, ${campaign.productLine}.` : `Account ${account?.id}.`}`,
      kind,
      mimeType,
      fileName: `${slug(title)}.${ext}`,
      approval,
      rights,
      rightsCase,
      ...(campaign ? { campaignCode: campaign.code } : {}),
      ...(account ? { accountId: account.id } : {}),
      productLine: campaign?.productLine ?? 'Corporate',
      region,
      ...(locale ? { locale } : {}),
      ...(variantOf ? { variantOf } : {}),
      renditions: this.renditionsFor(kind, mimeType, rng),
      createdAt: iso(created),
      modifiedAt: iso(modified),
      hue: hash32(this.seed, nativeId) % 360,
    };
  }

  private rightsFor(
    rc: RightsCase,
    campaign: DemoCampaign | undefined,
    account: DemoAccount | undefined,
    rng: ReturnType<typeof rngFor>,
  ): Rights {
    const from = iso(this.day(-rng.int(60, 300)));
    const far = iso(this.day(rng.int(200, 700)));
    const home: Territory[] = campaign ? [...campaign.regions] : [(account as DemoAccount).region];
    const all = ['partner', 'web', 'print', 'social', 'internal'];
    const licence = (offset: number) => (campaign ? String(campaign.workspaceId + offset) : undefined);
    const base = (r: Partial<Rights>): Rights => ({
      status: 'CLEARED',
      validFrom: from,
      validUntil: far,
      territories: ['WORLD'],
      channels: all,
      ...r,
    });
    switch (rc) {
      case 'cleared-world': {
        // Some cleared assets cite the (valid, worldwide) music licence.
        const cite = campaign && rng.chance(0.3) ? { licenceId: licence(LICENCE_OFFSETS.music) as string } : {};
        return base(cite);
      }
      case 'cleared-region':
        return base({ territories: home });
      case 'pending-approval':
        return base({ status: 'PENDING' });
      case 'rejected':
        return base({ status: 'RESTRICTED', channels: ['internal'] });
      case 'expired':
        return base({ status: 'EXPIRED', validUntil: iso(this.day(-rng.int(1, 120))) });
      case 'not-yet-valid':
        return base({ validFrom: iso(this.day(rng.int(5, 60))) });
      case 'territory-restricted': {
        const others = (['EMEA', 'NA', 'APAC', 'LATAM'] as Region[]).filter((r) => !home.includes(r));
        return base({ territories: others.length ? [others[rng.int(0, others.length - 1)] as Region] : ['LATAM'] });
      }
      case 'channel-restricted':
        return base({ channels: ['internal', 'broadcast'] });
      case 'licence-expired':
        return base(campaign ? { licenceId: licence(LICENCE_OFFSETS.talent) as string } : {});
      case 'licence-narrowed':
        return base(campaign ? { licenceId: licence(LICENCE_OFFSETS.stock) as string } : {});
      case 'restricted-status':
        return base({ status: 'RESTRICTED', territories: home, channels: ['web'] });
      case 'expiring-soon':
        return base({ validUntil: iso(this.day(rng.int(7, 85)) + rng.int(0, 86_000) * 1000) });
    }
  }

  private renditionsFor(kind: AssetKind, mimeType: string, rng: ReturnType<typeof rngFor>): DemoRendition[] {
    const portrait = rng.chance(0.2);
    const [w, h] = portrait ? [1080, 1350] : [1920, 1080];
    const scaled = (max: number) =>
      portrait ? { width: Math.round((max * w) / h), height: max } : { width: max, height: Math.round((max * h) / w) };
    const list: DemoRendition[] = [
      { kind: 'THUMBNAIL', mimeType: 'image/png', ...scaled(180) },
      { kind: 'PREVIEW', mimeType: 'image/png', ...scaled(540) },
    ];
    if (kind === 'IMAGE') list.push({ kind: 'WEB', mimeType: 'image/png', ...scaled(1080) });
    if (kind === 'IMAGE') list.push({ kind: 'ORIGINAL', mimeType: 'image/png', width: w, height: h });
    else if (kind === 'VIDEO') list.push({ kind: 'ORIGINAL', mimeType, width: w, height: h });
    else list.push({ kind: 'ORIGINAL', mimeType });
    return list;
  }

  /** Assets of a campaign (by code) for a DAM, enumerated without scanning the world. */
  *campaignAssets(system: DamSystem, code: string): Generator<DemoAsset> {
    const c = this.campaignByCode(code);
    if (!c) return;
    const block = Math.floor(c.index / BLOCK_CAMPAIGNS);
    const start = block * ASSETS_PER_BLOCK[system];
    for (let i = start; i < start + ASSETS_PER_BLOCK[system]; i++) {
      const a = this.asset(system, i);
      if (a.campaignCode === code) yield a;
    }
  }
}

/** Build a world; options default to seed 42, scale 1, today. */
export function createWorld(opts: WorldOptions = {}): DemoWorld {
  return new DemoWorld(opts);
}
