/**
 * View events: one per distinct object a response hands out.
 *
 * Which objects: every object of a Node type (campaign, account, workspace, document, asset)
 * whose fields the executor resolved for this response, keyed by global id. We watch field
 * resolution rather than walk the JSON answer because the resolver's parent is the canonical
 * object itself: it is recorded even when the query did not select `id`, and with its source
 * and version, which the JSON may not carry. We do not record in gateway/access.ts because
 * Access also loads objects only to decide about others (owners, licences), which the reader
 * never receives. Objects are recorded when the response is sent, so a request refused before
 * execution (validation, limits) records nothing.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditedContext } from '../audit/index.ts';
import type { AuditObject } from '../audit/event.ts';
import { describeObject, NODE_TYPES } from '../audit/objects.ts';

/** The plugin; requests without an audit (auditing off) cost nothing. */
export function auditPlugin(): ApolloServerPlugin<AuditedContext> {
  return {
    async requestDidStart({ contextValue }) {
      const audit = contextValue.audit;
      if (!audit) return {};
      const objects = new Map<string, AuditObject>();
      // Parents already described: a document with twenty selected fields is looked at once.
      const parents = new WeakSet<object>();
      return {
        async executionDidStart() {
          return {
            willResolveField({ source, info }) {
              if (typeof source !== 'object' || source === null || parents.has(source)) return;
              const type = info.parentType.name;
              if (!NODE_TYPES.has(type)) return;
              parents.add(source);
              const o = describeObject(type, source);
              if (o && !objects.has(o.id)) objects.set(o.id, o);
            },
          };
        },
        async willSendResponse() {
          if (objects.size) audit.views(objects.values());
        },
      };
    },
  };
}
