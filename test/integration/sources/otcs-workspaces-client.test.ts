/** The workspace connector against the simulator: batching, filters at the source, paging, round trip, hostile keys. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { DemoAccount, DemoCampaign, DemoWorkspace } from '../../../simulators/demo/world.ts';
import { credentialCache } from '../../../sources/http/auth.ts';
import { createHttpClient } from '../../../sources/http/client.ts';
import { UpstreamError } from '../../../sources/http/errors.ts';
import type { Account, Campaign, Workspace } from '../../../sources/model.ts';
import { createWorkspaceReads } from '../../../sources/otcs/workspaces.ts';
import { simRequests, simReset, testWorld } from '../../helpers/world.ts';
import { BASE_PATH, startHarness, type Harness } from '../../helpers/otcs-workspaces.ts';

const LIST_ROUTE = `GET ${BASE_PATH}/api/v2/businessworkspaces`;
const HOSTILE = ['../x', '1?a=b', "x' OR '1'='1", 'a\r\nb', '%2e%2e', "') OR (id IN (10000000"];

function expectedCampaign(c: DemoCampaign): Campaign {
  return {
    code: c.code,
    name: c.name,
    status: c.status,
    productLine: c.productLine,
    regions: c.regions,
    startDate: c.startDate,
    endDate: c.endDate,
    openToAllPartners: c.openToAllPartners,
    audience: c.audience,
    project: c.project,
    businessObject: c.businessObject,
    workspaceId: String(c.workspaceId),
    workspace: expectedWorkspace(testWorld().campaignWorkspace(c)),
    source: { system: 'OTCS', nativeId: String(c.workspaceId) },
  };
}

function expectedAccount(a: DemoAccount): Account {
  return {
    id: a.id,
    name: a.name,
    kind: a.kind,
    region: a.region,
    businessObject: a.businessObject,
    workspaceId: String(a.workspaceId),
    workspace: expectedWorkspace(testWorld().accountWorkspace(a)),
    source: { system: 'OTCS', nativeId: String(a.workspaceId) },
  };
}

const byRoleEmail = (x: { role: string; email: string }, y: { role: string; email: string }) =>
  `${x.role}:${x.email}`.localeCompare(`${y.role}:${y.email}`);

/** Team order is not part of the contract: compare embedded workspaces with sorted teams. */
function sortedTeams<T extends { workspace?: Workspace } | null>(items: T[]): T[] {
  return items.map((x) => (x?.workspace ? { ...x, workspace: { ...x.workspace, team: [...x.workspace.team].sort(byRoleEmail) } } : x));
}

function expectedWorkspace(w: DemoWorkspace): Workspace {
  return {
    source: { system: 'OTCS', nativeId: String(w.nodeId) },
    name: w.name,
    type: w.type,
    businessObject: w.businessObject,
    team: w.team.map(({ email, name, role }) => ({ email, name, role })).sort(byRoleEmail),
    createdAt: new Date(w.createdAt).toISOString(),
    modifiedAt: new Date(w.modifiedAt).toISOString(),
    owner: w.metadata.campaignCode ? { campaignCode: w.metadata.campaignCode } : { accountId: w.metadata.accountId as string },
  };
}

