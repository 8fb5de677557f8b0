/** The pieces behind the simulator's writes: categories (parsing and stored values), templates, and the overlay. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoMapping } from '../../../../sources/mapping.ts';
import {
  CategoryError,
  categoryDefs,
  emptyValues,
  metadataFromCategory,
  normalizeValue,
  parseRolesCategories,
} from '../../../../simulators/otcs/categories.ts';
import { createOverlay, OVERLAY_BASE, OverlayFull } from '../../../../simulators/otcs/overlay.ts';
import { TEMPLATES, WORKSPACE_TYPES, templateById, templateOfType } from '../../../../simulators/otcs/templates.ts';
import { NODE } from '../../../../simulators/demo/world.ts';
import { testWorld } from '../../../helpers/world.ts';

const m = demoMapping();
const defs = categoryDefs(m);
const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CategoryError);
    return e.reason;
  }
  return 'none';
};

describe('categories', () => {
  it('defines the three mapping categories with their attributes', () => {
    assert.deepEqual([...defs.keys()], [9830, 9840, 9850]);
    assert.equal(defs.get(9840)?.attributes.get('9840_5')?.multi, true);
    assert.equal(defs.get(9840)?.attributes.get('9840_8')?.type, 'Boolean');
    assert.equal(defs.get(9830)?.attributes.get('9830_11')?.type, 'Date');
  });

  it('parses roles.categories flat and nested per category (vendor-apis-writes §2.1)', () => {
    const flat = parseRolesCategories({ '9830_2': 'CMP-1', '9850_4': 'EMEA' }, defs);
    assert.deepEqual(Object.fromEntries(flat), { 9830: { '9830_2': 'CMP-1' }, 9850: { '9850_4': 'EMEA' } });
    const nested = parseRolesCategories({ '9840': { '9840_5': 'EMEA', '9840_8': 'true' }, '9850': {} }, defs);
    assert.deepEqual(Object.fromEntries(nested), { 9840: { '9840_5': ['EMEA'], '9840_8': true }, 9850: {} });
  });

  it('refuses unknown categories and attributes, set rows, and what is not a map', () => {
    assert.equal(
      reason(() => parseRolesCategories({ '4242_2': 'x' }, defs)),
      'unknown-category',
    );
    assert.equal(
      reason(() => parseRolesCategories({ '9830_99': 'x' }, defs)),
      'unknown-attribute',
    );
    assert.equal(
      reason(() => parseRolesCategories({ '9830_3_1_4': 'x' }, defs)),
      'unknown-attribute',
    );
    assert.equal(
      reason(() => parseRolesCategories({ '9840': { '9830_2': 'x' } }, defs)),
      'unknown-attribute',
    );
    assert.equal(
      reason(() => parseRolesCategories(['x'], defs)),
      'malformed',
    );
    assert.equal(
      reason(() => parseRolesCategories({ name: 'x' }, defs)),
      'malformed',
    );
  });

  it('stores values as the world serves them: lists, zone-less UTC dates, booleans', () => {
    const attr = (key: string) => defs.get(Number(key.split('_')[0]))?.attributes.get(key) as Parameters<typeof normalizeValue>[0];
    assert.deepEqual(normalizeValue(attr('9830_12'), ['EMEA', '', 'NA']), ['EMEA', 'NA']);
    assert.deepEqual(normalizeValue(attr('9830_12'), 'WORLD'), ['WORLD']);
    assert.equal(normalizeValue(attr('9830_10'), '2027-01-15'), '2027-01-15T00:00:00');
    assert.equal(normalizeValue(attr('9830_10'), '2027-01-15T10:00:00+02:00'), '2027-01-15T08:00:00');
    assert.equal(normalizeValue(attr('9830_10'), ''), null);
    assert.equal(normalizeValue(attr('9840_8'), '0'), false);
    assert.equal(
      reason(() => normalizeValue(attr('9830_10'), 'soon')),
      'bad-value',
    );
    assert.equal(
      reason(() => normalizeValue(attr('9830_2'), ['a', 'b'])),
      'bad-value',
    );
  });

  it('reads canonical metadata back from document category values', () => {
    const values = {
      ...emptyValues(defs.get(9830) as NonNullable<ReturnType<typeof defs.get>>),
      '9830_7': 'PARTNER',
      '9830_11': '2027-01-15T00:00:00',
      '9830_13': ['web'],
    };
    assert.deepEqual(metadataFromCategory(values, m), {
      classification: 'PARTNER',
      validUntil: '2027-01-15T00:00:00.000Z',
      channels: ['web'],
    });
  });
});

describe('templates', () => {
  it('match the workspace types and template ids the types route serves, with distinct ids', () => {
    for (const t of WORKSPACE_TYPES) {
      assert.equal(templateOfType(TEMPLATES[t].typeId), TEMPLATES[t]);
      assert.equal(templateById(TEMPLATES[t].templateId), TEMPLATES[t]);
      assert.equal(m.otcs.workspaceTypes[t], TEMPLATES[t].typeId, 'the demo mapping names the same types');
    }
    assert.equal(TEMPLATES.Campaign.location, NODE.campaignsFolder);
    assert.equal(TEMPLATES.Partner.location, NODE.accountsFolder);
  });

  it("give a campaign the folder layout of the world's campaign workspaces", () => {
    const w = testWorld();
    const tree = w.tree(w.campaign(0).workspaceId);
    const byId = new Map(tree?.folders.map((f) => [f.nodeId, f.name]));
    const worldFolders = tree?.folders.map((f) => ({
      name: f.name,
      ...(f.parentId !== f.workspaceId ? { parent: byId.get(f.parentId) } : {}),
    }));
    assert.deepEqual(TEMPLATES.Campaign.folders, worldFolders);
    for (const t of WORKSPACE_TYPES)
      for (const f of TEMPLATES[t].folders) if (f.parent) assert.ok(TEMPLATES[t].folders.some((x) => x.name === f.parent));
  });
});

describe('overlay', () => {
  const node = { parentId: 2000, type: 0, typeName: 'Folder', createdAt: '2026-01-01T00:00:00Z', ownerId: 1000 };

  it('gives created nodes ids above any the world can make, and keeps them by parent', () => {
    const o = createOverlay({ maxNodes: 10, now: () => 0 });
    const a = o.create(node, 'A', '');
    const b = o.create({ ...node, parentId: a.id }, 'B', '');
    assert.ok(a.id >= OVERLAY_BASE && OVERLAY_BASE > 4000 * 12 * 1000 + 50_000_000, 'beyond the largest world id');
    assert.deepEqual(o.childrenOf(a.id), [b.id]);
    assert.deepEqual(o.remove(a.id), []);
    assert.equal(o.entry(b.id), undefined, 'removing a node removes what was under it');
  });

  it('is bounded, counting changed world nodes too', () => {
    const o = createOverlay({ maxNodes: 2, now: () => 0 });
    o.touch(10_000_010);
    o.create(node, 'A', '');
    assert.throws(() => o.create(node, 'B', ''), OverlayFull);
    assert.throws(() => o.touch(10_000_011), OverlayFull);
    o.clear();
    assert.equal(o.size, 0);
  });

  it('changes a token with each revision, per node, category and RM classification', () => {
    const o = createOverlay({ maxNodes: 5, now: () => 0 });
    const before = [o.token(1, 'node'), o.token(1, 9830), o.token(1, 'rm')];
    assert.equal(new Set(before).size, 3);
    assert.match(before[0] as string, /^[0-9a-f]{32}$/);
    const e = o.touch(1);
    e.categoryRevisions.set(9830, 1);
    assert.notEqual(o.token(1, 9830), before[1]);
    assert.equal(o.token(1, 'node'), before[0]);
  });

  it('keeps audit rows with the write clock', () => {
    const o = createOverlay({ maxNodes: 5, now: () => Date.parse('2026-05-01T10:00:00.123Z') });
    o.audit(7, { type: 11, name: 'Version Added' }, 1000);
    assert.deepEqual(
      o.entry(7)?.audit.map((a) => [a.eventType, a.eventName, a.at, a.userId]),
      [[11, 'Version Added', '2026-05-01T10:00:00Z', 1000]],
    );
  });
});
