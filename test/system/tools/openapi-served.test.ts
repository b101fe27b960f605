/**
 * The OpenAPI document a server serves: openapi.yaml as this server runs it, with typed
 * operations for the datasets the caller may use, and nothing about the others.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validate } from '@readme/openapi-parser';
import { parse } from 'yaml';
import { call, serve, type Served } from '../../helpers/http.js';

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      { operationId: string; parameters?: { name: string; in: string; schema: Record<string, unknown> }[] }
    >
  >;
  servers: { url: string }[];
  components: { schemas: Record<string, Record<string, unknown>> };
};

let demo: Served;
let withKeys: Served;
const KEY = 'events-only-key';

before(async () => {
  demo = await serve({ MAX_ROWS: '5000', MAX_BYTES: '123456' });
  const dir = mkdtempSync(join(tmpdir(), 'openapi-served-'));
  const authFile = join(dir, 'auth.yaml');
  const sha256 = createHash('sha256').update(KEY).digest('hex');
  writeFileSync(
    authFile,
    `apiKeys:\n  - { name: reader, sha256: ${sha256}, tenant: acme, scopes: [datasets:read], datasets: [events] }\n`,
  );
  withKeys = await serve({ AUTH_FILE: authFile, ANONYMOUS: 'false', RAW_SQL: 'true' });
});
after(async () => {
  await demo.close();
  await withKeys.close();
});

async function documentOf(url: string, headers: Record<string, string> = {}): Promise<Doc> {
  const answer = await call('GET', `${url}/openapi.json`, { headers });
  assert.equal(answer.status, 200);
  return answer.json() as Doc;
}

const operations = (doc: Doc) => Object.values(doc.paths).flatMap((item) => Object.values(item));

describe('the document the demo serves', () => {
  it('is valid OpenAPI 3.1 with a unique operationId on every operation', async () => {
    const doc = await documentOf(demo.url);
    const result = await validate(structuredClone(doc) as never);
    assert.equal(result.valid, true, JSON.stringify(result));
    const ids = operations(doc).map((o) => o.operationId);
    assert.ok(ids.every((id) => typeof id === 'string' && id !== ''));
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(doc.servers, [{ url: '/', description: 'This server' }]);
  });

  it('has typed operations per dataset, and the server’s own limits', async () => {
    const doc = await documentOf(demo.url);
    for (const path of [
      '/v1/datasets/events/rows',
      '/v1/datasets/events/query',
      '/v1/datasets/daily_revenue/rows',
      '/v1/datasets/daily_revenue/query',
    ])
      assert.ok(doc.paths[path] !== undefined, path);
    assert.deepEqual(doc.components.schemas['EventsColumn']?.['enum'], [
      'event_id',
      'event_type',
      'region',
      'ts',
      'revenue',
      'user_id',
    ]);
    const rows = doc.paths['/v1/datasets/daily_revenue/rows']?.['get'];
    const parameter = (name: string) => rows?.parameters?.find((p) => p.name === name)?.schema;
    assert.deepEqual(parameter('params[region]'), { type: 'string', enum: ['EU', 'US', 'APAC', 'LATAM'] });
    assert.deepEqual(parameter('params[from]'), {
      type: 'string',
      format: 'date-time',
      default: '2025-01-01T00:00:00Z',
    });
    assert.equal(parameter('maxRows')?.['maximum'], 5000);
    assert.equal(parameter('maxBytes')?.['maximum'], 123456);
    assert.equal(parameter('limit')?.['maximum'], 10000);
    assert.deepEqual(
      doc.paths['/v1/datasets/{name}/rows']?.['get']?.parameters?.find((p) => p.in === 'path')?.schema[
        'enum'
      ],
      ['events', 'daily_revenue'],
    );
  });

  it('leaves out the routes this server does not serve', async () => {
    assert.equal((await documentOf(demo.url)).paths['/v1/sql'], undefined);
    assert.ok((await documentOf(withKeys.url, { 'x-api-key': KEY })).paths['/v1/sql'] !== undefined);
  });

  it('is the same document at /openapi.yaml and behind the API page', async () => {
    const json = await documentOf(demo.url);
    assert.deepEqual(parse((await call('GET', `${demo.url}/openapi.yaml`)).text()), json);
    assert.deepEqual((await call('GET', `${demo.url}/docs/json`)).json(), json);
  });
});

describe('what the document tells each caller', () => {
  it('names no dataset to a caller without credentials', async () => {
    const doc = await documentOf(withKeys.url);
    const text = JSON.stringify(doc);
    assert.doesNotMatch(text, /daily_revenue|DailyRevenue|\/v1\/datasets\/events|EventsColumn/);
    assert.ok(doc.paths['/v1/datasets/{name}/rows'] !== undefined);
  });

  it('describes only the datasets the credentials may use', async () => {
    const doc = await documentOf(withKeys.url, { 'x-api-key': KEY });
    assert.ok(doc.paths['/v1/datasets/events/rows'] !== undefined);
    assert.doesNotMatch(JSON.stringify(doc), /daily_revenue|DailyRevenue/);
  });

  it('treats credentials that are not valid as none', async () => {
    const doc = await documentOf(withKeys.url, { 'x-api-key': 'not a key' });
    assert.equal(doc.paths['/v1/datasets/events/rows'], undefined);
  });
});
