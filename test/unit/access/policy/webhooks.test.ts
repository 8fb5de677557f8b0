/**
 * Who may manage webhook subscriptions, whose subscription is whose, and which events a
 * subscription may carry (access/policy/webhooks.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { webhookAdminDecision, webhookEventDecision, webhookOwner, webhookSubscriptionDecision } from '../../../../access/policy.ts';
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

  it("a client's subscription carries only what its scopes read; an admin's everything", () => {
    const exstream = webhookOwner(client(['assets:read', 'webhooks:admin']));
    assert.deepEqual(exstream, { kind: 'client', grants: ['assets:read', 'webhooks:admin'] });
    assert.equal(webhookEventDecision(exstream, 'Asset').allowed, true);
    assert.equal(webhookEventDecision(exstream, 'Document').allowed, false);
    assert.equal(webhookEventDecision(exstream, 'Workspace').allowed, false);
    const crm = webhookOwner(client(['documents:write', 'workspaces:write']));
    assert.equal(webhookEventDecision(crm, 'Asset').allowed, false);
    assert.equal(webhookEventDecision(crm, 'Document').allowed, true);
    assert.equal(webhookEventDecision(crm, 'Workspace').allowed, true);
    const admin = webhookOwner(person(['admin']));
    for (const t of ['Asset', 'Document', 'Workspace'] as const) assert.equal(webhookEventDecision(admin, t).allowed, true);
    assert.equal(webhookEventDecision(webhookOwner(person(['marketing'])), 'Document').allowed, false, 'fail closed');
  });
});
