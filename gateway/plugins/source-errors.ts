/** Adds the errors of partial failures (collected in the context) beside the data. */
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../../resolvers/context.ts';

export function sourceErrorsPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || contextValue.extraErrors.length === 0) return;
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...contextValue.extraErrors.map((e) => e.toJSON())];
        },
      };
    },
  };
}
