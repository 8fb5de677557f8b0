/**
 * Request limits checked after parsing and validation, before any resolver runs (so before
 * any upstream is called): depth, aliases, and a cost priced in upstream requests.
 *
 * Cost model: every field that makes a source call costs the number of sources it asks (a
 * merged asset list asks three DAMs). Batched fields cost that once per level, however many
 * parents there are; fields that are not batched (one call per parent) are multiplied by the
 * page sizes above them.
 */
import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { QueryTooComplexError } from '../../access/errors.ts';

export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxCost: number;
}
export const DEFAULT_LIMITS: Limits = { maxDepth: 12, maxAliases: 150, maxCost: 250 };

/** Upstream requests a field costs: [sources it asks, batched across parents]. */
const FIELD_COST: Record<string, [number, boolean]> = {
  campaigns: [1, true],
  campaign: [1, true],
  accounts: [1, true],
  account: [1, true],
  workspace: [1, true],
  document: [1, true],
  asset: [1, true],
  node: [1, true],
  documents: [1, true],
  assets: [3, true],
  audience: [1, true],
  licence: [1, true],
  rights: [1, true],
  variants: [1, true],
  search: [4, true],
  sources: [4, false],
  explainAccess: [2, true],
  versions: [1, false],
  approvals: [1, false],
  retention: [1, false],
  holds: [1, false],
  auditTrail: [1, false],
  // The audit store is not an upstream; its reads are priced like one source. The overview is
  // a report (whole result sets, per-document holds and workflows, mostly cached): priced once, high.
  auditEvents: [1, true],
  complianceOverview: [40, true],
};

export interface Measure {
  depth: number;
  aliases: number;
  cost: number;
}

/** Depth, alias count and cost of an operation (fragments inlined). */
export function measure(doc: DocumentNode, op: OperationDefinitionNode): Measure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let aliases = 0;
  let depth = 0;
  // Batched fields cost once per (level, field name); unbatched ones per parent.
  const perLevel = new Set<string>();
  let cost = 0;
  const visit = (set: SelectionSetNode, level: number, multiplier: number, seen: Set<string>): void => {
    depth = Math.max(depth, level);
    for (const sel of set.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(sel.name.value);
        if (f && !seen.has(f.name.value)) visit(f.selectionSet, level, multiplier, new Set([...seen, f.name.value]));
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        visit(sel.selectionSet, level, multiplier, seen);
        continue;
      }
      const field = sel as FieldNode;
      if (field.alias) aliases++;
      const name = field.name.value;
      const price = FIELD_COST[name];
      if (price) {
        const [sources, batched] = price;
        if (!batched) cost += sources * multiplier;
        else if (!perLevel.has(`${level}:${name}`)) {
          perLevel.add(`${level}:${name}`);
          cost += sources;
        }
      }
      if (field.selectionSet) {
        const firstArg = field.arguments?.find((a) => a.name.value === 'first');
        const size = firstArg?.value.kind === Kind.INT ? Number(firstArg.value.value) : firstArg ? 100 : 1;
        visit(field.selectionSet, level + 1, multiplier * Math.max(1, size), seen);
      }
    }
  };
  visit(op.selectionSet, 1, 1, new Set());
  return { depth, aliases, cost };
}

/** The plugin: refuses operations over the limits with QUERY_TOO_COMPLEX (HTTP 400). */
export function limitsPlugin(limits: Limits = DEFAULT_LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation }) {
          if (!operation) return;
          const m = measure(document, operation);
          if (m.depth > limits.maxDepth)
            throw new QueryTooComplexError(`Query depth ${m.depth} exceeds ${limits.maxDepth}`, { depth: m.depth });
          if (m.aliases > limits.maxAliases)
            throw new QueryTooComplexError(`Query uses ${m.aliases} aliases; at most ${limits.maxAliases} allowed`, { aliases: m.aliases });
          if (m.cost > limits.maxCost)
            throw new QueryTooComplexError(`Query would cost about ${m.cost} upstream requests; at most ${limits.maxCost} allowed`, {
              cost: m.cost,
            });
        },
      };
    },
  };
}
