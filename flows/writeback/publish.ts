/**
 * Publishing approved content into the DAMs (issue 16 §4): a document published into a DAM
 * becomes one asset there, with its canonical metadata mapped to the DAM's fields and its
 * external key (`otcs:<node id>`); a later version replaces that asset's original (a new version
 * of the same asset, never a second asset). Two ways in: `publishToDam` (marketing, admin), and
 * rules (`PUBLISH_RULES`) matched on `document.approved` and `document.version.released` events
 * (e.g. released product sheets and brochures in campaign workspaces go to NetX).
 *
 * A durable job per document version and DAM: it looks before it acts (what this store recorded
 * as published, then the DAM itself by the external key), so a retry publishes no second asset.
 */
import { createHash } from 'node:crypto';
import { decodeId, documentId as documentGlobalId } from '../../access/ids.ts';
import type { Classification, DamSystem, Document, DocumentStatus } from '../../sources/model.ts';
import type { DamPublish, DamSource, EcmSource, PublishFields } from '../../sources/ports.ts';
import { PermanentFailure, type JobKind, type JobRunner } from '../jobs.ts';
import type { OutboxConsumer } from '../outbox/consumers.ts';
import type { SyncStorePort } from './sync-store.ts';

/** Who rule-driven publish jobs belong to in the flows store (Atrium itself). */
export const PUBLISH_ACTOR = 'atrium:publish';

/** A rule: which documents are published into which DAM, and where. */
export interface PublishRule {
  system: DamSystem;
  /** Classifications that may go (default PUBLIC and PARTNER: what partners may see at all). */
  classifications?: Classification[];
  /** Statuses that may go (default RELEASED). */
  statuses?: DocumentStatus[];
  /** A case-insensitive pattern the document's name must match (e.g. `product sheet|brochure`). */
  namePattern?: string;
  /** Whose workspace: campaign or account (default either). */
  owner?: 'campaign' | 'account';
  /** The DAM container (folder, collection) it goes into. */
  container?: string;
}

/** The first rule a document matches (pure), or null. */
export function ruleFor(rules: readonly PublishRule[], d: Document): PublishRule | null {
  for (const r of rules) {
    if (!(r.classifications ?? ['PUBLIC', 'PARTNER']).includes(d.classification)) continue;
    if (!(r.statuses ?? ['RELEASED']).includes(d.status)) continue;
    if (r.namePattern && !new RegExp(r.namePattern, 'i').test(d.name)) continue;
    const owner = d.metadata.campaignCode ? 'campaign' : d.metadata.accountId ? 'account' : null;
    if (r.owner && r.owner !== owner) continue;
    return r;
  }
  return null;
}

/** The fields an asset published from a document carries (pure): its canonical metadata, approved. */
export function publishFields(d: Document): PublishFields {
  const m = d.metadata;
  const out: PublishFields = { title: d.name, approval: 'APPROVED' };
  for (const k of [
    'campaignCode',
    'accountId',
    'project',
    'productLine',
    'region',
    'locale',
    'rightsStatus',
    'validFrom',
    'validUntil',
  ] as const)
    if (m[k] !== undefined) (out as Record<string, unknown>)[k] = m[k];
  if (m.territories?.length) out.territories = [...m.territories];
  if (m.channels?.length) out.channels = [...m.channels];
  return out;
}

export type PublishingDam = DamSource & Partial<DamPublish>;

export interface PublishDeps {
  /** Content Server, uncached. */
  ecm: Pick<EcmSource, 'getDocuments' | 'openContent'>;
  dams: Partial<Record<DamSystem, PublishingDam>>;
  store: SyncStorePort;
  now?: () => number;
}

export interface PublishInput {
  /** The document's node id and the version to publish. */
  document: string;
  version: number;
  system: DamSystem;
  container?: string;
}

export interface PublishResult {
  system: DamSystem;
  /** The DAM's native id of the asset. */
  assetId: string;
  version: number;
  /** What was done: a new asset, its original replaced, or nothing (that version was there already). */
  action: 'CREATED' | 'REPLACED' | 'UNCHANGED';
}

export const externalKeyOf = (nodeId: string) => `otcs:${nodeId}`;

/** The job kind: one step, which looks before it acts. */
export function publishJob(deps: PublishDeps): JobKind<PublishInput, PublishResult> {
  const now = deps.now ?? Date.now;
  return {
    kind: 'document.publish',
    maxAttempts: 300,
    // One document's publications into one DAM one after another (a version never overtakes the one before).
    group: (input) => `${input.document}:${input.system}`,
    async run(input, steps) {
      return steps.run(
        'publish',
        async (): Promise<PublishResult> => {
          const dam = deps.dams[input.system];
          if (!dam?.publish || !dam.findPublished || !dam.replaceOriginal)
            throw new PermanentFailure(`publishing into ${input.system} is not supported (its connector has no publish port)`);
          const sourceId = documentGlobalId(input.document);
          const recorded = await deps.store.publication(sourceId, input.system);
          if (recorded && recorded.version >= input.version)
            return { system: input.system, assetId: recorded.assetId, version: recorded.version, action: 'UNCHANGED' };
          const [doc] = await deps.ecm.getDocuments([input.document]);
          if (!doc) throw new PermanentFailure('No such document');
          const existing = recorded?.assetId ?? (await dam.findPublished(externalKeyOf(input.document)));
          const content = await deps.ecm.openContent(input.document, input.version);
          const file = {
            fileName: content.fileName ?? doc.name,
            mimeType: content.mimeType,
            size: content.size ?? doc.size,
            body: content.body,
          };
          const fields = publishFields(doc);
          let assetId: string;
          let action: PublishResult['action'];
          if (existing) {
            await dam.replaceOriginal(existing, file, fields);
            assetId = existing;
            action = 'REPLACED';
          } else {
            assetId = await dam.publish(externalKeyOf(input.document), file, fields, input.container);
            action = 'CREATED';
          }
          await deps.store.published({
            sourceId,
            system: input.system,
            assetId,
            version: input.version,
            publishedAt: new Date(now()).toISOString(),
          });
          return { system: input.system, assetId, version: input.version, action };
        },
        { final: true },
      );
    },
  };
}

