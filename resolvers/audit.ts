/**
 * Atrium's access audit in the graph, for compliance and admin: `auditEvents` (filtered,
 * paged newest first), `complianceOverview`, and the merge behind `Document.auditTrail`.
 *
 * A read of the audit store that fails is AUDIT_UNAVAILABLE (`storeFailed`): its cause (driver
 * text, the database's address) is logged with the request, never returned.
 */
import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { AuditEntry, Document, System } from '../sources/model.ts';
import type { Context } from './context.ts';
import type { AccessAction, AuditFilter, EventPosition, StoredEvent } from '../audit/event.ts';
import * as overview from '../audit/overview.ts';
import { AuditUnavailableError, BadUserInputError } from '../access/errors.ts';
import { requireAdmin, requireAuditReader } from '../access/policy.ts';
import { exported, parseCheckpoint, type ChainStatus, type Checkpoint } from '../audit/checkpoint.ts';
import { checkFirst } from './connection.ts';
import { checkString, checkValue, cursorText } from './input.ts';
import { documentId } from '../access/ids.ts';
import { noteFailure } from './merge.ts';

/** An AuditEvent as the graph returns it (ECM entry or Atrium event). */
interface AuditEventView {
  id: string;
  action: string;
  actor: string;
  at: string;
  system: System | null;
  detail: string | null;
  origin: 'ECM' | 'ATRIUM';
  userId?: string | null;
  email?: string | null;
  company?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  object?: string | null;
  objectType?: string | null;
  nativeId?: string | null;
  version?: string | null;
  rendition?: string | null;
  campaign?: string | null;
  requestId?: string | null;
  sequence?: number;
  entry?: number;
  hash?: string;
}

const SYSTEMS = new Set(['OTCS', 'ICONIK', 'NETX', 'OTMM']);

/** The graph's view of a stored access event. */
export function fromStored(e: StoredEvent): AuditEventView {
  return {
    id: e.id,
    action: e.action,
    actor: e.email || e.principalId || 'anonymous',
    at: e.at,
    system: e.system && SYSTEMS.has(e.system) ? (e.system as System) : null,
    detail: e.detail,
    origin: 'ATRIUM',
    userId: e.principalId,
    email: e.email,
    company: e.org,
    ip: e.ip,
    userAgent: e.userAgent,
    object: e.objectId,
    objectType: e.objectType,
    nativeId: e.nativeId,
    version: e.version,
    rendition: e.rendition,
    campaign: e.campaign,
    requestId: e.requestId,
    sequence: e.seq,
    entry: e.n,
    hash: e.hash,
  };
}

/** The graph's view of an ECM audit entry. */
export function fromEcm(e: AuditEntry, objectId: string): AuditEventView {
  return {
    id: e.id,
    action: e.action,
    actor: e.actor,
    at: e.at,
    system: e.system,
    detail: e.detail ?? null,
    origin: 'ECM',
    object: objectId,
    objectType: 'Document',
    nativeId: e.objectId,
  };
}

/** The public error of a failed read of the audit store; its cause is logged under `msg`, never returned. */
function storeFailed(ctx: Context, msg: string, cause: unknown): AuditUnavailableError {
  ctx.log.warn(msg, { error: (cause as Error)?.message });
  return new AuditUnavailableError();
}

/** `read` of the audit store, or AUDIT_UNAVAILABLE when the store fails (logged under `msg`). */
async function fromStore<T>(ctx: Context, msg: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw storeFailed(ctx, msg, e);
  }
}

/**
 * A document's trail: the ECM's audit merged with Atrium's events for it, oldest first (ECM
 * first on a tie). Without Atrium's part the trail would look complete and not be, so a store
 * that cannot answer fails the field (AUDIT_UNAVAILABLE), not just its half.
 */
