/**
 * Writes into Content Server (EcmWrites, vendor-apis-writes §2): one vendor write per step,
 * each in one place here, none retried (write-call.ts). Reads that a write needs (the
 * workspace's current state, the template of its type, the file-plan class, the document
 * that was made) go through the read paths and may be retried like any read.
 *
 * | port method | vendor calls |
 * | --- | --- |
 * | findWorkspace | `GET /api/v2/businessworkspaces?where_ext_system_id&where_bo_type&where_bo_id` |
 * | createWorkspace | (types, cached) `POST /api/v2/businessworkspaces` `body=`; read back |
 * | updateWorkspace | `GET .../businessworkspaces/{id}?state`; as needed `PUT .../workspacereferences`, `PUT /api/v2/nodes/{id}` (name), `PUT .../categories/{cat}` with its token (or `POST .../categories`); read back |
 * | findDocument | `GET /api/v2/nodes/{folder}/nodes?where_name` (exact name kept) |
 * | uploadDocument | `POST /api/v2/nodes` multipart (`body` JSON + `file`, streamed); read back |
 * | addVersion | `POST /api/v2/nodes/{id}/versions` multipart (`file`, streamed); read back |
 * | classify | `GET /api/v1/nodes/{id}/rmclassifications`; (file plan, cached); `POST .../rmclassifications` unless already so |
 * | folders | `GET /api/v2/nodes/{workspace}/nodes?where_type=0` |
 * | deleteDocument | (the document, read) `DELETE /api/v2/nodes/{id}` |
 */
import { UpstreamError } from '../http/errors.ts';
import { multipartBody } from '../http/multipart.ts';
import { pathOf } from '../http/path.ts';
import type { BusinessObject, Document, Workspace } from '../model.ts';
import type { DocumentDraft, EcmSource, EcmWrites, UploadContent, WorkspaceDraft } from '../ports.ts';
import { isRec, optNum, optStr, pagingOf, parseNodeEntry, resultsList, toDocument, type Rec } from './map.ts';
import { parseWorkspaceItem, parseWorkspaceList, toWorkspace, workspaceTypeOf, type ParsedWorkspace } from './map-workspaces.ts';
import {
  attributeFields,
  changedAttributes,
  checkBusinessObject,
  checkName,
  documentAttributes,
  draftWorkspaceType,
  shown,
  workspaceAttributes,
  workspaceCategoryId,
  workspaceName,
  type AttrValues,
} from './map-writes.ts';
import { filePlan, templateTable } from './lookups.ts';
import { isNodeId } from './nodes.ts';
import type { OtcsTransport } from './shared.ts';
import { sendWrite, type WriteContext } from './write-call.ts';

const p = pathOf('OTCS');
const DOCUMENT_SUBTYPE = 144;
const FOLDER_SUBTYPE = 0;
const PAGE = 100;
const MAX_PAGES = 50;
/** Sections a workspace read-back and lookup carry (as the workspace reads ask for them). */
const WORKSPACE_FIELDS = ['properties', 'business_properties', 'categories', 'workspace_references', 'roles'];

/** The reads a write returns its result through. */
export type WriteReads = Pick<EcmSource, 'getDocuments' | 'getWorkspaces'>;

export interface WriteOptions {
  /**
   * A streamed upload cannot be sent again after a 401, so when the ticket has not been used
   * for this long, one cheap read renews it first. Default 60000 (tickets last 30 minutes by
   * default and slide with every answer).
   */
  ticketRefreshAfterMs?: number;
}

const bad = (what: string) => new UpstreamError('OTCS', 'BAD_REQUEST', what);
const notFound = (what: string) => new UpstreamError('OTCS', 'NOT_FOUND', what);

/** Turns the answer for a node that does not exist (400 per spec, or 404) into NOT_FOUND naming it. */
const orMissing =
  (what: string) =>
  (e: unknown): never => {
    if (e instanceof UpstreamError && (e.status === 400 || e.status === 404)) throw notFound(`${what} does not exist`);
    throw e;
  };

/** A node id the caller gave, or NOT_FOUND without a request. */
function idOf(id: string, what: string): number {
  if (!isNodeId(id)) throw notFound(`${what} ${shown(id)} does not exist`);
  return Number(id);
}

