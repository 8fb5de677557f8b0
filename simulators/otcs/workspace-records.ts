/**
 * Business workspaces as the Business Workspaces routes serve them: the world's campaign and
 * account workspaces, with what was written to them (overlay.ts), and the workspaces created
 * through the API. One record per workspace: the workspace, its category values, its roles.
 */
import { ACCOUNT_ROLES, CAMPAIGN_ROLES } from '../demo/catalog.ts';
import type { DemoAccount, DemoCampaign, DemoMember, DemoWorkspace, DemoWorld } from '../demo/world.ts';
import type { Mapping } from '../../sources/mapping.ts';
import type { WireCategoryValues, WireRoleProperties } from '../../sources/otcs/wire.ts';
import { categoryDefs, emptyValues } from './categories.ts';
import type { Overlay } from './overlay.ts';
import { TEMPLATES } from './templates.ts';

/** One workspace with what the wire needs of it. */
export interface WsRecord {
  ws: DemoWorkspace;
  kind: 'campaign' | 'account';
  categoryId: number;
  /** Values of the workspace type's category, keyed by attribute key (`9840_2`), as the mapping names them. */
  attrs: WireCategoryValues;
  /** Values of any other category applied to it (through the API). */
  others: WireCategoryValues[];
  /** Workspaces created through the API: the ids of their template's roles, in its order. */
  roleIds?: number[];
  /** Created through the API (not a world workspace). */
  written: boolean;
}

export interface RoleView {
  properties: WireRoleProperties;
  members: DemoMember[];
}

/** Role ids of world workspaces live in the workspace's own node-id block, past the folders and documents. */
const ROLE_ID_OFFSET = 900;

/** A world campaign's workspace record (no overlay). */
export function campaignRecord(world: DemoWorld, mapping: Mapping, c: DemoCampaign): WsRecord {
  const cat = mapping.otcs.campaignCategory;
  const a = cat.attributes;
  // Date attributes come back as date-times without a zone [INFERRED from the node examples].
  const attrs: WireCategoryValues = {
    [a.code]: c.code,
    [a.status]: c.status,
    [a.productLine]: c.productLine,
    [a.regions]: [...c.regions],
    [a.startDate]: `${c.startDate}T00:00:00`,
    [a.endDate]: `${c.endDate}T00:00:00`,
    [a.openToAllPartners]: c.openToAllPartners,
    [a.audience]: [...c.audience],
    [a.project]: c.project,
  };
  return { ws: world.campaignWorkspace(c), kind: 'campaign', categoryId: cat.id, attrs, others: [], written: false };
}

/** A world account's workspace record (no overlay). */
export function accountRecord(world: DemoWorld, mapping: Mapping, acc: DemoAccount): WsRecord {
  const cat = mapping.otcs.accountCategory;
  const a = cat.attributes;
  const attrs: WireCategoryValues = { [a.accountId]: acc.id, [a.kind]: acc.kind, [a.region]: acc.region };
  return { ws: world.accountWorkspace(acc), kind: 'account', categoryId: cat.id, attrs, others: [], written: false };
}

/** The world workspace with exactly this node id (no overlay), or null. */
export function worldRecord(world: DemoWorld, mapping: Mapping, nodeId: number): WsRecord | null {
  const owner = world.workspaceOf(nodeId);
  if (!owner) return null;
  if (owner.kind === 'campaign') return owner.campaign.workspaceId === nodeId ? campaignRecord(world, mapping, owner.campaign) : null;
  return owner.account.workspaceId === nodeId ? accountRecord(world, mapping, owner.account) : null;
}

/** The workspaces the routes serve: the world's with what was written, then the created ones. */
export interface WorkspaceRecords {
  /** Every workspace, world first (in world order), then the created ones (in id order). */
  all(): WsRecord[];
  byId(nodeId: number): WsRecord | null;
  /** Apply what was written to a world workspace's record. */
  patch(rec: WsRecord): WsRecord;
  /** The template's roles (all of them, even empty), then any role only the team names. */
  roles(rec: WsRecord): RoleView[];
  /** Direct children written under a workspace (folders and documents created through the API). */
  addedChildren(nodeId: number): number;
}

