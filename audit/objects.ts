/**
 * What an audit event says about an object: its global id and type, its source and the
 * version handed out, from the canonical object a resolver returned. Pure; never throws.
 */
import type { Account, Asset, Campaign, DamSystem, Document, Workspace } from '../sources/model.ts';
import { accountId, assetId, campaignId, documentId, workspaceId } from '../access/ids.ts';
import type { AuditObject } from './event.ts';

/** The GraphQL object types that are Nodes: the objects a view event is recorded for. */
export const NODE_TYPES: ReadonlySet<string> = new Set(['Campaign', 'Account', 'Workspace', 'Document', 'Asset']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const hasSource = (v: Record<string, unknown>): v is Record<string, unknown> & { source: { system: string; nativeId: string } } =>
  isObj(v.source) && typeof v.source.system === 'string' && typeof v.source.nativeId === 'string';

/** The audit description of a canonical object of GraphQL type `type`, or null when it is not one. */
export function describeObject(type: string, value: unknown): AuditObject | null {
  if (!isObj(value) || !hasSource(value)) return null;
  const { system, nativeId } = value.source;
  switch (type) {
    case 'Document': {
      const d = value as unknown as Document;
      return {
        id: documentId(nativeId),
        type,
        system: 'OTCS',
        nativeId,
        version: typeof d.version === 'number' ? String(d.version) : null,
        campaign: d.metadata?.campaignCode ?? null,
      };
    }
    case 'Asset': {
      const a = value as unknown as Asset;
      return {
        id: assetId(system as DamSystem, nativeId),
        type,
        system: a.source.system,
        nativeId,
        version: a.modifiedAt ?? null,
        campaign: a.campaignCode ?? null,
      };
    }
    case 'Campaign': {
      const c = value as unknown as Campaign;
      return typeof c.code === 'string'
        ? { id: campaignId(c.code), type, system: c.source.system, nativeId, version: null, campaign: c.code }
        : null;
    }
    case 'Account': {
      const a = value as unknown as Account;
      return typeof a.id === 'string'
        ? { id: accountId(a.id), type, system: a.source.system, nativeId, version: null, campaign: null }
        : null;
    }
    case 'Workspace': {
      const w = value as unknown as Workspace;
      const campaign = w.owner && 'campaignCode' in w.owner ? w.owner.campaignCode : null;
      return { id: workspaceId(nativeId), type, system: w.source.system, nativeId, version: null, campaign };
    }
    default:
      return null;
  }
}
