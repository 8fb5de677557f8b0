/**
 * The business writes Atrium carries into Content Server (issue 14), each a durable job
 * (jobs.ts) of "look, then act" steps, so that a step repeated after a crash or a lost answer
 * never acts twice:
 * - `workspace.upsert`: the workspace of a business object, created from its type's template
 *   when it has none, else brought in line with the business object (name, reference, categories);
 * - `document.upload`: a document filed into a workspace's folder with its metadata, then its
 *   retention category; when the retention cannot be applied (for good, or for now) the
 *   document is taken back out again (nothing is left half filed: compensation), and when even
 *   that fails the job resumes later from the classification (forward); a document of that name already in the folder gets the
 *   upload as its next version (as Content Server users expect of filing the same contract again);
 * - `document.version`: a new version of a document.
 * Uploads need the bytes the request carries: a job whose upload step did not finish cannot be
 * resumed without them, so it is failed unless the upload had landed after all (it then goes
 * on), and the sender sends it again with the same key.
 */
import type { BusinessObject } from '../sources/model.ts';
import type { DocumentDraft, EcmSource, EcmWrites, UploadContent, WorkspaceDraft } from '../sources/ports.ts';
import { PermanentFailure, type JobKind, type JobRunner } from './jobs.ts';

/** What the commands need of Content Server. */
export type EcmForWrites = EcmWrites & Pick<EcmSource, 'getDocuments'>;

/** A workspace written: its node id, and the campaign or account it stands for. */
export interface WorkspaceResult {
  workspaceId: string;
  kind: 'campaign' | 'account';
  /** Campaign code or account CRM id. */
  key: string;
  created: boolean;
}

export interface DocumentResult {
  documentId: string;
  version: number;
}

/** Where a document goes: a workspace by node id, or the workspace of a business object. */
export type DocumentTarget = { workspaceId: string } | { businessObject: BusinessObject };

/** An upload's description (everything but the bytes: those come with the request). */
export interface UploadInput extends Omit<DocumentDraft, 'body' | 'folderId'> {
  target: DocumentTarget;
  /** The folder of the workspace's template, by name (default: the first). */
  folder?: string;
  /** Records-management classification (retention category) applied after the upload. */
  retention?: string;
}

export interface VersionInput extends Omit<UploadContent, 'body'> {
  documentId: string;
}

const keyOf = (d: WorkspaceDraft) => (d.kind === 'campaign' ? d.campaign.code : d.account.id);

