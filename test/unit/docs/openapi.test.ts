import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validate } from '@readme/openapi-parser';
import { parse } from 'yaml';
import { ERROR_CODES } from '../../../src/errors/catalogue.js';
import { generatedOpenApi } from '../../../src/app.js';
import { openApiYaml } from '../../../src/http/openapi.js';

const committed = readFileSync(new URL('../../../openapi.yaml', import.meta.url), 'utf8');

describe('openapi.yaml', () => {
  it('is what the route schemas generate (npm run openapi rewrites it)', async () => {
    assert.equal(committed, openApiYaml(await generatedOpenApi()));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(parse(committed) as Parameters<typeof validate>[0]);
    assert.equal(result.valid, true, JSON.stringify(result));
  });

  it('lists every error code of the catalogue, and only those', () => {
    const doc = parse(committed) as {
      components: { schemas: { Problem: { properties: { code: { enum: string[] } } } } };
    };
    assert.deepEqual(doc.components.schemas.Problem.properties.code.enum, [...ERROR_CODES].sort());
  });

  it('names every operation (operationId) and tags it, and says where the server is', () => {
    const doc = parse(committed) as {
      servers?: unknown[];
      paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>>;
    };
    const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));
    const ids = operations.map((o) => o.operationId);
    assert.ok(
      ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)),
      ids.join(),
    );
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(operations.every((o) => (o.tags?.length ?? 0) === 1));
    assert.ok((doc.servers?.length ?? 0) > 0);
  });

  it('bounds maxRows and maxBytes, and gives every enum its type', () => {
    const doc = parse(committed) as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; schema: Record<string, unknown> }[] }>
      >;
    };
    const rows = doc.paths['/v1/datasets/{name}/rows']?.['get']?.parameters ?? [];
    for (const name of ['maxRows', 'maxBytes'])
      assert.equal(typeof rows.find((p) => p.name === name)?.schema['maximum'], 'number', name);
    const untyped: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (('enum' in record || 'const' in record) && !('type' in record)) untyped.push(path);
      for (const [key, value] of Object.entries(record)) walk(value, `${path}/${key}`);
    };
    walk(parse(committed), '');
    assert.deepEqual(untyped, []);
  });
});
