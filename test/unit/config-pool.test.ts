import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('POOL_MAX_PER_PRINCIPAL', () => {
  it('defaults to every session without an authentication file, where all callers are one principal', () => {
    assert.equal(loadConfig({}).pool.maxPerPrincipal, 8);
    assert.equal(loadConfig({ POOL_MAX: '3' }).pool.maxPerPrincipal, 3);
  });

  it('defaults to half of POOL_MAX, and at least one, with an authentication file', () => {
    // The file is read when the service starts, not by the configuration.
    const auth = { AUTH_FILE: '/etc/spark-data-api/auth.yaml' };
    assert.equal(loadConfig(auth).pool.maxPerPrincipal, 4);
    assert.equal(loadConfig({ ...auth, POOL_MAX: '5' }).pool.maxPerPrincipal, 2);
    assert.equal(loadConfig({ ...auth, POOL_MAX: '1' }).pool.maxPerPrincipal, 1);
  });

  it('takes a value up to POOL_MAX, and refuses more or less', () => {
    assert.equal(loadConfig({ POOL_MAX_PER_PRINCIPAL: '2' }).pool.maxPerPrincipal, 2);
    assert.equal(loadConfig({ POOL_MAX_PER_PRINCIPAL: '8' }).pool.maxPerPrincipal, 8);
    assert.throws(
      () => loadConfig({ POOL_MAX_PER_PRINCIPAL: '9' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /POOL_MAX_PER_PRINCIPAL is larger than POOL_MAX/);
        return true;
      },
    );
    assert.throws(() => loadConfig({ POOL_MAX_PER_PRINCIPAL: '0' }), /POOL_MAX_PER_PRINCIPAL/);
  });
});
