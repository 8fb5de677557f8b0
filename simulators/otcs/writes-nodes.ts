/**
 * Simulated node writes (vendor-apis-writes §1.1, §2.2–2.4): create a folder or upload a
 * document (`POST /api/v2/nodes`, multipart with a `file` part, the fields in a `body` JSON
 * part or as plain fields), rename (`PUT /api/v2/nodes/{id}`), apply a category
 * (`POST .../categories`) and change its values (`PUT .../categories/{cat}`, optimistic
 * concurrency with `{cat}_1` metadata tokens), and add a version (`POST .../versions`,
 * multipart). What they write goes to the overlay (overlay.ts); each write leaves its audit
 * row on the node. Texts are the spec's (cs-schema) where it has one; the others say INFERRED.
 */
import { all, first, type SimRequest, type SimResponse } from '../framework/server.ts';
import { SUBTYPE } from '../../sources/otcs/wire.ts';
import { CategoryError, categoryOfKey, emptyValues, normalizeValue, parseRolesCategories, type CategoryValues } from './categories.ts';
import { fail, formOf, parseNodeId, selfLink, type CoreSim, type SimNode } from './kit.ts';
import { nodeState } from './nodes.ts';
import type { Entry, WrittenVersion } from './overlay.ts';
import { latest, nodeProperties, versionInfo } from './render.ts';
import type { UploadedFile } from './uploads.ts';
import {
  alreadyExists,
  badCategories,
  editConflict,
  EVENTS,
  flag,
  idOf,
  INACCESSIBLE,
  isContainer,
  jsonValue,
  MAX_NAME,
  missingParameter,
  missingParent,
  siblingNamed,
  writeRoute,
} from './writes-kit.ts';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The subtypes `POST /api/v2/nodes` creates here; anything else is "not registered" (SPEC text). */
const CREATABLE: Record<number, string> = { [SUBTYPE.folder]: 'Folder', [SUBTYPE.document]: 'Document' };

/** The overlay entry a write changes: the created node's, or a world node's (made on first change). */
const entryOf = (ctx: CoreSim, id: number): Entry => ctx.overlay.entry(id) ?? ctx.overlay.touch(id);

/** `Large File Upload` (`upload_key`) is not simulated: the spec's answer for a key it cannot find. */
const noUploadKey = (): SimResponse => fail(400, 'Error: File could not be found within the upload directory.');

/** The upload a request's `file` part carried, or null (a `file` field without a file name is no upload). */
async function fileOf(ctx: CoreSim, fields: Record<string, unknown>): Promise<UploadedFile | null> {
  for (const v of all(fields.file)) {
    const file = await ctx.uploads.take(v);
    if (file) return file;
  }
  return null;
}

/** A version record for stored bytes. */
function versionOf(
  file: UploadedFile,
  n: number,
  major: number,
  minor: number,
  at: string,
  by: number,
  description: string,
): WrittenVersion {
  return {
    number: n,
    fileName: file.fileName,
    mimeType: file.mimeType,
    size: file.content.size,
    createdAt: at,
    createdBy: by,
    description,
    content: file.content,
    major,
    minor,
  };
}

/**
 * `POST /api/v2/nodes`: a folder (type 0) or a document (type 144, with a `file` part).
 * Fields come from a `body` JSON part (pyxecm 3.4.10) or as plain fields (`roles` then a JSON
 * string), vendor-apis-writes §1.1; `roles.categories` flat or nested; `roles.classifications`
 * (classification-tree classifications) are accepted and not modelled.
 */
