/**
 * The fixed parts of the demo company: the block of 12 accounts and 10 campaigns that the
 * world repeats `scale` times, the demo users, the retention schedules and legal holds.
 * Block 0 is the one the demo users belong to.
 */
import type { AccountKind, CampaignStatus, Region } from '../../sources/model.ts';

export const COMPANY = { name: 'Atrium Devices', domain: 'atrium.example' } as const;

export interface AccountTemplate {
  name: string;
  kind: AccountKind;
  region: Region;
  domain: string;
}
export const ACCOUNT_TEMPLATES: readonly AccountTemplate[] = [
  { name: 'Northwind Distribution', kind: 'PARTNER', region: 'EMEA', domain: 'northwind.example' },
  { name: 'Contoso Retail', kind: 'CUSTOMER', region: 'EMEA', domain: 'contoso.example' },
  { name: 'Sakura Media Partners', kind: 'PARTNER', region: 'APAC', domain: 'sakura-media.example' },
  { name: 'Fabrikam Industries', kind: 'CUSTOMER', region: 'NA', domain: 'fabrikam.example' },
  { name: 'Lumen Agency', kind: 'PARTNER', region: 'NA', domain: 'lumen-agency.example' },
  { name: 'Tailspin Outfitters', kind: 'CUSTOMER', region: 'NA', domain: 'tailspin.example' },
  { name: 'Andes Digital', kind: 'PARTNER', region: 'LATAM', domain: 'andes-digital.example' },
  { name: 'Woodgrove Bank', kind: 'CUSTOMER', region: 'EMEA', domain: 'woodgrove.example' },
  { name: 'Harbor Franchise Group', kind: 'PARTNER', region: 'APAC', domain: 'harbor-franchise.example' },
  { name: 'Alpine Ski House', kind: 'CUSTOMER', region: 'EMEA', domain: 'alpineskihouse.example' },
  { name: 'Coral Reef Resellers', kind: 'PARTNER', region: 'LATAM', domain: 'coralreef.example' },
  { name: 'Litware Health', kind: 'CUSTOMER', region: 'APAC', domain: 'litware.example' },
];

export const PRODUCT_LINES = ['Aurora Laptops', 'Nimbus Cloud', 'Vertex Phones', 'Helix Wearables'] as const;

export interface CampaignTemplate {
  name: string;
  productLine: (typeof PRODUCT_LINES)[number];
  status: CampaignStatus;
  regions: Region[];
  /** Account indexes within the block; `open` means open to all partners. */
  audience: number[] | 'open';
  project: string;
}
export const CAMPAIGN_TEMPLATES: readonly CampaignTemplate[] = [
  {
    name: 'Aurora X Spring Launch',
    productLine: 'Aurora Laptops',
    status: 'ACTIVE',
    regions: ['EMEA', 'NA'],
    audience: 'open',
    project: 'Aurora X',
  },
  { name: 'Nimbus for Retail', productLine: 'Nimbus Cloud', status: 'ACTIVE', regions: ['EMEA'], audience: [0], project: 'Nimbus Retail' },
  {
    name: 'Vertex 12 Pre-launch',
    productLine: 'Vertex Phones',
    status: 'PLANNED',
    regions: ['NA', 'APAC'],
    audience: [4, 2],
    project: 'Vertex 12',
  },
  {
    name: 'Helix Fitness Summer',
    productLine: 'Helix Wearables',
    status: 'ACTIVE',
    regions: ['APAC'],
    audience: [2, 8],
    project: 'Helix Fit',
  },
  {
    name: 'Aurora Back to School',
    productLine: 'Aurora Laptops',
    status: 'CLOSED',
    regions: ['NA', 'LATAM'],
    audience: 'open',
    project: 'Aurora Edu',
  },
  {
    name: 'Nimbus Partner Summit',
    productLine: 'Nimbus Cloud',
    status: 'ACTIVE',
    regions: ['EMEA', 'NA', 'APAC', 'LATAM'],
    audience: 'open',
    project: 'Summit',
  },
  {
    name: 'Vertex Holiday Gifting',
    productLine: 'Vertex Phones',
    status: 'ACTIVE',
    regions: ['LATAM'],
    audience: [6, 10],
    project: 'Vertex Holiday',
  },
  {
    name: 'Helix Corporate Wellness',
    productLine: 'Helix Wearables',
    status: 'PLANNED',
    regions: ['EMEA'],
    audience: 'open',
    project: 'Helix Corp',
  },
  {
    name: 'Aurora Creator Edition',
    productLine: 'Aurora Laptops',
    status: 'ACTIVE',
    regions: ['NA'],
    audience: [4],
    project: 'Aurora Creator',
  },
  {
    name: 'Nimbus Security Week',
    productLine: 'Nimbus Cloud',
    status: 'CLOSED',
    regions: ['EMEA'],
    audience: [0],
    project: 'Nimbus Secure',
  },
];

export type Role = 'partner' | 'sales' | 'marketing' | 'compliance' | 'admin';

