/**
 * Content Server facts → canonical events: each audit row kind maps to its event with the
 * document's global id, campaign and account, before/after and the source's time; rows already
 * in the cursor are skipped; approvals count only when the workflow completed inside the
 * window; a licence's attribute change becomes asset.rights.changed per citing asset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assetId, documentId, workspaceId } from '../../../../access/ids.ts';
import {
  citesLicence,
  DEFAULT_AUDIT_TYPES,
  finalDecision,
  licenceEvents,
  licenceRows,
  nodeEvents,
  readsFor,
  type NodeFacts,
} from '../../../../flows/feed/otcs-events.ts';
import type { Approval, Asset, Document, Workspace } from '../../../../sources/model.ts';
import type { AuditRow, ModifiedNode } from '../../../../sources/ports.ts';

const FROM = '2026-12-01T10:00:00.000Z';
const T = (s: number) => new Date(Date.parse(FROM) + s * 1000).toISOString();
const row = (eventType: number, s: number, id = '500'): AuditRow => ({
  eventType,
  name: `e${eventType}`,
  at: T(s),
  userId: '1000',
  key: `${id}:${Date.parse(T(s))}:${eventType}:1000`,
});
const node = (kind: ModifiedNode['kind'], createdS: number, id = '500'): ModifiedNode => ({
  id,
  kind,
  createdAt: T(createdS),
  modifiedAt: T(60),
});
const doc = (over: Partial<Document> = {}): Document => ({
  source: { system: 'OTCS', nativeId: '500' },
  name: 'Brief.docx',
  mimeType: 'application/msword',
  size: 10,
  version: 3,
  status: 'IN_REVIEW',
  classification: 'INTERNAL',
  metadata: { campaignCode: 'CMP-1', accountId: 'ACC-1' },
  workspaceId: '100',
  parentId: '101',
  createdAt: T(-86_400),
  modifiedAt: T(60),
  ...over,
});
const facts = (over: Partial<NodeFacts>): NodeFacts => ({ node: node('document', -86_400), rows: [], document: doc(), ...over });
const types = (f: NodeFacts, seen: Record<string, string> = {}) => nodeEvents(f, DEFAULT_AUDIT_TYPES, FROM, seen).events.map((e) => e.type);

describe('nodeEvents', () => {
  it('maps version, classification and hold rows, with the document id, campaign, account and row time', () => {
    const f = facts({
      rows: [row(11, 5), row(264, 6), row(9101, 7), row(9102, 8)],
      versions: [
        { number: 2, fileName: 'a', mimeType: 'text/plain', size: 1, createdAt: T(-100) },
        { number: 3, fileName: 'b', mimeType: 'text/plain', size: 2, createdAt: T(5) },
      ],
      retention: { classification: 'Legal', schedule: 'LEG-10', status: 'ACTIVE' },
      holds: [{ id: '14', name: 'HOLD', type: 'Regulatory', reason: 'x' }],
    });
    const { events, keys } = nodeEvents(f, DEFAULT_AUDIT_TYPES, FROM, {});
    assert.deepEqual(
      events.map((e) => [e.type, e.time]),
      [
        ['document.version.released', T(5)],
        ['document.retention.changed', T(6)],
        ['document.hold.changed', T(7)],
        ['document.hold.changed', T(8)],
      ],
    );
    for (const e of events) {
      assert.equal(e.objectId, documentId('500'));
      assert.equal(e.objectType, 'Document');
      assert.equal(e.campaign, 'CMP-1');
      assert.equal(e.account, 'ACC-1');
      assert.equal(e.source, 'OTCS');
    }
    assert.deepEqual(events[0]?.data, { before: { version: 2 }, after: { version: 3, mimeType: 'text/plain', size: 2 } });
    assert.deepEqual(events[1]?.data.after, { classification: 'Legal', schedule: 'LEG-10', status: 'ACTIVE' });
    assert.deepEqual((events[3]?.data.after as { action: string }).action, 'removed');
    assert.equal(keys.length, 4);
    assert.equal(new Set(events.map((e) => e.id)).size, 4, 'distinct ids');
  });

  it('skips what the cursor already holds, and the same input gives the same ids', () => {
    const f = facts({ rows: [row(11, 5), row(264, 6)] });
    const first = nodeEvents(f, DEFAULT_AUDIT_TYPES, FROM, {});
    assert.deepEqual(
      nodeEvents(f, DEFAULT_AUDIT_TYPES, FROM, {}).events.map((e) => e.id),
      first.events.map((e) => e.id),
    );
    assert.deepEqual(types(f, Object.fromEntries(first.keys)), []);
    assert.deepEqual(types(f, Object.fromEntries(first.keys.slice(0, 1))), ['document.retention.changed']);
  });

  it('creation: a document or workspace created inside the window, or with a Create row', () => {
    assert.deepEqual(types(facts({ node: node('document', 3) })), ['document.created']);
    assert.deepEqual(types(facts({ rows: [row(1, 3)] })), ['document.created']);
    assert.deepEqual(types(facts({})), []);
    const ws: Workspace = {
      source: { system: 'OTCS', nativeId: '900' },
      name: 'Feedco',
      type: 'Customer',
      owner: { accountId: 'ACC-9' },
      businessObject: { system: 'SFDC', type: 'Account', id: 'ACC-9' },
      team: [],
      createdAt: T(3),
      modifiedAt: T(3),
    };
    const [e] = nodeEvents({ node: node('workspace', 3, '900'), rows: [], workspace: ws }, DEFAULT_AUDIT_TYPES, FROM, {}).events;
    assert.equal(e?.type, 'workspace.created');
    assert.equal(e?.objectId, workspaceId('900'));
    assert.equal(e?.account, 'ACC-9');
    assert.equal(e?.campaign, null);
  });

  it('approval: only a completed workflow whose last decision is APPROVED, decided inside the window', () => {
    const step = (decision: Approval['decision'], s: number): Approval => ({ step: 'Legal', decision, actor: 'a@x', at: T(s) });
    assert.deepEqual(types(facts({ approvals: [step('APPROVED', -10), step('APPROVED', 4)] })), ['document.approved']);
    assert.deepEqual(types(facts({ approvals: [step('APPROVED', 4), step('PENDING', 5)] })), [], 'still pending');
    assert.deepEqual(types(facts({ approvals: [step('APPROVED', 4), step('REJECTED', 5)] })), [], 'rejected last');
    assert.deepEqual(types(facts({ approvals: [step('APPROVED', -10)] })), [], 'decided before the window');
    assert.equal(finalDecision([step('APPROVED', 9), step('REJECTED', 2)])?.decision, 'APPROVED');
  });

  it("every document event keeps the document's classification (what decides which clients hear of it)", () => {
    const all = nodeEvents(
      facts({ node: node('document', 3), document: doc({ classification: 'CONFIDENTIAL' }), rows: [row(1, 3), row(11, 5)] }),
      DEFAULT_AUDIT_TYPES,
      FROM,
      {},
    ).events;
    assert.ok(all.length >= 2);
    for (const e of all) assert.deepEqual(e.audience, { classification: 'CONFIDENTIAL' }, e.type);
  });

  it('reads only what the rows ask for', () => {
    assert.deepEqual(readsFor(node('document', 0), [row(11, 1)], DEFAULT_AUDIT_TYPES), { versions: true, retention: false, holds: false });
    assert.deepEqual(readsFor(node('document', 0), [row(9102, 1)], DEFAULT_AUDIT_TYPES), {
      versions: false,
      retention: false,
      holds: true,
    });
    assert.deepEqual(readsFor(node('workspace', 0), [row(11, 1)], DEFAULT_AUDIT_TYPES), {
      versions: false,
      retention: false,
      holds: false,
    });
  });
});

describe('licence changes', () => {
  const licence = doc({
    metadata: { campaignCode: 'CMP-1', validUntil: T(-5), rightsStatus: 'CLEARED', territories: ['WORLD'], channels: ['web'] },
  });
  const asset = (system: Asset['source']['system'], id: string, licenceId?: string): Asset => ({
    source: { system, nativeId: id },
    title: id,
    kind: 'IMAGE',
    mimeType: 'image/png',
    approval: 'APPROVED',
    rights: { status: 'CLEARED', territories: ['WORLD'], channels: ['web'], ...(licenceId ? { licenceId } : {}) },
    campaignCode: 'CMP-1',
    renditions: [],
    metadata: {},
    createdAt: T(-1000),
    modifiedAt: T(-1000),
  });

  it('an attribute change on a licence gives asset.rights.changed for each citing asset, once', () => {
    const f = facts({ document: licence, rows: [row(10, 7)] });
    const rows = licenceRows(f, DEFAULT_AUDIT_TYPES);
    assert.equal(rows.length, 1);
    assert.deepEqual(licenceRows(facts({ rows: [row(10, 7)] }), DEFAULT_AUDIT_TYPES), [], 'not a licence');
    const cited = [asset('NETX', '100001', '500'), asset('OTMM', 'abc', '500'), asset('ICONIK', 'x', '999')].filter((a) =>
      citesLicence(a, '500'),
    );
    const { events, keys } = licenceEvents(licence, rows, cited, {});
    assert.deepEqual(
      events.map((e) => [e.type, e.objectId, e.campaign, e.time]),
      [
        ['asset.rights.changed', assetId('NETX', '100001'), 'CMP-1', T(7)],
        ['asset.rights.changed', assetId('OTMM', 'abc'), 'CMP-1', T(7)],
      ],
    );
    assert.equal((events[0]?.data.after as { licence: { validUntil: string } }).licence.validUntil, T(-5));
    // What decides which clients hear of it: each asset's own approval.
    assert.deepEqual(
      events.map((e) => e.audience),
      cited.filter((a) => a.source.system !== 'OTCS').map((a) => ({ approvals: [a.approval] })),
    );
    assert.deepEqual(licenceEvents(licence, rows, cited, Object.fromEntries(keys)).events, []);
  });
});
