/**
 * Who may manage webhook subscriptions, whose subscription is whose, and which events a
 * subscription may carry (access/policy/webhooks.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  webhookAdminDecision,
  webhookEventDecision,
  webhookEventTypeDecision,
  webhookOwner,
  webhookSubscriptionDecision,
} from '../../../../access/policy.ts';
import type { Principal } from '../../../../access/principal.ts';

const person = (roles: Principal['roles'], id = 'p1'): Principal => ({ id, email: `${id}@x.example`, roles, regions: [] });
const client = (scopes: string[], id = 'c1'): Principal => ({ id, email: '', roles: [], regions: [], client: { name: id, scopes } });

describe('webhook policy', () => {
  it('admins and clients with webhooks:admin manage webhooks; nobody else', () => {
    assert.equal(webhookAdminDecision(person(['admin'])).allowed, true);
    assert.equal(webhookAdminDecision(client(['webhooks:admin'])).allowed, true);
    for (const p of [null, person(['marketing']), person(['compliance', 'sales']), person(['partner']), client(['documents:write'])])
      assert.equal(webhookAdminDecision(p).allowed, false, JSON.stringify(p));
  });

  it("a subscription is its owner's; admins manage every one", () => {
    assert.equal(webhookSubscriptionDecision(client(['webhooks:admin'], 'c1'), 'c1').allowed, true);
    assert.equal(webhookSubscriptionDecision(client(['webhooks:admin'], 'c2'), 'c1').allowed, false);
    assert.equal(webhookSubscriptionDecision(client(['documents:write'], 'c1'), 'c1').allowed, false, 'its owner without the scope');
    assert.equal(webhookSubscriptionDecision(person(['admin'], 'a'), 'c1').allowed, true);
    assert.equal(webhookSubscriptionDecision(person(['marketing'], 'c1'), 'c1').allowed, false);
  });

  it("a client's subscription is made only for the kinds of object its scopes read; an admin's for all", () => {
    const exstream = webhookOwner(client(['assets:read', 'webhooks:admin']));
    assert.deepEqual(exstream, { kind: 'client', grants: ['assets:read', 'webhooks:admin'] });
    assert.equal(webhookEventTypeDecision(exstream, 'Asset').allowed, true);
    assert.equal(webhookEventTypeDecision(exstream, 'Document').allowed, false);
    assert.equal(webhookEventTypeDecision(exstream, 'Workspace').allowed, false);
    const crm = webhookOwner(client(['documents:write', 'workspaces:write']));
    assert.equal(webhookEventTypeDecision(crm, 'Asset').allowed, false);
    assert.equal(webhookEventTypeDecision(crm, 'Document').allowed, true);
    assert.equal(webhookEventTypeDecision(crm, 'Workspace').allowed, true);
    const admin = webhookOwner(person(['admin']));
    for (const t of ['Asset', 'Document', 'Workspace'] as const) assert.equal(webhookEventTypeDecision(admin, t).allowed, true);
    assert.equal(webhookEventTypeDecision(webhookOwner(person(['marketing'])), 'Document').allowed, false, 'fail closed');
  });

  it('a client is sent an event only about an object it could read, decided by the facts the event keeps', () => {
    const exstream = webhookOwner(client(['assets:read']));
    const asset = (approvals?: string[]) => ({ objectType: 'Asset' as const, ...(approvals ? { audience: { approvals } } : {}) });
    assert.equal(webhookEventDecision(exstream, asset(['APPROVED'])).allowed, true, 'approved');
    assert.equal(webhookEventDecision(exstream, asset(['APPROVED', 'REJECTED'])).allowed, true, 'its approval withdrawn');
    assert.equal(webhookEventDecision(exstream, asset(['IN_REVIEW', 'APPROVED'])).allowed, true, 'just approved');
    for (const a of [['IN_REVIEW'], ['PENDING', 'REJECTED'], [], undefined])
      assert.equal(webhookEventDecision(exstream, asset(a)).allowed, false, `a draft or unknown: ${JSON.stringify(a)}`);
    assert.equal(
      webhookEventDecision(exstream, { objectType: 'Document', audience: { classification: 'PUBLIC' } }).allowed,
      false,
      'no scope',
    );

    const crm = webhookOwner(client(['documents:write', 'workspaces:write']));
    const doc = (classification?: string) => ({
      objectType: 'Document' as const,
      ...(classification ? { audience: { classification } } : {}),
    });
    for (const c of ['PUBLIC', 'PARTNER', 'INTERNAL']) assert.equal(webhookEventDecision(crm, doc(c)).allowed, true, c);
    assert.equal(webhookEventDecision(crm, doc('CONFIDENTIAL')).allowed, false, 'confidential');
    assert.equal(webhookEventDecision(crm, doc()).allowed, false, 'unknown classification: fail closed');
    assert.equal(webhookEventDecision(crm, { objectType: 'Workspace' }).allowed, true);

    const admin = webhookOwner(person(['admin']));
    for (const e of [asset(['IN_REVIEW']), asset(), doc('CONFIDENTIAL'), doc()]) assert.equal(webhookEventDecision(admin, e).allowed, true);
  });
});
