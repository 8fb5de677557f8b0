/**
 * The access policy (DESIGN.md, "Access policy v1"): one pure module, no I/O, the clock an
 * argument. It drives both halves of enforcement:
 * - pushdown (policy/pushdown.ts, policy/merge.ts): the filters each source is asked, so pages,
 *   totals and facets already leave out most of what the reader may not see;
 * - the per-object check (policy/visibility.ts): every object, before it is returned. This is
 *   the final word; the pushdown is only ever a superset of it.
 * Plus the field rules (policy/fields.ts) and the cache scope (policy/scope.ts).
 * Decisions made there are recorded in policy/README.md.
 */
export { isAuditReader, isInternal, requireAdmin, requireAuditReader, requireInternal } from './policy/fields.ts';
export { allow, decideForRoles, deny, isMember, ROLE_ORDER, ruleId, type Decision } from './policy/decision.ts';
export {
  accountDecision,
  assetDecision,
  campaignDecision,
  documentDecision,
  explainDecision,
  type AccessTarget,
  type AssetOwners,
  type DocumentOwner,
} from './policy/visibility.ts';
export {
  accountPushdown,
  assetPushdown,
  campaignPushdown,
  documentPushdown,
  NOT_CONFIDENTIAL,
  PARTNER_DOCUMENTS,
  pushdownInstant,
  type Pushdown,
} from './policy/pushdown.ts';
export { mergeFilters } from './policy/merge.ts';
export { mergeAccountQuery, mergeCampaignQuery } from './policy/merge-queries.ts';
export { scopeKey } from './policy/scope.ts';
export { WRITE_SCOPES, writeDecision, type WriteAction, type WriteTarget } from './policy/writes.ts';
export {
  EVENT_READ_SCOPES,
  WEBHOOKS_SCOPE,
  webhookAdminDecision,
  webhookEventDecision,
  webhookEventTypeDecision,
  webhookOwner,
  webhookSubscriptionDecision,
  type EventFacts,
  type EventObjectType,
  type WebhookOwner,
} from './policy/webhooks.ts';
