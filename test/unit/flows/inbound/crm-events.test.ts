import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CRM_EVENT_MAX_BYTES,
  CRM_EVENT_TYPES,
  parseCrmEvent,
  type CrmParseResult,
  type CrmRejection,
} from '../../../../flows/inbound/crm-events.ts';

const body = (type: unknown, data: unknown) => JSON.stringify({ type, data });
const ACCOUNT = { id: 'ACC-9001', name: 'Fjord Outfitters', kind: 'CUSTOMER', region: 'EMEA', owner: 'Sales.EMEA@atrium.example' };
const CAMPAIGN = {
  id: '701ABCDEF120099',
  code: 'CMP-2026-099',
  name: 'Winter Launch',
  status: 'PLANNED',
  regions: ['EMEA', 'NA'],
  startDate: '2026-12-01',
  endDate: '2027-02-28',
  productLine: 'Outdoor',
  openToAllPartners: false,
  audience: ['ACC-1001', 'ACC-1002', 'ACC-1001'],
};

function accepted(r: CrmParseResult) {
  assert.ok(r.ok, `expected an event, got ${JSON.stringify(r)}`);
  return r.event;
}
function rejected(r: CrmParseResult): CrmRejection {
  assert.ok(!r.ok, `expected a rejection, got ${JSON.stringify(r)}`);
  return r.rejection;
}

test('account.created and account.updated are the same upsert of the account workspace (SFDC/Account)', () => {
  for (const type of ['account.created', 'account.updated'] as const) {
    const e = accepted(parseCrmEvent(body(type, ACCOUNT)));
    assert.deepEqual(e, {
      type,
      command: {
        kind: 'upsertWorkspace',
        draft: {
          kind: 'account',
          businessObject: { system: 'SFDC', type: 'Account', id: 'ACC-9001' },
          account: { id: 'ACC-9001', name: 'Fjord Outfitters', kind: 'CUSTOMER', region: 'EMEA', owner: 'sales.emea@atrium.example' },
        },
      },
    });
  }
  // owner is optional; names are trimmed; unknown members of data and of the body are ignored.
  const { owner: _owner, ...noOwner } = ACCOUNT;
  const e = accepted(
    parseCrmEvent(
      JSON.stringify({ type: 'account.created', timestamp: '2026-11-22T10:00:00Z', data: { ...noOwner, name: '  Fjord  ', phone: '+47' } }),
    ),
  );
  assert.deepEqual(e.command.kind === 'upsertWorkspace' && e.command.draft, {
    kind: 'account',
    businessObject: { system: 'SFDC', type: 'Account', id: 'ACC-9001' },
    account: { id: 'ACC-9001', name: 'Fjord', kind: 'CUSTOMER', region: 'EMEA' },
  });
});

test('campaign.created is an upsert of the campaign workspace (SFDC/Campaign, the CRM id; the code in the draft)', () => {
  const e = accepted(parseCrmEvent(body('campaign.created', CAMPAIGN)));
  assert.deepEqual(e.command, {
    kind: 'upsertWorkspace',
    draft: {
      kind: 'campaign',
      businessObject: { system: 'SFDC', type: 'Campaign', id: '701ABCDEF120099' },
      campaign: {
        code: 'CMP-2026-099',
        name: 'Winter Launch',
        status: 'PLANNED',
        regions: ['EMEA', 'NA'],
        startDate: '2026-12-01',
        endDate: '2027-02-28',
        productLine: 'Outdoor',
        openToAllPartners: false,
        audience: ['ACC-1001', 'ACC-1002'],
      },
    },
  });
  const { productLine: _p, openToAllPartners: _o, audience: _a, ...minimal } = CAMPAIGN;
  const m = accepted(parseCrmEvent(body('campaign.created', minimal)));
  assert.deepEqual(
    m.command.kind === 'upsertWorkspace' && Object.keys(m.command.draft.kind === 'campaign' ? m.command.draft.campaign : {}),
    ['code', 'name', 'status', 'regions', 'startDate', 'endDate'],
  );
});

