/** Every resolver of the graph, merged. */
import type { makeExecutableSchema } from '@graphql-tools/schema';
import { accessResolvers } from './access.ts';
import { accountResolvers } from './account.ts';
import { assetResolvers } from './asset.ts';
import { auditResolvers } from './audit.ts';
import { campaignResolvers } from './campaign.ts';
import { documentResolvers } from './document.ts';
import { mutationResolvers } from './mutations.ts';
import { nodeResolvers } from './node.ts';
import { DateScalar, DateTime, SafeInt } from './scalars.ts';
import { searchResolvers } from './search.ts';
import { Upload } from './upload.ts';
import { webhookResolvers } from './webhooks.ts';
import { writebackResolvers } from './writeback.ts';
import { workspaceResolvers } from './workspace.ts';

const parts = [
  accessResolvers,
  accountResolvers,
  assetResolvers,
  auditResolvers,
  campaignResolvers,
  documentResolvers,
  mutationResolvers,
  nodeResolvers,
  searchResolvers,
  webhookResolvers,
  workspaceResolvers,
  writebackResolvers,
];

/** Resolver map for makeExecutableSchema. */
type Resolvers = NonNullable<Parameters<typeof makeExecutableSchema>[0]['resolvers']>;

export function resolvers(): Resolvers {
  const out: Record<string, Record<string, unknown>> = {};
  for (const part of parts) {
    for (const [type, fields] of Object.entries(part)) out[type] = { ...(out[type] ?? {}), ...(fields as Record<string, unknown>) };
  }
  return { ...out, DateTime, Date: DateScalar, SafeInt, Upload } as Resolvers;
}
