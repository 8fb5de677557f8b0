/**
 * The scenarios: one GraphQL request shape per scenario and system. Atrium and the naive peer
 * serve the same schema and get the same query; Hive Gateway gets the closest query its
 * composed graph can express (README.md, "Hive mapping"), or none (n/a).
 */
import { assetId, campaignId } from '../access/ids.ts';
import type { GraphQLBody } from './load.ts';
import type { WorldFacts } from './world.ts';

/**
 * The systems a run can compare; `atrium-noaudit` is Atrium with AUDIT_ENABLED=false (the audit
 * trail's cost, side by side), `atrium-nojournal` with AUDIT_JOURNAL=false (the journal's cost;
 * asked for with --systems, not run by default).
 */
export type SystemName = 'atrium' | 'atrium-noaudit' | 'atrium-nojournal' | 'naive' | 'hive';
export const SYSTEMS: readonly SystemName[] = ['atrium', 'atrium-noaudit', 'atrium-nojournal', 'naive', 'hive'];
/** What a run compares unless --systems says otherwise. */
export const DEFAULT_SYSTEMS: readonly SystemName[] = ['atrium', 'atrium-noaudit', 'naive', 'hive'];

/** The request a system sends in a scenario: Atrium's variants send Atrium's. */
export function requestOf(s: Scenario, system: SystemName): RequestFn | null {
  return s.request[system] ?? (system.startsWith('atrium-') ? (s.request.atrium ?? null) : null);
}

/** The n-th request (0-based, across workers) that `worker` sends. */
export type RequestFn = (n: number, worker: number) => GraphQLBody;

/** One question asked of every system, with its floor and concurrency. */
export interface Scenario {
  id: string;
  title: string;
  /** Dependent upstream round trips a request needs at least: floor = latency × levels. */
  levels: number;
  concurrency: number;
  /** `load`: fixed-duration load. `cold`: first and second request of fresh processes. */
  mode: 'load' | 'cold';
  request: Partial<Record<SystemName, RequestFn | null>>;
  /** The demo user `worker` reads as (Atrium checks the token; the peers have no access policy). */
  reader(worker: number): string;
}

/** Sees everything: the same data the peers (which have no policy) return. */
export const ADMIN = 'admin@atrium.example';
/** A partner at Northwind (EMEA). */
export const PARTNER = 'anna@northwind.example';
/** Partner users of four different companies in the demo world. */
export const PARTNERS = [
  'anna@northwind.example',
  'kenji@sakura-media.example',
  'lucia@andes-digital.example',
  'leo@lumen-agency.example',
  'ben@northwind.example',
];

const SEARCH_TEXT = 'Aurora';

// ------------------------------------------------------------------ the graph's queries

/** Scenario 1, as the issue states it. */
export const CAMPAIGN_LIST = `{ campaigns(first: 20) { nodes { workspace { name } documents(first: 10) { totalCount nodes { name } } assets(first: 10) { nodes { title renditions { kind url } rights { status validUntil } } } } } }`;

/** A campaign page: one campaign by id with its workspace, documents, assets and accounts. */
export const CAMPAIGN_PAGE = `query Page($id: ID!) { campaign(id: $id) { name code status workspace { name }
  documents(first: 20) { totalCount nodes { name mimeType status } }
  assets(first: 20) { totalCount nodes { title kind renditions { kind url } rights { status validUntil territories } } }
  accounts { name kind region } } }`;

/** A partner's search: text, the partner channel and territory filter, totals and facets. */
export const PARTNER_SEARCH = `{ search(query: "${SEARCH_TEXT}", filter: { channels: ["partner"], territories: ["EMEA"] }, first: 20) {
  totalCount facets { field values { value count } } nodes { __typename ... on Document { name } ... on Asset { title } } } }`;

