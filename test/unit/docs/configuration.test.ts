import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EnvSchema } from '../../../src/config/env-schema.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The variables the README's configuration table names (a row may name several). */
function documented(): Set<string> {
  const section = readme.slice(readme.indexOf('## Configuration'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| Variable')));
  const names = new Set<string>();
  for (const row of table.split('\n').slice(2)) {
    const first = row.split('|')[1] ?? '';
    for (const [, name] of first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(name!);
  }
  return names;
}

describe('README configuration table', () => {
  it('lists every variable the service reads, and only those', () => {
    assert.deepEqual([...documented()].sort(), Object.keys(EnvSchema.properties).sort());
  });
});
