/** The Business Workspaces simulator over real HTTP: vendor conventions, filters, roles, members. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OTCS_ADMIN_USER_ID, type DemoWorkspace } from '../../../simulators/demo/world.ts';
import type { WireRole, WireMember, WireWorkspaceItem, WireWorkspaceList } from '../../../sources/otcs/wire.ts';
import { startHarness, type Harness } from '../../helpers/otcs-workspaces.ts';

type Collection = { collection: { paging: WireWorkspaceList['paging'] }; results: { data: { properties: WireMember } }[] };

const ids = (body: unknown) => (body as WireWorkspaceList).results.map((r) => r.data.properties.id);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('business workspaces simulator', () => {
  let h: Harness;
  let all: DemoWorkspace[];
  before(async () => {
    h = await startHarness();
    all = [...h.world.workspaces()];
  });
  after(() => h.close());

  describe('authentication', () => {
    for (const [label, ticket] of [
      ['no ticket', null],
      ['an unknown ticket', 'forged'],
    ] as const) {
      it(`answers ${label} with 401 and the CS error body on every route`, async () => {
        for (const path of [
          '/api/v2/businessworkspaces',
          '/api/v2/businessworkspaces/10000000',
          '/api/v2/businessworkspaces/10000000/roles',
          '/api/v2/members',
          '/api/v2/businessworkspacetypes',
        ]) {
          const res = await h.get(path, ticket);
          assert.equal(res.status, 401, path);
          assert.deepEqual(res.body, { error: 'Authentication Required', errorDetail: '' });
        }
      });
    }
  });

  describe('GET /api/v2/businessworkspaces', () => {
    it('pages to the end by following paging.actions.next, each workspace once', async () => {
      const seen: number[] = [];
      let href: string | undefined = '/api/v2/businessworkspaces?expanded_view=true&limit=5';
      let pages = 0;
      while (href) {
        const res = await h.get(href);
        assert.equal(res.status, 200);
        const body = res.body as WireWorkspaceList;
        assert.equal(body.paging.total_count, all.length);
        assert.equal(body.paging.page_total, Math.ceil(all.length / 5));
        assert.equal(body.paging.range_min, pages * 5 + 1);
        seen.push(...ids(body));
        href = body.paging.actions?.next?.href;
        pages++;
      }
      assert.equal(pages, Math.ceil(all.length / 5));
      assert.deepEqual(sorted(seen), sorted(all.map((w) => w.nodeId)));
    });

    it('repeats the last page for pages past the end, as pyxecm reports; or answers none when configured', async () => {
      const last = await h.get('/api/v2/businessworkspaces?limit=5&page=5');
      const beyond = await h.get('/api/v2/businessworkspaces?limit=5&page=9');
      assert.deepEqual(ids(beyond.body), ids(last.body));
      assert.equal((beyond.body as WireWorkspaceList).paging.actions?.next, undefined);
      const strict = await startHarness({ outOfRangePage: 'empty' });
      try {
        assert.deepEqual(ids((await strict.get('/api/v2/businessworkspaces?limit=5&page=9')).body), []);
      } finally {
        await strict.close();
      }
    });

    it('caps limit at 500 and rejects a non-numeric one', async () => {
      assert.equal(((await h.get('/api/v2/businessworkspaces?limit=100000')).body as WireWorkspaceList).paging.limit, 500);
      const bad = await h.get('/api/v2/businessworkspaces?limit=ten');
      assert.equal(bad.status, 400);
      assert.equal((bad.body as { error: string }).error, 'One or more parameters are invalid');
    });

    it('filters by workspace type id, type name prefix and name', async () => {
      const campaigns = all.filter((w) => w.type === 'Campaign').map((w) => w.nodeId);
      assert.deepEqual(sorted(ids((await h.get('/api/v2/businessworkspaces?where_workspace_type_id=16')).body)), sorted(campaigns));
      const customers = all.filter((w) => w.type === 'Customer').map((w) => w.nodeId);
      assert.deepEqual(sorted(ids((await h.get('/api/v2/businessworkspaces?where_workspace_type_name=cust')).body)), sorted(customers));
      const aurora = all.filter((w) => w.name.toLowerCase().includes('aurora')).map((w) => w.nodeId);
      assert.ok(aurora.length > 1);
      assert.deepEqual(sorted(ids((await h.get('/api/v2/businessworkspaces?where_name=contains_AURORA')).body)), sorted(aurora));
      const starts = all.filter((w) => w.name.startsWith('Nimbus')).map((w) => w.nodeId);
      assert.deepEqual(sorted(ids((await h.get('/api/v2/businessworkspaces?where_name=startswith_nimbus')).body)), sorted(starts));
    });

    it('sorts by name both ways', async () => {
      const names = (body: unknown) => (body as WireWorkspaceList).results.map((r) => r.data.properties.name);
      const asc = names((await h.get('/api/v2/businessworkspaces?sort=asc_name&limit=50')).body);
      assert.deepEqual(
        asc,
        [...all.map((w) => w.name)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
      );
      assert.deepEqual(names((await h.get('/api/v2/businessworkspaces?sort=desc_name&limit=50')).body), [...asc].reverse());
    });

    it('finds a workspace by business object, on the list and on the externalsystems path', async () => {
      const acc = h.world.accountById('ACC-1003');
      assert.ok(acc);
      const q = await h.get(
        '/api/v2/businessworkspaces?where_ext_system_id=SFDC&where_bo_type=Account&where_bo_id=ACC-1003&expanded_view=true',
      );
      assert.deepEqual(ids(q.body), [acc.workspaceId]);
      const alt = await h.get('/api/v2/externalsystems/SFDC/botypes/Account/boids/ACC-1003?metadata');
      assert.deepEqual(ids(alt.body), [acc.workspaceId]);
      assert.deepEqual(ids((await h.get('/api/v2/externalsystems/SFDC/botypes/Campaign/boids/ACC-1003')).body), []);
    });

    it('filters on category attributes with where_column_query, multi-valued ones by any value', async () => {
      const active = [...h.world.campaigns()].filter((c) => c.status === 'ACTIVE').map((c) => c.workspaceId);
      assert.deepEqual(
        sorted(ids((await h.get(`/api/v2/businessworkspaces?where_column_query=${encodeURIComponent("Attr_9840_3='ACTIVE'")}`)).body)),
        sorted(active),
      );
      const apac = [...h.world.campaigns()].filter((c) => c.regions.includes('APAC')).map((c) => c.workspaceId);
      const q = encodeURIComponent("Attr_9840_5 IN ('APAC')");
      assert.deepEqual(sorted(ids((await h.get(`/api/v2/businessworkspaces?where_column_query=${q}`)).body)), sorted(apac));
      const bad = await h.get(`/api/v2/businessworkspaces?where_column_query=${encodeURIComponent("Attr_9840_3 = 'ACTIVE")}`);
      assert.equal(bad.status, 400);
      assert.match((bad.body as { errorDetail: string }).errorDetail, /where_column_query/);
    });

    it('carries categories and teams for many workspaces at once with fields=categories and fields=roles', async () => {
      const res = await h.get(
        '/api/v2/businessworkspaces?where_workspace_type_id=16&fields=properties&fields=categories&fields=roles&limit=50',
      );
      for (const item of (res.body as WireWorkspaceList).results) {
        const c = h.world.campaign((item.data.properties.id - 10_000_000) / 1000);
        assert.equal(item.data.categories?.[0]?.['9840_2'], c.code);
        const team = (item.data.roles ?? []).flatMap((r) =>
          (r.data.members ?? []).map((m) => `${r.data.properties.name}:${m.business_email}`),
        );
        assert.deepEqual(
          team.sort(),
          h.world
            .campaignWorkspace(c)
            .team.map((m) => `${m.role}:${m.email}`)
            .sort(),
        );
      }
    });
  });

  describe('GET /api/v2/businessworkspaces/{id}', () => {
    it('answers results as an object with business properties and the world category values', async () => {
      const c = h.world.campaign(3);
      const res = await h.get(
        `/api/v2/businessworkspaces/${c.workspaceId}?fields=properties&fields=categories&fields=workspace_references`,
      );
      const item = (res.body as { results: WireWorkspaceItem }).results;
      assert.equal(item.data.properties.id, c.workspaceId);
      assert.equal(item.data.business_properties?.business_object_id, c.businessObject.id);
      assert.equal(item.data.workspace_references?.[0]?.business_object_id, c.businessObject.id);
      assert.deepEqual(item.data.categories, [
        {
          '9840_2': c.code,
          '9840_3': c.status,
          '9840_4': c.productLine,
          '9840_5': c.regions,
          '9840_6': `${c.startDate}T00:00:00`,
          '9840_7': `${c.endDate}T00:00:00`,
          '9840_8': c.openToAllPartners,
          '9840_9': c.audience,
          '9840_10': c.project,
        },
      ]);
      assert.doesNotMatch(String(item.data.properties.create_date), /Z$/);
    });

    it('answers results as a list with top-level paging when configured', async () => {
      const listy = await startHarness({ singleResultsAs: 'list', zonedDates: true });
      try {
        const body = (await listy.get('/api/v2/businessworkspaces/50000000')).body as {
          paging: { total_count: number };
          results: WireWorkspaceItem[];
        };
        assert.equal(body.paging.total_count, 1);
        assert.equal(body.results[0]?.data.properties.id, 50_000_000);
        assert.match(String(body.results[0]?.data.properties.create_date), /Z$/);
      } finally {
        await listy.close();
      }
    });

    it('answers an unknown or non-numeric id with the CS error body', async () => {
      for (const id of ['10000001', '99', 'abc', '1%3Fa%3Db']) {
        const res = await h.get(`/api/v2/businessworkspaces/${id}`);
        assert.equal(res.status, 400, id);
        assert.match((res.body as { error: string }).error, /^Could not get a node for /);
      }
    });
  });

  describe('roles and members', () => {
    const account = () => h.world.accountWorkspace(h.world.account(0));

    it('lists roles, with members only when fields=members', async () => {
      const ws = account();
      const bare = (await h.get(`/api/v2/businessworkspaces/${ws.nodeId}/roles`)).body as { results: WireRole[] };
      assert.ok(bare.results.every((r) => r.data.members === undefined));
      const full = (await h.get(`/api/v2/businessworkspaces/${ws.nodeId}/roles?fields=members`)).body as { results: WireRole[] };
      const got = full.results.flatMap((r) => (r.data.members ?? []).map((m) => `${r.data.properties.name}:${m.business_email}`));
      assert.deepEqual(got.sort(), ws.team.map((m) => `${m.role}:${m.email}`).sort());
    });

    it('lists the members of one role', async () => {
      const ws = account();
      const roles = ((await h.get(`/api/v2/businessworkspaces/${ws.nodeId}/roles`)).body as { results: WireRole[] }).results;
      const exec = roles.find((r) => r.data.properties.name === 'Account Executive');
      assert.ok(exec);
      const res = await h.get(`/api/v2/businessworkspaces/${ws.nodeId}/roles/${exec.data.properties.id}/members`);
      const emails = (res.body as { results: { data: { properties: WireMember } }[] }).results.map((r) => r.data.properties.business_email);
      assert.deepEqual(
        emails.sort(),
        ws.team
          .filter((m) => m.role === 'Account Executive')
          .map((m) => m.email)
          .sort(),
      );
      assert.ok(emails.length > 0);
      assert.equal((await h.get(`/api/v2/businessworkspaces/${ws.nodeId}/roles/1/members`)).status, 400);
    });

    it('caps members limit at 20 and pages the rest: the Admin, then the world users', async () => {
      const ids = [OTCS_ADMIN_USER_ID, ...[...h.world.users()].map((u) => u.userId)];
      assert.ok(ids.length > 20);
      const res = (await h.get('/api/v2/members?limit=100')).body as Collection;
      assert.equal(res.collection.paging.limit, 20);
      assert.equal(res.results.length, 20);
      assert.equal(res.collection.paging.total_count, ids.length);
      const rest = (await h.get('/api/v2/members?limit=100&page=2')).body as Collection;
      assert.deepEqual(
        [...res.results, ...rest.results].map((r) => r.data.properties.id),
        ids,
      );
      const small = await startHarness({ memberLimitCap: 5 });
      try {
        assert.equal(((await small.get('/api/v2/members?limit=100')).body as Collection).results.length, 5);
      } finally {
        await small.close();
      }
    });

    it('finds members by business email, name and query; and one member by id', async () => {
      const one = (await h.get('/api/v2/members?where_business_email=SALES.EMEA%40atrium.example')).body as Collection;
      assert.deepEqual(
        one.results.map((r) => r.data.properties.display_name),
        ['Sven Sales'],
      );
      const byQuery = (await h.get('/api/v2/members?query=northwind')).body as Collection;
      assert.deepEqual(byQuery.results.map((r) => r.data.properties.business_email).sort(), [
        'anna@northwind.example',
        'ben@northwind.example',
      ]);
      assert.equal(((await h.get('/api/v2/members?where_type=1')).body as Collection).results.length, 0);
      const id = one.results[0]?.data.properties.id;
      const single = (await h.get(`/api/v2/members/${id}`)).body as { results: { data: { properties: WireMember } } };
      assert.equal(single.results.data.properties.business_email, 'sales.emea@atrium.example');
      assert.equal((await h.get('/api/v2/members/12')).status, 400);
    });
  });

  describe('related items and workspace types', () => {
    it('relates a campaign to its audience accounts as children, and back as parent', async () => {
      const c = h.world.campaign(3);
      assert.ok(c.audience.length > 1);
      const res = (await h.get(`/api/v2/businessworkspaces/${c.workspaceId}/relateditems?where_relationtype=child`))
        .body as WireWorkspaceList;
      const expected = c.audience.map((id) => h.world.accountById(id)?.workspaceId ?? 0);
      assert.deepEqual(sorted(ids(res)), sorted(expected));
      assert.ok(res.results.every((r) => r.data.properties.rel_type === 'child'));
      const acc = h.world.accountById(c.audience[0] as string);
      assert.ok(acc);
      const parents = (await h.get(`/api/v2/businessworkspaces/${acc.workspaceId}/relateditems`)).body as WireWorkspaceList;
      const campaigns = [...h.world.campaigns()].filter((x) => x.audience.includes(acc.id)).map((x) => x.workspaceId);
      assert.deepEqual(sorted(ids(parents)), sorted(campaigns));
      assert.ok(parents.results.every((r) => r.data.properties.rel_type === 'parent'));
      assert.deepEqual(ids((await h.get(`/api/v2/businessworkspaces/${acc.workspaceId}/relateditems?where_relationtype=child`)).body), []);
    });

    it('lists the three workspace types, and wants ext_system_id and bo_type together', async () => {
      const res = (await h.get('/api/v2/businessworkspacetypes?expand_templates=true&expand_wksp_info=true')).body as {
        results: { data: { properties: { wksp_type_id: number } } }[];
      };
      assert.deepEqual(
        res.results.map((r) => r.data.properties.wksp_type_id),
        [16, 17, 18],
      );
      const campaignOnly = (await h.get('/api/v2/businessworkspacetypes?ext_system_id=SFDC&bo_type=Campaign')).body as typeof res;
      assert.deepEqual(
        campaignOnly.results.map((r) => r.data.properties.wksp_type_id),
        [16],
      );
      assert.equal((await h.get('/api/v2/businessworkspacetypes?ext_system_id=SFDC')).status, 400);
    });
  });
});
