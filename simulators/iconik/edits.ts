/**
 * What iconik's own write API changed, over the demo world (which the control routes of
 * simulators/demo/asset-changes.ts change too): metadata values written through a view PUT,
 * and collection contents added or removed. Cleared by the simulator's reset.
 *
 * Metadata values are kept in vendor terms (field name -> values, as written), since a view PUT
 * may hold what the canonical demo asset cannot (an approval cleared, a free-text field). They
 * win over the asset's own values until a control route changes that field of the asset:
 * `reconcile` drops a written field whose underlying value moved since it was written, so the
 * last change wins whichever way it came.
 *
 * Collection membership is kept as what was added to and removed from the asset's generated
 * membership, so a control-route edit that moves an asset to another campaign still moves it
 * between campaign collections.
 */

/** Field name -> values. */
export type FieldValueMap = Record<string, string[]>;

interface Written {
  fields: Map<string, string[]>;
  /** The asset's own values when these were written (see `reconcile`). */
  basis: FieldValueMap;
}

const same = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === (b ?? [])[i]);

export class IconikEdits {
  private written = new Map<string, Written>();
  private added = new Map<string, Set<string>>();
  private removed = new Map<string, Set<string>>();

  /** Written values of an asset's fields (absent: not written). */
  fieldsOf(assetId: string): ReadonlyMap<string, readonly string[]> | undefined {
    return this.written.get(assetId)?.fields;
  }

  /** Record values written to some fields; `basis` is the asset's own values now. */
  write(assetId: string, fields: FieldValueMap, basis: FieldValueMap): void {
    const w = this.written.get(assetId) ?? { fields: new Map<string, string[]>(), basis };
    for (const [k, v] of Object.entries(fields)) w.fields.set(k, [...v]);
    w.basis = basis;
    this.written.set(assetId, w);
  }

  /** After a change that did not come from a write: forget written fields whose own value moved. */
  reconcile(assetId: string, own: FieldValueMap): void {
    const w = this.written.get(assetId);
    if (!w) return;
    for (const k of [...w.fields.keys()]) if (!same(w.basis[k], own[k])) w.fields.delete(k);
    w.basis = own;
    if (w.fields.size === 0) this.written.delete(assetId);
  }

  /** The collections an asset is in: its generated ones, less those removed, plus those added. */
  collectionsOf(assetId: string, generated: readonly string[]): string[] {
    const removed = this.removed.get(assetId);
    const added = this.added.get(assetId);
    const kept = removed ? generated.filter((c) => !removed.has(c)) : [...generated];
    for (const c of added ?? []) if (!kept.includes(c)) kept.push(c);
    return kept;
  }

  /** Put an asset into a collection. */
  add(assetId: string, collection: string, generated: readonly string[]): void {
    this.removed.get(assetId)?.delete(collection);
    if (!generated.includes(collection)) setOf(this.added, assetId).add(collection);
  }

  /** Take an asset out of a collection. */
  remove(assetId: string, collection: string, generated: readonly string[]): void {
    this.added.get(assetId)?.delete(collection);
    if (generated.includes(collection)) setOf(this.removed, assetId).add(collection);
  }

  clear(): void {
    this.written = new Map();
    this.added = new Map();
    this.removed = new Map();
  }
}

function setOf(m: Map<string, Set<string>>, k: string): Set<string> {
  let s = m.get(k);
  if (!s) {
    s = new Set();
    m.set(k, s);
  }
  return s;
}