export async function documentAuditTrail(d: Document, ctx: Context): Promise<AuditEventView[]> {
  requireAuditReader(ctx.principal);
  const id = documentId(d.source.nativeId);
  const audit = ctx.audit;
  const [ecm, ours] = await Promise.all([
    ctx.sources.ecm.getAudit(d.source.nativeId),
    audit ? fromStore(ctx, 'audit trail could not be read', () => audit.store.forObject(id)) : [],
  ]);
  const merged = [...ecm.map((e) => fromEcm(e, id)), ...ours.map(fromStored)];
  const rank = (e: AuditEventView) => (e.origin === 'ECM' ? 0 : 1);
  return merged.sort(
    (a, b) =>
      Date.parse(a.at) - Date.parse(b.at) || rank(a) - rank(b) || (a.sequence ?? 0) - (b.sequence ?? 0) || (a.entry ?? 0) - (b.entry ?? 0),
  );
}

interface FilterInput {
  user?: string | null;
  company?: string | null;
  object?: string | null;
  campaign?: string | null;
  action?: 'VIEW' | 'DOWNLOAD' | 'GAP' | 'WRITE' | null;
  from?: string | null;
  to?: string | null;
}

/** Longest `object` filter: a global id (access/ids.ts decodes none longer). */
const MAX_GLOBAL_ID = 512;

/** The store's filter of an AuditEventFilter; BAD_USER_INPUT for a value too long or with control characters (a NUL would reach the database). */
function filterOf(input: FilterInput | null | undefined): AuditFilter {
  const f: AuditFilter = {};
  if (!input) return f;
  for (const k of ['user', 'company', 'campaign', 'from', 'to'] as const) {
    const v = input[k];
    if (v) f[k] = checkValue(`filter.${k}`, v);
  }
  if (input.object) f.object = checkString('filter.object', input.object, MAX_GLOBAL_ID);
  if (input.action) f.action = input.action.toLowerCase() as AccessAction;
  return f;
}

const cursorOf = (e: EventPosition) => Buffer.from(`a:${e.seq}.${e.n}`, 'utf8').toString('base64url');
/** The event an `after` points at; BAD_USER_INPUT for a cursor auditEvents did not make. */
function positionOf(after: string | null | undefined): EventPosition | undefined {
  if (!after) return undefined;
  const text = cursorText(after);
  const m = text === null ? null : /^a:(\d{1,15})\.(\d{1,9})$/.exec(text);
  if (!m) throw new BadUserInputError('`after` is not a cursor of auditEvents');
  return { seq: Number(m[1]), n: Number(m[2]) };
}

const emptyConnection = { edges: [], nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };

/** The graph's AuditChainStatus. */
function chainStatusView(s: ChainStatus, checkpointKey: string | null, verifiedAt: number) {
  return {
    ok: s.ok,
    records: s.records,
    events: s.events,
    head: s.head ? { sequence: s.head.seq, hash: s.head.hash } : null,
    break: s.break ? { ...s.break, sequence: s.break.seq } : null,
    checkpointsChecked: s.checkpoints,
    checkpointFailures: s.failures.map((f) => ({ checkpoint: exported(f.checkpoint), problem: f.problem.toUpperCase(), found: f.found })),
    latestCheckpoint: s.latest ? exported(s.latest) : null,
    checkpointKey,
    verifiedAt: new Date(verifiedAt).toISOString(),
  };
}

/** Checkpoints given to verify, each one well-formed (a malformed one is the caller's to fix). */
function expected(input: readonly unknown[] | null | undefined): Checkpoint[] {
  if (!input) return [];
  if (input.length > 10_000) throw new BadUserInputError('`expect` takes at most 10000 checkpoints');
  return input.map((v, i) => {
    const c = parseCheckpoint(v);
    if (!c)
      throw new BadUserInputError(
        `\`expect[${i}]\` is not a checkpoint (sequence, 64 hex digits of hash, at, 16 hex digits of keyId, an Ed25519 signature)`,
      );
    return c;
  });
}

const checkpointCursor = (id: number) => Buffer.from(`c:${id}`, 'utf8').toString('base64url');
/** The checkpoint id an `after` points at (0 without one); BAD_USER_INPUT for a cursor auditCheckpoints did not make. */
function checkpointAfter(after: string | null | undefined): number {
  if (!after) return 0;
  const text = cursorText(after);
  const m = text === null ? null : /^c:(\d{1,15})$/.exec(text);
  if (!m) throw new BadUserInputError('`after` is not a cursor of auditCheckpoints');
  return Number(m[1]);
}

