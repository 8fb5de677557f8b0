/** Wire fidelity: the simulator's answers have the keys and types of the vendor examples (vendor-apis §2). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertSameShape, shapeDiff } from '../../helpers/shape.ts';
import { fixture, startHarness, type Harness } from '../../helpers/otcs-workspaces.ts';

type Results = { results: unknown };
const firstResult = (body: unknown): unknown => {
  const r = (body as Results).results;
  return Array.isArray(r) ? r[0] : r;
};

describe('business workspaces wire shapes', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('§2.2 listing envelope, including paging.actions.next', async () => {
    const res = await h.get('/api/v2/businessworkspaces?expanded_view=true&where_workspace_type_name=Campaign&page=1&limit=4');
    assertSameShape(res.body, fixture('workspace-list.json'), '§2.2 list');
  });

  it('§2.2 related items carry rel_type in properties', async () => {
    const res = await h.get(`/api/v2/businessworkspaces/${h.world.campaign(3).workspaceId}/relateditems`);
    assertSameShape(firstResult(res.body), fixture('related-item.json'), '§2.2 related item');
  });

  it('§2.1 workspace by id: results as an object by default', async () => {
    const res = await h.get(
      '/api/v2/businessworkspaces/10000000?metadata&fields=properties&fields=business_properties&fields=workspace_references&fields=wksp_info',
    );
    const example = fixture('workspace-get.json') as { results: unknown[] };
    assertSameShape(firstResult(res.body), example.results[0], '§2.1 result');
    assert.ok(!Array.isArray((res.body as Results).results));
  });

  it('§2.1 workspace by id: the whole pyxecm envelope when results are configured as a list', async () => {
    const listy = await startHarness({ singleResultsAs: 'list' });
    try {
      const res = await listy.get(
        '/api/v2/businessworkspaces/50000000?metadata&fields=properties&fields=business_properties&fields=workspace_references&fields=wksp_info',
      );
      assertSameShape(res.body, fixture('workspace-get.json'), '§2.1 envelope');
    } finally {
      await listy.close();
    }
  });

  it('§2.3 workspace type item', async () => {
    const res = await h.get('/api/v2/businessworkspacetypes?expand_templates=true&expand_wksp_info=true');
    assertSameShape(firstResult(res.body), fixture('workspace-type-item.json'), '§2.3 type');
  });

  it('§2.4 roles with members', async () => {
    const res = await h.get('/api/v2/businessworkspaces/50000000/roles?fields=members');
    assertSameShape(res.body, fixture('roles.json'), '§2.4 roles');
  });

  it('the shape check notices a missing section (so the checks above can fail)', async () => {
    const res = await h.get('/api/v2/businessworkspaces/10000000?fields=properties');
    const example = (fixture('workspace-get.json') as { results: unknown[] }).results[0];
    assert.ok(shapeDiff(firstResult(res.body), example).some((d) => d.includes('workspace_references: missing')));
  });
});
