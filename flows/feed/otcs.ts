/**
 * The Content Server feed: polling, since Content Server sends no events (vendor-apis-writes
 * §3). Each poll, over the window `[cursor - overlap, now]`:
 *
 * 1. `modifiedSince(windowStart)`: workspaces and documents whose modify date moved (one
 *    search, paged up to `maxPages`);
 * 2. per node, `auditSince(node, windowStart)` (the day-granular audit filter, cut to the
 *    instant); for documents one `getDocuments` for all of them, and, as their rows ask,
 *    versions, retention (RM classification) and holds; `getApprovals` (workflow status) for
 *    every changed document; `getWorkspaces` for workspaces created in the window;
 * 3. the facts become events (`otcs-events.ts`); an attribute change on a licence document
 *    becomes `asset.rights.changed` for every asset citing it, found in each DAM by the
 *    licence's campaign or account (`findAssets`), filtered by the licence id.
 *
 * The cursor's high-water mark is the latest modify date read; keys of what was emitted
 * inside the overlap are kept so a re-read is not emitted again. When a page cap cut the
 * listing, the next poll resumes from the last modify date read (the overlap covers ties).
 * A DAM failing while a licence's assets are looked up holds the cursor before that licence (the
 * other DAMs' events go out now; the failing DAM's when it answers again, nothing lost or doubled).
 */
import type { Asset, Document, Workspace } from '../../sources/model.ts';
import type { DamSource, EcmChangeReads, EcmSource } from '../../sources/ports.ts';
import type { ChangeEvent } from '../outbox/events.ts';
import { advance, decodeCursor, encodeCursor, windowStart } from './cursor.ts';
import {
  citesLicence,
  DEFAULT_AUDIT_TYPES,
  licenceEvents,
  licenceRows,
  nodeEvents,
  readsFor,
  type AuditTypes,
  type NodeFacts,
} from './otcs-events.ts';
import { mapLimit, type FeedSource } from './source.ts';

export interface OtcsFeedOptions {
  /** How far back each poll re-reads before the high-water mark. Default 120 s. */
  overlapMs?: number;
  /** Search pages (of 100 nodes) one poll reads at most. Default 10. */
  maxPages?: number;
  /** Audit event type ids (holds are NOT FOUND at the vendor: configure them). */
  auditTypes?: Partial<AuditTypes>;
  /** The DAMs whose assets cite licence documents (for `asset.rights.changed`). */
  dams?: readonly DamSource[];
  /** Feed name in the outbox. Default `otcs`. */
  feed?: string;
  /** Per-node reads in flight at once. Default 8. */
  concurrency?: number;
}

const ASSET_PAGE = 200;
const MAX_ASSET_PAGES = 20;

/** Every asset of one DAM citing a licence document, searched by the licence's campaign or account. */
async function assetsCiting(dam: DamSource, doc: Document): Promise<Asset[]> {
  const m = doc.metadata;
  const filter = m.campaignCode ? { campaignCodes: [m.campaignCode] } : m.accountId ? { accountIds: [m.accountId] } : null;
  if (!filter) return [];
  const out: Asset[] = [];
  let after: string | undefined;
  for (let n = 0; n < MAX_ASSET_PAGES; n++) {
    const page = await dam.findAssets(filter, { first: ASSET_PAGE, ...(after ? { after } : {}) });
    out.push(...page.items.filter((a) => citesLicence(a, doc.source.nativeId)));
    if (!page.next) break;
    after = page.next;
  }
  return out;
}

