import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LikePatternError, likeWildcards } from '../../../src/query/like-pattern.js';

describe('likeWildcards', () => {
  it('counts unescaped % and _; \\%, \\_ and \\\\ are characters', () => {
    assert.deepEqual(likeWildcards(''), { any: 0, one: 0 });
    assert.deepEqual(likeWildcards('%a_b%'), { any: 2, one: 1 });
    assert.deepEqual(likeWildcards('\\%\\_\\\\'), { any: 0, one: 0 });
    // An escaped backslash, then a wildcard.
    assert.deepEqual(likeWildcards('\\\\%\\\\_'), { any: 1, one: 1 });
  });

  it('refuses what Spark refuses: an escape before any other character, or at the end', () => {
    const refused = (pattern: string, message: RegExp) => {
      assert.throws(
        () => likeWildcards(pattern),
        (err: unknown) => err instanceof LikePatternError && message.test(err.message),
      );
    };
    refused('a\\b', /escape character \\ at character 2 comes before "b"; only %, _ and \\ can be escaped/);
    refused('\\\\\\a', /at character 3 comes before "a"/);
    refused('%\\😀', /at character 2 comes before "😀"/);
    refused('\\\\\\', /ends with the escape character/);
    refused('%\\', /ends with the escape character \\; write \\\\ for a backslash/);
  });
});
