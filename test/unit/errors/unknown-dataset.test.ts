import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toProblem } from '../../../src/errors/problem.js';
import { toCatalogueError } from '../../../src/errors/to-catalogue.js';
import { UnknownDatasetError } from '../../../src/errors/unknown-dataset.js';

describe('an unknown dataset', () => {
  it('carries the name asked for and the names allowed as fields', () => {
    const err = new UnknownDatasetError('nope', ['events', 'orders']);
    assert.equal(err.dataset, 'nope');
    assert.deepEqual(err.known, ['events', 'orders']);
  });

  it('is a 404 DATASET_NOT_FOUND naming the dataset from its field, whatever the name holds', () => {
    const name = 'odd "name"\nwith a line break';
    const problem = toProblem(toCatalogueError(new UnknownDatasetError(name, ['events'])));
    assert.equal(problem.status, 404);
    assert.equal(problem.code, 'DATASET_NOT_FOUND');
    assert.equal(problem.detail, `There is no dataset "${name}"`);
    assert.deepEqual(problem.allowed, ['events']);
  });
});
