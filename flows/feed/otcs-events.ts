/**
 * Content Server facts → canonical events (pure). The feed (`otcs.ts`) reads, for every node
 * whose modify date moved inside the window, its audit rows since the window's start and, as
 * the rows ask for them, the document, its versions, approvals, retention and holds; these
 * functions turn those facts into events. Each event comes with the key the cursor remembers,
 * so a change read again in an overlapping window is not emitted twice.
 *
 * | event | from |
 * | --- | --- |
 * | `workspace.created` | audit Create on a workspace, or a workspace created inside the window |
 * | `document.created` | audit Create on a document, or a document created inside the window |
 * | `document.version.released` | audit Version Added (11; the world's 28 "Add Version"), the version whose date is the row's |
 * | `document.approved` | the workflow status: complete (nothing pending), last decision APPROVED, decided inside the window |
 * | `document.retention.changed` | audit Classification Applied (264) |
 * | `document.hold.changed` | audit rows of hold changes (ids NOT FOUND: configurable) |
 * | `asset.rights.changed` | audit Attribute Value Changed (10) on a licence document: one per asset citing it (`licenceEvents`) |
 */
import { assetId, documentId, workspaceId } from '../../access/ids.ts';
import type { Approval, Asset, Document, Hold, Retention, Version, Workspace } from '../../sources/model.ts';
import type { AuditRow, ModifiedNode } from '../../sources/ports.ts';
import type { ChangeEvent } from '../outbox/events.ts';
import { eventId } from './source.ts';

/** Audit event type ids the feed reads. Defaults: vendor-apis-writes §3.2 (SEEN); holds NOT FOUND (the simulator's ids). */
export interface AuditTypes {
  create: readonly number[];
  version: readonly number[];
  classification: readonly number[];
  attribute: readonly number[];
  holdApplied: readonly number[];
  holdRemoved: readonly number[];
}

export const DEFAULT_AUDIT_TYPES: AuditTypes = {
  create: [1],
  version: [11, 28],
  classification: [264],
  attribute: [10],
  holdApplied: [9101],
  holdRemoved: [9102],
};

/** What the feed read about one node. Reads a row did not ask for are absent. */
export interface NodeFacts {
  node: ModifiedNode;
  rows: readonly AuditRow[];
  document?: Document | null;
  workspace?: Workspace | null;
  versions?: readonly Version[];
  approvals?: readonly Approval[];
  retention?: Retention | null;
  holds?: readonly Hold[];
}

/** Events of one poll, with the keys (and source times) the cursor remembers. */
export interface Emitted {
  events: ChangeEvent[];
  keys: [string, string][];
}

/** Which reads a node's rows ask for (so the feed reads nothing it does not need). */
export function readsFor(node: ModifiedNode, rows: readonly AuditRow[], types: AuditTypes) {
  const has = (list: readonly number[]) => rows.some((r) => list.includes(r.eventType));
  return {
    versions: node.kind === 'document' && has(types.version),
    retention: node.kind === 'document' && has(types.classification),
    holds: node.kind === 'document' && has([...types.holdApplied, ...types.holdRemoved]),
  };
}

/** Campaign and account of a document (its metadata) or a workspace (its owner). */
export function ownerOf(x: Document | Workspace | null | undefined): { campaign: string | null; account: string | null } {
  if (!x) return { campaign: null, account: null };
  if ('metadata' in x) return { campaign: x.metadata.campaignCode ?? null, account: x.metadata.accountId ?? null };
  const o = x.owner;
  return { campaign: o && 'campaignCode' in o ? o.campaignCode : null, account: o && 'accountId' in o ? o.accountId : null };
}

/** Whether a document is a licence: it carries rights terms (validity, rights status) that assets are narrowed by. */
export const isLicence = (d: Document | null | undefined): d is Document =>
  !!d && (d.metadata.validUntil !== undefined || d.metadata.rightsStatus !== undefined);

/** The licence terms an asset's effective rights take from a licence document. */
export function licenceTerms(d: Document) {
  const m = d.metadata;
  return {
    licence: d.source.nativeId,
    rightsStatus: m.rightsStatus ?? null,
    validFrom: m.validFrom ?? null,
    validUntil: m.validUntil ?? null,
    territories: m.territories ?? [],
    channels: m.channels ?? [],
  };
}

const docSummary = (d: Document) => ({
  name: d.name,
  version: d.version,
  status: d.status,
  classification: d.classification,
  workspace: workspaceId(d.workspaceId),
});

/**
 * Events of one node's facts, skipping keys in `seen`. `windowStart` bounds what counts as
 * new (creation and approvals inside the window); audit rows were already cut to it.
 */
