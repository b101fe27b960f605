import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Errors } from '../../../src/errors/catalogue.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** `code → status` from the README's error table. */
function documented(): Map<string, number> {
  const section = /<!-- errors:start -->([\s\S]*?)<!-- errors:end -->/.exec(readme)?.[1] ?? '';
  const rows = [...section.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)];
  return new Map(rows.map((row) => [row[1]!, Number(row[2])]));
}

describe('error catalogue', () => {
  it('documents every error code with its status in the README, and nothing else', () => {
    const catalogue = new Map(
      Object.values(Errors).map((E) => {
        const error = new E();
        return [error.code, error.statusCode] as const;
      }),
    );
    assert.deepEqual(new Map([...documented()].sort()), new Map([...catalogue].sort()));
  });
});
