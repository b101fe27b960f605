import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validate } from '@readme/openapi-parser';
import { parse } from 'yaml';
import { ERROR_CODES } from '../../../src/errors.js';
import { openApiYaml } from '../../../src/http/openapi.js';

const committed = readFileSync(new URL('../../../openapi.yaml', import.meta.url), 'utf8');

describe('openapi.yaml', () => {
  it('is what the route schemas generate (npm run openapi rewrites it)', () => {
    assert.equal(committed, openApiYaml());
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
});
