import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeDecision } from '../../../../access/policy/writes.ts';
import type { Principal } from '../../../../access/principal.ts';

const person = (roles: Principal['roles'], email = 'x@atrium.example'): Principal => ({ id: email, email, roles, regions: ['EMEA'] });
const client = (scopes: string[]): Principal => ({ id: 'client:crm', email: '', roles: [], regions: [], client: { name: 'crm', scopes } });
const team = [{ email: 'Sven.Sales@atrium.example', name: 'Sven', role: 'Owner' }];

test('clients write exactly what their scopes name', () => {
  const crm = client(['workspaces:write']);
  assert.equal(writeDecision(crm, 'workspace.write').allowed, true);
  assert.equal(writeDecision(crm, 'document.write', { owner: 'account', team }).allowed, false);
  assert.equal(writeDecision(client(['documents:write']), 'document.write', { owner: 'campaign' }).allowed, true);
  assert.equal(writeDecision(client(['workspaces:read']), 'workspace.write').allowed, false);
});

test('admin writes all; sales file into accounts whose team they are on, and nothing else', () => {
  assert.equal(writeDecision(person(['admin']), 'workspace.write').allowed, true);
  const sven = person(['sales'], 'sven.sales@atrium.example');
  assert.equal(writeDecision(sven, 'document.write', { owner: 'account', team }).allowed, true, 'membership ignores case');
  assert.equal(writeDecision(person(['sales'], 'nora@atrium.example'), 'document.write', { owner: 'account', team }).allowed, false);
  assert.equal(writeDecision(sven, 'document.write', { owner: 'campaign', team }).allowed, false);
  assert.equal(writeDecision(sven, 'workspace.write').allowed, false);
});

test('partners, marketing, compliance and anonymous readers write no workspace or document', () => {
  for (const roles of [['partner'], ['marketing'], ['compliance'], []] as Principal['roles'][])
    for (const action of ['workspace.write', 'document.write'] as const)
      assert.equal(writeDecision(person(roles), action, { owner: 'account', team }).allowed, false, `${roles.join()} ${action}`);
  assert.equal(writeDecision(null, 'document.write').allowed, false);
});

test('marketing and admin send assets to review and publish content; nobody else, no client', () => {
  for (const action of ['asset.review', 'content.publish'] as const) {
    assert.equal(writeDecision(person(['marketing']), action).allowed, true, `marketing ${action}`);
    assert.equal(writeDecision(person(['admin']), action).allowed, true, `admin ${action}`);
    for (const roles of [['partner'], ['sales'], ['compliance'], []] as Principal['roles'][])
      assert.equal(writeDecision(person(roles), action).allowed, false, `${roles.join()} ${action}`);
    const d = writeDecision(client(['workspaces:write', 'documents:write', 'assets:read', 'webhooks:admin']), action);
    assert.equal(d.allowed, false);
    assert.match(d.rule, /no client may/);
  }
});
