import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { appWithoutSpark } from '../helpers/offline-app.js';

/** GraphiQL and the API page load everything from the service itself (Spark unreachable). */
let app: FastifyInstance;

before(async () => {
  app = await appWithoutSpark({ GRAPHIQL: 'true' });
});
after(async () => {
  await app.close();
});

/** The URLs a page loads: script sources and stylesheets. */
function loads(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
}

function assertSelfOnly(csp: unknown): void {
  assert.equal(typeof csp, 'string');
  assert.match(String(csp), /default-src 'none'/);
  assert.match(String(csp), /script-src 'self'(;|$)/);
  assert.match(String(csp), /connect-src 'self'(;|$)/);
  assert.doesNotMatch(String(csp), /https?:|\*/, 'no other origin');
}

describe('GraphiQL at /graphiql', () => {
  it('loads its scripts and styles from the service, under a policy that allows no other origin', async () => {
    const page = await app.inject('/graphiql');
    assert.equal(page.statusCode, 200);
    assertSelfOnly(page.headers['content-security-policy']);
    const urls = loads(page.body);
    assert.deepEqual(urls, [
      'graphiql/assets/graphiql.css',
      'graphiql/assets/page.css',
      'graphiql/assets/react.js',
      'graphiql/assets/react-dom.js',
      'graphiql/assets/graphiql.js',
      'graphiql/assets/start.js',
    ]);
    for (const url of urls) {
      const asset = await app.inject(`/${url}`);
      assert.equal(asset.statusCode, 200, url);
      assert.match(
        String(asset.headers['content-type']),
        url.endsWith('.css') ? /^text\/css/ : /^application\/javascript/,
      );
      assert.ok(asset.body.length > 0);
    }
    assert.equal((await app.inject('/graphiql/assets/nope.js')).statusCode, 404);
  });
});

describe('the API page at /docs', () => {
  it('loads Swagger UI from the service, under a policy that allows no other origin', async () => {
    const page = await app.inject('/docs/');
    assert.equal(page.statusCode, 200);
    assertSelfOnly(page.headers['content-security-policy']);
    for (const url of loads(page.body)) {
      assert.doesNotMatch(url, /^(https?:)?\/\//, url);
      const asset = await app.inject(new URL(url, 'http://localhost/docs/').pathname);
      assert.equal(asset.statusCode, 200, url);
      assertSelfOnly(asset.headers['content-security-policy']);
    }
    const initializer = await app.inject('/docs/static/swagger-initializer.js');
    assert.match(initializer.body, /validatorUrl: null/);
  });

  it('shows the generic operations while Spark cannot describe the datasets', async () => {
    const doc = (await app.inject('/docs/json')).json<{ paths: Record<string, unknown> }>();
    assert.ok(doc.paths['/v1/datasets/{name}/rows'] !== undefined);
    assert.equal(doc.paths['/v1/datasets/events/rows'], undefined);
  });
});
