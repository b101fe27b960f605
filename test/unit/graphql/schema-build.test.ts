/**
 * The GraphQL schema is built from dataset descriptions alone, with no runner and no Spark:
 * what answers its fields comes with each request, in the context.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { graphql, printSchema, type GraphQLObjectType } from 'graphql';
import type { Answer, GraphQLContext, RunRequest } from '../../../src/graphql/context.js';
import { fullSchema, genericSchema } from '../../../src/graphql/schema.js';
import type { DatasetDescription } from '../../../src/service/query-service.js';
import { FIXTURE_COLUMNS } from '../../helpers/fixture-dataset.js';

const FIXTURE: DatasetDescription = {
  name: 'fixture',
  description: 'every type',
  parameters: { since: { type: 'date', required: true } },
  columns: FIXTURE_COLUMNS,
  defaultLimit: 100,
  maxLimit: 5000,
};

/** GraphQL's values (objects without a prototype) as plain JSON values. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** A context whose `answers` records the requests and answers them with `rows`. */
function recording(rows: Record<string, unknown>[]) {
  const asked: RunRequest[] = [];
  const answers = {
    run: (request: RunRequest): Promise<Answer> => {
      asked.push(request);
      const answer = { columns: [], rows, rowCount: rows.length, truncated: false, elapsedMs: 1 };
      return Promise.resolve({ ...answer, at: 0, bytes: 0, cached: false, ageMs: 0 });
    },
  };
  const context: GraphQLContext = { tenant: 't1', answers, datasets: undefined as never };
  return { asked, context };
}

describe('the GraphQL schema, from dataset descriptions alone', () => {
  it('prints the generic part as the committed schema.graphql', () => {
    const committed = readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8');
    assert.equal(`${printSchema(genericSchema({ maxRows: 1000 }))}\n`, committed);
  });

  it('adds the typed fields of each dataset GraphQL can spell, bounded by the row limit', () => {
    const schema = fullSchema({ maxRows: 1000 }, [
      FIXTURE,
      { ...FIXTURE, name: 'query', description: 'takes a generic field’s name' },
      { ...FIXTURE, name: 'odd-name', description: 'not a GraphQL name' },
    ]);
    const fields = (schema.getType('Query') as GraphQLObjectType).getFields();
    assert.deepEqual(Object.keys(fields), ['datasets', 'dataset', 'query', 'fixture', 'fixtureAggregate']);
    const limit = fields['fixture']?.args.find((a) => a.name === 'limit');
    assert.equal(limit?.description, 'At most 1000.');
    assert.equal(fields['fixtureAggregate']?.extensions['complexity'], 10);
  });

  it('shares no type between schemas built side by side', () => {
    const a = fullSchema({ maxRows: 10 }, [FIXTURE]);
    const b = fullSchema({ maxRows: 10 }, [FIXTURE]);
    assert.equal(printSchema(a), printSchema(b));
    for (const name of ['CachePolicy', 'OrderDirection', 'FilterInput', 'Dataset', 'IntComparison']) {
      assert.ok(a.getType(name) !== undefined, name);
      assert.notEqual(a.getType(name), b.getType(name), name);
    }
  });

  it('runs the typed rows field through the context’s answers', async () => {
    const { asked, context } = recording([{ id: '1', name: 'a' }]);
    const result = await graphql({
      schema: fullSchema({ maxRows: 50 }, [FIXTURE]),
      source: '{ fixture(params: { since: "2024-01-01" }, where: { n: { _gt: 1 } }) { id name } }',
      contextValue: context,
    });
    assert.deepEqual(plain(result), { data: { fixture: [{ id: '1', name: 'a' }] } });
    assert.deepEqual(plain(asked), [
      {
        dataset: 'fixture',
        tenant: 't1',
        bypassCache: false,
        spec: {
          params: { since: '2024-01-01' },
          where: { op: 'gt', column: 'n', value: 1 },
          select: FIXTURE_COLUMNS.slice(0, -1).map((c) => c.name),
          limit: 50,
        },
      },
    ]);
  });

  it('runs the typed aggregate field with the measures selected, and shapes groups', async () => {
    const { asked, context } = recording([{ name: 'a', __count: '2', __sum__amount: '3.00' }]);
    const result = await graphql({
      schema: fullSchema({ maxRows: 50 }, [FIXTURE]),
      source:
        '{ fixtureAggregate(params: { since: "2024-01-01" }, groupBy: [name], cache: BYPASS) ' +
        '{ key { name } count sum { amount } } }',
      contextValue: context,
    });
    assert.deepEqual(plain(result), {
      data: { fixtureAggregate: [{ key: { name: 'a' }, count: '2', sum: { amount: '3.00' } }] },
    });
    assert.deepEqual(
      asked.map((r) => ({ bypassCache: r.bypassCache, spec: plain(r.spec) })),
      [
        {
          bypassCache: true,
          spec: {
            params: { since: '2024-01-01' },
            groupBy: ['name'],
            aggregates: [
              { fn: 'count', as: '__count' },
              { fn: 'sum', column: 'amount', as: '__sum__amount' },
            ],
            limit: 50,
          },
        },
      ],
    );
  });
});
