/** Canonical drafts to category attribute values (the attributes the read side maps back), and the checks before any request. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamError } from '../../../../sources/http/errors.ts';
import { demoMapping, parseMapping } from '../../../../sources/mapping.ts';
import {
  attributeFields,
  changedAttributes,
  checkName,
  documentAttributes,
  draftWorkspaceType,
  sameValue,
  shown,
  workspaceAttributes,
  workspaceName,
} from '../../../../sources/otcs/map-writes.ts';
import type { DocumentDraft, WorkspaceDraft } from '../../../../sources/ports.ts';

const m = demoMapping();
const bo = { system: 'SFDC', type: 'Campaign', id: '701X' };
const campaign = (c: Partial<Extract<WorkspaceDraft, { kind: 'campaign' }>['campaign']> = {}): WorkspaceDraft => ({
  kind: 'campaign',
  businessObject: bo,
  campaign: { code: 'CMP-1', name: 'Launch', productLine: 'Nimbus Cloud', startDate: '2027-01-01', endDate: '2027-02-01', ...c },
});
const badRequest = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof UpstreamError && e.kind === 'BAD_REQUEST' && re.test(e.message));

describe('workspace drafts', () => {
  it('a new campaign carries every attribute the read side needs, with defaults', () => {
    assert.deepEqual(workspaceAttributes(campaign({ regions: ['EMEA'], audience: ['ACC-1'] }), m, true), {
      '9840_2': 'CMP-1',
      '9840_3': 'PLANNED',
      '9840_4': 'Nimbus Cloud',
      '9840_5': ['EMEA'],
      '9840_6': '2027-01-01',
      '9840_7': '2027-02-01',
      '9840_8': false,
      '9840_9': ['ACC-1'],
    });
  });

  it('an update sets only what the draft carries', () => {
    const d: WorkspaceDraft = { kind: 'campaign', businessObject: bo, campaign: { code: 'CMP-1', name: 'Launch', status: 'CLOSED' } };
    assert.deepEqual(workspaceAttributes(d, m, false), { '9840_2': 'CMP-1', '9840_3': 'CLOSED' });
  });

  it('refuses what could not be read back: missing fields, unknown values, bad dates', () => {
    badRequest(() => workspaceAttributes(campaign({ productLine: undefined, endDate: undefined }), m, true), /lacks productLine, endDate/);
    badRequest(() => workspaceAttributes(campaign({ status: 'DONE' as never }), m, true), /campaign status "DONE"/);
    badRequest(() => workspaceAttributes(campaign({ regions: ['MARS' as never] }), m, true), /region "MARS"/);
    badRequest(() => workspaceAttributes(campaign({ startDate: '01/02/2027' }), m, true), /not a YYYY-MM-DD date/);
    badRequest(() => workspaceAttributes(campaign({ startDate: '2027-03-01' }), m, true), /ends before it starts/);
    const account: WorkspaceDraft = { kind: 'account', businessObject: bo, account: { id: 'ACC-1', name: 'A', kind: 'PARTNER' } };
    badRequest(() => workspaceAttributes(account, m, true), /lacks region/);
    assert.deepEqual(workspaceAttributes(account, m, false), { '9850_2': 'ACC-1', '9850_3': 'PARTNER' });
  });

  it('names the workspace `<name> (<key>)` and picks its type by kind', () => {
    assert.equal(workspaceName(campaign()), 'Launch (CMP-1)');
    const partner: WorkspaceDraft = {
      kind: 'account',
      businessObject: bo,
      account: { id: 'ACC-9', name: 'P', kind: 'PARTNER', region: 'NA' },
    };
    assert.equal(draftWorkspaceType(partner), 'Partner');
    assert.equal(draftWorkspaceType({ ...partner, account: { ...partner.account, kind: 'CUSTOMER' } }), 'Customer');
    assert.equal(draftWorkspaceType(campaign()), 'Campaign');
  });
});

describe('document drafts', () => {
  const draft = (d: Partial<DocumentDraft>): DocumentDraft => ({
    folderId: '1',
    fileName: 'a.pdf',
    mimeType: 'application/pdf',
    body: new Blob([]).stream(),
    ...d,
  });

  it('maps labels and owners to the document category, through the value map', () => {
    const doc = JSON.parse(JSON.stringify(m)) as { otcs: { values?: Record<string, Record<string, string>> } };
    doc.otcs.values = { status: { Freigegeben: 'APPROVED' } };
    const mapped = parseMapping(doc);
    assert.deepEqual(
      documentAttributes(draft({ classification: 'PARTNER', status: 'APPROVED', campaignCode: 'CMP-1', region: 'APAC' }), mapped),
      {
        '9830_7': 'PARTNER',
        '9830_8': 'Freigegeben',
        '9830_2': 'CMP-1',
        '9830_6': 'APAC',
      },
    );
    assert.deepEqual(documentAttributes(draft({}), m), {});
    badRequest(() => documentAttributes(draft({ classification: 'SECRET' as never }), m), /classification "SECRET"/);
  });

  it('checks names: no control characters, at most 248 characters, not empty', () => {
    assert.equal(checkName('  Contract.pdf ', 'the document'), 'Contract.pdf');
    badRequest(() => checkName('a\u0000b', 'the document'), /control characters/);
    badRequest(() => checkName('x'.repeat(249), 'the document'), /longer than 248/);
    badRequest(() => checkName(' ', 'the document'), /has no name/);
    assert.equal(shown(`a\nb${'c'.repeat(100)}`).length, 80);
    assert.ok(!shown('a\nb').includes('\n'));
  });
});

describe('category forms and diffs', () => {
  it('lists repeat their key (an empty one clears), flags are text', () => {
    assert.deepEqual(attributeFields({ a: ['x', 'y'], b: [], c: true, d: 'v' }), { a: ['x', 'y'], b: [''], c: 'true', d: 'v' });
  });

  it('compares written values with read ones: dates by day, lists in order, flags in any form', () => {
    assert.ok(sameValue('2027-01-01', '2027-01-01T00:00:00'));
    assert.ok(sameValue(['EMEA'], ['EMEA']));
    assert.ok(!sameValue(['EMEA', 'NA'], ['NA', 'EMEA']));
    assert.ok(sameValue(false, null) && sameValue(true, 'true'));
    assert.ok(sameValue('', null) && !sameValue('x', null));
    assert.deepEqual(changedAttributes({ a: 'x', b: ['1'], c: 'same' }, { a: 'y', b: [], c: 'same' }), { a: 'x', b: ['1'] });
  });
});