/** `count` aliased `asset(id:)` reads over the DAMs. */
export function aliasedAssets(facts: WorldFacts, count = 101): string {
  const fields = facts.assets.slice(0, count).map((a, i) => `a${i}: asset(id: "${assetId(a.system, a.nativeId)}") { title kind }`);
  return `{ ${fields.join(' ')} }`;
}

// ------------------------------------------------------------------ Hive Gateway's equivalents

const hiveAssets = (limit: number) => `
  iconikAssets(limit: ${limit}) { total objects { title proxies { name url } metadata { atrium_rights_status atrium_rights_valid_until } } }
  netxAssets(limit: ${limit}) { result { size results { name views { name url } attributes { Rights_Status Rights_Valid_Until } } } }
  otmmAssets(limit: "${limit}") { search_result_resource { search_result { total_hit_count } asset_list { name rendition_content { thumbnail_content { url } preview_content { url } } } } }`;

/** Hive's campaign list: workspaces joined to documents and each DAM's assets. */
export const HIVE_CAMPAIGN_LIST = `{ otcsCampaigns(limit: 20) { results { data { properties { name }
  documents(limit: "10") { collection { paging { total_count } } results { data { properties { name } } } }
  ${hiveAssets(10)} } } } }`;

/** Hive's campaign page, by the campaign's workspace id. */
export const HIVE_CAMPAIGN_PAGE = `query Page($id: Int!) { otcsWorkspace(id: $id) { results { data { properties { name }
  categories { _9840_2 _9840_3 }
  documents(limit: "20") { collection { paging { total_count } } results { data { properties { name mime_type } } } }
  ${hiveAssets(20)} } } } }`;

// Content Server's LQL for the partner filter, with the demo mapping's attribute ids.
const OTCS_PARTNER_WHERE = `OTSubType:144 AND Attr_9830_13:"partner" AND (Attr_9830_12:"EMEA" OR Attr_9830_12:"WORLD") AND "${SEARCH_TEXT}"`;

/** Hive's search: each source's own search side by side, filtered where the source can. */
export const HIVE_PARTNER_SEARCH = `{
  otcsSearch(input: { where: ${JSON.stringify(OTCS_PARTNER_WHERE)}, limit: "20", options: "facets" }) { collection { paging { total_count } } results { data { properties { name } } } }
  iconikSearch(limit: 20, input: { query: "${SEARCH_TEXT}", facets: ["media_type", "atrium_approval_status", "atrium_rights_status"],
    filter: { operator: "AND", terms: [{ name: "atrium_channels", value_in: ["partner"] }, { name: "atrium_territories", value_in: ["EMEA", "WORLD"] }] } }) {
    total objects { title } facets { media_type { buckets { key doc_count } } atrium_approval_status { buckets { key doc_count } } atrium_rights_status { buckets { key doc_count } } } }
  netxQuery(input: { params: [{ query: [{ operator: "and", exact: { attribute: "Channels", value: "partner" } }, { operator: "and", contains: { field: "name", value: "${SEARCH_TEXT}" } }] },
    { data: ["asset.id", "asset.base"], page: { startIndex: 0, size: 20 } }] }) { result { size results { name } } }
  otmmSearch(input: { keyword_query: "${SEARCH_TEXT}", limit: "20" }) { search_result_resource { search_result { total_hit_count } asset_list { name } } }
}`;

/** The same `count` assets as `aliasedAssets`, each read through its DAM's own root field. */
export function hiveAliasedAssets(facts: WorldFacts, count = 101): string {
  const fields = facts.assets.slice(0, count).map((a, i) => {
    switch (a.system) {
      case 'ICONIK':
        return `a${i}: iconikAsset(id: "${a.nativeId}") { title media_type }`;
      case 'OTMM':
        return `a${i}: otmmAsset(id: "${a.nativeId}") { asset_resource { asset { name } } }`;
      case 'NETX':
        return `a${i}: netxQuery(input: { params: [{ query: [{ operator: "and", exact: { field: "id", value: "${a.nativeId}" } }] }, { data: ["asset.id", "asset.base"] }] }) { result { results { name } } }`;
    }
  });
  return `{ ${fields.join(' ')} }`;
}

