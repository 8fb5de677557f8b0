/**
 * Simulated Business Workspaces writes (vendor-apis-writes §2.1–2.2):
 * - `POST /api/v2/businessworkspaces`, one form field `body` (SEEN pyxecm create_workspace):
 *   `template_id`, `wksp_type_id`, `type` 848, `name`, `description`, `roles.categories`
 *   (nested per category or flat, both accepted), the business object (`ext_system_id`,
 *   `bo_type`, `bo_id`, only together), `parent_id` (else the type's location). The workspace
 *   is made from its type's template (templates.ts): its folders and team roles come with it.
 *   Answers `{links, results: {direct_open, id, sub_folder_id}}` (SEEN).
 * - `PUT /api/v2/businessworkspaces/{id}/workspacereferences`, plain form fields (SEEN pyxecm
 *   set_workspace_reference): the business object the workspace stands for.
 * - `POST|DELETE /api/v2/businessworkspaces/{id}/roles/{role}/members[/{member}]` (vendor-apis
 *   §2, SEEN pyxecm): team membership; POST answers the member's `results.data.properties`.
 *
 * INFERRED / NOT FOUND here (README.md): the name derived when none is sent, a business object
 * is required (the demo's workspace types are bound to one), a second workspace for a business
 * object (`duplicateBusinessObject`), the answers of the reference PUT and of the member routes
 * (200 with an empty `results`), and that none of them writes an audit row (no event type for
 * them is known).
 */
import type { DemoMember } from '../demo/world.ts';
import { first, type SimRequest, type SimResponse } from '../framework/server.ts';
import type { BusinessObject } from '../../sources/model.ts';
import { SUBTYPE } from '../../sources/otcs/wire.ts';
import { CategoryError, emptyValues, parseRolesCategories, type CategoryValues } from './categories.ts';
import { fail, formOf, parseNodeId, selfLink, type CoreSim } from './kit.ts';
import type { Entry } from './overlay.ts';
import { templateById, templateOfType, type WorkspaceTemplate } from './templates.ts';
import { workspaceRecords, type WorkspaceRecords, type WsRecord } from './workspace-records.ts';
import {
  alreadyExists,
  badCategories,
  EVENTS,
  idOf,
  isContainer,
  jsonValue,
  MAX_NAME,
  missingParameter,
  missingParent,
  siblingNamed,
  writeRoute,
} from './writes-kit.ts';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const WORKSPACE = 'Business Workspace';

const sameBo = (a: BusinessObject, b: BusinessObject) => a.system === b.system && a.type === b.type && a.id === b.id;

/** The business object of a form: all three fields, none (undefined), or an error answer for some. */
function businessObjectOf(f: Record<string, unknown>): BusinessObject | undefined | SimResponse {
  const [system, type, id] = [first(f.ext_system_id), first(f.bo_type), first(f.bo_id)].map((v) => (v ?? '').trim());
  if (!system && !type && !id) return undefined;
  if (!system || !type || !id)
    return fail(400, 'One or more parameters are invalid', 'ext_system_id, bo_type and bo_id are given together.');
  return { system: system as string, type: type as string, id: id as string };
}
const isAnswer = (v: unknown): v is SimResponse => isObj(v) && 'body' in v;

/** The answer for a business object another workspace already stands for, if `duplicateBusinessObject` refuses it. */
function duplicateOf(ctx: CoreSim, records: WorkspaceRecords, bo: BusinessObject, except?: number): SimResponse | null {
  if (ctx.opts.duplicateBusinessObject === 'allow') return null;
  const other = records.all().find((r) => r.ws.nodeId !== except && sameBo(r.ws.businessObject, bo));
  // [INFERRED] the reference: use the CS "already exists" pattern (pyxecm special-cases it).
  return other ? fail(500, `A business workspace for the business object '${bo.system} ${bo.type} ${bo.id}' already exists.`) : null;
}

/** The template a create names by `template_id` and/or `wksp_type_id`, or the answer refusing it. */
function templateOf(f: Record<string, unknown>): WorkspaceTemplate | SimResponse {
  const templateId = f.template_id === undefined ? null : idOf(f.template_id);
  const typeId = f.wksp_type_id === undefined ? null : idOf(f.wksp_type_id);
  if (templateId === null && typeId === null) return missingParameter('template_id');
  const byTemplate = templateId === null ? undefined : templateById(templateId);
  const byType = typeId === null ? undefined : templateOfType(typeId);
  if (templateId !== null && !byTemplate)
    return fail(400, `Could not create a new ${WORKSPACE}`, `Template ${String(first(f.template_id))} does not exist.`);
  if (typeId !== null && !byType)
    return fail(400, `Could not create a new ${WORKSPACE}`, `Workspace type ${String(first(f.wksp_type_id))} does not exist.`);
  if (byTemplate && byType && byTemplate !== byType)
    return fail(
      400,
      `Could not create a new ${WORKSPACE}`,
      `Template ${byTemplate.templateId} is not a template of workspace type ${byType.typeId}.`,
    );
  return (byTemplate ?? byType) as WorkspaceTemplate;
}

