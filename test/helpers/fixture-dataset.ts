import { sourceTemplate } from '../../src/plan/compile.js';
import type { ColumnInfo } from '../../src/query/columns.js';
import type { DatasetShape } from '../../src/query/validated-query.js';

/** A dataset with a column of every type, for tests that need no Spark. */
export const FIXTURE_COLUMNS: readonly ColumnInfo[] = [
  { name: 'id', type: 'bigint', nullable: false },
  { name: 'n', type: 'int', nullable: true },
  { name: 'small', type: 'smallint', nullable: true },
  { name: 'x', type: 'double', nullable: true },
  { name: 'amount', type: 'decimal(12,2)', nullable: true },
  { name: 'name', type: 'string', nullable: true },
  { name: 'flag', type: 'boolean', nullable: true },
  { name: 'day', type: 'date', nullable: true },
  { name: 'ts', type: 'timestamp', nullable: true },
  { name: 'local_ts', type: 'timestamp_ntz', nullable: true },
  { name: 'bytes', type: 'binary', nullable: true },
  { name: 'tags', type: 'array<string>', nullable: true },
  { name: 'Odd.Name `x`', type: 'string', nullable: true },
];

export const FIXTURE: DatasetShape = {
  name: 'fixture',
  columns: FIXTURE_COLUMNS,
  parameters: {},
  defaultLimit: 100,
  maxLimit: 10_000,
};

export const FIXTURE_TEMPLATE = sourceTemplate({ kind: 'table', table: 'fixture' });

export const FIXTURE_SQL = {
  shape: {
    ...FIXTURE,
    name: 'fixture_sql',
    parameters: {
      since: { type: 'date', required: true },
      region: { type: 'string', required: false, allowed: ['EU', 'US'] },
      top: { type: 'int', required: false, default: 10, min: 1, max: 100 },
    },
  } satisfies DatasetShape,
  template: sourceTemplate({
    kind: 'sql',
    sql: 'SELECT * FROM fixture WHERE day >= :since AND (:region IS NULL OR name = :region) LIMIT :top',
  }),
};