/** The job kinds, over a Content Server that writes. */
export function writeCommands(ecm: EcmForWrites) {
  const upsertWorkspace: JobKind<{ draft: WorkspaceDraft; mustExist?: boolean }, WorkspaceResult> = {
    kind: 'workspace.upsert',
    async run({ draft, mustExist }, steps) {
      const found = await steps.run('find', async () => (await ecm.findWorkspace(draft.businessObject))?.source.nativeId ?? null);
      if (found === null && mustExist) throw new PermanentFailure('No workspace exists for this business object');
      if (found === null) {
        // Looked for again inside the step: a create whose answer was lost must not run twice.
        const id = await steps.run('create', async () => {
          const again = await ecm.findWorkspace(draft.businessObject);
          return (again ?? (await ecm.createWorkspace(draft))).source.nativeId;
        });
        return { workspaceId: id, kind: draft.kind, key: keyOf(draft), created: true };
      }
      await steps.run('update', async () => (await ecm.updateWorkspace(found, draft)).source.nativeId);
      return { workspaceId: found, kind: draft.kind, key: keyOf(draft), created: false };
    },
  };

  const upload: JobKind<UploadInput, DocumentResult, ReadableStream<Uint8Array>> = {
    kind: 'document.upload',
    async run(input, steps, body) {
      const place = await steps.run('place', async () => {
        const t = input.target;
        const ws = 'workspaceId' in t ? t.workspaceId : (await ecm.findWorkspace(t.businessObject))?.source.nativeId;
        if (!ws) throw new PermanentFailure('No workspace exists for this business object');
        const folders = await ecm.folders(ws);
        const folder = input.folder ? folders.find((f) => f.name.toLowerCase() === input.folder?.toLowerCase()) : folders[0];
        if (!folder)
          throw new PermanentFailure(input.folder ? `The workspace has no folder "${input.folder}"` : 'The workspace has no folder');
        return { workspaceId: ws, folderId: folder.id };
      });
      const name = input.name ?? input.fileName;
      // A document of that name already there (before this job began) gets the upload as its next version.
      const existing = await steps.run('existing', async () => {
        const d = await ecm.findDocument(place.folderId, name);
        return d ? { documentId: d.source.nativeId, version: d.version } : null;
      });
      if (existing) {
        return steps.run('version', async () => {
          const [now] = await ecm.getDocuments([existing.documentId]);
          if (now && now.version > existing.version) return { documentId: existing.documentId, version: now.version };
          if (!body) throw new PermanentFailure('The upload did not complete; send it again with the same idempotency key');
          const d = await ecm.addVersion(existing.documentId, {
            fileName: input.fileName,
            mimeType: input.mimeType,
            ...(input.size !== undefined ? { size: input.size } : {}),
            body,
          });
          return { documentId: existing.documentId, version: d.version };
        });
      }
      const doc = await steps.run('upload', async () => {
        const landed = await ecm.findDocument(place.folderId, name);
        if (landed) return { documentId: landed.source.nativeId, version: landed.version };
        if (!body) throw new PermanentFailure('The upload did not complete; send it again with the same idempotency key');
        const { target: _t, folder: _f, retention: _r, ...fields } = input;
        const d = await ecm.uploadDocument({ ...fields, name, folderId: place.folderId, body });
        return { documentId: d.source.nativeId, version: d.version };
      });
      if (input.retention) {
        const retention = input.retention;
        await steps.run('classify', async () => {
          try {
            await ecm.classify(doc.documentId, retention);
          } catch (e) {
            const permanent =
              e instanceof PermanentFailure ||
              (e as { kind?: string }).kind === 'BAD_REQUEST' ||
              (e as { kind?: string }).kind === 'NOT_FOUND';
            // Nothing half filed: the document is taken out again, and the upload runs again
            // when the job does (its sender sends it again with the same key). When even that
            // fails, the job goes on from here later (the classification is tried again).
            await ecm.deleteDocument(doc.documentId);
            await steps.forget('upload');
            if (permanent) throw new PermanentFailure(`The retention category "${retention}" cannot be applied: ${(e as Error).message}`);
            throw e;
          }
          return true;
        });
      }
      return doc;
    },
  };

  const version: JobKind<VersionInput, DocumentResult, ReadableStream<Uint8Array>> = {
    kind: 'document.version',
    async run(input, steps, body) {
      const before = await steps.run('before', async () => {
        const [d] = await ecm.getDocuments([input.documentId]);
        if (!d) throw new PermanentFailure('No such document');
        return d.version;
      });
      return steps.run('version', async () => {
        const [now] = await ecm.getDocuments([input.documentId]);
        if (now && now.version > before) return { documentId: input.documentId, version: now.version };
        if (!body) throw new PermanentFailure('The upload did not complete; send it again with the same idempotency key');
        const { documentId, ...content } = input;
        const d = await ecm.addVersion(documentId, { ...content, body });
        return { documentId, version: d.version };
      });
    },
  };

  return { upsertWorkspace, upload, version };
}

export type WriteCommands = ReturnType<typeof writeCommands>;

/** Register the write commands with a runner (so the background runner can resume them). */
export function registerWriteCommands(runner: JobRunner, ecm: EcmForWrites): WriteCommands {
  const c = writeCommands(ecm);
  runner.register(c.upsertWorkspace);
  runner.register(c.upload);
  runner.register(c.version);
  return c;
}
