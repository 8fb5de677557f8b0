/**
 * The security matrix (issue 5, Acceptance): every demo user on every path of the graph.
 * Expected sets come from the independent oracle (test/helpers/policy-fixtures.ts) applied
 * to the demo world at the stack's fixed clock; both directions are asserted: nothing outside
 * the policy is returned or counted, and everything inside is returned.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DemoUser } from '../../simulators/demo/world.ts';
import type { Stack } from '../helpers/stack.ts';
import {
  accounts,
  ask,
  askClean,
  assertFacets,
  assertSameIds,
  assets,
  AT,
  campaigns,
  chunks,
  docsOfWorkspace,
  documents,
  errorsByPath,
  expectedHits,
  gid,
  label,
  pageAll,
  rightsOf,
  searchAll,
  seenAccounts,
  seenAssets,
  seenCampaigns,
  seenDocuments,
  seesDocument,
  startReaderStack,
  users,
  world,
  type Conn,
  type GqlError,
  type SearchAnswer,
} from '../helpers/security.ts';

let stack: Stack;
before(async () => {
  stack = await startReaderStack();
});
after(() => stack.close());

const NOT_FOUND = 'NOT_FOUND';
const FORBIDDEN = 'FORBIDDEN';
const TEXT = 'Nimbus';

/** Admin's hits for the text query: everything that matches it (admin sees all), computed once. */
let textMatches: Promise<Set<string>> | undefined;
const matchesOfText = () => {
  textMatches ??= (async () => {
    const admin = users.find((u) => u.roles.includes('admin')) as DemoUser;
    const all = await searchAll(stack, admin, TEXT);
    return new Set(all.hits.map((h) => h.id));
  })();
  return textMatches;
};

/** What a search case matches regardless of the reader (undefined: everything). */
interface SearchCase {
  name: string;
  q: string | null;
  filter: Record<string, unknown> | null;
  within: () => Promise<Set<string> | undefined>;
}
const FILTER_CAMPAIGN = 'CMP-2026-006';
const SEARCH_CASES: SearchCase[] = [
  { name: 'search (no query)', q: null, filter: null, within: async () => undefined },
  { name: `search "${TEXT}"`, q: TEXT, filter: null, within: matchesOfText },
  {
    name: `search filtered to campaign ${FILTER_CAMPAIGN}`,
    q: null,
    filter: { campaignCodes: [FILTER_CAMPAIGN] },
    within: async () =>
      new Set([
        ...documents.filter((r) => r.demo.metadata.campaignCode === FILTER_CAMPAIGN).map(gid.document),
        ...assets.filter((r) => r.demo.campaignCode === FILTER_CAMPAIGN).map((r) => gid.asset(r.demo)),
      ]),
  },
];

/**
 * For an aliased by-id query: visible aliases answer their object; hidden ones are `null` with
 * a NOT_FOUND error at that alias (never FORBIDDEN, never anything else).
 */
function assertByIds(
  data: Record<string, { id: string } | null>,
  errors: GqlError[] | undefined,
  expected: Map<string, boolean>,
  ids: Map<string, string>,
  what: string,
): void {
  const errs = errorsByPath(errors);
  const wrong: string[] = [];
  for (const [alias, visible] of expected) {
    const id = ids.get(alias) as string;
    const got = data[alias];
    const e = errs.get(alias) ?? [];
    if (visible) {
      if (got?.id !== id)
        wrong.push(`${label(id)}: expected the object, got ${JSON.stringify(got)} ${JSON.stringify(e.map((x) => x.extensions?.code))}`);
    } else if (got !== null || e.length !== 1 || e[0]?.extensions?.code !== NOT_FOUND) {
      wrong.push(
        `${label(id)}: expected null with NOT_FOUND, got ${JSON.stringify(got)} ${JSON.stringify(e.map((x) => x.extensions?.code))}`,
      );
    }
  }
  assert.deepEqual(wrong, [], `${what}: by-id answers differ from the policy`);
  const stray = (errors ?? []).filter(
    (e) => !expected.has(String(e.path?.[0])) || expected.get(String(e.path?.[0])) || e.path?.length !== 1,
  );
  assert.deepEqual(stray, [], `${what}: errors other than NOT_FOUND for hidden ids`);
}