async function createNode(ctx: CoreSim, req: SimRequest): Promise<SimResponse> {
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const f = form.fields;
  if (first(f.upload_key) !== undefined) return noUploadKey();
  const typeRaw = typeof f.type === 'number' ? String(f.type) : first(f.type);
  if (typeRaw === undefined || typeRaw === '') return missingParameter('type');
  const type = Number(typeRaw);
  const typeName = CREATABLE[type];
  if (!typeName) return fail(400, `Subtype ${typeRaw.slice(0, 16)} not registered`);
  if (f.parent_id === undefined || f.parent_id === '') return missingParameter('parent_id');
  const parentId = idOf(f.parent_id);
  const name = String(first(f.name) ?? '').trim();
  if (!name) return missingParameter('name');
  if (name.length > MAX_NAME) return fail(400, `Could not create a new ${typeName}`, `The name is longer than ${MAX_NAME} characters.`);
  const parent = parentId === null ? null : ctx.nodes.get(parentId);
  if (!parent) return missingParent(ctx, String(first(f.parent_id) ?? f.parent_id));
  if (!isContainer(parent)) return fail(400, `Could not create a new ${typeName}`, `Node ${parent.id} cannot contain items.`);
  const roles = jsonValue(f.roles);
  let categories: Map<number, CategoryValues>;
  try {
    categories = parseRolesCategories(isObj(roles) ? jsonValue(roles.categories) : undefined, ctx.categories);
  } catch (e) {
    if (e instanceof CategoryError) return badCategories(ctx, e, typeName);
    throw e;
  }
  if (siblingNamed(ctx, parent.id, name)) return alreadyExists(name);
  const file = type === SUBTYPE.document ? await fileOf(ctx, f) : null;
  if (type === SUBTYPE.document && !file) return missingParameter('File');
  // Looked at again after waiting for the file: a concurrent create may have taken the name.
  if (file && siblingNamed(ctx, parent.id, name)) {
    ctx.content.remove(file.content);
    return alreadyExists(name);
  }
  const user = ctx.userOf(req);
  const now = ctx.overlay.now();
  let e: Entry;
  try {
    e = ctx.overlay.create(
      { parentId: parent.id, type, typeName, createdAt: now, ownerId: user },
      name,
      String(first(f.description) ?? ''),
    );
  } catch (err) {
    if (file) ctx.content.remove(file.content);
    throw err;
  }
  for (const [catId, values] of categories) {
    const def = ctx.categories.get(catId);
    e.categories.set(catId, { ...(def ? emptyValues(def) : {}), ...values });
    e.applied.add(catId);
  }
  if (file) e.versions.push(versionOf(file, 1, 0, 1, now, user, ''));
  ctx.overlay.audit(e.id, EVENTS.create, user);
  const node = ctx.nodes.get(e.id) as SimNode;
  return {
    status: ctx.opts.createdStatus,
    body: { links: selfLink(ctx, req), results: { data: { properties: nodeProperties(node, 0) } } },
  };
}

/** `metadata_token` (node) or `{cat}_1` (category): a JSON string in forms, an object in `body` JSON. */
function tokenOf(v: unknown): string | undefined {
  const parsed = jsonValue(v);
  if (isObj(parsed)) return typeof parsed.metadata_token === 'string' ? parsed.metadata_token : undefined;
  return typeof parsed === 'string' && parsed !== '' ? parsed : undefined;
}

/**
 * `PUT /api/v2/nodes/{id}` (SPEC updateNode2): `name`, `description`, and an optional
 * `metadata_token` (409 when stale). Moving (`parent_id`) and reserving are not simulated
 * and answer 400 rather than pretending to have happened.
 */
function updateNode(ctx: CoreSim, req: SimRequest): SimResponse {
  const id = parseNodeId(req.params.id);
  const n = id === null ? null : ctx.nodes.get(id);
  if (!n) return fail(400, INACCESSIBLE);
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const f = form.fields;
  for (const unsupported of ['parent_id', 'reserved_user_id', 'collection_id']) {
    if (f[unsupported] !== undefined)
      return fail(400, 'One or more parameters are invalid', `${unsupported}: this operation is not simulated.`);
  }
  const token = tokenOf(f.metadata_token);
  if (token !== undefined && token !== ctx.overlay.token(n.id, 'node')) return editConflict();
  const name = f.name === undefined ? undefined : String(first(f.name) ?? '').trim();
  if (name === '') return missingParameter('name');
  if (name !== undefined && name.length > MAX_NAME)
    return fail(400, 'One or more parameters are invalid', `The name is longer than ${MAX_NAME} characters.`);
  if (name !== undefined && name !== n.name && siblingNamed(ctx, n.parentId, name, n.id)) return alreadyExists(name);
  const e = entryOf(ctx, n.id);
  const user = ctx.userOf(req);
  const renamed = name !== undefined && name !== n.name;
  if (renamed) e.name = name;
  if (f.description !== undefined) e.description = String(first(f.description) ?? '');
  e.revision++;
  e.modifiedAt = ctx.overlay.now();
  if (renamed) ctx.overlay.audit(n.id, EVENTS.rename, user);
  const after = ctx.nodes.get(n.id) as SimNode;
  return { body: { links: selfLink(ctx, req), results: token !== undefined ? { state: nodeState(ctx, after) } : {} } };
}

/** The node of a category route, or its answer: 500 "Could not get a node for {id}" (SPEC add/updateCategory2). */
function categoryNode(ctx: CoreSim, req: SimRequest): SimNode | SimResponse {
  const id = parseNodeId(req.params.id);
  const n = id === null ? null : ctx.nodes.get(id);
  return n ?? fail(500, `Could not get a node for ${String(req.params.id).slice(0, 64)}`);
}
const isNode = (v: SimNode | SimResponse): v is SimNode => typeof (v as SimNode).categories === 'function';