describe('workspace connector', () => {
  let h: Harness;
  let campaigns: DemoCampaign[];
  let accounts: DemoAccount[];
  const requests = () => simRequests(h.url);
  before(async () => {
    h = await startHarness();
    campaigns = [...h.world.campaigns()];
    accounts = [...h.world.accounts()];
  });
  after(() => h.close());
  beforeEach(() => simReset(h.url));

  describe('batches', () => {
    it('getCampaigns of all codes is one request, in key order, equal to the world', async () => {
      const codes = campaigns.map((c) => c.code).reverse();
      const got = await h.reads.getCampaigns(codes);
      const log = await requests();
      assert.equal(log.length, 1);
      assert.equal(log[0]?.route, LIST_ROUTE);
      assert.deepEqual(
        sortedTeams(got),
        codes.map((code) => expectedCampaign(campaigns.find((c) => c.code === code) as DemoCampaign)),
      );
    });

    it('getCampaigns answers null for missing keys and repeats duplicates in place', async () => {
      const [a, b] = [campaigns[0]?.code as string, campaigns[4]?.code as string];
      const got = await h.reads.getCampaigns([b, 'CMP-1999-001', a, b]);
      assert.deepEqual(
        got.map((c) => c?.code ?? null),
        [b, null, a, b],
      );
      assert.equal((await requests()).length, 1);
    });

    it('getAccounts of all ids is one request, equal to the world', async () => {
      const got = await h.reads.getAccounts(accounts.map((a) => a.id));
      assert.equal((await requests()).length, 1);
      assert.deepEqual(sortedTeams(got), accounts.map(expectedAccount));
    });

    it('getWorkspaces of all 22 workspaces is one request, with teams, equal to the world', async () => {
      const world = [...h.world.workspaces()];
      assert.equal(world.length, 22);
      const got = await h.reads.getWorkspaces(world.map((w) => String(w.nodeId)));
      const log = await requests();
      assert.equal(log.length, 1);
      assert.equal(log[0]?.route, LIST_ROUTE);
      assert.deepEqual(
        got.map((w) => w && { ...w, team: [...w.team].sort(byRoleEmail) }),
        world.map(expectedWorkspace),
      );
      assert.ok(got.every((w) => (w?.team.length ?? 0) > 0));
    });

    it('getWorkspaces answers null for non-numeric ids without asking, and for unknown ones', async () => {
      assert.deepEqual(await h.reads.getWorkspaces(['abc', '1.5', '-3', '', '0x10']), [null, null, null, null, null]);
      assert.equal((await requests()).length, 0);
      const got = await h.reads.getWorkspaces(['10000001', '50000000', 'x']);
      assert.deepEqual(
        got.map((w) => w?.source.nativeId ?? null),
        [null, '50000000', null],
      );
      assert.equal((await requests()).length, 1);
    });

    it('empty key lists cost nothing', async () => {
      assert.deepEqual(await h.reads.getCampaigns([]), []);
      assert.deepEqual(await h.reads.getAccounts([]), []);
      assert.deepEqual(await h.reads.getWorkspaces([]), []);
      assert.equal((await requests()).length, 0);
    });
  });

  describe('filters at the source', () => {
    const codesOf = (page: { items: Campaign[] }) => page.items.map((c) => c.code).sort();

    it('ACTIVE campaigns shared with ACC-1001 (in the audience or open to all partners)', async () => {
      const page = await h.reads.listCampaigns({ statuses: ['ACTIVE'], audienceIncludes: 'ACC-1001' }, { first: 50 });
      const expected = campaigns.filter((c) => c.status === 'ACTIVE' && (c.openToAllPartners || c.audience.includes('ACC-1001')));
      assert.ok(expected.length > 0 && expected.length < campaigns.length);
      assert.deepEqual(codesOf(page), expected.map((c) => c.code).sort());
      assert.equal(page.total, expected.length);
      const log = await requests();
      assert.equal(log.length, 1);
      assert.match(
        decodeURIComponent(log[0]?.rawPath ?? ''),
        /where_column_query=Attr_9840_3 = 'ACTIVE' AND \(Attr_9840_9 = 'ACC-1001' OR Attr_9840_8 = 'true'\)/,
      );
    });

    it('regions, product lines, codes and text', async () => {
      const regions = await h.reads.listCampaigns({ regions: ['APAC', 'LATAM'] }, { first: 50 });
      assert.deepEqual(
        codesOf(regions),
        campaigns
          .filter((c) => c.regions.some((r) => r === 'APAC' || r === 'LATAM'))
          .map((c) => c.code)
          .sort(),
      );
      const lines = await h.reads.listCampaigns({ productLines: ['Helix Wearables'], statuses: ['PLANNED'] }, { first: 50 });
      assert.deepEqual(
        codesOf(lines),
        campaigns.filter((c) => c.productLine === 'Helix Wearables' && c.status === 'PLANNED').map((c) => c.code),
      );
      const text = await h.reads.listCampaigns({ text: 'nimbus' }, { first: 50 });
      assert.deepEqual(
        codesOf(text),
        campaigns
          .filter((c) => c.name.toLowerCase().includes('nimbus'))
          .map((c) => c.code)
          .sort(),
      );
      const codes = await h.reads.listCampaigns({ codes: [campaigns[1]?.code as string] }, { first: 50 });
      assert.deepEqual(codesOf(codes), [campaigns[1]?.code]);
    });

    it('an empty list in a filter matches nothing, without a request', async () => {
      assert.deepEqual(await h.reads.listCampaigns({ statuses: [] }, { first: 10 }), { items: [], total: 0 });
      assert.deepEqual(await h.reads.listAccounts({ ids: [] }, { first: 10 }), { items: [], total: 0 });
      assert.equal((await requests()).length, 0);
    });

    it('accounts whose team includes sales.emea@atrium.example', async () => {
      const email = 'sales.emea@atrium.example';
      const page = await h.reads.listAccounts({ memberEmail: email }, { first: 50 });
      const expected = accounts.filter((a) => h.world.accountWorkspace(a).team.some((m) => m.email === email));
      assert.ok(expected.length > 0);
      assert.deepEqual(page.items.map((a) => a.id).sort(), expected.map((a) => a.id).sort());
      assert.equal(page.total, expected.length);
      assert.equal((await requests()).length, 2, 'one member lookup, one listing');
      const nobody = await h.reads.listAccounts({ memberEmail: 'nobody@atrium.example' }, { first: 50 });
      assert.deepEqual(nobody, { items: [], total: 0 });
    });

    it('accounts by kind, region and text, across both account workspace types', async () => {
      const partners = await h.reads.listAccounts({ kinds: ['PARTNER'], regions: ['EMEA', 'APAC'] }, { first: 50 });
      assert.deepEqual(
        partners.items.map((a) => a.id).sort(),
        accounts
          .filter((a) => a.kind === 'PARTNER' && (a.region === 'EMEA' || a.region === 'APAC'))
          .map((a) => a.id)
          .sort(),
      );
      const everyone = await h.reads.listAccounts({}, { first: 50 });
      assert.equal(everyone.total, accounts.length);
      const text = await h.reads.listAccounts({ text: 'bank' }, { first: 50 });
      assert.deepEqual(
        text.items.map((a) => a.name),
        ['Woodgrove Bank'],
      );
    });
  });

  describe('paging', () => {
    it('walks listCampaigns with opaque cursors: each campaign once, totals right, one request per page', async () => {
      const seen: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await h.reads.listCampaigns({}, { first: 3, ...(after ? { after } : {}) });
        assert.equal(page.total, campaigns.length);
        seen.push(...page.items.map((c) => c.code));
        after = page.next;
        pages++;
      } while (after);
      assert.equal(pages, Math.ceil(campaigns.length / 3));
      assert.deepEqual([...seen].sort(), campaigns.map((c) => c.code).sort());
      assert.equal(new Set(seen).size, seen.length);
      assert.equal((await requests()).length, pages);
    });

    it('stays exact when the page size changes between pages', async () => {
      const one = await h.reads.listCampaigns({}, { first: 3 });
      const two = await h.reads.listCampaigns({}, { first: 4, after: one.next as string });
      const three = await h.reads.listCampaigns({}, { first: 10, after: two.next as string });
      const seen = [...one.items, ...two.items, ...three.items].map((c) => c.code);
      assert.equal(three.next, undefined);
      assert.deepEqual([...seen].sort(), campaigns.map((c) => c.code).sort());
    });

    it('starts at an absolute offset, on a page boundary or not', async () => {
      const full = (await h.reads.listCampaigns({}, { first: 50 })).items.map((c) => c.code);
      for (const [offset, first] of [
        [4, 4],
        [5, 4],
        [9, 3],
      ] as const) {
        const page = await h.reads.listCampaigns({}, { first, offset });
        const got = page.items.map((c) => c.code);
        assert.ok(got.length > 0, `offset ${offset}`);
        assert.deepEqual(got, full.slice(offset, offset + got.length), `offset ${offset}`);
        assert.equal(page.next !== undefined, offset + got.length < full.length);
      }
      await assert.rejects(
        h.reads.listCampaigns({}, { first: 3, offset: -1 }),
        (e: unknown) => e instanceof UpstreamError && e.kind === 'BAD_REQUEST',
      );
    });

    it('sorts by name descending when asked', async () => {
      const page = await h.reads.listCampaigns({}, { first: 50, sort: { field: 'name', direction: 'desc' } });
      const names = page.items.map((c) => c.name);
      assert.deepEqual(
        names,
        [...names].sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase())),
      );
    });
  });

  describe('hostile keys', () => {
    it('never change the requested resource and never match anything', async () => {
      assert.deepEqual(
        await h.reads.getCampaigns(HOSTILE),
        HOSTILE.map(() => null),
      );
      assert.deepEqual(
        await h.reads.getAccounts(HOSTILE),
        HOSTILE.map(() => null),
      );
      assert.deepEqual(
        await h.reads.getWorkspaces(HOSTILE),
        HOSTILE.map(() => null),
      );
      const shared = await h.reads.listCampaigns({ audienceIncludes: "x' OR '1'='1", statuses: ['ACTIVE'] }, { first: 50 });
      const open = campaigns
        .filter((c) => c.status === 'ACTIVE' && c.openToAllPartners)
        .map((c) => c.code)
        .sort();
      assert.deepEqual(shared.items.map((c) => c.code).sort(), open, 'only the open campaigns, nothing the injected OR would add');
      const byText = await h.reads.listAccounts({ text: '../x', kinds: ['PARTNER'] }, { first: 50 });
      assert.deepEqual(byText.items, []);
      const log = await requests();
      assert.equal(log.length, 4);
      for (const r of log) {
        assert.equal(r.route, LIST_ROUTE, r.rawPath);
        assert.equal(r.status, 200, r.rawPath);
        assert.ok(r.rawPath.startsWith(`${BASE_PATH}/api/v2/businessworkspaces?`), r.rawPath);
        assert.doesNotMatch(r.rawPath, /[\r\n]/);
      }
    });
  });

  describe('credentials', () => {
    it('turns a refused ticket into UNAUTHENTICATED after one renewal', async () => {
      const cache = credentialCache(async () => 'expired-ticket');
      const http = createHttpClient({
        system: 'OTCS',
        baseUrl: h.api,
        retries: 0,
        auth: { cache, headers: (t: string) => ({ OTCSTicket: t }) },
      });
      const reads = createWorkspaceReads({ http, mapping: h.mapping });
      await assert.rejects(
        reads.getCampaigns(['CMP-2026-001']),
        (e: unknown) => e instanceof UpstreamError && e.kind === 'UNAUTHENTICATED',
      );
      assert.equal(cache.logins, 2);
      assert.deepEqual(
        (await requests()).map((r) => r.status),
        [401, 401],
      );
    });
  });
});