/** Create the template's folders under a new workspace (parents before children), each with its audit row. */
function createFolders(ctx: CoreSim, ws: Entry, t: WorkspaceTemplate, user: number, now: string): void {
  const ids = new Map<string, number>();
  for (const folder of t.folders) {
    const parentId = folder.parent ? (ids.get(folder.parent) ?? ws.id) : ws.id;
    const e = ctx.overlay.create({ parentId, type: SUBTYPE.folder, typeName: 'Folder', createdAt: now, ownerId: user }, folder.name, '');
    ids.set(folder.name, e.id);
    ctx.overlay.audit(e.id, EVENTS.create, user);
  }
}

async function createWorkspace(ctx: CoreSim, records: WorkspaceRecords, req: SimRequest): Promise<SimResponse> {
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const f = form.fields;
  if (f.ibo_workspace_id !== undefined)
    return fail(400, 'One or more parameters are invalid', 'ibo_workspace_id: linking a second business object is not simulated.');
  const t = templateOf(f);
  if (isAnswer(t)) return t;
  if (f.type !== undefined && String(first(f.type) ?? f.type) !== String(SUBTYPE.businessWorkspace))
    return fail(400, `Could not create a new ${WORKSPACE}`, `type must be ${SUBTYPE.businessWorkspace}.`);
  const bo = businessObjectOf(f);
  if (isAnswer(bo)) return bo;
  if (!bo) return missingParameter('bo_id');
  const parentId = f.parent_id === undefined || f.parent_id === '' ? t.location : idOf(f.parent_id);
  const parent = parentId === null ? null : ctx.nodes.get(parentId);
  if (!parent) return missingParent(ctx, String(first(f.parent_id) ?? f.parent_id));
  if (!isContainer(parent)) return fail(400, `Could not create a new ${WORKSPACE}`, `Node ${parent.id} cannot contain items.`);
  // [INFERRED] without a name the type's naming rule applies; ours: "<type> (<business object id>)".
  const name = String(first(f.name) ?? '').trim() || `${t.type} (${bo.id})`;
  if (name.length > MAX_NAME) return fail(400, `Could not create a new ${WORKSPACE}`, `The name is longer than ${MAX_NAME} characters.`);
  const roles = jsonValue(f.roles);
  let categories: Map<number, CategoryValues>;
  try {
    categories = parseRolesCategories(isObj(roles) ? jsonValue(roles.categories) : undefined, ctx.categories);
  } catch (e) {
    if (e instanceof CategoryError) return badCategories(ctx, e, WORKSPACE);
    throw e;
  }
  const duplicate = duplicateOf(ctx, records, bo);
  if (duplicate) return duplicate;
  if (siblingNamed(ctx, parent.id, name)) return alreadyExists(name);

  ctx.overlay.reserve(1 + t.folders.length);
  const user = ctx.userOf(req);
  const now = ctx.overlay.now();
  const roleIds = t.roles.map(() => ctx.overlay.allocateId());
  const ws = ctx.overlay.create(
    {
      parentId: parent.id,
      type: SUBTYPE.businessWorkspace,
      typeName: WORKSPACE,
      createdAt: now,
      ownerId: user,
      workspace: { template: t, roleIds },
    },
    name,
    String(first(f.description) ?? ''),
  );
  ws.businessObject = bo;
  ws.team = [];
  // The type's category is always on its workspaces; others only when the body names them.
  const typeCategory = t.category === 'campaign' ? ctx.mapping.otcs.campaignCategory.id : ctx.mapping.otcs.accountCategory.id;
  for (const catId of new Set([typeCategory, ...categories.keys()])) {
    const def = ctx.categories.get(catId);
    ws.categories.set(catId, { ...(def ? emptyValues(def) : {}), ...(categories.get(catId) ?? {}) });
    ws.applied.add(catId);
  }
  ctx.overlay.audit(ws.id, EVENTS.create, user);
  createFolders(ctx, ws, t, user, now);
  const self = { body: '', content_type: '', href: '/api/v2/businessworkspaces', method: 'POST', name: '' };
  return {
    status: ctx.opts.createdStatus,
    body: { links: { data: { self } }, results: { direct_open: true, id: ws.id, sub_folder_id: 0 } },
  };
}

