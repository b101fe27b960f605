import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { appWithoutSpark } from '../helpers/offline-app.js';

/** Introspection with the default limits: what tools send works, abuse is refused. */
let app: FastifyInstance;

before(async () => {
  app = await appWithoutSpark();
});
after(async () => {
  await app.close();
});

interface Answer {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  };
}

async function post(query: string): Promise<Answer> {
  const response = await app.inject({ method: 'POST', url: '/graphql', payload: { query } });
  return { status: response.statusCode, body: response.json() };
}

function refused(answer: Answer, pattern: RegExp): void {
  assert.equal(answer.status, 400, JSON.stringify(answer.body).slice(0, 500));
  assert.equal(answer.body.data ?? null, null);
  assert.ok(
    answer.body.errors?.some((e) => pattern.test(e.message)),
    JSON.stringify(answer.body.errors),
  );
  assert.ok(answer.body.errors?.every((e) => e.extensions?.['code'] === 'REQUEST_INVALID'));
}

const ALL_OPTIONS = {
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
} as const;

/** The fragments of the standard query, to build documents from. */
const FRAGMENTS = getIntrospectionQuery().slice(getIntrospectionQuery().indexOf('fragment '));

describe('the standard introspection query with the default limits', () => {
  for (const [label, query] of [
    ['as graphql-js writes it by default (GraphiQL, graphql-codegen)', getIntrospectionQuery()],
    ['with every option', getIntrospectionQuery(ALL_OPTIONS)],
  ] as const) {
    it(`is answered ${label}, describing the schema the server serves`, async () => {
      const answer = await post(query);
      assert.equal(answer.status, 200, JSON.stringify(answer.body.errors));
      assert.equal(answer.body.errors, undefined);
      const client = buildClientSchema(answer.body.data as unknown as IntrospectionQuery);
      const sdl = await app.inject('/graphql/schema.graphql');
      assert.equal(printSchema(client), printSchema(buildSchema(sdl.body)));
    });
  }

  it('costs nothing against the complexity limit, which still counts the fields that reach Spark', async () => {
    const fields = Array.from({ length: 21 }, (_, i) => `q${i}: query(dataset: "events") { rowCount }`);
    const document = `{ ${fields.join(' ')} __schema { types { ...FullType } } } ${FRAGMENTS}`;
    // 21 × (10 for the dataset field + 1 for rowCount): the introspection adds nothing.
    refused(await post(document), /complexity is 231; at most 200/);
  });
});

describe('introspection abuse is refused before anything runs', () => {
  it('a type reference chain deeper than the standard query', async () => {
    const chain = (n: number) =>
      `{ __type(name: "Query") { ${'ofType { '.repeat(n)}name${' }'.repeat(n)} } }`;
    assert.equal((await post(chain(12))).status, 200);
    refused(await post(chain(14)), /introspection depth is 16; at most 15 is allowed/);
    refused(await post(chain(40)), /introspection depth is \d+/);
    // Deeper still, the document's nesting is refused before it is even parsed.
    refused(await post(chain(500)), /nests deeper than 64 levels/);
  });

  it('the standard query asking for deeper type references', async () => {
    refused(await post(getIntrospectionQuery({ typeDepth: 20 })), /introspection depth is/);
  });

  it('types listed inside types listed inside types', async () => {
    refused(
      await post(
        '{ __schema { types { fields { type { fields { type { fields { type { name } } } } } } } } }',
      ),
      /introspection depth/i,
    );
  });

  it('many copies of the whole schema under aliases', async () => {
    const copies = (n: number) =>
      `query { ${Array.from({ length: n }, (_, i) => `c${i}: __schema { types { ...FullType } }`).join(' ')} } ${FRAGMENTS}`;
    assert.equal((await post(copies(2))).status, 200);
    refused(await post(copies(3)), /asks for up to \d+ introspection values; at most \d+/);
    refused(await post(copies(40)), /introspection values/);
  });

  it('copies made by spreading one fragment in several places', async () => {
    const twice = 'fragment Twice on __Schema { x: types { ...FullType } y: types { ...FullType } }';
    const document = `{ p: __schema { ...Twice } q: __schema { ...Twice } } ${twice} ${FRAGMENTS}`;
    refused(await post(document), /asks for up to \d+ introspection values/);
  });
});