test('opportunity.won and case.opened are acknowledged with a reason, writing nothing', () => {
  const won = accepted(
    parseCrmEvent(
      body('opportunity.won', {
        id: '006XYZ',
        accountId: 'ACC-1001',
        name: 'Renewal',
        amount: 120000,
        currency: 'EUR',
        closeDate: '2026-11-20',
      }),
    ),
  );
  assert.equal(won.command.kind, 'acknowledge');
  assert.deepEqual(won.command.kind === 'acknowledge' && { ...won.command, reason: typeof won.command.reason }, {
    kind: 'acknowledge',
    businessObject: { system: 'SFDC', type: 'Opportunity', id: '006XYZ' },
    account: { system: 'SFDC', type: 'Account', id: 'ACC-1001' },
    reason: 'string',
  });
  assert.match(won.command.kind === 'acknowledge' ? won.command.reason : '', /contract/);
  const opened = accepted(parseCrmEvent(body('case.opened', { id: '500ABC', subject: 'Broken link' })));
  assert.deepEqual(opened.command.kind === 'acknowledge' && opened.command.businessObject, { system: 'SFDC', type: 'Case', id: '500ABC' });
  assert.equal(opened.command.kind === 'acknowledge' && opened.command.account, undefined);
  assert.match(opened.command.kind === 'acknowledge' ? opened.command.reason : '', /no case workspace type/);
  // They are still validated: an opportunity names its account.
  assert.match(rejected(parseCrmEvent(body('opportunity.won', { id: '006XYZ' }))).reason, /data\.accountId is missing/);
  assert.match(
    rejected(parseCrmEvent(body('opportunity.won', { id: '006', accountId: 'A', amount: -1, currency: 'euro' }))).reason,
    /amount.*currency/,
  );
});

test('the business-object system is configurable', () => {
  const e = accepted(parseCrmEvent(body('account.updated', ACCOUNT), { system: 'DYN365' }));
  assert.deepEqual(e.command.kind === 'upsertWorkspace' && e.command.draft.businessObject, {
    system: 'DYN365',
    type: 'Account',
    id: 'ACC-9001',
  });
});

test('an unknown type is 422 and names the known ones; a hostile type is not echoed', () => {
  const r = rejected(parseCrmEvent(body('account.deleted', ACCOUNT)));
  assert.deepEqual({ problem: r.problem, status: r.status }, { problem: 'unknown-type', status: 422 });
  assert.match(
    r.reason,
    /unknown event type "account\.deleted"; known: account\.created, account\.updated, campaign\.created, opportunity\.won, case\.opened/,
  );
  for (const t of ['<script>alert(1)</script>', 'a\nb', 'x'.repeat(65), '__proto__ ']) {
    const h = rejected(parseCrmEvent(body(t, {})));
    assert.equal(h.status, 422);
    assert.ok(!h.reason.includes(t), 'the type is not echoed');
  }
  assert.equal(CRM_EVENT_TYPES.length, 5);
});

test('missing and malformed fields are 422, every problem named by path, no value echoed', () => {
  const r = rejected(
    parseCrmEvent(body('account.created', { id: 'ACC 1', kind: 'VENDOR', region: 'Europe', owner: 'not-an-email', name: 42 })),
  );
  assert.deepEqual({ problem: r.problem, status: r.status, type: r.type }, { problem: 'invalid', status: 422, type: 'account.created' });
  for (const p of [
    'data.id must be a record id',
    'data.name must be a string',
    'data.kind must be one of PARTNER, CUSTOMER',
    'data.region must be one of EMEA, NA, APAC, LATAM',
    'data.owner must be an email',
  ])
    assert.ok(r.reason.includes(p), `${p} in ${r.reason}`);
  assert.ok(!r.reason.includes('Europe') && !r.reason.includes('VENDOR'));
  assert.match(
    rejected(parseCrmEvent(body('account.created', {}))).reason,
    /data\.id is missing; data\.name is missing; data\.kind is missing; data\.region is missing/,
  );
  const c = rejected(
    parseCrmEvent(
      body('campaign.created', {
        ...CAMPAIGN,
        startDate: '2026-02-30',
        endDate: '2026-01-01',
        regions: [],
        audience: ['ok', 7],
        openToAllPartners: 'yes',
      }),
    ),
  );
  for (const p of [
    'data.startDate must be a date',
    'data.regions must be a non-empty list',
    'data.audience[1] must be a record id',
    'data.openToAllPartners must be true or false',
  ])
    assert.ok(c.reason.includes(p), `${p} in ${c.reason}`);
  assert.match(
    rejected(parseCrmEvent(body('campaign.created', { ...CAMPAIGN, endDate: '2026-11-30' }))).reason,
    /endDate must not be before/,
  );
  assert.match(rejected(parseCrmEvent(body('campaign.created', { ...CAMPAIGN, regions: ['EMEA', 'EMEA'] }))).reason, /twice/);
  assert.match(rejected(parseCrmEvent(body('account.created', { ...ACCOUNT, name: '   ' }))).reason, /data\.name must not be empty/);
});

