import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeAccountQuery, mergeCampaignQuery } from '../../../../access/policy.ts';

test('campaign queries intersect within the policy', () => {
  const partner = { statuses: ['ACTIVE' as const], audienceIncludes: 'ACC-1001', regions: ['EMEA' as const] };
  assert.deepEqual(mergeCampaignQuery({}, partner), partner);
  assert.deepEqual(mergeCampaignQuery({ statuses: ['ACTIVE', 'CLOSED'], text: 'Nimbus' }, partner), { ...partner, text: 'Nimbus' });
  assert.equal(mergeCampaignQuery({ statuses: ['PLANNED'] }, partner), 'empty', 'asking for what the policy excludes asks nothing');
  assert.equal(mergeCampaignQuery({ regions: ['APAC'] }, partner), 'empty');
  assert.equal(mergeCampaignQuery({}, 'empty'), 'empty');
  assert.deepEqual(mergeCampaignQuery({ regions: ['NA'] }, {}), { regions: ['NA'] });
});

test('account queries: a partner asking for another company gets nothing', () => {
  assert.deepEqual(mergeAccountQuery({ kinds: ['PARTNER'] }, { ids: ['ACC-1001'] }), { kinds: ['PARTNER'], ids: ['ACC-1001'] });
  assert.equal(mergeAccountQuery({ ids: ['ACC-1003'] }, { ids: ['ACC-1001'] }), 'empty');
  assert.equal(mergeAccountQuery({ memberEmail: 'x@y' }, { memberEmail: 'sales.na@atrium.example' }), 'empty');
});