// ------------------------------------------------------------------ the scenario list

const fixed =
  (query: string): RequestFn =>
  () => ({ query });

/** The campaign page of the n-th campaign (round-robin over campaigns). */
function pageBy(facts: WorldFacts): Record<'graph' | 'hive', RequestFn> {
  const at = (n: number) => facts.campaigns[n % facts.campaigns.length] as WorldFacts['campaigns'][number];
  return {
    graph: (n) => ({ query: CAMPAIGN_PAGE, variables: { id: campaignId(at(n).code) } }),
    hive: (n) => ({ query: HIVE_CAMPAIGN_PAGE, variables: { id: at(n).workspaceId } }),
  };
}

/** Run-wide settings the scenarios take. */
export interface ScenarioOptions {
  concurrency: number;
}

/** Every scenario, by id; the runner decides which run at which scale. */
export function buildScenarios(facts: WorldFacts, opts: ScenarioOptions): Record<string, Scenario> {
  const c = opts.concurrency;
  const page = pageBy(facts);
  const admin = () => ADMIN;
  const aliased = aliasedAssets(facts);
  const hiveAliased = hiveAliasedAssets(facts);
  const list: Scenario = {
    id: 'campaign-list',
    title: 'campaign list (20 campaigns × docs, assets, rights)',
    levels: 3,
    concurrency: c,
    mode: 'load',
    request: {
      atrium: fixed(CAMPAIGN_LIST),
      'atrium-noaudit': fixed(CAMPAIGN_LIST),
      naive: fixed(CAMPAIGN_LIST),
      hive: fixed(HIVE_CAMPAIGN_LIST),
    },
    reader: admin,
  };
  return {
    'campaign-list': list,
    'campaign-page': {
      id: 'campaign-page',
      title: 'campaign page (20 docs, 20 assets, accounts)',
      levels: 3,
      concurrency: c,
      mode: 'load',
      request: { atrium: page.graph, 'atrium-noaudit': page.graph, naive: page.graph, hive: page.hive },
      reader: admin,
    },
    'partner-search': {
      id: 'partner-search',
      title: 'partner search with facets',
      levels: 1,
      concurrency: c,
      mode: 'load',
      request: {
        atrium: fixed(PARTNER_SEARCH),
        'atrium-noaudit': fixed(PARTNER_SEARCH),
        naive: fixed(PARTNER_SEARCH),
        hive: fixed(HIVE_PARTNER_SEARCH),
      },
      reader: () => PARTNER,
    },
    'aliased-assets': {
      id: 'aliased-assets',
      title: '101 aliased asset(id:) reads',
      levels: 1,
      concurrency: c,
      mode: 'load',
      request: { atrium: fixed(aliased), 'atrium-noaudit': fixed(aliased), naive: fixed(aliased), hive: fixed(hiveAliased) },
      reader: admin,
    },
    // Cold adds the logins (Content Server ticket, OTMM session) a fresh process makes first.
    'cold-warm': {
      ...list,
      id: 'cold-warm',
      title: 'campaign list, cold (1st request after start) vs warm (2nd)',
      levels: 4,
      concurrency: 1,
      mode: 'cold',
    },
    // Each reader's answers are scoped to their company, so nothing is shared across scopes.
    'readers-50': {
      ...list,
      id: 'readers-50',
      title: '50 concurrent partner readers, 4 companies: campaign list',
      concurrency: 50,
      reader: (w) => PARTNERS[w % PARTNERS.length] as string,
    },
    // One client at a time: growth is about latency as the data grows, not throughput.
    growth: { ...list, id: 'growth', title: 'growth: campaign list, 1 client', concurrency: 1 },
  };
}
