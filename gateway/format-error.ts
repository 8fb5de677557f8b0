/**
 * Apollo's `formatError`: the public codes of access/errors.ts (and Apollo's own request
 * errors) pass through without their stack; an upstream failure becomes its public error;
 * everything else is logged with the request's path and masked as INTERNAL_SERVER_ERROR.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { UpstreamError } from '../sources/http/errors.ts';
import { ErrorCode, fromUpstream } from '../access/errors.ts';

/**
 * Codes safe to show as they are: ours and Apollo's request errors. INTERNAL_SERVER_ERROR is
 * not among them: Apollo gives that code to every unexpected error, whose message is internal.
 */
const PASS_THROUGH = new Set<string>([
  ...Object.values(ErrorCode).filter((c) => c !== ErrorCode.INTERNAL_SERVER_ERROR),
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

export interface ErrorLogger {
  error(msg: string, fields: Record<string, unknown>): void;
}

/** Builds Apollo's formatError: known codes pass, the rest are masked after logging. */
export function makeFormatError(log: ErrorLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    let original = unwrapResolverError(error);
    while (original instanceof GraphQLError && original.originalError) original = original.originalError;
    if (original instanceof UpstreamError) {
      const pub = fromUpstream(original);
      return { ...formatted, message: pub.message, extensions: { ...pub.extensions } };
    }
    if (typeof code === 'string' && PASS_THROUGH.has(code)) {
      const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    log.error('unexpected error', { message: (original as Error)?.message, stack: (original as Error)?.stack, path: formatted.path });
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