/** Attribute values of a category form: its `{cat}_{attr}` keys (the token key `{cat}_1` excluded). */
function attributeFields(fields: Record<string, unknown>, catId: number): [string, unknown][] {
  return Object.entries(fields).filter(([k]) => categoryOfKey(k) !== null && k !== `${catId}_1`);
}

/** Record a category change on a node: values, token revision, modify date, audit row. */
function writeCategory(ctx: CoreSim, req: SimRequest, n: SimNode, catId: number, values: CategoryValues, base: CategoryValues): void {
  const e = entryOf(ctx, n.id);
  e.categories.set(catId, { ...base, ...(e.categories.get(catId) ?? {}), ...values });
  e.categoryRevisions.set(catId, (e.categoryRevisions.get(catId) ?? 0) + 1);
  e.modifiedAt = ctx.overlay.now();
  ctx.overlay.audit(n.id, EVENTS.attribute, ctx.userOf(req));
}

/**
 * `POST /api/v2/nodes/{id}/categories` (SPEC addCategory2; SEEN pyxecm assign_category):
 * `category_id` plus optional values as plain form fields. pyxecm applies a category this way
 * when a PUT finds it missing (vendor-apis-writes §2.2).
 */
function addCategory(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = categoryNode(ctx, req);
  if (!isNode(n)) return n;
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const catId = idOf(form.fields.category_id);
  if (catId === null) return fail(400, "Invalid datatype specified for argument 'category_id'");
  const def = ctx.categories.get(catId);
  if (!def) return fail(400, 'No permissions to access the attribute definition node');
  if (n.categories().has(catId)) return fail(400, `The attribute group '${def.name}' already exists`);
  const values: CategoryValues = {};
  for (const [key, raw] of attributeFields(form.fields, catId)) {
    const attr = def.attributes.get(key);
    if (!attr) return fail(500, 'Invalid specification. Invalid attribute entry found.', `'${key.slice(0, 40)}'`);
    try {
      values[key] = normalizeValue(attr, raw);
    } catch (e) {
      if (e instanceof CategoryError) return fail(400, 'One or more parameters are invalid', `${key}: ${e.message}`);
      throw e;
    }
  }
  entryOf(ctx, n.id).applied.add(catId);
  writeCategory(ctx, req, n, catId, values, emptyValues(def));
  return { body: { links: selfLink(ctx, req), results: {} } };
}

/**
 * `PUT /api/v2/nodes/{id}/categories/{cat}` (SPEC updateCategory2; pyxecm sends plain form
 * fields without the trailing slash): the values to change, and optionally the category's
 * metadata token as `{cat}_1={"metadata_token":"..."}` (or `metadata_token`). A stale token
 * is 409 "Could not update metadata (edit conflict)."; after a change with a token, the next
 * tokens come back under `results.state.categories`.
 */
function updateCategory(ctx: CoreSim, req: SimRequest): SimResponse {
  const n = categoryNode(ctx, req);
  if (!isNode(n)) return n;
  const catId = parseNodeId(req.params.cat);
  if (catId === null) return fail(400, "Invalid datatype specified for argument 'category_id'");
  const current = n.categories().get(catId);
  const def = ctx.categories.get(catId);
  // [INFERRED] the spec's text for a category the node does not carry (getCategory2's 400).
  if (!current || !def) return fail(400, `Category ID '${catId}' is not a category on node '${n.id}'`);
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const fields = form.fields;
  const token = tokenOf(fields[`${catId}_1`]) ?? tokenOf(fields.metadata_token);
  const entries = attributeFields(fields, catId);
  if (entries.length === 0 && token === undefined) return fail(400, 'Parameters are required for PUT, POST, and PATCH methods');
  const values: CategoryValues = {};
  for (const [key, raw] of entries) {
    const attr = categoryOfKey(key) === catId ? def.attributes.get(key) : undefined;
    if (!attr)
      return fail(
        400,
        `Category ID '${catId}' was specified for Categories Update, but a non-matching attribute ('${key.slice(0, 40)}') was found`,
      );
    try {
      values[key] = normalizeValue(attr, raw);
    } catch (e) {
      if (e instanceof CategoryError) return fail(400, 'One or more parameters are invalid', `${key}: ${e.message}`);
      throw e;
    }
  }
  if (token !== undefined && token !== ctx.overlay.token(n.id, catId)) return editConflict();
  if (entries.length) writeCategory(ctx, req, n, catId, values, {});
  const state = { categories: { [String(catId)]: { metadata_token: ctx.overlay.token(n.id, catId) } } };
  return { body: { links: selfLink(ctx, req), results: token !== undefined ? { state } : {} } };
}

