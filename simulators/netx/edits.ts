/**
 * What JSON-RPC writes changed in the NetX simulator: attribute values, file names and folder
 * membership, kept over the demo world as this DAM serves it (the world with its `/__sim/assets`
 * changes, simulators/demo/asset-changes.ts). Every read route asks here, so a write is served
 * at once; `clear` (the simulator's reset) forgets every write.
 *
 * An attribute written is remembered with the value it replaced. When the world's value moves
 * on afterwards (a `/__sim/assets` edit of the same field), that later edit wins: last writer
 * wins, whichever door it came through.
 */
import type { DemoAsset, DemoWorld } from '../demo/world.ts';
import type { DamField, Mapping } from '../../sources/mapping.ts';
import { APPROVAL_STATUSES, RIGHTS_STATUSES } from '../../sources/model.ts';
import { KIND_VALUES } from '../../sources/netx/map.ts';
import { RPC_ERRORS } from '../../sources/netx/wire.ts';
import { attributesOf } from './attributes.ts';
import { distributionFoldersOf, ownerFolderIds } from './folders.ts';
import { RpcFault } from './rpc-fault.ts';

export interface NetxEdits {
  /** The asset's attributes now: the world's, with the values written over them. */
  attributes(a: DemoAsset): Record<string, string[]>;
  /** Its file name now. */
  fileName(a: DemoAsset): string;
  /** The folder ids it is filed in now. */
  folders(a: DemoAsset): number[];
  /** Overwrite the named attributes (values checked by `checkAttributes`); the others stay. */
  writeAttributes(a: DemoAsset, values: Record<string, string[]>): void;
  setFileName(a: DemoAsset, fileName: string): void;
  /** File the asset in a folder (`member`) or take it out; whether that changed anything. */
  setMembership(a: DemoAsset, folderId: number, member: boolean): boolean;
  /** Forget every write. */
  clear(): void;
}

type Rule = { kind: 'pick'; allowed: readonly string[] } | { kind: 'date' } | { kind: 'text'; many: boolean };

/** How each attribute's values are checked: pick-lists, dates, single or multi-valued text (INFERRED types). */
function rules(mapping: Mapping, kindAttribute: string): Map<string, Rule> {
  const { attributes: names, values } = mapping.netx;
  const pick = (field: 'approval' | 'rightsStatus', canonical: readonly string[]): Rule => ({
    kind: 'pick',
    allowed: values?.[field] ? Object.keys(values[field]) : canonical,
  });
  const out = new Map<string, Rule>();
  for (const [field, name] of Object.entries(names) as [DamField, string][]) {
    if (field === 'approval') out.set(name, pick('approval', APPROVAL_STATUSES));
    else if (field === 'rightsStatus') out.set(name, pick('rightsStatus', RIGHTS_STATUSES));
    else if (field === 'validFrom' || field === 'validUntil') out.set(name, { kind: 'date' });
    else out.set(name, { kind: 'text', many: field === 'territories' || field === 'channels' });
  }
  out.set(kindAttribute, { kind: 'pick', allowed: Object.values(KIND_VALUES) });
  return out;
}

const invalid = (message: string) => new RpcFault(RPC_ERRORS.invalidParams, `Invalid params: ${message}`);

/**
 * Check attribute values as sent (`{"<name>": [values]}`) and normalize them: an unknown
 * attribute, a value that is not a string, a second value of a single-valued attribute, a
 * pick-list value not on its list or a date that does not parse is `-32602` (INFERRED: NetX's
 * code and text for these are not public). Dates are stored as ISO-8601 instants.
 */
export function checkAttributes(raw: unknown, mapping: Mapping, kindAttribute: string): Record<string, string[]> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid('attributes must be an object of value lists');
  const known = rules(mapping, kindAttribute);
  const out: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(raw as Record<string, unknown>)) {
    const rule = known.get(name);
    if (!rule) throw invalid(`unknown attribute "${name}"`);
    if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || v.trim() === ''))
      throw invalid(`attribute "${name}" takes a list of non-empty strings`);
    const values = [...new Set((list as string[]).map((v) => v.trim()))];
    if (values.length > 1 && !(rule.kind === 'text' && rule.many)) throw invalid(`attribute "${name}" takes one value`);
    if (rule.kind === 'pick') {
      const wrong = values.find((v) => !rule.allowed.includes(v));
      if (wrong !== undefined) throw invalid(`"${wrong}" is not a value of attribute "${name}"`);
    }
    if (rule.kind === 'date') {
      out[name] = values.map((v) => {
        const t = /^-?\d+$/.test(v) ? Number(v) : Date.parse(v);
        if (Number.isNaN(t)) throw invalid(`attribute "${name}" takes a date`);
        return new Date(t).toISOString();
      });
      continue;
    }
    out[name] = values;
  }
  return out;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The writes of one simulator. `generated` is the world as generated (distribution folders are
 * decided on it), `view` the world as served.
 */
export function createNetxEdits(generated: DemoWorld, view: DemoWorld, mapping: Mapping, kindAttribute: string): NetxEdits {
  let attrs = new Map<string, Map<string, { value: string[]; over: string[] }>>();
  let fileNames = new Map<string, string>();
  let membership = new Map<string, { added: Set<number>; removed: Set<number> }>();
  /** Distribution folders of generated assets, by index: decided once per asset. */
  const distribution = new Map<number, number[]>();
  const generatedCount = generated.counts.assets.NETX;

  const distributionOf = (a: DemoAsset): number[] => {
    if (a.index >= generatedCount) return [];
    let d = distribution.get(a.index);
    if (!d) distribution.set(a.index, (d = distributionFoldersOf(generated, generated.asset('NETX', a.index))));
    return d;
  };
  const base = (a: DemoAsset) => attributesOf(a, mapping, kindAttribute);
  const folders = (a: DemoAsset): number[] => {
    const m = membership.get(a.nativeId);
    const all = [...new Set([...ownerFolderIds(view, a), ...distributionOf(a), ...[...(m?.added ?? [])].sort((x, y) => x - y)])];
    return m ? all.filter((f) => !m.removed.has(f)) : all;
  };

  return {
    attributes(a) {
      const out = base(a);
      for (const [name, e] of attrs.get(a.nativeId) ?? []) if (sameList(out[name] ?? [], e.over)) out[name] = [...e.value];
      return out;
    },
    fileName: (a) => fileNames.get(a.nativeId) ?? a.fileName,
    folders,
    writeAttributes(a, values) {
      const now = base(a);
      const m = attrs.get(a.nativeId) ?? new Map<string, { value: string[]; over: string[] }>();
      for (const [name, value] of Object.entries(values)) m.set(name, { value: [...value], over: now[name] ?? [] });
      attrs.set(a.nativeId, m);
    },
    setFileName(a, fileName) {
      fileNames.set(a.nativeId, fileName);
    },
    setMembership(a, folderId, member) {
      if (folders(a).includes(folderId) === member) return false;
      const m = membership.get(a.nativeId) ?? { added: new Set<number>(), removed: new Set<number>() };
      if (member) {
        m.removed.delete(folderId);
        m.added.add(folderId);
      } else {
        m.added.delete(folderId);
        m.removed.add(folderId);
      }
      membership.set(a.nativeId, m);
      return true;
    },
    clear() {
      attrs = new Map();
      fileNames = new Map();
      membership = new Map();
    },
  };
}