export interface DemoUserTemplate {
  email: string;
  name: string;
  roles: Role[];
  /** Account index (block 0) of the partner's company. */
  orgAccount?: number;
  regions: Region[];
  /** Account indexes (block 0) whose workspace team the user is on. */
  accountTeams?: number[];
  /** Campaign indexes (block 0) whose workspace team the user is on. */
  campaignTeams?: number[];
}
const ALL_REGIONS: Region[] = ['EMEA', 'NA', 'APAC', 'LATAM'];
/** The demo users: every role, two partners of different companies and regions, two sales teams. */
export const DEMO_USERS: readonly DemoUserTemplate[] = [
  { email: 'admin@atrium.example', name: 'Ada Admin', roles: ['admin'], regions: ALL_REGIONS },
  { email: 'compliance@atrium.example', name: 'Chris Compliance', roles: ['compliance'], regions: ALL_REGIONS },
  { email: 'marketing@atrium.example', name: 'Maya Marketing', roles: ['marketing'], regions: ALL_REGIONS, campaignTeams: [0, 2, 4, 6, 8] },
  {
    email: 'sales.emea@atrium.example',
    name: 'Sven Sales',
    roles: ['sales'],
    regions: ['EMEA'],
    accountTeams: [0, 1, 7],
    campaignTeams: [1],
  },
  { email: 'sales.na@atrium.example', name: 'Nora Sales', roles: ['sales'], regions: ['NA'], accountTeams: [3, 4, 5], campaignTeams: [8] },
  { email: 'anna@northwind.example', name: 'Anna Lindqvist', roles: ['partner'], orgAccount: 0, regions: ['EMEA'] },
  { email: 'ben@northwind.example', name: 'Ben Okafor', roles: ['partner'], orgAccount: 0, regions: ['EMEA'] },
  { email: 'kenji@sakura-media.example', name: 'Kenji Watanabe', roles: ['partner'], orgAccount: 2, regions: ['APAC'] },
  { email: 'lucia@andes-digital.example', name: 'Lucía Ramírez', roles: ['partner'], orgAccount: 6, regions: ['LATAM'] },
  { email: 'leo@lumen-agency.example', name: 'Leo Park', roles: ['partner'], orgAccount: 4, regions: ['NA'] },
];

/** Staff who fill workspace teams beside the demo users (per block, with a block suffix past 0). */
export const STAFF_NAMES: readonly string[] = [
  'Olivia Owens',
  'Mateo Rossi',
  'Priya Nair',
  'Jonas Berg',
  'Aiko Tanaka',
  'Diego Alvarez',
  'Fatima Haddad',
  'Liam Murphy',
  'Zoe Laurent',
  'Noah Fischer',
  'Grace Kim',
  'Omar Siddiqui',
];

export const CAMPAIGN_ROLES = ['Campaign Manager', 'Brand Manager', 'Legal Reviewer', 'Creative Lead', 'Regional Marketing'] as const;
export const ACCOUNT_ROLES = ['Account Executive', 'Account Manager', 'Sales Engineer', 'Legal'] as const;

export interface RetentionSchedule {
  id: number;
  code: string;
  title: string;
  years: number;
  disposition: 'DESTROY' | 'ARCHIVE' | 'REVIEW';
}
export const RETENTION_SCHEDULES: readonly RetentionSchedule[] = [
  { id: 501, code: 'MKT-03', title: 'Marketing campaign records', years: 3, disposition: 'DESTROY' },
  { id: 502, code: 'LEG-10', title: 'Contracts and licences', years: 10, disposition: 'REVIEW' },
  { id: 503, code: 'FIN-07', title: 'Financial planning records', years: 7, disposition: 'DESTROY' },
  { id: 504, code: 'CRM-05', title: 'Customer correspondence', years: 5, disposition: 'ARCHIVE' },
];
export const RM_CLASSIFICATIONS: Record<string, { id: number; name: string; fileNumber: string; schedule: string }> = {
  marketing: { id: 41310, name: 'Marketing / Campaigns', fileNumber: '008-7-1-4-1-1', schedule: 'MKT-03' },
  legal: { id: 41320, name: 'Legal / Contracts and Licences', fileNumber: '008-7-1-4-1-2', schedule: 'LEG-10' },
  finance: { id: 41330, name: 'Finance / Budgets', fileNumber: '008-7-1-4-1-3', schedule: 'FIN-07' },
  customer: { id: 41340, name: 'Sales / Customer Records', fileNumber: '008-7-1-4-1-4', schedule: 'CRM-05' },
};

export interface HoldTemplate {
  id: number;
  name: string;
  type: string;
  reason: string;
  appliedDaysAgo: number;
}
export const LEGAL_HOLDS: readonly HoldTemplate[] = [
  {
    id: 13,
    name: 'HOLD-2026-CONTOSO',
    type: 'Litigation',
    reason: 'Contoso Retail v. Atrium Devices: contract dispute over 2025 order forms',
    appliedDaysAgo: 120,
  },
  {
    id: 14,
    name: 'HOLD-2026-FTC-ADS',
    type: 'Regulatory',
    reason: 'Regulatory inquiry into wearable fitness claims in advertising',
    appliedDaysAgo: 45,
  },
  { id: 15, name: 'HOLD-2026-AUDIT', type: 'Audit', reason: 'Annual financial audit: campaign spend records', appliedDaysAgo: 10 },
];
