/**
 * Change feed for cache invalidation. Polling: a search for assets with `date_modified`
 * after the cursor, oldest first. Webhooks: `changeOfWebhook` turns a delivered iconik
 * payload (vendor-apis.md §3.6, SEEN shape) into the same canonical Change, for a gateway
 * that registers a webhook and receives pushes.
 */
import { UpstreamError } from '../http/errors.ts';
import type { Change, ChangeSet } from '../model.ts';
import { isObj, isoDate, malformed, type IconikSearch } from './map.ts';

/** Pages a single poll walks at most; the rest comes with the next poll. */
const MAX_PAGES = 20;

const encode = (since: string) => Buffer.from(JSON.stringify({ s: since })).toString('base64url');

function decode(cursor: string): string {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof v.s === 'string' && !Number.isNaN(Date.parse(v.s))) return v.s;
  } catch {
    // fall through to the typed error
  }
  throw new UpstreamError('ICONIK', 'BAD_REQUEST', 'invalid change cursor');
}

function changeOf(o: unknown): Change {
  if (!isObj(o) || typeof o.id !== 'string') throw malformed('a changed asset has no id');
  const at = isoDate(o.date_modified, 'date_modified');
  const created = o.date_created === undefined ? undefined : isoDate(o.date_created, 'date_created');
  return { system: 'ICONIK', kind: 'asset', nativeId: o.id, at, operation: created === at ? 'create' : 'update' };
}

/**
 * Assets modified strictly after the cursor's instant (`start` is an ISO instant when
 * `isStart`, else a cursor this function made). Ranges are inclusive at iconik, so the
 * boundary instant is dropped here to avoid reporting the same change twice.
 */
export async function changesSince(search: IconikSearch, perPage: number, start: string, isStart: boolean): Promise<ChangeSet> {
  const since = isStart ? start : decode(start);
  const sinceMs = Date.parse(since);
  const criteria = {
    doc_types: ['assets'],
    include_fields: ['id', 'date_created', 'date_modified'],
    filter: { operator: 'AND' as const, terms: [{ name: 'date_modified', range: { min: since } }] },
    sort: [{ name: 'date_modified', order: 'asc' as const }],
  };
  const changes: Change[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const env = await search(criteria, page, perPage);
    changes.push(...env.objects.map(changeOf).filter((c) => Date.parse(c.at) > sinceMs));
    if (page >= env.pages) break;
  }
  const latest = changes.reduce((m, c) => (c.at > m ? c.at : m), new Date(sinceMs).toISOString());
  return { changes, cursor: encode(latest) };
}

const OPERATIONS: Readonly<Record<string, Change['operation']>> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  purge: 'delete',
  restore: 'update',
};

/**
 * A delivered webhook payload as a Change, or null when it concerns no asset. The list of
 * realms is NOT FOUND; a change in another realm (a share, a segment) of an asset is
 * reported as an update of that asset. Throws MALFORMED when the body is not a webhook payload.
 */
export function changeOfWebhook(payload: unknown, receivedAt: Date = new Date()): Change | null {
  if (!isObj(payload) || typeof payload.event_type !== 'string' || typeof payload.object_id !== 'string')
    throw malformed('webhook payload');
  if (payload.event_type !== 'assets') return null;
  const op = OPERATIONS[String(payload.operation ?? '').toLowerCase()] ?? 'update';
  const data = isObj(payload.data) ? payload.data : {};
  const at = typeof data.date_modified === 'string' ? isoDate(data.date_modified, 'date_modified') : receivedAt.toISOString();
  // For the asset realm object_id is the asset; other realms (shares, segments) carry the
  // asset in data.object_id when data.object_type is "assets".
  const realm = String(payload.realm ?? 'assets');
  const nativeId =
    realm === 'assets' || realm === 'asset'
      ? payload.object_id
      : data.object_type === 'assets' && typeof data.object_id === 'string'
        ? data.object_id
        : null;
  if (!nativeId) return null;
  return { system: 'ICONIK', kind: 'asset', nativeId, at, operation: realm === 'assets' || realm === 'asset' ? op : 'update' };
}
