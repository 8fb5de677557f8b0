/** DateTime and Date scalars: ISO strings out, validated ISO strings in; SafeInt, integers up to 2^53 − 1. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const check =
  (name: string, re: RegExp) =>
  (v: unknown): string => {
    if (typeof v !== 'string' || !re.test(v) || Number.isNaN(Date.parse(v))) {
      throw new GraphQLError(`${name} must be an ISO-8601 string`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return v;
  };
const dateTime = check('DateTime', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/);
const date = check('Date', /^\d{4}-\d{2}-\d{2}$/);

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 date-time in UTC, e.g. `2026-11-22T09:30:00Z`.',
  serialize: (v) => (v instanceof Date ? v.toISOString() : String(v)),
  parseValue: dateTime,
  parseLiteral: (ast) => dateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'An ISO-8601 calendar date, e.g. `2026-11-22`.',
  serialize: (v) => String(v).slice(0, 10),
  parseValue: date,
  parseLiteral: (ast) => date(ast.kind === Kind.STRING ? ast.value : undefined),
});

const safeInt = (v: unknown): number => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new GraphQLError('SafeInt must be an integer between -(2^53 - 1) and 2^53 - 1', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return v;
};

export const SafeInt = new GraphQLScalarType({
  name: 'SafeInt',
  description: 'An integer up to 2^53 − 1 (a JSON number).',
  serialize: (v) => safeInt(typeof v === 'string' ? Number(v) : v),
  parseValue: safeInt,
  parseLiteral: (ast) => safeInt(ast.kind === Kind.INT ? Number(ast.value) : undefined),
});