test('limits: body size, string lengths', () => {
  const big = body('account.created', { ...ACCOUNT, note: 'x'.repeat(CRM_EVENT_MAX_BYTES) });
  assert.deepEqual(rejected(parseCrmEvent(big)), {
    problem: 'too-large',
    status: 413,
    reason: `the body is larger than ${CRM_EVENT_MAX_BYTES} bytes`,
  });
  assert.equal(rejected(parseCrmEvent(Buffer.from(big))).status, 413);
  assert.equal(rejected(parseCrmEvent(body('account.created', ACCOUNT), { maxBytes: 50 })).status, 413);
  // 248 characters is Content Server's longest name; 249 is refused.
  assert.ok(parseCrmEvent(body('account.created', { ...ACCOUNT, name: 'n'.repeat(248) })).ok);
  assert.match(
    rejected(parseCrmEvent(body('account.created', { ...ACCOUNT, name: 'n'.repeat(249) }))).reason,
    /data\.name must be at most 248 characters/,
  );
  assert.match(rejected(parseCrmEvent(body('account.created', { ...ACCOUNT, id: 'A'.repeat(65) }))).reason, /data\.id must be at most 64/);
  assert.match(
    rejected(parseCrmEvent(body('campaign.created', { ...CAMPAIGN, audience: Array(1001).fill('ACC-1') }))).reason,
    /at most 1000/,
  );
  // A name with multi-byte characters counts characters, and a well-formed one passes.
  assert.ok(parseCrmEvent(body('account.created', { ...ACCOUNT, name: 'Sakura Media 桜 — Ünïcødé 🌸' })).ok);
});

test('no control characters, separators, bidi overrides or lone surrogates in any text', () => {
  for (const name of [
    'Fjord\u0000',
    'Fjord\nOutfitters',
    'Fjord\r',
    '\u001b[31mred',
    'Fjord\u0085',
    'a\u2028b',
    'evil\u202Etxt.exe',
    'x\u2066y',
    '\ud800',
  ])
    assert.match(
      rejected(parseCrmEvent(body('account.created', { ...ACCOUNT, name }))).reason,
      /data\.name must not contain control characters/,
      JSON.stringify(name),
    );
  // As JSON escapes too (the way a hostile sender writes them).
  const escaped = `{"type":"account.created","data":{"id":"ACC-9001","name":"a\\u0000b","kind":"CUSTOMER","region":"EMEA"}}`;
  assert.match(rejected(parseCrmEvent(escaped)).reason, /control characters/);
  const lone = `{"type":"account.created","data":{"id":"ACC-9001","name":"a\\udc00b","kind":"CUSTOMER","region":"EMEA"}}`;
  assert.match(rejected(parseCrmEvent(lone)).reason, /control characters/);
  assert.match(rejected(parseCrmEvent(body('case.opened', { id: '500', subject: 'tab\there' }))).reason, /data\.subject must not contain/);
});

test('not JSON, not UTF-8, not an object, wrong shapes: 400 with a reason, never a throw', () => {
  const cases: [string | Uint8Array, RegExp][] = [
    ['', /not UTF-8 JSON/],
    ['{', /not UTF-8 JSON/],
    ['null', /must be a JSON object/],
    ['[{"type":"account.created","data":{}}]', /must be a JSON object/],
    ['"account.created"', /must be a JSON object/],
    ['{"data":{}}', /type must be a string/],
    ['{"type":7,"data":{}}', /type must be a string/],
    ['{"type":"account.created"}', /data must be a JSON object/],
    ['{"type":"account.created","data":[1]}', /data must be a JSON object/],
    ['{"type":"account.created","data":"x"}', /data must be a JSON object/],
    [Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), /not UTF-8 JSON/],
  ];
  for (const [b, reason] of cases) {
    const r = rejected(parseCrmEvent(b));
    assert.equal(r.status, r.problem === 'not-json' ? 400 : 422, String(b));
    assert.equal(r.problem, 'not-json');
    assert.match(r.reason, reason);
  }
});

test('prototype keys are data, never inherited or polluting', () => {
  const proto = `{"type":"account.created","__proto__":{"data":{"id":"ACC-1"}},"data":{"__proto__":{"name":"Inherited"},"id":"ACC-9001","kind":"CUSTOMER","region":"EMEA"}}`;
  assert.match(rejected(parseCrmEvent(proto)).reason, /data\.name is missing/);
  assert.equal(({} as Record<string, unknown>).name, undefined);
  const ctor = `{"type":"constructor","data":{}}`;
  assert.equal(rejected(parseCrmEvent(ctor)).problem, 'unknown-type');
  const toString = `{"type":"toString","data":{}}`;
  assert.equal(rejected(parseCrmEvent(toString)).problem, 'unknown-type');
});

test('deeply nested JSON inside the limit is parsed without a stack overflow', () => {
  const depth = 30_000;
  const nested = `{"type":"account.created","data":{"x":${'['.repeat(depth)}${']'.repeat(depth)},"id":"ACC-9001","name":"A","kind":"CUSTOMER","region":"EMEA"}}`;
  assert.ok(Buffer.byteLength(nested) < CRM_EVENT_MAX_BYTES);
  const r = parseCrmEvent(nested);
  assert.ok(r.ok || r.rejection.status === 400);
});
