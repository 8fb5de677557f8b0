/**
 * View events: one per distinct object a response hands out.
 *
 * Which objects: every value the executor completes as one of the Node object types
 * (campaign, account, workspace, document, asset), keyed by global id. graphql-js asks each
 * such value's type `isTypeOf` once per value, with the request's context, so that is where
 * they are seen: one call per object, not one per field (Apollo's `willResolveField` would
 * wrap every field of every type, which alone cost more than the rest of the audit). The value
 * is the canonical object itself, so it is recorded even when the query did not select `id`,
 * with its source and version, which the JSON answer may not carry. We do not record in
 * access/access.ts because Access also loads objects only to decide about others (owners,
 * licences), which the reader never receives. Objects are recorded when the response is sent,
 * so a request refused before execution (validation, limits) records nothing.
 *
 * `Node` and `SearchResult` resolve their types with `__resolveType`, so `isTypeOf` is never
 * asked to choose a type: it always answers true.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../resolvers/context.ts';
import { NODE_TYPES } from '../../audit/objects.ts';

/** `__isTypeOf` resolvers for the Node types: each completed value is shown to the request's audit. */
export function auditedTypes(): Record<string, { __isTypeOf: (value: unknown, ctx: Context) => boolean }> {
  return Object.fromEntries(
    [...NODE_TYPES].map((type) => [
      type,
      {
        __isTypeOf: (value: unknown, ctx: Context) => {
          ctx.audit?.saw(type, value);
          return true;
        },
      },
    ]),
  );
}

/** The plugin: the objects seen are recorded as the response is sent. */
export function auditPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const audit = contextValue.audit;
      if (!audit) return {};
      return {
        async willSendResponse() {
          audit.recordViews();
        },
      };
    },
  };
}