/**
 * Downloads by company for the overview. The overview is one non-null object whose other
 * figures come from the sources, so a store that cannot answer costs this figure alone: it
 * answers empty with an AUDIT_UNAVAILABLE error at its path, as a failing source does.
 */
async function downloadsByCompany(ctx: Context, info: GraphQLResolveInfo): Promise<{ company: string; count: number }[]> {
  const audit = ctx.audit;
  if (!audit) return [];
  try {
    return await overview.downloadsByCompany(audit.store, audit.now());
  } catch (e) {
    const pub = storeFailed(ctx, 'audit downloads by company could not be read', e);
    ctx.extraErrors.push(new GraphQLError(pub.message, { path: responsePathAsArray(info.path), extensions: pub.extensions }));
    return [];
  }
}

/** The overview's figures are computed per selected field; the parent carries nothing. */
const OVERVIEW = {};

export const auditResolvers = {
  Query: {
    auditChainStatus: async (_: unknown, args: { expect?: readonly unknown[] | null }, ctx: Context) => {
      requireAdmin(ctx.principal, 'The audit chain status');
      const extra = expected(args.expect);
      if (!ctx.audit) throw new AuditUnavailableError('Auditing is turned off on this gateway');
      const audit = ctx.audit;
      const status = await fromStore(ctx, 'audit chain verification failed', () => audit.verify(extra));
      return chainStatusView(status, audit.checkpointKey, audit.now());
    },
    auditCheckpoints: async (_: unknown, args: { first?: number | null; after?: string | null }, ctx: Context) => {
      requireAdmin(ctx.principal, 'The audit checkpoints');
      const first = checkFirst(args.first, 100);
      const after = checkpointAfter(args.after);
      const audit = ctx.audit;
      if (!audit) return emptyConnection;
      const page = await fromStore(ctx, 'audit checkpoints could not be read', () => audit.store.checkpoints(first, after));
      const edges = page.items.map((c) => ({ cursor: checkpointCursor(c.id), node: exported(c) }));
      return {
        edges,
        nodes: edges.map((e) => e.node),
        pageInfo: { hasNextPage: page.hasNext, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount: page.total,
      };
    },
    auditEvents: async (_: unknown, args: { filter?: FilterInput | null; first?: number | null; after?: string | null }, ctx: Context) => {
      requireAuditReader(ctx.principal);
      const first = checkFirst(args.first, 50);
      const before = positionOf(args.after);
      const filter = filterOf(args.filter);
      // Auditing turned off (benchmarks): there are no access events to show.
      const audit = ctx.audit;
      if (!audit) return emptyConnection;
      const [page, totalCount] = await fromStore(ctx, 'audit events could not be read', () =>
        Promise.all([audit.store.list(filter, first, before), audit.store.count(filter)]),
      );
      const edges = page.items.map((e) => ({ cursor: cursorOf(e), node: fromStored(e) }));
      return {
        edges,
        nodes: edges.map((e) => e.node),
        pageInfo: { hasNextPage: page.hasNext, endCursor: edges.at(-1)?.cursor ?? null },
        totalCount,
      };
    },
    complianceOverview: (_: unknown, __: unknown, ctx: Context) => {
      requireAuditReader(ctx.principal);
      return OVERVIEW;
    },
  },
  ComplianceOverview: {
    rightsExpiringByMonth: (_: unknown, __: unknown, ctx: Context, info: GraphQLResolveInfo) =>
      overview.rightsExpiringByMonth(ctx, (e, s) => noteFailure(ctx, info, e, s)),
    pendingApprovals: (_: unknown, __: unknown, ctx: Context, info: GraphQLResolveInfo) =>
      overview.pendingApprovals(ctx, (e, s) => noteFailure(ctx, info, e, s)),
    holds: (_: unknown, __: unknown, ctx: Context, info: GraphQLResolveInfo) => overview.holds(ctx, (e, s) => noteFailure(ctx, info, e, s)),
    downloadsByCompany: (_: unknown, __: unknown, ctx: Context, info: GraphQLResolveInfo) => downloadsByCompany(ctx, info),
  },
};