export function nodeEvents(f: NodeFacts, types: AuditTypes, windowStart: string, seen: Readonly<Record<string, string>>): Emitted {
  const out: Emitted = { events: [], keys: [] };
  const from = Date.parse(windowStart);
  const id = f.node.id;
  const emit = (key: string, at: string, e: Omit<ChangeEvent, 'source' | 'time'>) => {
    if (seen[key] !== undefined || out.keys.some(([k]) => k === key)) return;
    out.keys.push([key, at]);
    out.events.push({ ...e, source: 'OTCS', time: at });
  };
  const hasRow = (list: readonly number[]) => f.rows.some((r) => list.includes(r.eventType));
  const createdInWindow = Date.parse(f.node.createdAt) >= from || hasRow(types.create);

  if (f.node.kind === 'workspace') {
    const ws = f.workspace;
    if (createdInWindow && ws) {
      emit(`created:${id}`, f.node.createdAt, {
        id: eventId('OTCS', 'workspace.created', id),
        type: 'workspace.created',
        objectId: workspaceId(id),
        objectType: 'Workspace',
        ...ownerOf(ws),
        data: { after: { name: ws.name, type: ws.type, businessObject: ws.businessObject } },
      });
    }
    return out;
  }

  const doc = f.document;
  if (!doc) return out; // deleted since, or not a document the mapping reads
  const owner = ownerOf(doc);
  const base = { objectId: documentId(id), objectType: 'Document' as const, ...owner, audience: { classification: doc.classification } };
  if (createdInWindow) {
    emit(`created:${id}`, f.node.createdAt, {
      id: eventId('OTCS', 'document.created', id),
      type: 'document.created',
      ...base,
      data: { after: docSummary(doc) },
    });
  }
  for (const r of f.rows) {
    if (types.version.includes(r.eventType)) {
      // The version the row added: the one dated at the row's instant (within a second), else the latest.
      const at = Date.parse(r.at);
      const v =
        f.versions?.find((x) => Math.abs(Date.parse(x.createdAt) - at) < 1000) ??
        (f.versions && f.versions.length ? f.versions[f.versions.length - 1] : undefined);
      const number = v?.number ?? doc.version;
      emit(`row:${r.key}`, r.at, {
        id: eventId('OTCS', 'document.version.released', id, String(number), String(at)),
        type: 'document.version.released',
        ...base,
        data: {
          ...(number > 1 ? { before: { version: number - 1 } } : {}),
          after: { version: number, ...(v ? { mimeType: v.mimeType, size: v.size } : {}) },
        },
      });
    } else if (types.classification.includes(r.eventType)) {
      emit(`row:${r.key}`, r.at, {
        id: eventId('OTCS', 'document.retention.changed', id, String(Date.parse(r.at)), String(r.eventType)),
        type: 'document.retention.changed',
        ...base,
        data: { after: f.retention ?? null },
      });
    } else if (types.holdApplied.includes(r.eventType) || types.holdRemoved.includes(r.eventType)) {
      const applied = types.holdApplied.includes(r.eventType);
      emit(`row:${r.key}`, r.at, {
        id: eventId('OTCS', 'document.hold.changed', id, String(Date.parse(r.at)), applied ? 'applied' : 'removed'),
        type: 'document.hold.changed',
        ...base,
        data: {
          after: { action: applied ? 'applied' : 'removed', holds: (f.holds ?? []).map((h) => ({ id: h.id, name: h.name, type: h.type })) },
        },
      });
    }
  }
  const final = finalDecision(f.approvals);
  if (final && final.decision === 'APPROVED' && Date.parse(final.at) >= from) {
    emit(`approved:${id}:${final.at}`, final.at, {
      id: eventId('OTCS', 'document.approved', id, String(Date.parse(final.at))),
      type: 'document.approved',
      ...base,
      data: {
        after: {
          decision: final.decision,
          step: final.step,
          actor: final.actor,
          version: final.version ?? doc.version,
          status: doc.status,
        },
      },
    });
  }
  return out;
}

/** The decision that completed a workflow: its last step, when no step is pending; else null. */
export function finalDecision(steps: readonly Approval[] | undefined): Approval | null {
  if (!steps || steps.length === 0 || steps.some((s) => s.decision === 'PENDING')) return null;
  return [...steps].sort((a, b) => a.at.localeCompare(b.at)).pop() ?? null;
}

/** The attribute-change rows of a licence document (what moves its assets' rights). */
export function licenceRows(f: NodeFacts, types: AuditTypes): AuditRow[] {
  return isLicence(f.document) ? f.rows.filter((r) => types.attribute.includes(r.eventType)) : [];
}

/** `asset.rights.changed` for each asset citing a licence whose terms changed (one per row and asset). */
export function licenceEvents(
  doc: Document,
  rows: readonly AuditRow[],
  assets: readonly Asset[],
  seen: Readonly<Record<string, string>>,
): Emitted {
  const out: Emitted = { events: [], keys: [] };
  const terms = licenceTerms(doc);
  for (const r of rows) {
    for (const a of assets) {
      const sys = a.source.system;
      if (sys === 'OTCS') continue;
      const key = `licence:${r.key}:${sys}:${a.source.nativeId}`;
      if (seen[key] !== undefined) continue;
      out.keys.push([key, r.at]);
      out.events.push({
        id: eventId('OTCS', 'asset.rights.changed', sys, a.source.nativeId, doc.source.nativeId, String(Date.parse(r.at))),
        type: 'asset.rights.changed',
        source: 'OTCS',
        objectId: assetId(sys, a.source.nativeId),
        objectType: 'Asset',
        campaign: a.campaignCode ?? doc.metadata.campaignCode ?? null,
        account: a.accountId ?? doc.metadata.accountId ?? null,
        time: r.at,
        data: { after: { licence: terms, damRights: a.rights } },
        audience: { approvals: [a.approval] },
      });
    }
  }
  return out;
}

/** Whether an asset cites a licence document (its rights or metadata name the node). */
export const citesLicence = (a: Asset, licenceNodeId: string): boolean =>
  a.rights.licenceId === licenceNodeId || a.metadata.licenceId === licenceNodeId;
