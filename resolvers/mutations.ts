/**
 * The graph's writes (issue 14): arguments checked, the writer's permission decided by the
 * policy (access/policy/writes.ts) before anything is written, the command carried out as a
 * durable, idempotent job (flows/), every outcome audited, and the result read back as the
 * writer may see it. Nothing here talks to a source directly.
 */
import { BadUserInputError, ConflictError, ForbiddenError, fromUpstream, NotFoundError } from '../access/errors.ts';
import { decodeId, documentId as documentGlobalId, workspaceId as workspaceGlobalId } from '../access/ids.ts';
import { writeDecision, type WriteAction, type WriteTarget } from '../access/policy.ts';
import type { AuditObject } from '../audit/event.ts';
import type { WriteEvent } from '../audit/ports.ts';
import type { DocumentResult, UploadInput, WorkspaceResult } from '../flows/commands.ts';
import { PermanentFailure } from '../flows/jobs.ts';
import { UpstreamError } from '../sources/http/errors.ts';
import type { AccountKind, BusinessObject, CampaignStatus, Classification, DocumentStatus, Region } from '../sources/model.ts';
import type { WorkspaceDraft } from '../sources/ports.ts';
import type { Context } from './context.ts';
import { checkList, checkString, checkValue, MAX_TEXT, MAX_VALUE } from './input.ts';
import type { FileUpload } from './upload.ts';

interface BusinessObjectInput {
  system: string;
  type: string;
  id: string;
}
interface WorkspaceInput {
  businessObject: BusinessObjectInput;
  account?: { name: string; kind: AccountKind; region?: Region | null; owner?: string | null } | null;
  campaign?: {
    code: string;
    name: string;
    status?: CampaignStatus | null;
    productLine?: string | null;
    regions?: Region[] | null;
    startDate?: string | null;
    endDate?: string | null;
    openToAllPartners?: boolean | null;
    audience?: string[] | null;
  } | null;
}
interface DocumentInput {
  workspace?: string | null;
  businessObject?: BusinessObjectInput | null;
  folder?: string | null;
  name?: string | null;
  classification?: Classification | null;
  status?: DocumentStatus | null;
  retentionCategory?: string | null;
  productLine?: string | null;
  region?: Region | null;
}

/** Longest file or document name (Content Server's limit is 248; a file system's 255). */
const MAX_NAME = 248;

/** An idempotency key: 1 to 200 plain characters. */
export function checkKey(key: string): string {
  if (key.length === 0) throw new BadUserInputError('`idempotencyKey` must not be empty');
  return checkString('idempotencyKey', key, 200);
}

/** A file or document name that names one item in one folder: no path, no control characters, not `.` or `..`. */
export function checkFileName(name: string, what: string): string {
  checkString(what, name, MAX_NAME);
  if (name.trim() === '' || name === '.' || name === '..' || /[/\\]/.test(name))
    throw new BadUserInputError(`\`${what}\` must be a file name: not empty, no / or \\, not . or ..`);
  return name;
}

function businessObject(bo: BusinessObjectInput): BusinessObject {
  return {
    system: checkValue('businessObject.system', bo.system),
    type: checkValue('businessObject.type', bo.type),
    id: checkValue('businessObject.id', bo.id),
  };
}