/** Workspace records over a world and, when there is one, the write overlay. */
export function workspaceRecords(world: DemoWorld, mapping: Mapping, overlay?: Overlay): WorkspaceRecords {
  const defs = categoryDefs(mapping);
  const worldAll = function* (): Generator<WsRecord> {
    for (const c of world.campaigns()) yield campaignRecord(world, mapping, c);
    for (const a of world.accounts()) yield accountRecord(world, mapping, a);
  };

  const patch = (rec: WsRecord): WsRecord => {
    const e = overlay?.entry(rec.ws.nodeId);
    if (!e) return rec;
    const others = [...e.categories.entries()]
      .filter(([id]) => id !== rec.categoryId)
      .map(([id, values]) => ({ ...emptyValuesOf(id), ...values }));
    return {
      ...rec,
      ws: {
        ...rec.ws,
        name: e.name ?? rec.ws.name,
        businessObject: e.businessObject ?? rec.ws.businessObject,
        team: e.team ?? rec.ws.team,
        modifiedAt: e.modifiedAt ?? rec.ws.modifiedAt,
      },
      attrs: { ...rec.attrs, ...(e.categories.get(rec.categoryId) ?? {}) },
      others,
    };
  };
  const emptyValuesOf = (catId: number): WireCategoryValues => {
    const def = defs.get(catId);
    return def ? emptyValues(def) : {};
  };

  const createdRecord = (id: number): WsRecord | null => {
    const e = overlay?.entry(id);
    const w = e?.created?.workspace;
    if (!e?.created || !w || !e.businessObject) return null;
    const t = w.template;
    const categoryId = t.category === 'campaign' ? mapping.otcs.campaignCategory.id : mapping.otcs.accountCategory.id;
    const ws: DemoWorkspace = {
      nodeId: e.id,
      parentId: e.created.parentId,
      name: e.name ?? '',
      type: t.type,
      typeId: t.typeId,
      businessObject: e.businessObject,
      team: e.team ?? [],
      createdAt: e.created.createdAt,
      modifiedAt: e.modifiedAt ?? e.created.createdAt,
      metadata: {},
    };
    const others = [...e.categories.entries()].filter(([cid]) => cid !== categoryId).map(([, values]) => values);
    return {
      ws,
      kind: t.category,
      categoryId,
      attrs: e.categories.get(categoryId) ?? emptyValuesOf(categoryId),
      others,
      roleIds: w.roleIds,
      written: true,
    };
  };

  return {
    all() {
      const out = [...worldAll()].map(patch);
      for (const e of overlay?.created() ?? []) {
        const rec = e.created?.workspace ? createdRecord(e.id) : null;
        if (rec) out.push(rec);
      }
      return out;
    },
    byId(nodeId) {
      const world0 = worldRecord(world, mapping, nodeId);
      return world0 ? patch(world0) : createdRecord(nodeId);
    },
    patch,
    roles(rec) {
      const catalog: readonly string[] = rec.written
        ? TEMPLATES[rec.ws.type].roles
        : rec.kind === 'campaign'
          ? CAMPAIGN_ROLES
          : ACCOUNT_ROLES;
      const names = [...catalog, ...rec.ws.team.map((m) => m.role).filter((r) => !catalog.includes(r))];
      return [...new Set(names)].map((name, i) => ({
        properties: {
          description: null,
          id: rec.roleIds?.[i] ?? rec.ws.nodeId + ROLE_ID_OFFSET + i,
          inherited_from_id: null,
          leader: null,
          name,
          perms: null,
        },
        members: rec.ws.team.filter((m) => m.role === name),
      }));
    },
    addedChildren: (nodeId) => overlay?.childrenOf(nodeId).length ?? 0,
  };
}