/** The workspace of a route's `:id`, or the answer for an unknown one (as the workspace GET answers it). */
function workspaceParam(records: WorkspaceRecords, req: SimRequest): WsRecord | SimResponse {
  const id = parseNodeId(req.params.id);
  const rec = id === null ? null : records.byId(id);
  return rec ?? fail(400, `Could not get a node for ${String(req.params.id).slice(0, 64)}`);
}
const isRecord = (v: WsRecord | SimResponse): v is WsRecord => 'ws' in v;

function setReference(ctx: CoreSim, records: WorkspaceRecords, req: SimRequest): SimResponse {
  const rec = workspaceParam(records, req);
  if (!isRecord(rec)) return rec;
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const bo = businessObjectOf(form.fields);
  if (isAnswer(bo)) return bo;
  if (!bo) return missingParameter('bo_id');
  const duplicate = duplicateOf(ctx, records, bo, rec.ws.nodeId);
  if (duplicate) return duplicate;
  const e = ctx.overlay.entry(rec.ws.nodeId) ?? ctx.overlay.touch(rec.ws.nodeId);
  e.businessObject = bo;
  e.modifiedAt = ctx.overlay.now();
  return { body: { links: selfLink(ctx, req), results: {} } };
}

/** The team a member route changes: the written one, or (first change of a world workspace) the world's. */
function teamOf(ctx: CoreSim, rec: WsRecord): { e: Entry; team: DemoMember[] } {
  const e = ctx.overlay.entry(rec.ws.nodeId) ?? ctx.overlay.touch(rec.ws.nodeId);
  e.team ??= [...rec.ws.team];
  return { e, team: e.team };
}

function addMember(ctx: CoreSim, records: WorkspaceRecords, req: SimRequest): SimResponse {
  const rec = workspaceParam(records, req);
  if (!isRecord(rec)) return rec;
  const role = records.roles(rec).find((r) => String(r.properties.id) === req.params.role_id);
  if (!role) return fail(400, `Could not get a role for ${String(req.params.role_id).slice(0, 32)}`);
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const userId = idOf(form.fields.id);
  const member = userId === null ? null : ctx.members.get(userId);
  if (!member) return fail(400, `Could not get a member for ${String(first(form.fields.id) ?? '').slice(0, 32)}`);
  const { team } = teamOf(ctx, rec);
  if (!team.some((m) => m.userId === member.id && m.role === role.properties.name))
    team.push({ email: member.business_email ?? '', name: member.display_name, role: role.properties.name, userId: member.id });
  return { body: { links: selfLink(ctx, req), results: { data: { properties: member } } } };
}

function removeMember(ctx: CoreSim, records: WorkspaceRecords, req: SimRequest): SimResponse {
  const rec = workspaceParam(records, req);
  if (!isRecord(rec)) return rec;
  const role = records.roles(rec).find((r) => String(r.properties.id) === req.params.role_id);
  if (!role) return fail(400, `Could not get a role for ${String(req.params.role_id).slice(0, 32)}`);
  const memberId = parseNodeId(req.params.member_id);
  if (!role.members.some((m) => m.userId === memberId))
    return fail(400, `Could not get a member for ${String(req.params.member_id).slice(0, 32)}`);
  const { e, team } = teamOf(ctx, rec);
  e.team = team.filter((m) => !(m.userId === memberId && m.role === role.properties.name));
  return { body: { links: selfLink(ctx, req), results: {} } };
}

/** Register the business-workspace write routes. */
export function registerWorkspaceWriteRoutes(ctx: CoreSim): void {
  const records = workspaceRecords(ctx.world, ctx.mapping, ctx.overlay);
  ctx.route(
    'POST',
    '/api/v2/businessworkspaces',
    writeRoute((r) => createWorkspace(ctx, records, r)),
  );
  ctx.route(
    'PUT',
    '/api/v2/businessworkspaces/:id/workspacereferences',
    writeRoute((r) => setReference(ctx, records, r)),
  );
  ctx.route(
    'POST',
    '/api/v2/businessworkspaces/:id/roles/:role_id/members',
    writeRoute((r) => addMember(ctx, records, r)),
  );
  ctx.route(
    'DELETE',
    '/api/v2/businessworkspaces/:id/roles/:role_id/members/:member_id',
    writeRoute((r) => removeMember(ctx, records, r)),
  );
}
