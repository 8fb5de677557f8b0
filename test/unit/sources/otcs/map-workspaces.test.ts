/** Wire -> canonical mapping of business workspaces, and what happens to bodies that are not the envelope. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHttpClient } from '../../../../sources/http/client.ts';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { demoMapping, parseMapping, type Mapping } from '../../../../sources/mapping.ts';
import {
  flattenCategories,
  isoDay,
  isoInstant,
  nameWithoutKey,
  parseWorkspaceItem,
  parseWorkspaceList,
  toAccount,
  toCampaign,
  toWorkspace,
} from '../../../../sources/otcs/map-workspaces.ts';
import { createWorkspaceReads } from '../../../../sources/otcs/workspaces.ts';

const isMalformed = (e: unknown) => e instanceof UpstreamError && e.kind === 'MALFORMED' && e.system === 'OTCS';

const paging = { limit: 10, page: 1, page_total: 1, range_max: 1, range_min: 1, total_count: 1 };
const bp = { external_system_id: 'SFDC', business_object_type: 'Campaign', business_object_id: '701X', workspace_type_id: 16 };

function campaignItem(categories: unknown, props: Record<string, unknown> = {}) {
  return {
    data: {
      properties: {
        id: 10_000_000,
        name: 'Aurora X Spring Launch (CMP-2026-001)',
        wnf_wksp_type_id: 16,
        create_date: '2026-01-02T03:04:05',
        modify_date: '2026-02-03T04:05:06',
        ...props,
      },
      business_properties: bp,
      categories,
    },
  };
}

const demoValues = {
  '9840_2': 'CMP-2026-001',
  '9840_3': 'ACTIVE',
  '9840_4': 'Aurora Laptops',
  '9840_5': ['EMEA', 'NA'],
  '9840_6': '2026-03-01T00:00:00',
  '9840_7': '2026-06-30',
  '9840_8': false,
  '9840_9': ['ACC-1001', null],
  '9840_10': 'Aurora X',
};

describe('business workspace mapping', () => {
  const mapping = demoMapping();

  it('maps a campaign workspace with every canonical field', () => {
    const ws = parseWorkspaceItem(campaignItem([demoValues]));
    assert.deepEqual(toCampaign(ws, mapping), {
      code: 'CMP-2026-001',
      name: 'Aurora X Spring Launch',
      status: 'ACTIVE',
      productLine: 'Aurora Laptops',
      regions: ['EMEA', 'NA'],
      startDate: '2026-03-01',
      endDate: '2026-06-30',
      openToAllPartners: false,
      audience: ['ACC-1001'],
      project: 'Aurora X',
      businessObject: { system: 'SFDC', type: 'Campaign', id: '701X' },
      workspaceId: '10000000',
      source: { system: 'OTCS', nativeId: '10000000' },
    });
  });

  it('reads attribute keys from the mapping, not from code', () => {
    const doc = JSON.parse(JSON.stringify(mapping)) as { otcs: { campaignCategory: { id: number; attributes: Record<string, string> } } };
    doc.otcs.campaignCategory.id = 7100;
    doc.otcs.campaignCategory.attributes = Object.fromEntries(
      Object.entries(doc.otcs.campaignCategory.attributes).map(([k, v]) => [k, v.replace('9840_', '7100_')]),
    );
    const other: Mapping = parseMapping(doc);
    const moved = Object.fromEntries(Object.entries(demoValues).map(([k, v]) => [k.replace('9840_', '7100_'), v]));
    assert.equal(toCampaign(parseWorkspaceItem(campaignItem([moved])), other).code, 'CMP-2026-001');
    assert.throws(() => toCampaign(parseWorkspaceItem(campaignItem([demoValues])), other), isMalformed);
  });

  it('accepts categories as a list, a flat map, or a map per category id', () => {
    const flat = flattenCategories({ '9850_2': 'ACC-1', '9850_3': 'PARTNER' }, 'c');
    assert.deepEqual(flattenCategories([{ '9850_2': 'ACC-1' }, { '9850_3': 'PARTNER' }], 'c'), flat);
    assert.deepEqual(flattenCategories({ 9850: { '9850_2': 'ACC-1', '9850_3': 'PARTNER' } }, 'c'), flat);
    assert.throws(() => flattenCategories('x', 'c'), isMalformed);
  });

  it('maps an account and drops the business key suffix from the name only when it is there', () => {
    const item = {
      data: {
        properties: { id: 50_000_000, name: 'Northwind (ACC-1001)' },
        business_properties: { ...bp, business_object_type: 'Account', business_object_id: 'ACC-1001' },
        categories: [{ '9850_2': 'ACC-1001', '9850_3': 'PARTNER', '9850_4': 'EMEA' }],
      },
    };
    const a = toAccount(parseWorkspaceItem(item), mapping);
    assert.equal(a.name, 'Northwind');
    assert.equal(a.kind, 'PARTNER');
    assert.equal(nameWithoutKey('Plain Name', 'ACC-1'), 'Plain Name');
    assert.equal(nameWithoutKey(' (ACC-1)', 'ACC-1'), ' (ACC-1)');
  });

  it('normalises vendor dates to ISO instants in UTC, reading zone-less times as UTC', () => {
    assert.equal(isoInstant('2017-03-08T04:32:15', 'd'), '2017-03-08T04:32:15.000Z');
    assert.equal(isoInstant('2025-01-19T06:57:04Z', 'd'), '2025-01-19T06:57:04.000Z');
    assert.equal(isoInstant('2025-01-19T08:57:04+02:00', 'd'), '2025-01-19T06:57:04.000Z');
    assert.equal(isoInstant('2025-01-19', 'd'), '2025-01-19T00:00:00.000Z');
    assert.equal(isoDay('2026-03-01T00:00:00', 'd'), '2026-03-01');
    assert.equal(isoDay('2026-03-01T23:30:00-02:00', 'd'), '2026-03-02');
    for (const bad of ['yesterday', '', 42, null, '2026-13-45T00:00:00']) assert.throws(() => isoInstant(bad, 'd'), isMalformed);
  });

  it('takes the business object from workspace_references when business_properties lacks it', () => {
    const item = {
      data: {
        properties: { id: 1, name: 'x', wnf_wksp_type_id: 17, create_date: '2026-01-01T00:00:00', modify_date: '2026-01-01T00:00:00' },
        workspace_references: [{ external_system_id: 'SFDC', business_object_type: 'Account', business_object_id: 'ACC-9' }],
        roles: [],
      },
    };
    assert.deepEqual(toWorkspace(parseWorkspaceItem(item), mapping).businessObject, { system: 'SFDC', type: 'Account', id: 'ACC-9' });
  });

  it('maps teams from roles, skipping groups and users without a mail address', () => {
    const user = (id: number, email: string) => ({ id, name: email, display_name: `User ${id}`, type: 0, business_email: email });
    const roles = [
      { data: { properties: { id: 1, name: 'Lead' }, members: [user(1, 'A@x.example'), { id: 9, name: 'Group', type: 1 }, user(2, '')] } },
      { data: { properties: { id: 2, name: 'Empty' } } },
    ];
    const ws = parseWorkspaceItem(campaignItem([demoValues]));
    const withRoles = parseWorkspaceItem({ data: { ...campaignItem([demoValues]).data, roles } });
    assert.equal(ws.team, undefined);
    assert.deepEqual(withRoles.team, [{ email: 'a@x.example', name: 'User 1', role: 'Lead' }]);
  });

  it('turns every malformed envelope or record into MALFORMED', () => {
    const bodies: unknown[] = [
      null,
      'text',
      [],
      {},
      { paging },
      { paging, results: 'x' },
      { paging: { ...paging, total_count: '1' }, results: [] },
      { paging, results: [1] },
      { paging, results: [{}] },
      { paging, results: [{ data: {} }] },
      { paging, results: [{ data: { properties: { id: '1', name: 'x' } } }] },
      { paging, results: [{ data: { properties: { id: 1.5, name: 'x' } } }] },
      { paging, results: [{ data: { properties: { id: 1, name: 'x', create_date: 'soon' } } }] },
      { paging, results: [{ data: { properties: { id: 1, name: 'x' }, roles: 'x' } }] },
      { paging, results: [{ data: { properties: { id: 1, name: 'x' }, roles: [{ data: { properties: {} } }] } }] },
      { paging, results: [{ data: { properties: { id: 1, name: 'x' }, categories: [1] } }] },
    ];
    for (const b of bodies) assert.throws(() => parseWorkspaceList(b), isMalformed, JSON.stringify(b));
    const bad = (values: Record<string, unknown>) => () =>
      toCampaign(parseWorkspaceItem(campaignItem([{ ...demoValues, ...values }])), mapping);
    assert.throws(bad({ '9840_3': 'RUNNING' }), isMalformed);
    assert.throws(bad({ '9840_5': ['MARS'] }), isMalformed);
    assert.throws(bad({ '9840_2': null }), isMalformed);
    assert.throws(bad({ '9840_8': 'maybe' }), isMalformed);
    assert.throws(
      () => toCampaign(parseWorkspaceItem({ data: { ...campaignItem([demoValues]).data, business_properties: undefined } }), mapping),
      isMalformed,
    );
    assert.throws(() => toWorkspace(parseWorkspaceItem(campaignItem([demoValues], { wnf_wksp_type_id: 99 })), mapping), isMalformed);
  });

  it('accepts `results` as an object where a single workspace comes back that way', () => {
    const { items } = parseWorkspaceList({ paging, results: campaignItem([demoValues]) });
    assert.equal(items.length, 1);
    assert.equal(items[0]?.id, 10_000_000);
  });
});

describe('workspace reads against a misbehaving server', () => {
  const mapping = demoMapping();
  const serving = (body: string) =>
    createWorkspaceReads({
      mapping,
      http: createHttpClient({
        system: 'OTCS',
        baseUrl: 'http://cs.invalid/otcs/cs.exe',
        retries: 0,
        fetch: async () => new Response(body, { status: 200 }),
      }),
    });

  for (const [label, body] of [
    ['not JSON', '<html>oops'],
    ['no paging', '{"results":[]}'],
    ['a bad item', JSON.stringify({ paging, results: [{ data: 1 }] })],
  ] as const) {
    it(`rejects ${label} with MALFORMED from every read`, async () => {
      const reads = serving(body);
      await assert.rejects(reads.listCampaigns({}, { first: 5 }), isMalformed);
      await assert.rejects(reads.getCampaigns(['CMP-2026-001']), isMalformed);
      await assert.rejects(reads.listAccounts({}, { first: 5 }), isMalformed);
      await assert.rejects(reads.getAccounts(['ACC-1001']), isMalformed);
      await assert.rejects(reads.getWorkspaces(['10000000']), isMalformed);
    });
  }

  it('rejects a cursor it did not make, before any request', async () => {
    let calls = 0;
    const reads = createWorkspaceReads({
      mapping,
      http: createHttpClient({
        system: 'OTCS',
        baseUrl: 'http://cs.invalid',
        fetch: async () => {
          calls++;
          return new Response('{}');
        },
      }),
    });
    for (const after of ['nope', Buffer.from('{"o":-1}').toString('base64url'), Buffer.from('{"o":"3"}').toString('base64url')]) {
      await assert.rejects(
        reads.listCampaigns({}, { first: 5, after }),
        (e: unknown) => e instanceof UpstreamError && e.kind === 'BAD_REQUEST',
      );
    }
    assert.equal(calls, 0);
  });
});