const ownerConn = (kind: 'campaign' | 'account', field: 'documents' | 'assets') => `query($id: ID!, $after: String) {
  ${kind}(id: $id) { ${field}(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }
}`;

// One stack and one shared cache for every reader: each one's answers must still be exactly theirs.
describe('every demo user on every path', () => {
  for (const u of users) {
    describe(`${u.email} [${u.roles.join(',')}${u.org ? ` ${u.org}` : ''} ${u.regions.join(',')}]`, () => {
      const myCampaigns = seenCampaigns(u);
      const myAccounts = seenAccounts(u);
      const myDocs = seenDocuments(u);
      const myAssets = seenAssets(u);
      const docIds = new Set(myDocs.map(gid.document));
      const assetIds = new Set(myAssets.map((r) => gid.asset(r.demo)));
      const campaignCodes = new Set(myCampaigns.map((r) => r.demo.code));
      const accountIds = new Set(myAccounts.map((r) => r.demo.id));

      test('the oracle gives this reader something to see and something to miss (the matrix is not vacuous)', () => {
        assert.ok(myCampaigns.length > 0 && myDocs.length > 0 && myAssets.length > 0);
        if (!u.roles.some((r) => r === 'admin' || r === 'compliance'))
          assert.ok(myDocs.length < documents.length || myAssets.length < assets.length);
      });

      test('campaigns: every page (nodes and totalCount), with nested document and asset totals', async () => {
        const { nodes, totalCount, pages } = await pageAll<{
          id: string;
          documents: { totalCount: number };
          assets: { totalCount: number };
        }>(
          stack,
          u,
          `query($after: String) { campaigns(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id documents(first: 100) { totalCount } assets(first: 100) { totalCount } } } }`,
          {},
          (d) => d.campaigns as Conn<never>,
        );
        assertSameIds(
          nodes.map((n) => n.id),
          myCampaigns.map(gid.campaign),
          'campaigns',
        );
        assert.equal(totalCount, myCampaigns.length, 'campaigns totalCount');
        assert.equal(pages, Math.max(1, Math.ceil(myCampaigns.length / 4)), 'pages of 4');
        for (const r of myCampaigns) {
          const n = nodes.find((x) => x.id === gid.campaign(r));
          assert.equal(
            n?.documents.totalCount,
            docsOfWorkspace(myDocs, r.demo.workspaceId).length,
            `${r.demo.code} documents.totalCount (list path)`,
          );
          assert.equal(
            n?.assets.totalCount,
            myAssets.filter((a) => a.demo.campaignCode === r.demo.code).length,
            `${r.demo.code} assets.totalCount (list path)`,
          );
        }
      });

      test('campaign(id) for every campaign, by global id and by code', async () => {
        const ids = new Map<string, string>();
        const q: string[] = [];
        const expected = new Map<string, boolean>();
        campaigns.forEach((r, i) => {
          for (const [alias, arg] of [
            [`g${i}`, gid.campaign(r)],
            [`c${i}`, r.demo.code],
          ] as const) {
            ids.set(alias, gid.campaign(r));
            expected.set(alias, campaignCodes.has(r.demo.code));
            q.push(`${alias}: campaign(id: ${JSON.stringify(arg)}) { id }`);
          }
        });
        const res = await ask<Record<string, { id: string } | null>>(stack, u, `{ ${q.join(' ')} }`);
        assertByIds(res.body.data ?? {}, res.body.errors, expected, ids, 'campaign(id)');
      });

      test('accounts: every page (nodes and totalCount), with nested document and asset totals', async () => {
        const { nodes, totalCount } = await pageAll<{ id: string; documents: { totalCount: number }; assets: { totalCount: number } }>(
          stack,
          u,
          `query($after: String) { accounts(first: 5, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id documents(first: 100) { totalCount } assets(first: 100) { totalCount } } } }`,
          {},
          (d) => d.accounts as Conn<never>,
        );
        assertSameIds(
          nodes.map((n) => n.id),
          myAccounts.map(gid.account),
          'accounts',
        );
        assert.equal(totalCount, myAccounts.length, 'accounts totalCount');
        for (const r of myAccounts) {
          const n = nodes.find((x) => x.id === gid.account(r));
          assert.equal(
            n?.documents.totalCount,
            docsOfWorkspace(myDocs, r.demo.workspaceId).length,
            `${r.demo.id} documents.totalCount (list path)`,
          );
          assert.equal(
            n?.assets.totalCount,
            myAssets.filter((a) => a.demo.accountId === r.demo.id).length,
            `${r.demo.id} assets.totalCount (list path)`,
          );
        }
      });

      test('account(id) for every account, by global id and by CRM id', async () => {
        const ids = new Map<string, string>();
        const q: string[] = [];
        const expected = new Map<string, boolean>();
        accounts.forEach((r, i) => {
          for (const [alias, arg] of [
            [`g${i}`, gid.account(r)],
            [`c${i}`, r.demo.id],
          ] as const) {
            ids.set(alias, gid.account(r));
            expected.set(alias, accountIds.has(r.demo.id));
            q.push(`${alias}: account(id: ${JSON.stringify(arg)}) { id }`);
          }
        });
        const res = await ask<Record<string, { id: string } | null>>(stack, u, `{ ${q.join(' ')} }`);
        assertByIds(res.body.data ?? {}, res.body.errors, expected, ids, 'account(id)');
      });

      test('documents and assets of every visible campaign and account: every node, every page, exact totals', async () => {
        const owners = [
          ...myCampaigns.map((r) => ({
            kind: 'campaign' as const,
            id: gid.campaign(r),
            ws: r.demo.workspaceId,
            assets: myAssets.filter((a) => a.demo.campaignCode === r.demo.code),
          })),
          ...myAccounts.map((r) => ({
            kind: 'account' as const,
            id: gid.account(r),
            ws: r.demo.workspaceId,
            assets: myAssets.filter((a) => a.demo.accountId === r.demo.id),
          })),
        ];
        // Every owner in one aliased query (first pages); any list longer than a page is paged on its own.
        const CONN = 'totalCount pageInfo { hasNextPage endCursor } nodes { id }';
        const first = await askClean<Record<string, Record<'documents' | 'assets', Conn<{ id: string }>> | null>>(
          stack,
          u,
          `{ ${owners.map((o, i) => `o${i}: ${o.kind}(id: "${o.id}") { documents(first: 100) { ${CONN} } assets(first: 100) { ${CONN} } }`).join(' ')} }`,
        );
        for (const [i, o] of owners.entries()) {
          const got = first[`o${i}`];
          assert.ok(got, `${label(o.id)} is visible`);
          for (const field of ['documents', 'assets'] as const) {
            const conn: { nodes: { id: string }[]; totalCount: number } = got[field].pageInfo.hasNextPage
              ? await pageAll(
                  stack,
                  u,
                  ownerConn(o.kind, field),
                  { id: o.id },
                  (d) => (d[o.kind] as Record<string, Conn<{ id: string }>> | null)?.[field] ?? null,
                )
              : { nodes: got[field].nodes, totalCount: got[field].totalCount };
            const want = field === 'documents' ? docsOfWorkspace(myDocs, o.ws).map(gid.document) : o.assets.map((a) => gid.asset(a.demo));
            assertSameIds(
              conn.nodes.map((n) => n.id),
              want,
              `${label(o.id)} ${field}`,
            );
            assert.equal(conn.totalCount, want.length, `${label(o.id)} ${field}.totalCount`);
          }
        }
      });

      test('Campaign.accounts, Campaign.audience and Account.campaigns hold only what the reader sees', async () => {
        const internal = u.roles.some((r) => r !== 'partner');
        const res = await ask<{
          campaigns: { nodes: { id: string; accounts: { id: string }[]; audience: { id: string }[] | null }[] };
          accounts: { nodes: { id: string; campaigns: { id: string }[] }[] };
        }>(
          stack,
          u,
          '{ campaigns(first: 100) { nodes { id accounts { id } audience { id } } } accounts(first: 100) { nodes { id campaigns { id } } } }',
        );
        const others = (res.body.errors ?? []).filter((e) => internal || e.extensions?.code !== FORBIDDEN || e.path?.at(-1) !== 'audience');
        assert.deepEqual(others, [], "no errors but FORBIDDEN on a partner's audiences");
        const data = res.body.data;
        assert.ok(data);
        for (const [i, n] of data.campaigns.nodes.entries()) {
          const c = myCampaigns.find((r) => gid.campaign(r) === n.id);
          assert.ok(c, `campaign ${label(n.id)} is outside the policy`);
          const shared = myAccounts.filter((a) =>
            c.demo.openToAllPartners ? a.demo.kind === 'PARTNER' : c.demo.audience.includes(a.demo.id),
          );
          assertSameIds(
            n.accounts.map((a) => a.id),
            shared.map(gid.account),
            `${c.demo.code}.accounts`,
          );
          if (internal)
            assertSameIds(
              (n.audience ?? []).map((a) => a.id),
              myAccounts.filter((a) => c.demo.audience.includes(a.demo.id)).map(gid.account),
              `${c.demo.code}.audience`,
            );
          else assert.equal(n.audience, null, `${c.demo.code}.audience for a partner`);
          const auErr = errorsByPath(res.body.errors).get(`campaigns.nodes.${i}.audience`);
          assert.deepEqual(
            auErr?.map((e) => e.extensions?.code),
            internal ? undefined : [FORBIDDEN],
            `${c.demo.code}.audience error`,
          );
        }
        for (const n of data.accounts.nodes) {
          const a = myAccounts.find((r) => gid.account(r) === n.id);
          assert.ok(a, `account ${label(n.id)} is outside the policy`);
          const want = myCampaigns.filter(
            (c) => c.demo.audience.includes(a.demo.id) || (a.demo.kind === 'PARTNER' && c.demo.openToAllPartners),
          );
          assertSameIds(
            n.campaigns.map((c) => c.id),
            want.map(gid.campaign),
            `${a.demo.id}.campaigns`,
          );
        }
      });

      test('document(id) for every document (all workspaces: confidential, licences, drafts), with its workspace', async () => {
        for (const part of chunks(documents, 100)) {
          const ids = new Map<string, string>();
          const expected = new Map<string, boolean>();
          const q = part.map((r, i) => {
            ids.set(`d${i}`, gid.document(r));
            expected.set(`d${i}`, docIds.has(gid.document(r)));
            return `d${i}: document(id: "${gid.document(r)}") { id workspace { id } }`;
          });
          const res = await ask<Record<string, { id: string; workspace: { id: string } | null } | null>>(stack, u, `{ ${q.join(' ')} }`);
          const data = res.body.data ?? {};
          assertByIds(data, res.body.errors, expected, ids, 'document(id)');
          part.forEach((r, i) => {
            const d = data[`d${i}`];
            if (d) assert.equal(d.workspace?.id, gid.workspace(r.demo.workspaceId), `${label(d.id)}.workspace`);
          });
        }
      });

      test('asset(id) for every asset of every DAM, with campaign, account, effective rights, licence and variants', async () => {
        const rows = assets;
        for (const part of chunks(rows, 100)) {
          const ids = new Map<string, string>();
          const expected = new Map<string, boolean>();
          const q = part.map((r, i) => {
            ids.set(`a${i}`, gid.asset(r.demo));
            expected.set(`a${i}`, assetIds.has(gid.asset(r.demo)));
            return `a${i}: asset(id: "${gid.asset(r.demo)}") { id campaign { id } account { id } rights { status validUntil territories channels licence { id } } variants { id } }`;
          });
          type A = {
            id: string;
            campaign: { id: string } | null;
            account: { id: string } | null;
            variants: { id: string }[] | null;
            rights: {
              status: string;
              validUntil: string | null;
              territories: string[];
              channels: string[];
              licence: { id: string } | null;
            };
          };
          const res = await ask<Record<string, A | null>>(stack, u, `{ ${q.join(' ')} }`);
          const data = res.body.data ?? {};
          assertByIds(data, res.body.errors, expected, ids, 'asset(id)');
          part.forEach((r, i) => {
            const got = data[`a${i}`];
            if (!got) return;
            const a = r.demo;
            const what = `${a.system}:${a.nativeId} (${a.rightsCase})`;
            assert.equal(
              got.campaign?.id ?? null,
              r.campaign && campaignCodes.has(r.campaign.demo.code) ? gid.campaign(r.campaign) : null,
              `${what}.campaign`,
            );
            assert.equal(
              got.account?.id ?? null,
              r.account && accountIds.has(r.account.demo.id) ? gid.account(r.account) : null,
              `${what}.account`,
            );
            const eff = rightsOf(a, AT);
            assert.deepEqual(
              {
                status: got.rights.status,
                validUntil: got.rights.validUntil ? Date.parse(got.rights.validUntil) : null,
                territories: [...got.rights.territories].sort(),
                channels: [...got.rights.channels].sort(),
              },
              {
                status: eff.status,
                validUntil: eff.validUntil ? Date.parse(eff.validUntil) : null,
                territories: [...eff.territories].sort(),
                channels: [...eff.channels].sort(),
              },
              `${what}.rights (effective, at the stack's clock)`,
            );
            const licence = a.rights.licenceId;
            assert.equal(
              got.rights.licence?.id ?? null,
              licence && seesDocument(u, Number(licence)) ? gid.documentNode(licence) : null,
              `${what}.rights.licence`,
            );
            const master = a.variantOf ?? a.nativeId;
            const variants =
              a.system === 'OTMM' && a.locale
                ? myAssets.filter(
                    (x) => x.demo.system === 'OTMM' && x.demo.nativeId !== a.nativeId && (x.demo.variantOf ?? x.demo.nativeId) === master,
                  )
                : [];
            assertSameIds(
              (got.variants ?? []).map((v) => v.id),
              variants.map((x) => gid.asset(x.demo)),
              `${what}.variants`,
            );
          });
        }
      });

      test('workspace(id) for every workspace and node(id) for a sample of every type', async () => {
        const items: { arg: string; id: string; typename: string; visible: boolean }[] = [
          ...campaigns.map((r) => ({
            arg: gid.campaign(r),
            id: gid.campaign(r),
            typename: 'Campaign',
            visible: campaignCodes.has(r.demo.code),
          })),
          ...accounts.map((r) => ({ arg: gid.account(r), id: gid.account(r), typename: 'Account', visible: accountIds.has(r.demo.id) })),
          ...campaigns.map((r) => ({
            arg: gid.workspace(r.demo.workspaceId),
            id: gid.workspace(r.demo.workspaceId),
            typename: 'Workspace',
            visible: campaignCodes.has(r.demo.code),
          })),
          ...accounts.map((r) => ({
            arg: gid.workspace(r.demo.workspaceId),
            id: gid.workspace(r.demo.workspaceId),
            typename: 'Workspace',
            visible: accountIds.has(r.demo.id),
          })),
          ...documents
            .filter((_, i) => i % 5 === 0)
            .map((r) => ({ arg: gid.document(r), id: gid.document(r), typename: 'Document', visible: docIds.has(gid.document(r)) })),
          ...assets
            .filter((_, i) => i % 7 === 0)
            .map((r) => ({ arg: gid.asset(r.demo), id: gid.asset(r.demo), typename: 'Asset', visible: assetIds.has(gid.asset(r.demo)) })),
        ];
        assert.ok(
          items.some((x) => x.visible) && items.some((x) => !x.visible || u.roles.includes('admin') || u.roles.includes('compliance')),
        );
        for (const part of chunks(items, 70)) {
          const ids = new Map<string, string>();
          const expected = new Map<string, boolean>();
          const q: string[] = [];
          part.forEach((x, i) => {
            ids.set(`n${i}`, x.id);
            expected.set(`n${i}`, x.visible);
            q.push(`n${i}: node(id: "${x.arg}") { __typename id }`);
            if (x.typename === 'Workspace') {
              ids.set(`w${i}`, x.id);
              expected.set(`w${i}`, x.visible);
              q.push(`w${i}: workspace(id: "${x.arg}") { id }`);
            }
          });
          const res = await ask<Record<string, { id: string; __typename?: string } | null>>(stack, u, `{ ${q.join(' ')} }`);
          const data = res.body.data ?? {};
          assertByIds(data, res.body.errors, expected, ids, 'node(id) / workspace(id)');
          part.forEach((x, i) => {
            const n = data[`n${i}`];
            if (n) assert.equal(n.__typename, x.typename, `${label(x.id)} __typename`);
          });
        }
      });

      // One search paged to the end per case, shared by the checks below (each direction its own test).
      const searches = new Map<string, Promise<{ got: SearchAnswer; want: string[]; within?: Set<string> }>>();
      const searchOf = (c: SearchCase) => {
        let s = searches.get(c.name);
        if (!s) {
          s = (async () => {
            const within = await c.within();
            const got = await searchAll(stack, u, c.q, c.filter);
            return { got, want: expectedHits(u, AT, within), ...(within ? { within } : {}) };
          })();
          searches.set(c.name, s);
        }
        return s;
      };
      for (const c of SEARCH_CASES) {
        const { name } = c;
        test(`${name}, paged to the end: nothing outside the policy is returned`, async () => {
          const { got } = await searchOf(c);
          const allowed = new Set(expectedHits(u, AT));
          assert.deepEqual(
            got.hits
              .map((h) => h.id)
              .filter((id) => !allowed.has(id))
              .map(label),
            [],
            `${name}: hits outside the policy`,
          );
          for (const h of got.hits)
            assert.equal(h.__typename === 'Document', h.source.system === 'OTCS', `${label(h.id)}: typename and system agree`);
        });
        test(`${name}: totalCount is the number of hits it yields when paging to the end`, async () => {
          const { got } = await searchOf(c);
          assert.equal(got.totalCount, got.hits.length, `${name}: totalCount vs hits yielded`);
        });
        test(`${name}: facets never count what the reader may not see; the system facet is what was returned per system`, async () => {
          const { got, within } = await searchOf(c);
          assertFacets(got.firstFacets, u, AT, got.hits, within, `${name} facets`);
        });
        test(`${name}: exactly what the reader sees of what it matches is returned and counted`, async () => {
          const { got, want } = await searchOf(c);
          assert.ok(want.length > 0, 'the search matches something this reader sees');
          assertSameIds(
            got.hits.map((h) => h.id),
            want,
            name,
          );
          assert.equal(got.totalCount, want.length, `${name}: totalCount vs the oracle`);
        });
      }

      test('field rules: workspace teams and campaign audiences for internal readers, audit fields for compliance and admin', async () => {
        const internal = u.roles.some((r) => r !== 'partner');
        const audit = u.roles.some((r) => r === 'admin' || r === 'compliance');
        // Teams, on campaign and account workspaces.
        const res = await ask<{
          campaigns: { nodes: { id: string; name: string; workspace: { id: string; team: { email: string }[] | null } }[] };
          accounts: { nodes: { id: string; workspace: { id: string; team: { email: string }[] | null } }[] };
        }>(
          stack,
          u,
          '{ campaigns(first: 100) { nodes { id name workspace { id team { email } } } } accounts(first: 100) { nodes { id workspace { id team { email } } } } }',
        );
        const errs = errorsByPath(res.body.errors);
        const data = res.body.data;
        assert.ok(data);
        const rows = [
          ...data.campaigns.nodes.map((n, i) => ({
            n,
            path: `campaigns.nodes.${i}.workspace.team`,
            row: myCampaigns.find((r) => gid.campaign(r) === n.id),
          })),
          ...data.accounts.nodes.map((n, i) => ({
            n,
            path: `accounts.nodes.${i}.workspace.team`,
            row: myAccounts.find((r) => gid.account(r) === n.id),
          })),
        ];
        assert.equal(rows.length, myCampaigns.length + myAccounts.length);
        for (const { n, path, row } of rows) {
          assert.ok(row, `${label(n.id)} outside the policy`);
          assert.equal(n.workspace.id, gid.workspace(row.demo.workspaceId), `${label(n.id)}: the rest of the answer is there`);
          if (internal) {
            assert.deepEqual(n.workspace.team?.map((m) => m.email).sort(), row.team.map((m) => m.email).sort(), `${label(n.id)} team`);
            assert.equal(errs.get(path), undefined);
          } else {
            assert.equal(n.workspace.team, null, `${label(n.id)}: no team for a partner`);
            assert.deepEqual(
              errs.get(path)?.map((e) => e.extensions?.code),
              [FORBIDDEN],
              `${label(n.id)}: FORBIDDEN on team`,
            );
          }
        }
        assert.equal(res.body.errors?.length ?? 0, internal ? 0 : rows.length, 'one FORBIDDEN per team asked, nothing else');

        // Audit fields, on a document the reader sees (with a record, holds and a workflow where possible).
        const rich =
          myDocs.find((r) => r.demo.record && r.demo.holdIds.length && r.demo.workflow.length) ??
          myDocs.find((r) => r.demo.workflow.length) ??
          myDocs[0];
        assert.ok(rich);
        const d = await ask<{
          document: {
            id: string;
            name: string;
            approvals: { status: string }[] | null;
            retention: { schedule: string } | null;
            holds: { id: string }[] | null;
            auditTrail: { action: string }[] | null;
          };
        }>(
          stack,
          u,
          'query($id: ID!) { document(id: $id) { id name approvals { status } retention { schedule } holds { id } auditTrail { action } } }',
          { id: gid.document(rich) },
        );
        const doc = d.body.data?.document;
        assert.equal(doc?.name, rich.demo.name, 'the rest of the answer is there');
        const fields = ['approvals', 'retention', 'holds', 'auditTrail'] as const;
        const derr = errorsByPath(d.body.errors);
        if (audit) {
          assert.equal(d.body.errors, undefined, JSON.stringify(d.body.errors));
          assert.deepEqual(
            doc.approvals?.map((a) => a.status),
            rich.demo.workflow.map((w) => w.decision),
            'approvals',
          );
          assert.equal(doc.retention?.schedule ?? null, rich.demo.record?.schedule ?? null, 'retention');
          assert.deepEqual(doc.holds?.map((h) => String(h.id)).sort(), rich.demo.holdIds.map(String).sort(), 'holds');
          assert.ok((doc.auditTrail?.length ?? 0) >= 1, 'audit trail');
        } else {
          for (const f of fields) {
            assert.equal(doc?.[f], null, `${f} withheld`);
            assert.deepEqual(
              derr.get(`document.${f}`)?.map((e) => e.extensions?.code),
              [FORBIDDEN],
              `FORBIDDEN on ${f}`,
            );
          }
          assert.equal(d.body.errors?.length, fields.length, 'one FORBIDDEN per audit field, nothing else');
        }
      });
    });
  }
});