/**
 * `POST /api/v2/nodes/{id}/versions` (SPEC addVersion2; SEEN pyxecm add_document_version,
 * plain fields): a `file` part, `description` (at most `maxVersionDescription` characters),
 * `add_major_version`. Answers `results.data.{properties, versions}` with the new version
 * (SPEC shape; an object where the spec's list is its usual array artifact).
 */
async function addVersion(ctx: CoreSim, req: SimRequest): Promise<SimResponse> {
  const id = parseNodeId(req.params.id);
  const n = id === null ? null : ctx.nodes.get(id);
  if (!n) return fail(400, INACCESSIBLE);
  const doc = n.document;
  if (!doc) return fail(400, `Node ${n.id} is not a document`, 'The requested action is not supported by this node type.');
  const form = formOf(ctx, req);
  if (!form.ok) return form.res;
  const f = form.fields;
  if (first(f.upload_key) !== undefined) return noUploadKey();
  const description = String(first(f.description) ?? '');
  if (description.length > ctx.opts.maxVersionDescription)
    return fail(
      400,
      'One or more parameters are invalid',
      `The description of a version cannot be longer than ${ctx.opts.maxVersionDescription} characters.`,
    );
  const file = await fileOf(ctx, f);
  if (!file) return missingParameter('File');
  const prev = latest(doc) as WrittenVersion;
  const [major, minor] = [typeof prev.major === 'number' ? prev.major : 0, typeof prev.minor === 'number' ? prev.minor : prev.number];
  const user = ctx.userOf(req);
  let e: Entry;
  try {
    e = entryOf(ctx, n.id);
  } catch (err) {
    ctx.content.remove(file.content);
    throw err;
  }
  const now = ctx.overlay.now();
  const version = flag(f.add_major_version)
    ? versionOf(file, doc.versions.length + 1, major + 1, 0, now, user, description)
    : versionOf(file, doc.versions.length + 1, major, minor + 1, now, user, description);
  e.versions.push(version);
  e.modifiedAt = now;
  ctx.overlay.audit(n.id, EVENTS.version, user);
  const after = ctx.nodes.get(n.id) as SimNode;
  const data = { properties: nodeProperties(after, 0), versions: versionInfo(after.document ?? doc, version) };
  return { body: { links: selfLink(ctx, req), results: { data } } };
}

/**
 * `DELETE /api/v2/nodes/{id}` (SPEC deleteNode2; SEEN pyxecm): documents only. A document
 * created through the API is forgotten with its stored bytes; a world document is marked
 * deleted in the overlay. The recycle bin is not modelled, and deleting a folder or a
 * workspace is not simulated (400, so nothing pretends to have gone).
 */
function deleteNode(ctx: CoreSim, req: SimRequest): SimResponse {
  const id = parseNodeId(req.params.id);
  const n = id === null ? null : ctx.nodes.get(id);
  if (!n) return fail(500, `Could not get a node for ${String(req.params.id).slice(0, 64)}`);
  if (!n.document) return fail(400, "Could not process object, invalid action 'delete'", `Deleting a ${n.typeName} is not simulated.`);
  const e = ctx.overlay.entry(n.id);
  if (e?.created) for (const content of ctx.overlay.remove(n.id)) ctx.content.remove(content);
  else {
    const tomb = e ?? ctx.overlay.touch(n.id);
    for (const v of tomb.versions) ctx.content.remove(v.content);
    tomb.versions = [];
    tomb.deleted = true;
  }
  return { body: { links: selfLink(ctx, req), results: {} } };
}

/** Register the node write routes. */
export function registerNodeWriteRoutes(ctx: CoreSim): void {
  ctx.route(
    'POST',
    '/api/v2/nodes',
    writeRoute((r) => createNode(ctx, r)),
  );
  ctx.route(
    'PUT',
    '/api/v2/nodes/:id',
    writeRoute((r) => updateNode(ctx, r)),
  );
  ctx.route(
    'POST',
    '/api/v2/nodes/:id/categories',
    writeRoute((r) => addCategory(ctx, r)),
  );
  ctx.route(
    'PUT',
    '/api/v2/nodes/:id/categories/:cat',
    writeRoute((r) => updateCategory(ctx, r)),
  );
  ctx.route(
    'POST',
    '/api/v2/nodes/:id/versions',
    writeRoute((r) => addVersion(ctx, r)),
  );
  ctx.route(
    'DELETE',
    '/api/v2/nodes/:id',
    writeRoute((r) => deleteNode(ctx, r)),
  );
}
