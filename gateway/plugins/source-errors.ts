/**
 * Partial failures beside the data: the errors resolvers collected (`extraErrors`), one
 * UPSTREAM_UNAVAILABLE error for each source whose data the request went without and that no
 * error names yet (a licence unreadable behind an asset's rights, owners behind a partner's
 * search), and `extensions.stale` for each source that answered from cached data past its
 * freshness because it failed: `[{ source, ageSeconds }]`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { fromUpstream, UpstreamUnavailableError } from '../../access/errors.ts';
import type { Context } from '../../resolvers/context.ts';

export function sourceErrorsPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const budget = contextValue.sources?.budget;
          const errors = [...(result.errors ?? []), ...contextValue.extraErrors.map((e) => e.toJSON())];
          if (budget) {
            const named = new Set(errors.map((e) => e.extensions?.source));
            for (const system of budget.missing) {
              if (named.has(system)) continue;
              const failure = budget.failure(system);
              errors.push((failure ? fromUpstream(failure) : new UpstreamUnavailableError(system)).toJSON());
            }
            if (budget.stale.size > 0) {
              const stale = [...budget.stale].map(([source, ageMs]) => ({ source, ageSeconds: Math.round(ageMs / 1000) }));
              result.extensions = { ...result.extensions, stale };
            }
          }
          if (errors.length > 0) result.errors = errors;
        },
      };
    },
  };
}
