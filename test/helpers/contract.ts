import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

interface Operation {
  responses: Record<
    string,
    { headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }
  >;
}
const doc = parse(readFileSync(new URL('../../openapi.yaml', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: unknown;
};
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'openapi.json', components: doc.components });

function rebase(schema: unknown): unknown {
  return JSON.parse(
    JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'),
  ) as unknown;
}

/**
 * Checks an answer against openapi.yaml: its status and media type are documented for the
 * operation, and a JSON body matches the documented schema.
 */
export function assertMatchesContract(
  method: string,
  path: string,
  answer: { status: number; contentType: string | undefined; body: string },
): void {
  const operation = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(operation, `${method} ${path} is not in openapi.yaml`);
  const response = operation.responses[String(answer.status)];
  assert.ok(response, `${method} ${path} answered ${answer.status}, which openapi.yaml does not document`);
  const mediaType = (answer.contentType ?? '').split(';')[0]?.trim() ?? '';
  const content = response.content?.[mediaType];
  assert.ok(
    content,
    `${method} ${path} ${answer.status} answered ${mediaType}, which openapi.yaml does not document`,
  );
  if (mediaType === 'application/json' || mediaType === 'application/problem+json') {
    const validate = ajv.compile(rebase(content.schema) as object);
    const body: unknown = JSON.parse(answer.body);
    assert.ok(
      validate(body),
      `${method} ${path} ${answer.status}: ${ajv.errorsText(validate.errors)}\n${answer.body.slice(0, 500)}`,
    );
  }
  if (mediaType === 'application/x-ndjson') {
    for (const line of answer.body.trimEnd().split('\n')) assert.equal(typeof JSON.parse(line), 'object');
  }
}
