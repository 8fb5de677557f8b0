/**
 * The write overlay: everything written through the simulated API, over the read-only demo
 * world. The world is computed from ids and never changes; the overlay holds what is new
 * (workspaces, folders, documents, with ids of their own) and what changed on world nodes
 * (names, category values, versions, RM classifications, business-object references, teams,
 * audit rows). The read routes see the world through the overlay (kit.ts `createNodeStore`,
 * workspace-records.ts), so what is written is served afterwards.
 *
 * New node ids start at `OVERLAY_BASE`, above every id the world can produce (its largest
 * scale puts account workspaces below 100,000,000), so they never collide. The overlay is
 * bounded: at most `maxNodes` entries (created or changed nodes); a write past it is refused.
 * `POST /__sim/reset` clears it. Upload bytes are not here but in the content store; a
 * version only names its stored file.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DemoAuditEntry, DemoMember, DemoRecord, DemoVersion } from '../demo/world.ts';
import type { Approval, BusinessObject } from '../../sources/model.ts';
import type { CategoryValues } from './categories.ts';
import type { StoredContent } from './content-store.ts';
import type { WorkspaceTemplate } from './templates.ts';

/** The first id of a node (or role) created through the API. */
export const OVERLAY_BASE = 900_000_001;
/** Audit rows kept per node (the oldest go first). */
const MAX_AUDIT = 1000;

/** A version written through the API: its bytes are a file of the content store. */
export interface WrittenVersion extends DemoVersion {
  content: StoredContent;
  major: number;
  minor: number;
}

/** A node created through the API (a world node changed through it has no `created`). */
export interface CreatedNode {
  parentId: number;
  type: number;
  typeName: string;
  createdAt: string;
  ownerId: number;
  /** Workspaces: the template they were made from and the ids of its roles, in its order. */
  workspace?: { template: WorkspaceTemplate; roleIds: number[] };
}

/** What the overlay knows of one node. */
export interface Entry {
  id: number;
  created?: CreatedNode;
  name?: string;
  description?: string;
  modifiedAt?: string;
  /** Category values written, per category: the whole category for created nodes, changed keys for world ones. */
  categories: Map<number, CategoryValues>;
  /** Categories applied through the API (`POST .../categories`, or at creation). */
  applied: Set<number>;
  versions: WrittenVersion[];
  record?: DemoRecord;
  /** Documents: the legal holds now on it (ids), once changed (`/__sim/otcs/...`, `POST .../holds`). */
  holds?: number[];
  /** Documents: the approval workflow's steps, once a reviewer acted (`/__sim/otcs/.../approval`). */
  workflow?: Approval[];
  /** Workspaces: the business object now referenced. */
  businessObject?: BusinessObject;
  /** Workspaces: the team once written (a world workspace's starts as the world's). */
  team?: DemoMember[];
  /** Revisions behind the metadata tokens: the node's, each category's, the RM classification's. */
  revision: number;
  categoryRevisions: Map<number, number>;
  rmRevision: number;
  audit: DemoAuditEntry[];
  /** A world document deleted through the API (created nodes are removed instead). */
  deleted?: boolean;
}

/** The overlay is full: the write is refused (reset the simulator to make room). */
export class OverlayFull extends Error {
  override readonly name = 'OverlayFull';
}

export interface Overlay {
  /** What was written to a node, if anything. */
  entry(id: number): Entry | undefined;
  /** The entry of a world node, made on its first change. */
  touch(id: number): Entry;
  /** Create a node; the caller fills in its name and values. */
  create(node: CreatedNode, name: string, description: string): Entry;
  /** A fresh id (for workspace roles). */
  allocateId(): number;
  /** Ids of nodes created directly under `parentId`, in creation order. */
  childrenOf(parentId: number): number[];
  /** Every created node, in id order. */
  created(): Entry[];
  /** Forget a created node and what was written under it; returns their stored contents (to delete). */
  remove(id: number): StoredContent[];
  /** Is there room for `n` more entries? Throws OverlayFull when not. */
  reserve(n: number): void;
  /** Append an audit row to a node (event ids and names as vendor-apis-writes §3.2 lists them). */
  audit(id: number, event: { type: number; name: string }, userId: number): void;
  /** The metadata token of a node (`what` = 'node'), one of its categories, or its RM classification. */
  token(id: number, what: 'node' | 'rm' | number): string;
  /** The stored bytes of a written version, if that version was written. */
  content(id: number, version: number): StoredContent | undefined;
  /** Every stored content (for the content store's clean-up). */
  contents(): StoredContent[];
  readonly size: number;
  /** The timestamp of a write (ISO, seconds, `Z`, as node dates are SEEN). */
  now(): string;
  clear(): void;
}

