import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { uniqueNames } from '../../../src/encode/column-names.js';

describe('unique column names', () => {
  it('keeps unique names and suffixes later duplicates', () => {
    assert.deepEqual(uniqueNames(['a', 'b']), ['a', 'b']);
    assert.deepEqual(uniqueNames(['a', 'a', 'a']), ['a', 'a_2', 'a_3']);
    assert.deepEqual(uniqueNames(['a', 'a', 'a_2']), ['a', 'a_3', 'a_2']);
    assert.deepEqual(uniqueNames(['A', 'a']), ['A', 'a']);
    assert.deepEqual(uniqueNames(['', '']), ['', '_2']);
  });

  it('always gives distinct names, keeping every first occurrence', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'a_2', 'a_3', 'b', 'a_2_2', '')), (names) => {
        const unique = uniqueNames(names);
        assert.equal(new Set(unique).size, names.length);
        names.forEach((name, i) => {
          if (names.indexOf(name) === i) assert.equal(unique[i], name);
        });
      }),
    );
  });
});
