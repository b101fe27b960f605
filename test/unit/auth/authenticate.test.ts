/** JWT claims of the wrong shape are refused, naming the claim; well-formed ones are read as before. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { AuthConfigError, AuthenticationError, Authenticator } from '../../../src/auth/authenticate.js';

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'spark-data-api';

const authenticator = Authenticator.create(
  { jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE } },
  { rowFilterClaims: ['region'] },
);

function token(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('someone')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
}

async function authenticate(claims: Record<string, unknown>) {
  return (await authenticator).authenticate({ authorization: `Bearer ${await token(claims)}` });
}

const base = { tenant: 'acme', scope: 'datasets:read' };

describe('JWT claims', () => {
  it('reads well-formed claims', async () => {
    const p = await authenticate({ ...base, datasets: ['events'], region: ['EU', 'US'] });
    assert.equal(p.tenant, 'acme');
    assert.deepEqual([...p.scopes], ['datasets:read']);
    assert.deepEqual(p.datasets, new Set(['events']));
    assert.deepEqual(p.claims['region'], ['EU', 'US']);
    const listed = await authenticate({ tenant: 'acme', scope: ['datasets:read', 'admin'] });
    assert.deepEqual([...listed.scopes], ['datasets:read', 'admin']);
    assert.equal(listed.datasets, '*', 'no datasets claim: every dataset of the tenant');
    assert.deepEqual((await authenticate({ ...base, datasets: [] })).datasets, new Set());
  });

  const malformed: [string, Record<string, unknown>, string][] = [
    ['a datasets claim that is a string', { ...base, datasets: 'events' }, 'datasets'],
    ['a datasets claim that is "*"', { ...base, datasets: '*' }, 'datasets'],
    ['a datasets claim that is an object', { ...base, datasets: { events: true } }, 'datasets'],
    ['a datasets list holding a number', { ...base, datasets: ['events', 7] }, 'datasets'],
    ['a scope claim that is a number', { ...base, scope: 42 }, 'scope'],
    ['a scope list holding an object', { ...base, scope: ['datasets:read', {}] }, 'scope'],
    ['a tenant claim that is a list', { ...base, tenant: ['acme'] }, 'tenant'],
    ['a tenant claim that is a number', { ...base, tenant: 7 }, 'tenant'],
    ['a row-filter claim that is an object', { ...base, region: { eq: 'EU' } }, 'region'],
    ['a row-filter claim that is an empty list', { ...base, region: [] }, 'region'],
    ['a row-filter claim that is null', { ...base, region: null }, 'region'],
    ['a row-filter list holding a list', { ...base, region: ['EU', ['US']] }, 'region'],
  ];
  for (const [name, claims, claim] of malformed) {
    it(`refuses ${name}, naming the claim`, async () => {
      await assert.rejects(authenticate(claims), (err: unknown) => {
        assert.ok(err instanceof AuthenticationError);
        assert.equal(err.invalidToken, true);
        assert.match(err.message, new RegExp(`the token's ${claim} claim is malformed`));
        return true;
      });
    });
  }

  it('ignores the shape of claims no row filter uses', async () => {
    const p = await authenticate({ ...base, realm_access: { roles: ['x'] } });
    assert.equal(p.claims['realm_access'], undefined);
  });
});

describe('auth file', () => {
  async function refused(text: string): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), 'auth-file-'));
    const path = join(dir, 'auth.yaml');
    writeFileSync(path, text);
    try {
      await Authenticator.fromFile(path);
    } catch (err) {
      assert.ok(err instanceof AuthConfigError, String(err));
      return err.message.replace(`AUTH_FILE '${path}': `, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.fail('the file was accepted');
  }

  it('names the value at fault and what is wrong with it', async () => {
    assert.equal(
      await refused('apiKeys:\n  - name: ci\n    tenant: acme\n'),
      "/apiKeys/0 must have required property 'sha256'",
    );
    assert.equal(
      await refused('jwt: { secret: short, issuer: i, audience: a }\n'),
      '/jwt/secret must NOT have fewer than 32 characters',
    );
    assert.equal(
      await refused(`jwt: { secret: ${SECRET}, issuer: i, audience: a, clockSkewSeconds: 601 }\n`),
      '/jwt/clockSkewSeconds must be <= 600',
    );
  });

  it('names an unknown key and where it is', async () => {
    assert.equal(
      await refused("anonymous: { tenant: t, scopes: ['datasets:read'], admin: true }\n"),
      '/anonymous has an unknown key "admin"',
    );
    assert.equal(await refused('apikeys: []\n'), '/ has an unknown key "apikeys"');
  });

  it('accepts a well-formed file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-file-'));
    const path = join(dir, 'auth.yaml');
    writeFileSync(path, `anonymous: { tenant: t, scopes: ['datasets:read'] }\n`);
    try {
      assert.ok((await Authenticator.fromFile(path)) instanceof Authenticator);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
