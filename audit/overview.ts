/**
 * The compliance overview, one function per figure so the graph computes only the figures a
 * query selects. Every read goes through the reader's Access (search streams, then the
 * per-object check), so the figures hold only what the reader may see (compliance and admin
 * see everything; the fields are theirs only).
 *
 * A source that fails costs only its own part of a figure: `onFailure` is told (the resolver
 * adds an UPSTREAM_UNAVAILABLE error beside the data) and the rest is still counted.
 */
import type { Asset, CanonicalFilter, Document, Hold, System } from '../sources/model.ts';
import { DAM_SYSTEMS } from '../sources/model.ts';
import { assetId, documentId } from '../access/ids.ts';
import type { Access, SearchStream } from '../access/access.ts';
import type { ScopedSources } from '../access/sources.ts';
import type { AuditStorePort as AuditStore } from './store.ts';

/** The window of the rights and downloads figures. */
export const WINDOW_DAYS = 90;
const DAY = 86_400_000;
/** Most items a figure reads from one source (a report, not a page; beyond it the figure is a floor). */
export const SCAN_MAX = 2000;
/** Upstream calls in flight at once for per-document reads (holds, workflows). */
const CONCURRENCY = 8;
const PAGE = 500;

export type OnFailure = (e: unknown, system: System) => void;

/** What the figures read through: the reader's checked reads, their ECM view and the read-time clock. */
export interface OverviewReader {
  access: Pick<Access, 'searchStreams' | 'checkHits' | 'rights'>;
  sources: { ecm: Pick<ScopedSources['ecm'], 'getApprovals' | 'getHolds'> };
  now(): number;
}

/** `items` mapped by `fn`, at most `limit` at a time, in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T);
      }
    }),
  );
  return out;
}

async function drain(s: SearchStream, cap: number): Promise<(Document | Asset)[]> {
  const items: (Document | Asset)[] = [];
  let after: string | undefined;
  while (items.length < cap) {
    const page = await s.find({ first: Math.min(PAGE, cap - items.length), ...(after ? { after } : {}) });
    items.push(...page.items);
    if (!page.next || page.items.length === 0) break;
    after = page.next;
  }
  return items;
}

/** Every hit of `filter` in `systems` the reader sees (up to SCAN_MAX per source), sorted by name. */
async function everything(
  ctx: OverviewReader,
  filter: CanonicalFilter,
  systems: System[],
  onFailure: OnFailure,
): Promise<(Document | Asset)[]> {
  const streams = await ctx.access.searchStreams(filter, systems, { field: 'name', direction: 'asc' });
  const got = await Promise.allSettled(streams.map((s) => drain(s, SCAN_MAX)));
  const hits: (Document | Asset)[] = [];
  got.forEach((r, i) => {
    if (r.status === 'fulfilled') hits.push(...r.value);
    else onFailure(r.reason, (streams[i] as SearchStream).system);
  });
  return ctx.access.checkHits(hits);
}

/** One error per figure and source, not one per document read. */
function onlyOnce(onFailure: OnFailure): OnFailure {
  const told = new Set<System>();
  return (e, system) => {
    if (told.has(system)) return;
    told.add(system);
    onFailure(e, system);
  };
}

const isAsset = (h: Document | Asset): h is Asset => 'title' in h;
const month = (iso: string) => iso.slice(0, 7);

/** The months `[from, to)` touches, `YYYY-MM`, in order. */
export function monthsBetween(fromMs: number, toMs: number): string[] {
  const out: string[] = [];
  const d = new Date(fromMs);
  d.setUTCDate(1);
  d.setUTCHours(0, 0, 0, 0);
  while (d.getTime() < toMs) {
    out.push(d.toISOString().slice(0, 7));
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

/**
 * Usage rights ending in the next 90 days, by month: assets by their effective rights (their
 * own narrowed by the licence document they reference) and licence documents by their term.
 * Every month of the window is listed, with 0 when nothing ends in it.
 */
export async function rightsExpiringByMonth(ctx: OverviewReader, onFailure: OnFailure): Promise<{ month: string; count: number }[]> {
  const from = ctx.now();
  const to = from + WINDOW_DAYS * DAY;
  const filter: CanonicalFilter = { validUntilBetween: { from: new Date(from).toISOString(), to: new Date(to).toISOString() } };
  const hits = await everything(ctx, filter, ['OTCS', ...DAM_SYSTEMS], onFailure);
  const counts = new Map(monthsBetween(from, to).map((m) => [m, 0]));
  const ends = await Promise.all(hits.map(async (h) => (isAsset(h) ? (await ctx.access.rights(h)).validUntil : h.metadata.validUntil)));
  for (const end of ends) {
    const t = end ? Date.parse(end) : NaN;
    // A licence that ends first can pull an asset's end before today: it has expired, it is not expiring.
    if (!(t >= from && t < to)) continue;
    const m = month(new Date(t).toISOString());
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  return [...counts].map(([m, count]) => ({ month: m, count }));
}

/** Documents in review with a pending workflow step (by name), then assets pending approval (by title). */
export async function pendingApprovals(ctx: OverviewReader, onFailure: OnFailure): Promise<{ id: string; name: string }[]> {
  const [docs, assets] = await Promise.all([
    everything(ctx, { statuses: ['IN_REVIEW'] }, ['OTCS'], onFailure),
    everything(ctx, { approvals: ['PENDING'] }, [...DAM_SYSTEMS], onFailure),
  ]);
  const inReview = docs.filter((d): d is Document => !isAsset(d));
  const failed = onlyOnce(onFailure);
  const pending = await mapLimit(inReview, CONCURRENCY, async (d) => {
    try {
      return (await ctx.sources.ecm.getApprovals(d.source.nativeId)).some((a) => a.decision === 'PENDING');
    } catch (e) {
      failed(e, 'OTCS');
      return false;
    }
  });
  return [
    ...inReview.filter((_, i) => pending[i]).map((d) => ({ id: documentId(d.source.nativeId), name: d.name })),
    ...assets
      .filter(isAsset)
      .map((a) => ({ id: assetId(a.source.system as (typeof DAM_SYSTEMS)[number], a.source.nativeId), name: a.title })),
  ];
}

/**
 * Documents on legal hold, one entry per hold, by document name. Our Content Server connector
 * lists holds but not the items under them, so this reads the holds of every document the
 * reader sees, up to SCAN_MAX (answers are cached per document like every ECM read).
 */
export async function holds(ctx: OverviewReader, onFailure: OnFailure): Promise<{ document: Document; hold: Hold }[]> {
  const docs = (await everything(ctx, {}, ['OTCS'], onFailure)).filter((d): d is Document => !isAsset(d));
  const failed = onlyOnce(onFailure);
  const found = await mapLimit(docs, CONCURRENCY, async (d) => {
    try {
      return (await ctx.sources.ecm.getHolds(d.source.nativeId)).map((hold) => ({ document: d, hold }));
    } catch (e) {
      failed(e, 'OTCS');
      return [];
    }
  });
  return found.flat();
}

/** Downloads in the last 90 days by the reader's company (`internal` for readers without one). */
export async function downloadsByCompany(store: AuditStore, nowMs: number): Promise<{ company: string; count: number }[]> {
  const rows = await store.downloadsByCompany(new Date(nowMs - WINDOW_DAYS * DAY).toISOString());
  const merged = new Map<string, number>();
  for (const r of rows) merged.set(r.company ?? 'internal', (merged.get(r.company ?? 'internal') ?? 0) + r.count);
  return [...merged]
    .map(([company, count]) => ({ company, count }))
    .sort((a, b) => b.count - a.count || a.company.localeCompare(b.company));
}