/** The key of a publish job: one per document version and DAM. */
export const publishKey = (i: PublishInput) =>
  `publish-${createHash('sha256').update(`${i.document}\n${i.version}\n${i.system}`).digest('base64url').slice(0, 32)}`;

/** The rule-driven consumer: an approved or newly released document matching a rule is published. */
export function publishConsumer(
  runner: JobRunner,
  kind: JobKind<PublishInput, PublishResult>,
  deps: PublishDeps,
  rules: readonly PublishRule[],
): OutboxConsumer {
  return {
    name: 'publish',
    async handle(events) {
      if (rules.length === 0) return;
      const ids = [
        ...new Set(
          events
            .filter((e) => e.source === 'OTCS' && (e.type === 'document.approved' || e.type === 'document.version.released'))
            .map((e) => decodeId(e.objectId))
            .flatMap((d) => (d?.kind === 'Document' ? [d.nodeId] : [])),
        ),
      ];
      if (ids.length === 0) return;
      const docs = await deps.ecm.getDocuments(ids);
      for (const d of docs) {
        if (!d) continue;
        const rule = ruleFor(rules, d);
        if (!rule) continue;
        const input: PublishInput = {
          document: d.source.nativeId,
          version: d.version,
          system: rule.system,
          ...(rule.container ? { container: rule.container } : {}),
        };
        await runner.enqueue(kind, PUBLISH_ACTOR, publishKey(input), input);
      }
    },
  };
}

const CLASSIFICATIONS: readonly Classification[] = ['PUBLIC', 'PARTNER', 'INTERNAL', 'CONFIDENTIAL'];
const STATUSES: readonly DocumentStatus[] = ['DRAFT', 'IN_REVIEW', 'APPROVED', 'RELEASED', 'ARCHIVED'];
const SYSTEMS: readonly DamSystem[] = ['ICONIK', 'NETX', 'OTMM'];

/** `PUBLISH_RULES` (a JSON array of rules) checked; problems are pushed, not thrown. */
export function publishRulesFrom(raw: unknown, problems: string[]): PublishRule[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > 50) {
    problems.push('PUBLISH_RULES must be a JSON array of at most 50 rules');
    return [];
  }
  const out: PublishRule[] = [];
  raw.forEach((r: Record<string, unknown>, i) => {
    const bad = (what: string) => problems.push(`PUBLISH_RULES[${i}]: ${what}`);
    if (typeof r !== 'object' || r === null) return bad('must be an object');
    const unknown = Object.keys(r).filter(
      (k) => !['system', 'classifications', 'statuses', 'namePattern', 'owner', 'container'].includes(k),
    );
    if (unknown.length) return bad(`unknown keys ${unknown.join(', ')}`);
    if (!SYSTEMS.includes(r.system as DamSystem)) return bad('`system` must be ICONIK, NETX or OTMM');
    const rule: PublishRule = { system: r.system as DamSystem };
    if (r.classifications !== undefined) {
      if (!Array.isArray(r.classifications) || r.classifications.some((c) => !CLASSIFICATIONS.includes(c as Classification)))
        return bad('`classifications` must list PUBLIC, PARTNER, INTERNAL or CONFIDENTIAL');
      rule.classifications = r.classifications as Classification[];
    }
    if (r.statuses !== undefined) {
      if (!Array.isArray(r.statuses) || r.statuses.some((s) => !STATUSES.includes(s as DocumentStatus)))
        return bad('`statuses` must list document statuses (DRAFT, IN_REVIEW, APPROVED, RELEASED, ARCHIVED)');
      rule.statuses = r.statuses as DocumentStatus[];
    }
    if (r.namePattern !== undefined) {
      if (typeof r.namePattern !== 'string' || r.namePattern.length > 200)
        return bad('`namePattern` must be a pattern of at most 200 characters');
      try {
        new RegExp(r.namePattern, 'i');
      } catch {
        return bad('`namePattern` is not a valid regular expression');
      }
      rule.namePattern = r.namePattern;
    }
    if (r.owner !== undefined) {
      if (r.owner !== 'campaign' && r.owner !== 'account') return bad('`owner` must be campaign or account');
      rule.owner = r.owner;
    }
    if (r.container !== undefined) {
      if (typeof r.container !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(r.container))
        return bad('`container` must be a folder or collection id');
      rule.container = r.container;
    }
    out.push(rule);
  });
  return out;
}
