import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../../src/config.js';
import { answerLimits, resolveLimits } from '../../../src/service/limits.js';

const config = {
  limits: { maxRows: 1000, maxBytes: 5000, jsonMaxRows: 100, jsonMaxBytes: 500, queryTimeoutMs: 30 },
  graphql: { maxRows: 10, maxBytes: 50 },
} as unknown as Config;

describe('result limits', () => {
  it("are the server's for the format unless a request asks for less", () => {
    assert.deepEqual(resolveLimits({}, config, false), { maxRows: 1000, maxBytes: 5000 });
    assert.deepEqual(resolveLimits({}, config, true), { maxRows: 100, maxBytes: 500 });
    assert.deepEqual(resolveLimits({ maxRows: 5, maxBytes: 6 }, config, true), { maxRows: 5, maxBytes: 6 });
  });

  it('refuse a request for more with a 413 saying what the server sends', () => {
    const tooLarge = (message: string) => ({ code: 'RESULT_TOO_LARGE', statusCode: 413, message });
    assert.throws(
      () => resolveLimits({ maxRows: 101 }, config, true),
      tooLarge('maxRows 101 is more than this server sends (100 as JSON; NDJSON, CSV and Arrow stream more)'),
    );
    assert.throws(
      () => resolveLimits({ maxRows: 1001 }, config, false),
      tooLarge('maxRows 1001 is more than this server sends (1000)'),
    );
    assert.throws(
      () => resolveLimits({ maxBytes: 5001 }, config, false),
      tooLarge('maxBytes 5001 is more than this server sends (5000)'),
    );
  });

  it("of a GraphQL answer are the server's", () => {
    assert.deepEqual(answerLimits(config), { maxRows: 10, maxBytes: 50, queryTimeoutMs: 30 });
  });
});