describe('an anonymous reader', () => {
  test('sees nothing on any path: empty lists, zero totals, NOT_FOUND by id', async () => {
    const r = campaigns[0];
    const doc = documents[0];
    const a = assets.find((x) => x.demo.approval === 'APPROVED' && rightsOf(x.demo, AT).inForce);
    assert.ok(r && doc && a);
    const res = await ask<Record<string, unknown>>(
      stack,
      null,
      `{
      campaigns(first: 100) { totalCount nodes { id } }
      accounts(first: 100) { totalCount nodes { id } }
      search(first: 100) { totalCount nodes { __typename } facets { field values { count } } }
      c: campaign(id: "${gid.campaign(r)}") { id }
      d: document(id: "${gid.document(doc)}") { id }
      s: asset(id: "${gid.asset(a.demo)}") { id }
      n: node(id: "${gid.workspace(r.demo.workspaceId)}") { id }
    }`,
    );
    const data = res.body.data as Record<
      string,
      { totalCount?: number; nodes?: unknown[]; facets?: { values: { count: number }[] }[] } | null
    >;
    for (const k of ['campaigns', 'accounts', 'search']) {
      assert.equal(data[k]?.totalCount, 0, `${k}.totalCount`);
      assert.deepEqual(data[k]?.nodes, [], `${k}.nodes`);
    }
    assert.ok(
      (data.search?.facets ?? []).every((f) => f.values.every((v) => v.count === 0)),
      'no facet counts',
    );
    for (const k of ['c', 'd', 's', 'n']) {
      assert.equal(data[k], null, k);
      assert.deepEqual(
        errorsByPath(res.body.errors)
          .get(k)
          ?.map((e) => e.extensions?.code),
        [NOT_FOUND],
        `${k}: NOT_FOUND`,
      );
    }
  });
});

test("the suite's world still has every case it relies on (confidential, licences, drafts, every rights case, every DAM)", () => {
  assert.ok(documents.some((r) => r.demo.classification === 'CONFIDENTIAL'));
  assert.ok(documents.some((r) => r.demo.kind === 'licence'));
  assert.ok(documents.some((r) => r.demo.status === 'DRAFT'));
  for (const system of ['ICONIK', 'NETX', 'OTMM'] as const) assert.ok(assets.some((r) => r.demo.system === system));
  const cases = new Set(assets.map((r) => r.demo.rightsCase));
  assert.equal(cases.size, 12, `rights cases: ${[...cases].join(', ')}`);
  assert.equal(world.counts.campaigns, campaigns.length);
});
