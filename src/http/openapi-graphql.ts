/**
 * How the OpenAPI document describes the GraphQL routes, which Mercurius and the GraphQL
 * module register without documentation: POST /graphql and the schema's SDL (GET /graphql,
 * the same operation as a query string, is left out).
 */
import { jsonResponse, problems } from './openapi-responses.js';

const GRAPHQL_RESPONSE = { $id: 'GraphQLResponse' };

const POST_GRAPHQL = {
  operationId: 'postGraphql',
  tags: ['graphql'],
  summary: 'GraphQL: the datasets as typed fields, and a generic query field',
  description:
    'The schema is at /graphql/schema.graphql. Errors are GraphQL errors whose `extensions` carry ' +
    'the `code` of the error catalogue, its `status`, and Spark’s `errorClass` and `sqlState`. ' +
    'A document refused before it runs (syntax, validation, depth, complexity, size) is a 400.',
  body: {
    type: 'object',
    required: ['query'],
    properties: {
      query: { type: 'string' },
      variables: { type: 'object' },
      operationName: { type: 'string' },
      extensions: {
        type: 'object',
        description: 'Automatic persisted queries: `{"persistedQuery":{"version":1,"sha256Hash":…}}`.',
      },
    },
  },
  bodyExample: { query: '{ datasets { name description } }' },
  response: {
    200: jsonResponse('The data, and the errors of the fields that failed', GRAPHQL_RESPONSE),
    400: jsonResponse('The document was refused before it ran', GRAPHQL_RESPONSE),
    ...problems(401, 403, 429),
  },
};

const GET_SCHEMA = {
  operationId: 'getGraphqlSchema',
  tags: ['graphql'],
  summary: 'The GraphQL schema this server runs, in SDL',
  response: {
    200: { description: 'SDL', content: { 'text/plain': { schema: { type: 'string' } } } },
    ...problems(401, 403, 429),
  },
};

/** The documentation of a GraphQL route, or undefined for other routes. */
export function graphqlOperations(url: string, method: string | string[]): object | undefined {
  const methods = Array.isArray(method) ? method : [method];
  if (url === '/graphql') return methods.includes('POST') ? POST_GRAPHQL : { hide: true };
  if (url === '/graphql/schema.graphql') return GET_SCHEMA;
  return undefined;
}
