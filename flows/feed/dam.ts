/**
 * A DAM feed (iconik, NetX, OTMM): polling the modify date, the one change signal all three
 * offer (NetX and OTMM send no documented events, vendor-apis-writes §6–7; for iconik, whose
 * webhooks are pushed to `POST /hooks/iconik`, this poll is the safety net). Each poll reads
 * `findAssets({modifiedSince: cursor - overlap}, sort date ascending)` page by page up to
 * `maxPages`, and turns every asset not already emitted (key: id and modify date) into events:
 *
 * - created inside the window → `asset.created` (once per asset);
 * - otherwise → `asset.updated` (every change: what the cache and most subscribers need), plus
 *   `asset.approved` when its approval became APPROVED and `asset.rights.changed` when its own
 *   rights changed, judged against the fingerprint the cursor keeps of the asset as last seen.
 *   An asset the feed has not seen before (changed for the first time since the feed started,
 *   or pushed out of the bounded fingerprints) has no before: it gets `asset.updated`, and
 *   `asset.approved` when it is approved now (a subscriber waiting for approved assets must not
 *   miss one; it may hear of an already approved asset once).
 */
import { createHash } from 'node:crypto';
import { assetId } from '../../access/ids.ts';
import type { Asset, DamSystem } from '../../sources/model.ts';
import type { DamSource } from '../../sources/ports.ts';
import type { ChangeEvent } from '../outbox/events.ts';
import { advance, decodeCursor, encodeCursor, windowStart } from './cursor.ts';
import { eventId, type FeedSource } from './source.ts';

export interface DamFeedOptions {
  /** How far back each poll re-reads before the high-water mark. Default 120 s. */
  overlapMs?: number;
  /** Pages of `pageSize` one poll reads at most. Default 10. */
  maxPages?: number;
  /** Page size. Default 100. */
  pageSize?: number;
  /** Feed name in the outbox. Default the system in lower case. */
  feed?: string;
}

/** What the feed remembers of an asset: approval, rights and the rest, as `approval|rightsDigest|restDigest`. */
export function fingerprint(a: Asset): string {
  const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('base64url').slice(0, 10);
  const r = a.rights;
  const rights = [
    r.status,
    r.validFrom ?? null,
    r.validUntil ?? null,
    [...r.territories].sort(),
    [...r.channels].sort(),
    r.licenceId ?? null,
  ];
  const rest = [a.title, a.kind, a.campaignCode ?? null, a.accountId ?? null, a.locale ?? null, a.metadata];
  return `${a.approval}|${digest(rights)}|${digest(rest)}`;
}

const rightsOf = (a: Asset) => ({ ...a.rights });

/**
 * Events of one asset read in the window (pure): `before` is its fingerprint as last seen
 * (undefined: unknown), `windowStart` bounds what counts as created.
 */
export function assetEvents(system: DamSystem, a: Asset, before: string | undefined, windowStart: string): ChangeEvent[] {
  const native = a.source.nativeId;
  const base = {
    source: system,
    objectId: assetId(system, native),
    objectType: 'Asset' as const,
    campaign: a.campaignCode ?? null,
    account: a.accountId ?? null,
  };
  const [wasApproval, wasRights, wasRest] = before?.split('|') ?? [];
  const audience = { approvals: [...new Set([wasApproval, a.approval].filter((x): x is string => !!x))] };
  const stamp = String(Date.parse(a.modifiedAt));
  const created = Date.parse(a.createdAt) >= Date.parse(windowStart) && before === undefined;
  if (created && a.createdAt === a.modifiedAt) {
    return [
      {
        ...base,
        audience,
        id: eventId(system, 'asset.created', native),
        type: 'asset.created',
        time: a.createdAt,
        data: { after: { title: a.title, kind: a.kind, approval: a.approval, rights: rightsOf(a) } },
      },
    ];
  }
  const out: ChangeEvent[] = [];
  if (created) {
    out.push({
      ...base,
      audience,
      id: eventId(system, 'asset.created', native),
      type: 'asset.created',
      time: a.createdAt,
      data: { after: { title: a.title, kind: a.kind } },
    });
  }
  const [, isRights, isRest] = fingerprint(a).split('|');
  out.push({
    ...base,
    audience,
    id: eventId(system, 'asset.updated', native, stamp),
    type: 'asset.updated',
    time: a.modifiedAt,
    data: {
      ...(before !== undefined
        ? { before: { approval: wasApproval, changed: { rights: wasRights !== isRights, other: wasRest !== isRest } } }
        : {}),
      after: { title: a.title, approval: a.approval, rights: rightsOf(a) },
    },
  });
  if (a.approval === 'APPROVED' && wasApproval !== 'APPROVED' && (before !== undefined || !created)) {
    out.push({
      ...base,
      audience,
      id: eventId(system, 'asset.approved', native, stamp),
      type: 'asset.approved',
      time: a.modifiedAt,
      data: { ...(wasApproval ? { before: { approval: wasApproval } } : {}), after: { approval: a.approval } },
    });
  }
  if (before !== undefined && wasRights !== isRights) {
    out.push({
      ...base,
      audience,
      id: eventId(system, 'asset.rights.changed', native, stamp),
      type: 'asset.rights.changed',
      time: a.modifiedAt,
      data: { after: { damRights: rightsOf(a) } },
    });
  }
  return out;
}

/** Build the feed of one DAM over its connector. */
export function createDamFeed(src: DamSource, opts: DamFeedOptions = {}): FeedSource {
  const overlapMs = opts.overlapMs ?? 120_000;
  const maxPages = opts.maxPages ?? 10;
  const pageSize = opts.pageSize ?? 100;
  const system = src.system;
  return {
    feed: opts.feed ?? system.toLowerCase(),
    system,
    async poll(raw, now) {
      const cursor = decodeCursor(raw, now);
      const from = windowStart(cursor, overlapMs);
      const assets: Asset[] = [];
      let after: string | undefined;
      for (let n = 0; n < maxPages; n++) {
        const page = await src.findAssets(
          { modifiedSince: from },
          { first: pageSize, sort: { field: 'date', direction: 'asc' }, ...(after ? { after } : {}) },
        );
        assets.push(...page.items);
        if (!page.next) break;
        after = page.next;
      }
      const snap = { ...(cursor.snap ?? {}) };
      const events: ChangeEvent[] = [];
      const keys: [string, string][] = [];
      let latest: string | undefined;
      for (const a of assets) {
        // Sources compare dates at their own precision: the instant is checked here too.
        if (Date.parse(a.modifiedAt) < Date.parse(from)) continue;
        if (!latest || a.modifiedAt > latest) latest = a.modifiedAt;
        const key = `${a.source.nativeId}@${Date.parse(a.modifiedAt)}`;
        if (cursor.seen[key] !== undefined || keys.some(([k]) => k === key)) continue;
        const native = a.source.nativeId;
        events.push(...assetEvents(system, a, snap[native], from));
        keys.push([key, a.modifiedAt]);
        // Re-inserted last, so the bounded fingerprints drop the longest unchanged first.
        delete snap[native];
        snap[native] = fingerprint(a);
      }
      events.sort((x, y) => x.time.localeCompare(y.time));
      return { events, cursor: encodeCursor(advance(cursor, overlapMs, latest, keys, snap)) };
    },
  };
}
