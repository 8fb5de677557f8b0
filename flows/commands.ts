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

/**
 * The sender's file as the connector reads it, remembering why it stopped when the fault was the
 * file's (over the size limit, the request broken off): the upload then fails for good, with that
 * reason, rather than as the source's failure (which a job waits out).
 */
function watched(body: ReadableStream<Uint8Array>): { stream: ReadableStream<Uint8Array>; failure: () => Error | undefined } {
  let failure: Error | undefined;
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (e) {
        failure = e instanceof Error ? e : new Error(String(e));
        controller.error(failure);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { stream, failure: () => failure };
}

/** Send a file: a failure of the file itself is permanent (see `watched`). */
async function sending<T>(body: ReadableStream<Uint8Array>, send: (stream: ReadableStream<Uint8Array>) => Promise<T>): Promise<T> {
  const file = watched(body);
  try {
    return await send(file.stream);
  } catch (e) {
    const why = file.failure();
    if (why) throw new PermanentFailure(`The file could not be received: ${why.message}`);
    throw e;
  }
}

const keyOf = (d: WorkspaceDraft) => (d.kind === 'campaign' ? d.campaign.code : d.account.id);

/** The job kinds, over a Content Server that writes. */
export function writeCommands(ecm: EcmForWrites) {
  const findWorkspace = async ({ draft }: { draft: WorkspaceDraft }) =>
    (await ecm.findWorkspace(draft.businessObject))?.source.nativeId ?? null;
  const upsertWorkspace: JobKind<{ draft: WorkspaceDraft; mustExist?: boolean }, WorkspaceResult> = {
    kind: 'workspace.upsert',
    first: { step: 'find', run: findWorkspace },
    async run(input, steps) {
      const { draft, mustExist } = input;
      // A job resumed (not run for the first time) may have acted before: it looks again before acting.
      const resumed = steps.done('find');
      const found = await steps.run('find', () => findWorkspace(input));
      if (found === null && mustExist) throw new PermanentFailure('No workspace exists for this business object');
      if (found === null) {
        // Looked for again when resumed: a create whose answer was lost must not run twice.
        const id = await steps.run(
          'create',
          async () => {
            const again = resumed ? await ecm.findWorkspace(draft.businessObject) : null;
            return (again ?? (await ecm.createWorkspace(draft))).source.nativeId;
          },
          { final: true },
        );
        return { workspaceId: id, kind: draft.kind, key: keyOf(draft), created: true };
      }
      await steps.run('update', async () => (await ecm.updateWorkspace(found, draft)).source.nativeId, { final: true });
      return { workspaceId: found, kind: draft.kind, key: keyOf(draft), created: false };
    },
  };

  // Where an upload goes, and whether a document of that name is there before the job acts: one
  // look, recorded before anything is written (a document the job uploads is never taken for one
  // that was there).
  const placeOf = async (input: UploadInput) => {
    const t = input.target;
    const ws = 'workspaceId' in t ? t.workspaceId : (await ecm.findWorkspace(t.businessObject))?.source.nativeId;
    if (!ws) throw new PermanentFailure('No workspace exists for this business object');
    const folders = await ecm.folders(ws);
    const folder = input.folder ? folders.find((f) => f.name.toLowerCase() === input.folder?.toLowerCase()) : folders[0];
    if (!folder) throw new PermanentFailure(input.folder ? `The workspace has no folder "${input.folder}"` : 'The workspace has no folder');
    const d = await ecm.findDocument(folder.id, input.name ?? input.fileName);
    return {
      workspaceId: ws,
      folderId: folder.id,
      existing: d ? { documentId: d.source.nativeId, version: d.version } : null,
    };
  };
  const upload: JobKind<UploadInput, DocumentResult, ReadableStream<Uint8Array>> = {
    kind: 'document.upload',
    first: { step: 'place', run: placeOf },
    async run(input, steps, body) {
      const name = input.name ?? input.fileName;
      const resumed = steps.done('place');
      const place = await steps.run('place', () => placeOf(input));
      const existing = place.existing;
      if (existing) {
        return steps.run(
          'version',
          async () => {
            const [now] = resumed ? await ecm.getDocuments([existing.documentId]) : [];
            if (now && now.version > existing.version) return { documentId: existing.documentId, version: now.version };
            if (!body) throw new PermanentFailure('The upload did not complete; send it again with the same idempotency key');
            const d = await sending(body, (stream) =>
              ecm.addVersion(existing.documentId, {
                fileName: input.fileName,
                mimeType: input.mimeType,
                ...(input.size !== undefined ? { size: input.size } : {}),
                body: stream,
              }),
            );
            return { documentId: existing.documentId, version: d.version };
          },
          { final: true },
        );
      }
      const doc = await steps.run(
        'upload',
        async () => {
          // Resumed, an earlier try may have landed without its answer: look before sending it again.
          const landed = resumed ? await ecm.findDocument(place.folderId, name) : null;
          if (landed) return { documentId: landed.source.nativeId, version: landed.version };
          if (!body) throw new PermanentFailure('The upload did not complete; send it again with the same idempotency key');
          const { target: _t, folder: _f, retention: _r, ...fields } = input;
          const d = await sending(body, (stream) => ecm.uploadDocument({ ...fields, name, folderId: place.folderId, body: stream }));
          return { documentId: d.source.nativeId, version: d.version };
        },
        { final: !input.retention },
      );
      if (input.retention) {
        const retention = input.retention;
        await steps.run(
          'classify',
          async () => {
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
          },
          { final: true },
        );
      }
      return doc;
    },
  };

  const versionBefore = async (input: VersionInput) => {
    const [d] = await ecm.getDocuments([input.documentId]);
    if (!d) throw new PermanentFailure('No such document');
    return d.version;
  };
  const version: JobKind<VersionInput, DocumentResult, ReadableStream<Uint8Array>> = {
    kind: 'document.version',
    first: { step: 'before', run: versionBefore },
    async run(input, steps, body) {
      const resumed = steps.done('before');
      const before = await steps.run('before', () => versionBefore(input));
      return steps.run(
        'version',
        async () => {
          // Resumed, an earlier try may have added the version without its answer: look first.
          const [now] = resumed ? await ecm.getDocuments([input.documentId]) : [];
          if (now && now.version > before) return { documentId: input.documentId, version: now.version };
          if (!body) throw new PermanentFailure('The upload did not complete; send it again with the same idempotency key');
          const { documentId, ...content } = input;
          const d = await sending(body, (stream) => ecm.addVersion(documentId, { ...content, body: stream }));
          return { documentId, version: d.version };
        },
        { final: true },
      );
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