export interface OverlayOptions {
  maxNodes: number;
  now: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An empty overlay. */
export function createOverlay(opts: OverlayOptions): Overlay {
  let entries = new Map<number, Entry>();
  let byParent = new Map<number, number[]>();
  let nextId = OVERLAY_BASE;
  let auditSeq = 0;
  // Tokens differ between simulator instances and resets, as a real server's would.
  let salt = randomBytes(8).toString('hex');

  const blank = (id: number): Entry => ({
    id,
    categories: new Map(),
    applied: new Set(),
    versions: [],
    revision: 0,
    categoryRevisions: new Map(),
    rmRevision: 0,
    audit: [],
  });
  const reserve = (n: number) => {
    if (entries.size + n > opts.maxNodes) throw new OverlayFull(`the write overlay holds ${opts.maxNodes} nodes at most`);
  };

  const touch = (id: number): Entry => {
    const hit = entries.get(id);
    if (hit) return hit;
    reserve(1);
    const e = blank(id);
    entries.set(id, e);
    return e;
  };
  const now = () => iso(opts.now());

  return {
    entry: (id) => entries.get(id),
    touch,
    create(node, name, description) {
      reserve(1);
      const e: Entry = { ...blank(nextId++), created: node, name, description, modifiedAt: node.createdAt };
      entries.set(e.id, e);
      const siblings = byParent.get(node.parentId) ?? [];
      siblings.push(e.id);
      byParent.set(node.parentId, siblings);
      return e;
    },
    allocateId: () => nextId++,
    remove(id) {
      const e = entries.get(id);
      if (!e?.created) return [];
      const gone: StoredContent[] = [];
      const drop = (x: number) => {
        for (const child of [...(byParent.get(x) ?? [])]) drop(child);
        byParent.delete(x);
        gone.push(...(entries.get(x)?.versions.map((v) => v.content) ?? []));
        entries.delete(x);
      };
      drop(id);
      const siblings = byParent.get(e.created.parentId);
      if (siblings)
        byParent.set(
          e.created.parentId,
          siblings.filter((x) => x !== id),
        );
      return gone;
    },
    childrenOf: (parentId) => byParent.get(parentId) ?? [],
    created: () => [...entries.values()].filter((e) => e.created).sort((a, b) => a.id - b.id),
    reserve,
    audit(id, event, userId) {
      const e = touch(id);
      e.audit.push({ id: ++auditSeq, eventType: event.type, eventName: event.name, at: now(), userId });
      if (e.audit.length > MAX_AUDIT) e.audit.splice(0, e.audit.length - MAX_AUDIT);
    },
    token(id, what) {
      const e = entries.get(id);
      const rev = !e ? 0 : what === 'node' ? e.revision : what === 'rm' ? e.rmRevision : (e.categoryRevisions.get(what) ?? 0);
      return createHash('md5')
        .update(`${salt}:${id}:${String(what)}:${rev}`)
        .digest('hex');
    },
    content: (id, version) => entries.get(id)?.versions.find((v) => v.number === version)?.content,
    contents: () => [...entries.values()].flatMap((e) => e.versions.map((v) => v.content)),
    get size() {
      return entries.size;
    },
    now,
    clear() {
      entries = new Map();
      byParent = new Map();
      nextId = OVERLAY_BASE;
      auditSeq = 0;
      salt = randomBytes(8).toString('hex');
    },
  };
}