/** Build the Content Server feed over its connector (reads only). */
export function createOtcsFeed(src: EcmSource & EcmChangeReads, opts: OtcsFeedOptions = {}): FeedSource {
  const overlapMs = opts.overlapMs ?? 120_000;
  const maxPages = opts.maxPages ?? 10;
  const types: AuditTypes = { ...DEFAULT_AUDIT_TYPES, ...(opts.auditTypes ?? {}) };
  const dams = opts.dams ?? [];
  const concurrency = opts.concurrency ?? 8;

  return {
    feed: opts.feed ?? 'otcs',
    system: 'OTCS',
    async poll(raw, now) {
      const cursor = decodeCursor(raw, now);
      const from = windowStart(cursor, overlapMs);
      const { nodes } = await src.modifiedSince(from, maxPages);
      const rows = await mapLimit(nodes, concurrency, (n) => src.auditSince(n.id, from));
      const docIds = nodes.filter((n) => n.kind === 'document').map((n) => n.id);
      const docs = new Map<string, Document | null>();
      if (docIds.length) (await src.getDocuments(docIds)).forEach((d, i) => docs.set(docIds[i] as string, d));
      const newWorkspaces = nodes.filter(
        (n, i) =>
          n.kind === 'workspace' &&
          (Date.parse(n.createdAt) >= Date.parse(from) || (rows[i] ?? []).some((r) => types.create.includes(r.eventType))),
      );
      const workspaces = new Map<string, Workspace | null>();
      if (newWorkspaces.length) {
        const ids = newWorkspaces.map((n) => n.id);
        (await src.getWorkspaces(ids)).forEach((w, i) => workspaces.set(ids[i] as string, w));
      }

      const facts: NodeFacts[] = await mapLimit(nodes, concurrency, async (node, i): Promise<NodeFacts> => {
        const nodeRows = rows[i] ?? [];
        if (node.kind === 'workspace') return { node, rows: nodeRows, workspace: workspaces.get(node.id) ?? null };
        const document = docs.get(node.id) ?? null;
        if (!document) return { node, rows: nodeRows, document };
        const want = readsFor(node, nodeRows, types);
        const [approvals, versions, retention, holds] = await Promise.all([
          src.getApprovals(node.id),
          want.versions ? src.getVersions(node.id) : undefined,
          want.retention ? src.getRetention(node.id) : undefined,
          want.holds ? src.getHolds(node.id) : undefined,
        ]);
        return {
          node,
          rows: nodeRows,
          document,
          approvals,
          ...(versions ? { versions } : {}),
          ...(retention !== undefined ? { retention } : {}),
          ...(holds ? { holds } : {}),
        };
      });

      const events: ChangeEvent[] = [];
      const keys: [string, string][] = [];
      // The earliest licence whose citing assets a DAM could not list: the cursor holds before it.
      let hold: string | undefined;
      for (const f of facts) {
        const e = nodeEvents(f, types, from, cursor.seen);
        events.push(...e.events);
        keys.push(...e.keys);
        const lr = licenceRows(f, types);
        if (lr.length && f.document && dams.length) {
          const doc = f.document;
          const listed = await Promise.allSettled(dams.map((d) => assetsCiting(d, doc)));
          const cited = listed.flatMap((l) => (l.status === 'fulfilled' ? l.value : []));
          if (listed.some((l) => l.status === 'rejected') && (!hold || doc.modifiedAt < hold)) hold = doc.modifiedAt;
          const le = licenceEvents(doc, lr, cited, cursor.seen);
          events.push(...le.events);
          keys.push(...le.keys);
        }
      }
      events.sort((a, b) => a.time.localeCompare(b.time));
      let latest = nodes.reduce<string | undefined>((m, n) => (!m || n.modifiedAt > m ? n.modifiedAt : m), undefined);
      // A DAM failing costs only its own assets' events: the others go out now, and the cursor stays
      // before the licence, so the next polls read it again until that DAM answers (what went out
      // already is in the cursor's keys and is not sent twice).
      if (hold && latest && Date.parse(latest) >= Date.parse(hold)) latest = new Date(Date.parse(hold) - 1).toISOString();
      return { events, cursor: encodeCursor(advance(cursor, overlapMs, latest, keys)) };
    },
  };
}
