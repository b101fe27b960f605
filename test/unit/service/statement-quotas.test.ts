import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkQuota } from '../../../src/service/statements/quotas.js';

const quotas = { maxRunning: 2, maxSpoolBytes: 1000 };

describe('statement quotas', () => {
  it('let a tenant below both bounds submit', () => {
    assert.doesNotThrow(() => {
      checkQuota('acme', { running: 1, bytes: 999 }, quotas);
    });
  });

  it('refuse a tenant at its running bound, or at its bytes, naming the setting', () => {
    assert.throws(
      () => {
        checkQuota('acme', { running: 2, bytes: 0 }, quotas);
      },
      { code: 'STATEMENT_QUOTA', statusCode: 429, retryAfter: 5, message: /STATEMENTS_MAX_RUNNING/ },
    );
    assert.throws(
      () => {
        checkQuota('acme', { running: 0, bytes: 1000 }, quotas);
      },
      { code: 'STATEMENT_QUOTA', statusCode: 429, message: /1000 bytes.*STATEMENTS_MAX_SPOOL_BYTES/ },
    );
  });
});
