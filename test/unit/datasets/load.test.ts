import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatasetsFileError, parseDatasetsFile, sqlParameters } from '../../../src/datasets/load.js';
import { DatasetRegistry } from '../../../src/datasets/registry.js';

function refused(text: string, message: RegExp): void {
  assert.throws(
    () => parseDatasetsFile(text, 'datasets.yaml'),
    (err: unknown) => err instanceof DatasetsFileError && message.test(err.message),
  );
}

describe('datasets file', () => {
  it('loads the demo file', () => {
    const registry = DatasetRegistry.fromFile('datasets/demo.yaml');
    assert.deepEqual(registry.names(), ['events', 'daily_revenue']);
    assert.equal(registry.setup.statements.length, 1);
    assert.equal(registry.get('daily_revenue')?.parameters['region']?.required, false);
  });

  it('points at the line of a wrong value', () => {
    refused(
      'datasets:\n  events:\n    description: x\n    table: t\n    maxLimit: lots\n',
      /^datasets\.yaml:5:15: \/datasets\/events\/maxLimit must be integer/,
    );
  });

  it('points at an unknown key', () => {
    refused(
      'datasets:\n  events:\n    description: x\n    table: t\n    limit: 5\n',
      /^datasets\.yaml:5:12: \/datasets\/events has an unknown key "limit"/,
    );
  });

  it('reports syntax errors with their position', () => {
    refused('datasets:\n  events: [unclosed\n', /^datasets\.yaml:\d+:\d+: /);
  });

  it('requires exactly one of table or sql', () => {
    refused('datasets:\n  e:\n    description: x\n', /dataset e: give exactly one of "table" or "sql"/);
    refused('datasets:\n  e:\n    description: x\n    table: t\n    sql: SELECT 1\n', /exactly one/);
  });

  it('checks SQL parameters against their declarations, both ways', () => {
    refused(
      'datasets:\n  e:\n    description: x\n    sql: SELECT :a\n',
      /^datasets\.yaml:4:10: dataset e: the SQL uses :a/,
    );
    refused(
      'datasets:\n  e:\n    description: x\n    sql: SELECT 1\n    parameters:\n      a: { type: int }\n',
      /parameter a is declared but the SQL never uses :a/,
    );
  });

  it('refuses a default outside the allowed values, and names that are not URL- and GraphQL-safe', () => {
    refused(
      'datasets:\n  e:\n    description: x\n    sql: SELECT :r\n    parameters:\n      r: { type: string, allowed: [a], default: b }\n',
      /datasets\.yaml:6:\d+: dataset e: the default of r is not among its allowed values/,
    );
    refused('datasets:\n  Bad-Name:\n    description: x\n    table: t\n', /datasets\.yaml/);
  });

  it('finds :name markers outside strings, comments and :: casts', () => {
    assert.deepEqual(
      [...sqlParameters('SELECT \':no\', x::int, :yes, "a :no" -- :no\n /* :no */ FROM t WHERE y = :other')],
      ['yes', 'other'],
    );
  });
});
