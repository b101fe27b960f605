import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { Errors } from '../../../src/errors/catalogue.js';
import { graphqlErrorBody } from '../../../src/errors/graphql.js';
import { UnknownDatasetError } from '../../../src/errors/unknown-dataset.js';
import { QueryError } from '../../../src/query/errors.js';

const extensions = (error: GraphQLError) => graphqlErrorBody(error).body['extensions'];

describe('GraphQL error extensions', () => {
  it('give a fault of the document the catalogue’s REQUEST_INVALID code and status', () => {
    const { code, statusCode } = new Errors.RequestInvalid();
    const { body, status } = graphqlErrorBody(new GraphQLError('Syntax Error: Unexpected "}"'));
    assert.equal(status, statusCode);
    assert.deepEqual(body['extensions'], { code, status: statusCode });
    assert.equal(body['message'], 'Syntax Error: Unexpected "}"');
  });

  it('tell mercurius’s own refusals with their message, as REQUEST_INVALID', () => {
    const original = Object.assign(new Error('Unknown query'), {
      code: 'MER_ERR_GQL_PERSISTED_QUERY_NOT_FOUND',
    });
    const { body } = graphqlErrorBody(new GraphQLError('wrapped', { originalError: original }));
    assert.equal(body['message'], 'Unknown query');
    assert.equal((body['extensions'] as { code: string }).code, 'REQUEST_INVALID');
  });

  it('carry the problem’s code and facts for an error a resolver raised', () => {
    const raised = new GraphQLError('x', {
      originalError: new UnknownDatasetError('nope', ['events']),
      path: ['rows'],
    });
    const { body, status } = graphqlErrorBody(raised);
    assert.equal(status, 404);
    assert.equal(body['message'], 'There is no dataset "nope"');
    assert.deepEqual(extensions(raised), { status: 404, code: 'DATASET_NOT_FOUND', allowed: ['events'] });
    const invalid = new GraphQLError('x', { originalError: new QueryError('/limit', 'too big') });
    assert.deepEqual(extensions(invalid), { status: 400, code: 'QUERY_INVALID', pointer: '/limit' });
  });

  it('say nothing internal of an unexpected failure', () => {
    const { body, status } = graphqlErrorBody(new GraphQLError('x', { originalError: new Error('secret') }));
    assert.equal(status, 500);
    assert.equal(body['message'], 'Internal error');
    assert.deepEqual(body['extensions'], { status: 500, code: 'INTERNAL' });
  });
});
