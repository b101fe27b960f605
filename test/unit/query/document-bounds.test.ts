import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse } from 'graphql';
import { holdsMoreValuesThan, nestsDeeperThan } from '../../../src/query/document-bounds.js';

/** The nesting of a parsed JSON value, for comparison. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

describe('nestsDeeperThan', () => {
  it('measures JSON as deep as its parsed value is', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 0, max: 14 }), (value, max) => {
        assert.equal(nestsDeeperThan(JSON.stringify(value), max), depthOf(value) > max);
      }),
    );
  });

  it('ignores brackets in strings, block strings and comments of GraphQL documents', () => {
    const document = ['# { [ ( a comment', '{ q(s: "}}}{{{\\"[[[", b: """ {{{ \\""" ((( """) { f } }'].join(
      '\n',
    );
    parse(document);
    assert.equal(nestsDeeperThan(document, 2), false);
    assert.equal(nestsDeeperThan(document, 1), true);
    assert.equal(nestsDeeperThan(`{ a${'(x: {'.repeat(40)}`, 64), true);
  });

  it('reads a megabyte of brackets in one pass', () => {
    assert.equal(nestsDeeperThan('['.repeat(1_000_000), 64), true);
    assert.equal(nestsDeeperThan('[]'.repeat(500_000), 64), false);
  });
});

describe('holdsMoreValuesThan', () => {
  it('counts every value, containers included', () => {
    assert.equal(holdsMoreValuesThan({ a: [1, 2, { b: null }] }, 6), false);
    assert.equal(holdsMoreValuesThan({ a: [1, 2, { b: null }] }, 5), true);
    assert.equal(holdsMoreValuesThan(null, 1), false);
  });

  it('refuses a huge array without walking it', () => {
    assert.equal(holdsMoreValuesThan({ w: new Array<number>(5_000_000).fill(1) }, 10_000), true);
  });
});
