/**
 * Opaque global ids: base64url of `Type:part[:part]`. Clients must not parse them; the
 * gateway decodes them to route `node(id:)` and the by-id queries.
 */
import type { DamSystem } from '../sources/model.ts';
import { DAM_SYSTEMS } from '../sources/model.ts';

export type IdKind = 'Campaign' | 'Account' | 'Workspace' | 'Document' | 'Asset';
const KINDS: readonly IdKind[] = ['Campaign', 'Account', 'Workspace', 'Document', 'Asset'];

export type DecodedId =
  | { kind: 'Campaign'; code: string }
  | { kind: 'Account'; accountId: string }
  | { kind: 'Workspace'; nodeId: string }
  | { kind: 'Document'; nodeId: string }
  | { kind: 'Asset'; system: DamSystem; nativeId: string };

const enc = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

export const campaignId = (code: string) => enc(`Campaign:${code}`);
export const accountId = (id: string) => enc(`Account:${id}`);
export const workspaceId = (nodeId: string) => enc(`Workspace:${nodeId}`);
export const documentId = (nodeId: string) => enc(`Document:${nodeId}`);
export const assetId = (system: DamSystem, nativeId: string) => enc(`Asset:${system}:${nativeId}`);

/** Decode a global id, or null when it is not one of ours. Never throws. */
export function decodeId(id: string): DecodedId | null {
  if (typeof id !== 'string' || id.length > 512 || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const raw = Buffer.from(id, 'base64url').toString('utf8');
  const i = raw.indexOf(':');
  const kind = raw.slice(0, i) as IdKind;
  const rest = raw.slice(i + 1);
  if (i < 0 || !KINDS.includes(kind) || rest === '') return null;
  switch (kind) {
    case 'Campaign':
      return { kind, code: rest };
    case 'Account':
      return { kind, accountId: rest };
    case 'Workspace':
      return /^\d+$/.test(rest) ? { kind, nodeId: rest } : null;
    case 'Document':
      return /^\d+$/.test(rest) ? { kind, nodeId: rest } : null;
    case 'Asset': {
      const j = rest.indexOf(':');
      const system = rest.slice(0, j) as DamSystem;
      const nativeId = rest.slice(j + 1);
      return j > 0 && DAM_SYSTEMS.includes(system) && nativeId ? { kind, system, nativeId } : null;
    }
  }
}