/** A workspace draft from the mutation's input (exactly one of account and campaign). */
function draftOf(input: WorkspaceInput): WorkspaceDraft {
  const bo = businessObject(input.businessObject);
  if (!input.account === !input.campaign) throw new BadUserInputError('`input` takes exactly one of `account` and `campaign`');
  if (input.account) {
    const a = input.account;
    return {
      kind: 'account',
      businessObject: bo,
      account: {
        id: bo.id,
        name: checkString('account.name', a.name, MAX_TEXT),
        kind: a.kind,
        ...(a.region ? { region: a.region } : {}),
        ...(a.owner ? { owner: checkValue('account.owner', a.owner) } : {}),
      },
    };
  }
  const c = input.campaign as NonNullable<WorkspaceInput['campaign']>;
  return {
    kind: 'campaign',
    businessObject: bo,
    campaign: {
      code: checkValue('campaign.code', c.code),
      name: checkString('campaign.name', c.name, MAX_TEXT),
      ...(c.status ? { status: c.status } : {}),
      ...(c.productLine ? { productLine: checkValue('campaign.productLine', c.productLine) } : {}),
      ...(c.regions ? { regions: checkList('campaign.regions', c.regions) } : {}),
      ...(c.startDate ? { startDate: c.startDate } : {}),
      ...(c.endDate ? { endDate: c.endDate } : {}),
      ...(c.openToAllPartners !== null && c.openToAllPartners !== undefined ? { openToAllPartners: c.openToAllPartners } : {}),
      ...(c.audience ? { audience: checkList('campaign.audience', c.audience) } : {}),
    },
  };
}

/** The writer's key for idempotency and for the audit. */
export const actorOf = (ctx: Context) => ctx.principal?.id ?? 'anonymous';

/** The writes' machinery, or a clear error on a gateway built without it. */
export function writesOf(ctx: Context): NonNullable<Context['writes']> {
  if (!ctx.writes) throw new ForbiddenError('This gateway takes no writes');
  return ctx.writes;
}

/** Decide and audit a refusal; throws FORBIDDEN when the writer may not. */
export function authorize(ctx: Context, operation: string, key: string, action: WriteAction, target: WriteTarget): void {
  const d = writeDecision(ctx.principal, action, target);
  if (!d.allowed) {
    ctx.audit?.write({ operation, outcome: 'forbidden', idempotencyKey: key, error: d.rule });
    throw new ForbiddenError(`Not allowed: ${d.rule.replace(/^[^:]*: /, '')}`);
  }
}

/** A write's error as the graph shows it, audited with its outcome. */
export function failed(ctx: Context, operation: string, key: string, e: unknown): never {
  const outcome: WriteEvent['outcome'] =
    e instanceof ConflictError ? 'conflict' : e instanceof PermanentFailure || e instanceof BadUserInputError ? 'invalid' : 'failed';
  const pending = e instanceof UpstreamError && (e.kind === 'UNAVAILABLE' || e.kind === 'RATE_LIMITED' || e.kind === 'MALFORMED');
  ctx.audit?.write({ operation, outcome: pending ? 'pending' : outcome, idempotencyKey: key, error: (e as Error)?.message?.slice(0, 300) });
  if (e instanceof PermanentFailure) {
    if (/^No (workspace|such document)/.test(e.message))
      throw new NotFoundError(e.message.startsWith('No such') ? 'Document' : 'Workspace');
    throw new BadUserInputError(e.message);
  }
  if (e instanceof UpstreamError) throw fromUpstream(e);
  throw e;
}

const workspaceObject = (r: WorkspaceResult): AuditObject => ({
  id: workspaceGlobalId(r.workspaceId),
  type: 'Workspace',
  system: 'OTCS',
  nativeId: r.workspaceId,
  version: null,
  campaign: r.kind === 'campaign' ? r.key : null,
});

const documentObject = (r: DocumentResult): AuditObject => ({
  id: documentGlobalId(r.documentId),
  type: 'Document',
  system: 'OTCS',
  nativeId: r.documentId,
  version: String(r.version),
  campaign: null,
});

