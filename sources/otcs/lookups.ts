/**
 * Small tables the writes look things up in, read once and reused for a while per client (as
 * records.ts does with the retention schedules): the templates of the workspace types
 * (`GET /api/v2/businessworkspacetypes?expand_templates=true`, vendor-apis §2.3), and the
 * classes of the records-management file plan (the children of the class volume, INFERRED:
 * see README.md). Concurrent callers share one request; a failed read is dropped, so the
 * next call tries again.
 */
import { pathOf } from '../http/path.ts';
import { isRec, optNum, optStr, pagingOf, resultsList } from './map.ts';
import { forNode } from './nodes.ts';
import type { OtcsTransport } from './shared.ts';

const p = pathOf('OTCS');

/** How long one read of a lookup table is reused. */
export const LOOKUP_TTL_MS = 5 * 60_000;
/** Pages of a file plan we read at most (500 classes each). */
const MAX_PAGES = 20;

/** A value read once and reused for `ttlMs`; concurrent callers share the read; a failure is not kept. */
export function cached<T>(load: () => Promise<T>, ttlMs = LOOKUP_TTL_MS, now: () => number = Date.now): () => Promise<T> {
  let entry: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (entry && now() - entry.at < ttlMs) return entry.value;
    const mine = { at: now(), value: load() };
    entry = mine;
    mine.value.catch(() => {
      if (entry === mine) entry = undefined;
    });
    return mine.value;
  };
}

/** Template ids by workspace type id, in the order the server lists them. */
export type TemplateTable = () => Promise<Map<number, number[]>>;

export function templateTable(t: OtcsTransport): TemplateTable {
  return cached(async () => {
    const res = await t.http.request<unknown>({ path: p`/api/v2/businessworkspacetypes`, query: { expand_templates: 'true' } });
    const out = new Map<number, number[]>();
    for (const r of resultsList(res.body)) {
      const props = isRec(r.data) && isRec(r.data.properties) ? r.data.properties : undefined;
      const typeId = props ? optNum(props, 'wksp_type_id') : undefined;
      if (!props || typeId === undefined) continue;
      const templates = Array.isArray(props.templates) ? props.templates.filter(isRec) : [];
      out.set(
        typeId,
        templates.map((x) => optNum(x, 'id')).filter((id): id is number => id !== undefined),
      );
    }
    return out;
  });
}

/** A class of the file plan. */
export interface FilePlanClass {
  id: number;
  name: string;
}

/** The classes under a class volume, per volume id. */
export type FilePlan = (volumeId: number) => Promise<FilePlanClass[]>;

export function filePlan(t: OtcsTransport): FilePlan {
  const byVolume = new Map<number, () => Promise<FilePlanClass[]>>();
  return (volumeId) => {
    let table = byVolume.get(volumeId);
    if (!table) {
      table = cached(() => readFilePlan(t, volumeId));
      byVolume.set(volumeId, table);
    }
    return table();
  };
}

async function readFilePlan(t: OtcsTransport, volumeId: number): Promise<FilePlanClass[]> {
  const out: FilePlanClass[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const res = await forNode(() =>
      t.http.request<unknown>({ path: p`/api/v2/nodes/${volumeId}/nodes`, query: { fields: 'properties{id,name}', limit: 500, page } }),
    );
    for (const r of resultsList(res.body)) {
      const props = isRec(r.data) && isRec(r.data.properties) ? r.data.properties : undefined;
      const id = props ? optNum(props, 'id') : undefined;
      const name = props ? optStr(props, 'name') : undefined;
      if (id !== undefined && name !== undefined) out.push({ id, name });
    }
    if (page >= pagingOf(res.body).pageTotal) break;
  }
  return out;
}
