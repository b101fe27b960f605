import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';

const dir = mkdtempSync(join(tmpdir(), 'spark-data-api-config-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('SPARK_TLS_CA_FILE', () => {
  it('is optional: without it, TLS trusts Node’s default authorities', () => {
    assert.equal(loadConfig({}).sparkCaCertificates, undefined);
  });

  it('reads a PEM bundle', () => {
    const pem = `${rootCertificates[0]}\n${rootCertificates[1]}\n`;
    const config = loadConfig({ SPARK_TLS_CA_FILE: file('bundle.pem', pem) });
    assert.equal(config.sparkCaCertificates?.toString('utf8'), pem);
  });

  it('refuses a file that does not exist, naming the variable', () => {
    assert.throws(
      () => loadConfig({ SPARK_TLS_CA_FILE: join(dir, 'missing.pem') }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /SPARK_TLS_CA_FILE '.*missing\.pem' cannot be read \(ENOENT\)/.test(err.message),
    );
  });

  it('refuses a file without a PEM certificate, or with a broken one', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    for (const content of ['just text\n', broken]) {
      assert.throws(
        () => loadConfig({ SPARK_TLS_CA_FILE: file('bad.pem', content) }),
        /SPARK_TLS_CA_FILE '.*bad\.pem' holds no PEM certificate/,
      );
    }
  });
});
