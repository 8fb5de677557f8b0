/**
 * What a change drops from the upstream cache (issue 15, point 5): exactly the entries that
 * hold the changed object, and the lists it belongs to (see `CacheTag` in access/cache.ts):
 * - the object itself (`<SYSTEM>:<nativeId>`), and for an asset whose rights changed, the licence
 *   document its rights come from when the event names it (`licenceId` before or after), since
 *   effective rights are computed from that document at read time;
 * - the lists of its campaign and its account (`campaign:<code>`, `account:<crmId>`), which hold
 *   it or, for a new or changed object, may now have to;
 * - the source's lists filtered by neither (`list:<SYSTEM>`), for the same reason.
 * Everything else stays cached.
 */
import { collectTags, type CacheTag } from '../access/cache.ts';
import { decodeId } from '../access/ids.ts';
import type { ChangeEvent } from './outbox/events.ts';

const licenceOf = (v: unknown): string | null => {
  const id = (v as { licenceId?: unknown } | null | undefined)?.licenceId;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
};

export function tagsForChange(e: ChangeEvent): CacheTag[] {
  const tags = new Set<CacheTag>([`list:${e.source}`]);
  const id = decodeId(e.objectId);
  if (id?.kind === 'Asset') tags.add(`${id.system}:${id.nativeId}`);
  else if (id?.kind === 'Document' || id?.kind === 'Workspace') tags.add(`OTCS:${id.nodeId}`);
  if (e.campaign) tags.add(`campaign:${e.campaign}`);
  if (e.account) tags.add(`account:${e.account}`);
  for (const side of [e.data.before, e.data.after]) {
    const licence = licenceOf(side);
    if (licence) tags.add(`OTCS:${licence}`);
  }
  // What the change's before and after name: a licence its rights come from, a campaign moved from or to.
  for (const t of collectTags(e.data)) tags.add(t);
  return [...tags];
}