/** Carry out a workspace write and answer with what the writer may see of it. */
async function writeWorkspace(ctx: Context, operation: 'createWorkspace' | 'updateWorkspace', input: WorkspaceInput, key: string) {
  checkKey(key);
  const draft = draftOf(input);
  authorize(ctx, operation, key, 'workspace.write', {});
  const w = writesOf(ctx);
  let out: { result: WorkspaceResult; replayed: boolean };
  try {
    out = await w.runner.execute(w.commands.upsertWorkspace, actorOf(ctx), key, { draft, mustExist: operation === 'updateWorkspace' });
  } catch (e) {
    failed(ctx, operation, key, e);
  }
  w.written();
  const r = out.result;
  ctx.audit?.write({ operation, outcome: out.replayed ? 'replayed' : 'done', idempotencyKey: key, object: workspaceObject(r) });
  // Read only when asked for (a writer that wants the id alone costs no read-back).
  return {
    created: r.created && !out.replayed,
    replayed: out.replayed,
    workspace: () => ctx.access.workspace(r.workspaceId),
    campaign: () => (r.kind === 'campaign' ? ctx.access.campaign(r.key) : null),
    account: () => (r.kind === 'account' ? ctx.access.account(r.key) : null),
  };
}

/** The workspace a document goes into, for the decision: its owner kind and team (null when there is none). */
async function targetOf(
  ctx: Context,
  input: DocumentInput,
): Promise<{ input: UploadInput['target']; target: WriteTarget; owner?: { campaignCode?: string; accountId?: string } } | null> {
  if (!input.workspace === !input.businessObject)
    throw new BadUserInputError('`input` takes exactly one of `workspace` and `businessObject`');
  let nodeId: string | undefined;
  if (input.workspace) {
    const d = decodeId(input.workspace);
    if (d?.kind !== 'Workspace') return null;
    nodeId = d.nodeId;
  } else {
    const bo = businessObject(input.businessObject as BusinessObjectInput);
    const byAccount = await ctx.loaders.account.load(bo.id).catch(() => null);
    const byCampaign = byAccount ? null : await ctx.loaders.campaign.load(bo.id).catch(() => null);
    nodeId = (byAccount ?? byCampaign)?.workspaceId;
    if (!nodeId) return null;
  }
  const ws = await ctx.loaders.workspace.load(nodeId);
  if (!ws) return null;
  const owner = ws.owner;
  return {
    input: { workspaceId: nodeId },
    target: { owner: owner && 'campaignCode' in owner ? 'campaign' : 'account', team: ws.team },
    ...(owner ? { owner: 'campaignCode' in owner ? { campaignCode: owner.campaignCode } : { accountId: owner.accountId } } : {}),
  };
}

/** A refusal for a target that does not exist: NOT_FOUND to those who could write there, FORBIDDEN to the rest. */
function missing(ctx: Context, operation: string, key: string, action: WriteAction, what: 'Workspace' | 'Document'): never {
  const anyTarget = writeDecision(ctx.principal, action, {
    owner: 'account',
    team: [{ email: ctx.principal?.email ?? '', name: '', role: '' }],
  });
  if (!anyTarget.allowed) authorize(ctx, operation, key, action, {});
  ctx.audit?.write({ operation, outcome: 'invalid', idempotencyKey: key, error: `${what} not found` });
  throw new NotFoundError(what);
}

async function uploadDocument(ctx: Context, input: DocumentInput, file: FileUpload, key: string) {
  checkKey(key);
  const operation = 'uploadDocument';
  const fileName = checkFileName(file.fileName, 'file name');
  const name = input.name ? checkFileName(input.name, 'input.name') : fileName;
  const folder = input.folder ? checkString('input.folder', input.folder, MAX_VALUE) : undefined;
  const retention = input.retentionCategory ? checkValue('input.retentionCategory', input.retentionCategory) : undefined;
  const place = await targetOf(ctx, input);
  if (!place) missing(ctx, operation, key, 'document.write', 'Workspace');
  authorize(ctx, operation, key, 'document.write', place.target);
  const w = writesOf(ctx);
  const upload: UploadInput = {
    target: place.input,
    fileName,
    name,
    mimeType: checkValue('file type', file.mimeType),
    ...(file.size !== undefined ? { size: file.size } : {}),
    ...(folder ? { folder } : {}),
    ...(retention ? { retention } : {}),
    ...(input.classification ? { classification: input.classification } : {}),
    ...(input.status ? { status: input.status } : {}),
    ...(input.productLine ? { productLine: checkValue('input.productLine', input.productLine) } : {}),
    ...(input.region ? { region: input.region } : {}),
    ...(place.owner ?? {}),
  };
  let out: { result: DocumentResult; replayed: boolean };
  try {
    out = await w.runner.execute(w.commands.upload, actorOf(ctx), key, upload, file.body);
  } catch (e) {
    await file.body.cancel().catch(() => undefined);
    failed(ctx, operation, key, e);
  }
  // A repeated request answers from the first one: its bytes are not needed.
  if (out.replayed) await file.body.cancel().catch(() => undefined);
  w.written();
  return documentPayload(ctx, operation, key, out);
}

