/**
 * A QuerySpec of the wrong shape is refused by the same validator whichever front door it
 * comes through: the same message, at the same pointer, over HTTP and through GraphQL's
 * generic `query` field. Nothing here reaches Spark.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ErrorObject } from 'ajv';
import type { FastifyInstance } from 'fastify';
import { validateQuerySpec } from '../../src/query/spec-validator.js';
import { appWithoutSpark } from '../helpers/offline-app.js';

let app: FastifyInstance;
before(async () => {
  app = await appWithoutSpark();
});
after(() => app.close());

/** Bad QuerySpecs GraphQL's input types let through to the QuerySpec's own schema. */
const BAD: { what: string; spec: Record<string, unknown> }[] = [
  { what: 'a comparison without its value', spec: { where: { op: 'eq', column: 'id' } } },
  { what: 'a value that is an object', spec: { where: { op: 'eq', column: 'id', value: { a: 1 } } } },
  { what: 'a negative limit', spec: { limit: -1 } },
  { what: 'an empty column name', spec: { select: [''] } },
  {
    what: 'a set operator with a value instead of values',
    spec: { where: { op: 'in', column: 'id', value: 1 } },
  },
  {
    what: 'too many values',
    spec: { where: { op: 'in', column: 'id', values: Array.from({ length: 1001 }, (_, k) => k) } },
  },
];

describe('one validator of the QuerySpec for both front doors', () => {
  for (const { what, spec } of BAD) {
    it(`refuses ${what} with the same message over HTTP and GraphQL`, async () => {
      validateQuerySpec.errors = null as ErrorObject[] | null;
      const http = await app.inject({ method: 'POST', url: '/v1/datasets/anything/query', payload: spec });
      assert.equal(http.statusCode, 400, http.body);
      const problem = http.json<{ code: string; detail: string; pointer: string }>();
      assert.equal(problem.code, 'REQUEST_INVALID');
      // HTTP's body was checked by the shared validator, which holds the error it reported.
      assert.equal(
        validateQuerySpec.errors?.[0]?.instancePath,
        problem.pointer === '/' ? '' : problem.pointer,
      );

      const response = await app.inject({
        method: 'POST',
        url: '/graphql',
        payload: {
          query: `query($select: [String!], $where: FilterInput, $limit: Int) {
            query(dataset: "anything", select: $select, where: $where, limit: $limit) { rowCount } }`,
          variables: spec,
        },
      });
      const [error] = response.json<{
        errors: { message: string; extensions: { code: string; pointer: string } }[];
      }>().errors;
      assert.equal(error?.extensions.code, 'REQUEST_INVALID', response.body);
      assert.equal(error.message, problem.detail);
      assert.equal(error.extensions.pointer, problem.pointer);
    });
  }
});