/** The new node's id in a create's answer: `results.id` (workspaces) or `results.data.properties.id` (nodes); lists accepted. */
function createdId(body: Rec, what: string): string {
  const [results] = resultsList(body);
  const data = results && (Array.isArray(results.data) ? results.data.find(isRec) : results.data);
  const id = (results && optNum(results, 'id')) ?? (isRec(data) && isRec(data.properties) ? optNum(data.properties, 'id') : undefined);
  if (id === undefined || !Number.isSafeInteger(id) || id <= 0)
    throw new UpstreamError('OTCS', 'MALFORMED', `${what}: the answer names no new id`);
  return String(id);
}

/** The metadata token of a category in `state.categories` (INFERRED shape, read leniently: README.md). */
export function categoryToken(state: unknown, catId: number): string | undefined {
  const cats = isRec(state) && isRec(state.categories) ? state.categories : undefined;
  const entry = cats?.[String(catId)] ?? cats?.[`${catId}_1`];
  if (!isRec(entry)) return typeof entry === 'string' && entry ? entry : undefined;
  const inner = isRec(entry[`${catId}_1`]) ? (entry[`${catId}_1`] as Rec) : entry;
  return optStr(inner, 'metadata_token');
}

/** Build the write half of the client over its transport; `reads` return what was written. */
export function createOtcsWrites(t: OtcsTransport, reads: WriteReads, opts: WriteOptions = {}): EcmWrites {
  const m = t.mapping;
  const templates = templateTable(t);
  const classes = filePlan(t);
  const refreshAfter = opts.ticketRefreshAfterMs ?? 60_000;

  /** Before a streamed upload: renew an idle ticket with one read, so the upload is not refused for it. */
  async function freshTicket(): Promise<void> {
    if ((t.session?.idleMs() ?? 0) >= refreshAfter) await t.http.request<unknown>({ path: p`/api/v1/auth`, expect: 'none' });
  }

  async function workspaceAfter(id: string, what: string): Promise<Workspace> {
    const [ws] = await reads.getWorkspaces([id]);
    if (!ws) throw new UpstreamError('OTCS', 'MALFORMED', `${what}: workspace ${id} could not be read back`);
    return ws;
  }

  async function documentAfter(id: string, what: string): Promise<Document> {
    const [doc] = await reads.getDocuments([id]);
    if (!doc) throw new UpstreamError('OTCS', 'MALFORMED', `${what}: document ${id} could not be read back`);
    return doc;
  }

  /** The template a new workspace of this type is made from: the type's first (the types are read once per 5 minutes). */
  async function templateOf(typeId: number): Promise<number> {
    const list = (await templates()).get(typeId);
    if (!list?.length) throw bad(`workspace type ${typeId} has no template`);
    return list[0] as number;
  }

  /** A workspace as it is now, with its category tokens (`?state`). */
  async function currentWorkspace(id: number): Promise<{ ws: ParsedWorkspace; state: unknown }> {
    const res = await t.http
      .request<unknown>({
        path: p`/api/v2/businessworkspaces/${id}`,
        query: { fields: ['properties', 'business_properties', 'categories'], state: true },
      })
      .catch(orMissing(`workspace ${id}`));
    const [item] = resultsList(res.body);
    if (!item) throw notFound(`workspace ${id} does not exist`);
    return { ws: parseWorkspaceItem(item), state: item.state };
  }

  /** Bring one category in line: PUT the changed values with the category's token, or apply it with them. */
  async function writeCategory(id: number, catId: number, desired: AttrValues, ws: ParsedWorkspace, state: unknown, c: WriteContext) {
    const changed = changedAttributes(desired, ws.attributes);
    if (Object.keys(changed).length === 0) return;
    const token = categoryToken(state, catId);
    const applied = token !== undefined || Object.keys(ws.attributes).some((k) => k.startsWith(`${catId}_`));
    if (!applied) {
      await sendWrite(t, {
        method: 'POST',
        path: p`/api/v2/nodes/${id}/categories`,
        form: { category_id: catId, ...attributeFields(desired) },
        context: c,
      });
      return;
    }
    const form = {
      ...attributeFields(changed),
      ...(token !== undefined ? { [`${catId}_1`]: JSON.stringify({ metadata_token: token }) } : {}),
    };
    await sendWrite(t, { method: 'PUT', path: p`/api/v2/nodes/${id}/categories/${catId}`, form, context: c });
  }

  return {
    async findWorkspace(bo: BusinessObject): Promise<Workspace | null> {
      const query = {
        where_ext_system_id: bo.system,
        where_bo_type: bo.type,
        where_bo_id: bo.id,
        expanded_view: 'true',
        fields: WORKSPACE_FIELDS,
        limit: 10,
      };
      const { items } = parseWorkspaceList((await t.http.request<unknown>({ path: p`/api/v2/businessworkspaces`, query })).body);
      const found = items.find(
        (w) => w.businessObject?.system === bo.system && w.businessObject.type === bo.type && w.businessObject.id === bo.id,
      );
      return found ? toWorkspace(found, m) : null;
    },

    async createWorkspace(draft: WorkspaceDraft): Promise<Workspace> {
      const bo = checkBusinessObject(draft);
      const name = workspaceName(draft);
      const catId = workspaceCategoryId(draft, m);
      const attrs = workspaceAttributes(draft, m, true);
      const typeId = m.otcs.workspaceTypes[draftWorkspaceType(draft)];
      const templateId = await templateOf(typeId);
      // Ids as strings, the categories nested per category: as pyxecm sends them (vendor-apis-writes §2.1).
      const body = {
        template_id: String(templateId),
        wksp_type_id: String(typeId),
        type: '848',
        name,
        roles: { categories: { [String(catId)]: attrs } },
        ext_system_id: bo.system,
        bo_type: bo.type,
        bo_id: bo.id,
      };
      const what = `workspace "${shown(name)}"`;
      const context: WriteContext = { action: `creating ${what}`, clash: `an item named "${shown(name)}"`, target: 'its location' };
      const answer = await sendWrite(t, {
        method: 'POST',
        path: p`/api/v2/businessworkspaces`,
        form: { body: JSON.stringify(body) },
        context,
      });
      return workspaceAfter(createdId(answer, context.action), context.action);
    },

    async updateWorkspace(workspaceId: string, draft: WorkspaceDraft): Promise<Workspace> {
      const id = idOf(workspaceId, 'workspace');
      const bo = checkBusinessObject(draft);
      const name = workspaceName(draft);
      const catId = workspaceCategoryId(draft, m);
      const desired = workspaceAttributes(draft, m, false);
      const { ws, state } = await currentWorkspace(id);
      const type = workspaceTypeOf(ws.typeId, m);
      if ((type === 'Campaign') !== (draft.kind === 'campaign'))
        throw bad(`workspace ${id} is ${type ? `a ${type}` : 'not a campaign or account'} workspace, not a ${draft.kind}'s`);
      const context: WriteContext = {
        action: `updating workspace ${id}`,
        target: `workspace ${id}`,
        clash: `an item named "${shown(name)}"`,
      };
      const cur = ws.businessObject;
      if (!cur || cur.system !== bo.system || cur.type !== bo.type || cur.id !== bo.id) {
        const form = { ext_system_id: bo.system, bo_type: bo.type, bo_id: bo.id };
        await sendWrite(t, { method: 'PUT', path: p`/api/v2/businessworkspaces/${id}/workspacereferences`, form, context });
      }
      if (ws.name !== name) {
        await sendWrite(t, { method: 'PUT', path: p`/api/v2/nodes/${id}`, form: { body: JSON.stringify({ name }) }, context });
      }
      await writeCategory(id, catId, desired, ws, state, context);
      return workspaceAfter(String(id), context.action);
    },

    async findDocument(folderId: string, name: string): Promise<Document | null> {
      const id = idOf(folderId, 'folder');
      for (let page = 1; page <= MAX_PAGES; page++) {
        const query = {
          where_name: name,
          where_type: DOCUMENT_SUBTYPE,
          fields: ['properties', 'categories', 'versions.element(0)', 'ancestors'],
          limit: PAGE,
          page,
        };
        const res = await t.http.request<unknown>({ path: p`/api/v2/nodes/${id}/nodes`, query }).catch(orMissing(`folder ${id}`));
        for (const entry of resultsList(res.body)) {
          const doc = toDocument(parseNodeEntry(entry), m);
          // `where_name` matches parts of names; the port wants this exact name.
          if (doc && doc.name === name) return doc;
        }
        if (page >= pagingOf(res.body).pageTotal) break;
      }
      return null;
    },

    async uploadDocument(draft: DocumentDraft): Promise<Document> {
      const folder = idOf(draft.folderId, 'folder');
      const name = checkName(draft.name ?? draft.fileName, 'the document');
      checkName(draft.fileName, 'the file');
      const categories = documentAttributes(draft, m);
      const body = { type: String(DOCUMENT_SUBTYPE), name, parent_id: String(folder), roles: { categories } };
      const context: WriteContext = {
        action: `upload of "${shown(name)}"`,
        target: `folder ${folder}`,
        clash: `a document named "${shown(name)}" in folder ${folder}`,
      };
      await freshTicket();
      const multipart = multipartBody([['body', JSON.stringify(body)]], {
        field: 'file',
        fileName: draft.fileName,
        contentType: draft.mimeType || 'application/octet-stream',
        ...(draft.size !== undefined ? { size: draft.size } : {}),
        body: draft.body,
      });
      const answer = await sendWrite(t, { method: 'POST', path: p`/api/v2/nodes`, multipart, context });
      return documentAfter(createdId(answer, context.action), context.action);
    },

    async addVersion(documentId: string, content: UploadContent): Promise<Document> {
      const id = idOf(documentId, 'document');
      checkName(content.fileName, 'the file');
      const context: WriteContext = { action: `new version of document ${id}`, target: `document ${id}` };
      await freshTicket();
      const multipart = multipartBody([], {
        field: 'file',
        fileName: content.fileName,
        contentType: content.mimeType || 'application/octet-stream',
        ...(content.size !== undefined ? { size: content.size } : {}),
        body: content.body,
      });
      await sendWrite(t, { method: 'POST', path: p`/api/v2/nodes/${id}/versions`, multipart, context });
      return documentAfter(String(id), context.action);
    },

    async classify(documentId: string, retention: string): Promise<void> {
      const id = idOf(documentId, 'document');
      const wanted = retention.trim();
      if (!wanted) throw bad('no records-management class was named');
      const res = await t.http.request<unknown>({ path: p`/api/v1/nodes/${id}/rmclassifications` }).catch(orMissing(`document ${id}`));
      const body = isRec(res.body) ? res.body : {};
      const current = (Array.isArray(body.data) ? body.data : isRec(body.data) ? [body.data] : []).find(isRec);
      let classId: number | undefined = /^\d{1,15}$/.test(wanted) ? Number(wanted) : undefined;
      if (classId === undefined) {
        const volume = optNum(body, 'classVolumeID');
        if (volume === undefined) throw new UpstreamError('OTCS', 'MALFORMED', `rmclassifications of document ${id} name no class volume`);
        classId = (await classes(volume)).find((c) => c.name.toLowerCase() === wanted.toLowerCase())?.id;
        if (classId === undefined) throw bad(`no records-management class is named "${shown(wanted)}"`);
      }
      // Already so: nothing to write (a repeated classify is a no-op, not a second event).
      if (current && optNum(current, 'rmclassification_id') === classId) return;
      const token = current ? optStr(body, 'rm_metadataToken') : undefined;
      const payload = { class_id: classId, apply_to_sub_items: false, ...(token ? { rm_metadataToken: token } : {}) };
      const context: WriteContext = { action: `classifying document ${id}`, target: `document ${id}` };
      await sendWrite(t, {
        method: 'POST',
        path: p`/api/v1/nodes/${id}/rmclassifications`,
        form: { body: JSON.stringify(payload) },
        context,
      });
    },

    /**
     * Documents only: a node that is not (or no longer) a document is left alone and the call
     * succeeds, so taking back an upload twice is harmless.
     */
    async deleteDocument(documentId: string): Promise<void> {
      const id = idOf(documentId, 'document');
      const [doc] = await reads.getDocuments([String(id)]);
      if (!doc) return;
      const context: WriteContext = { action: `deleting document ${id}`, target: `document ${id}` };
      try {
        await sendWrite(t, { method: 'DELETE', path: p`/api/v2/nodes/${id}`, context });
      } catch (e) {
        if (!(e instanceof UpstreamError && e.kind === 'NOT_FOUND')) throw e;
      }
    },

    async folders(workspaceId: string): Promise<{ id: string; name: string }[]> {
      const id = idOf(workspaceId, 'workspace');
      const out: { id: string; name: string }[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const query = { where_type: FOLDER_SUBTYPE, fields: 'properties{id,name,type}', limit: PAGE, page };
        const res = await t.http.request<unknown>({ path: p`/api/v2/nodes/${id}/nodes`, query }).catch(orMissing(`workspace ${id}`));
        for (const entry of resultsList(res.body)) {
          const props = isRec(entry.data) && isRec(entry.data.properties) ? entry.data.properties : undefined;
          const fid = props ? optNum(props, 'id') : undefined;
          const name = props ? optStr(props, 'name') : undefined;
          if (fid !== undefined && name !== undefined && optNum(props as Rec, 'type') === FOLDER_SUBTYPE)
            out.push({ id: String(fid), name });
        }
        if (page >= pagingOf(res.body).pageTotal) break;
      }
      return out;
    },
  };
}