function documentPayload(ctx: Context, operation: string, key: string, out: { result: DocumentResult; replayed: boolean }) {
  const r = out.result;
  ctx.audit?.write({ operation, outcome: out.replayed ? 'replayed' : 'done', idempotencyKey: key, object: documentObject(r) });
  return { documentId: r.documentId, version: r.version, replayed: out.replayed, document: () => ctx.access.document(r.documentId) };
}

async function addDocumentVersion(ctx: Context, document: string, file: FileUpload, key: string) {
  checkKey(key);
  const operation = 'addDocumentVersion';
  const fileName = checkFileName(file.fileName, 'file name');
  const d = decodeId(document);
  const doc = d?.kind === 'Document' ? await ctx.loaders.document.load(d.nodeId) : null;
  if (!doc || d?.kind !== 'Document') missing(ctx, operation, key, 'document.write', 'Document');
  const ws = await ctx.loaders.workspace.load(doc.workspaceId);
  const owner = ws?.owner;
  authorize(ctx, operation, key, 'document.write', {
    owner: owner && 'campaignCode' in owner ? 'campaign' : 'account',
    team: ws?.team ?? [],
  });
  const w = writesOf(ctx);
  let out: { result: DocumentResult; replayed: boolean };
  try {
    out = await w.runner.execute(
      w.commands.version,
      actorOf(ctx),
      key,
      {
        documentId: d.nodeId,
        fileName,
        mimeType: checkValue('file type', file.mimeType),
        ...(file.size !== undefined ? { size: file.size } : {}),
      },
      file.body,
    );
  } catch (e) {
    await file.body.cancel().catch(() => undefined);
    failed(ctx, operation, key, e);
  }
  if (out.replayed) await file.body.cancel().catch(() => undefined);
  w.written();
  return documentPayload(ctx, operation, key, out);
}

/** Run an upload's resolver; whatever it throws, the file it did not read is let go (its request is not held open). */
async function releasing<T>(file: FileUpload, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    await file.body.cancel().catch(() => undefined);
    throw e;
  }
}

export const mutationResolvers = {
  Mutation: {
    createWorkspace: (_: unknown, a: { input: WorkspaceInput; idempotencyKey: string }, ctx: Context) =>
      writeWorkspace(ctx, 'createWorkspace', a.input, a.idempotencyKey),
    updateWorkspace: (_: unknown, a: { input: WorkspaceInput; idempotencyKey: string }, ctx: Context) =>
      writeWorkspace(ctx, 'updateWorkspace', a.input, a.idempotencyKey),
    uploadDocument: (_: unknown, a: { input: DocumentInput; file: FileUpload; idempotencyKey: string }, ctx: Context) =>
      releasing(a.file, () => uploadDocument(ctx, a.input, a.file, a.idempotencyKey)),
    addDocumentVersion: (_: unknown, a: { document: string; file: FileUpload; idempotencyKey: string }, ctx: Context) =>
      releasing(a.file, () => addDocumentVersion(ctx, a.document, a.file, a.idempotencyKey)),
  },
};
