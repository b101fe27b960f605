import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { Errors, withExtras } from '../../errors/catalogue.js';
import type { SqlArguments } from '../../plan/sql.js';
import type { TypedValue } from '../../query/scalar-types.js';
import type { Scalar } from '../../query/spec.js';
import { checkValue } from '../../query/typed-values.js';
import { ValueError } from '../../query/value-error.js';
import { base64Bytes } from '../../query/values.js';
import { problems, RESULT_RESPONSE } from '../openapi-responses.js';
import { runResult } from '../run.js';
import { ResultOptions, SqlRequest, type TypedParameter } from '../schemas.js';
import { tag, type RouteOptions } from './datasets.js';

/** `POST /v1/sql`: a client's SQL with parameters, sent as Spark arguments; off unless RAW_SQL is set. */
export const sqlRoutes: FastifyPluginCallbackTypebox<RouteOptions> = (
  app,
  { queries: service, config },
  done,
) => {
  const schema = {
    operationId: 'runSql',
    tags: ['sql'],
    summary: 'Run SQL with parameters (when the server enables RAW_SQL)',
    querystring: ResultOptions,
    body: SqlRequest,
    bodyExample: { sql: 'SELECT :n + 1 AS answer', params: { n: 41 } },
    response: {
      200: RESULT_RESPONSE,
      ...problems(400, 401, 403, 404, 406, 413, 415, 422, 429, 502, 503, 504),
    },
  };
  app.post('/sql', { schema }, (request, reply) => {
    if (!config.rawSql) throw new Errors.SqlDisabled();
    const args = sqlArguments(request.body);
    return runResult(request, reply, config, request.query, (signal, maxRows) =>
      service.openSql(request.body.sql, args, {
        signal,
        maxRows,
        tags: [tag(request.id)],
        principal: request.principal,
      }),
    );
  });
  done();
};

/** The arguments of a SQL request: named or positional, each with its Spark type. */
export function sqlArguments(body: SqlRequest): SqlArguments {
  if (body.params !== undefined && body.positional !== undefined) {
    throw withExtras(new Errors.RequestInvalid('give params or positional, not both'), {
      pointer: '/positional',
    });
  }
  const named = Object.entries(body.params ?? {}).map(
    ([name, v]) => [name, typed(v as Scalar | TypedParameter, `/params/${name}`)] as const,
  );
  return {
    ...(body.params === undefined ? {} : { named: Object.fromEntries(named) }),
    ...(body.positional === undefined
      ? {}
      : {
          positional: body.positional.map((v, k) => typed(v as Scalar | TypedParameter, `/positional/${k}`)),
        }),
  };
}

/** A parameter's Spark type: given, or the natural one of a bare JSON value. */
function typed(value: Scalar | TypedParameter, pointer: string): TypedValue {
  let result: TypedValue;
  if (value === null) result = { type: 'null' };
  else if (typeof value === 'object') {
    result =
      value.type === 'null' ? { type: 'null' } : ({ type: value.type, value: value.value } as TypedValue);
    if (value.type === 'binary') {
      const bytes = base64Bytes(value.value);
      if (bytes === undefined) {
        throw withExtras(new Errors.QueryInvalid(`${pointer}: expected base64 text for binary`), {
          pointer: `${pointer}/value`,
        });
      }
      result = { type: 'binary', value: bytes };
    }
  } else if (typeof value === 'number') {
    result = !Number.isInteger(value)
      ? { type: 'double', value }
      : Math.abs(value) <= 2 ** 31 - 1
        ? { type: 'int', value }
        : { type: 'long', value };
  } else if (typeof value === 'boolean') result = { type: 'boolean', value };
  else result = { type: 'string', value };
  try {
    checkValue(result);
  } catch (err) {
    if (err instanceof ValueError)
      throw withExtras(new Errors.QueryInvalid(`${pointer}: ${err.message}`), { pointer });
    throw err;
  }
  return result;
}
