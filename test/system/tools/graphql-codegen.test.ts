/**
 * graphql-codegen pointed at /graphql of the service with the default limits, as a
 * developer would: it introspects the full schema (the demo's typed fields included) and
 * generates TypeScript types from it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { call, serve, type Served } from '../../helpers/http.js';
import { npmBin, runTool } from '../../helpers/run-tool.js';

let served: Served;
let dir: string;

before(async () => {
  served = await serve({});
  dir = mkdtempSync(join(tmpdir(), 'graphql-codegen-'));
});
after(async () => {
  await served.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('graphql-codegen against the running service', () => {
  it('introspects the schema and generates types for every dataset', async () => {
    const sdl = (await call('GET', `${served.url}/graphql/schema.graphql`)).text();
    assert.match(sdl, /type EventsRow/, 'the typed fields are served');
    writeFileSync(
      join(dir, 'codegen.json'),
      JSON.stringify({
        schema: `${served.url}/graphql`,
        generates: {
          [join(dir, 'schema.graphql')]: { plugins: ['schema-ast'] },
          [join(dir, 'types.ts')]: { plugins: ['typescript'] },
        },
      }),
    );
    const run = await runTool(npmBin('graphql-codegen'), ['--config', join(dir, 'codegen.json')]);
    assert.equal(run.code, 0, run.output);

    const generated = readFileSync(join(dir, 'schema.graphql'), 'utf8');
    const sorted = (text: string) => printSchema(lexicographicSortSchema(buildSchema(text)));
    assert.ok(sorted(generated) === sorted(sdl), 'the generated schema is the one the server serves');
    const types = readFileSync(join(dir, 'types.ts'), 'utf8');
    assert.match(types, /export type EventsRow = \{/);
    assert.match(types, /export type DailyRevenueRow = \{/);
  });
});
