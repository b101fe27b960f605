/** A column of a dataset as Spark reports it. */
export interface ColumnInfo {
  readonly name: string;
  /** Spark's type name: `bigint`, `decimal(12,2)`, `timestamp`, `array<string>`… */
  readonly type: string;
  readonly nullable: boolean;
}

/** What a query may do with a column depends on the family of its type. */
export type TypeFamily =
  | 'boolean'
  | 'integer'
  | 'long'
  | 'fractional'
  | 'decimal'
  | 'string'
  | 'binary'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz'
  | 'time'
  | 'interval'
  | 'complex'
  | 'void'
  | 'other';

export function typeFamily(type: string): TypeFamily {
  if (type === 'boolean') return 'boolean';
  if (type === 'tinyint' || type === 'smallint' || type === 'int') return 'integer';
  if (type === 'bigint') return 'long';
  if (type === 'float' || type === 'double') return 'fractional';
  if (type.startsWith('decimal(')) return 'decimal';
  if (type === 'string' || type.startsWith('string collate') || /^(var)?char\(\d+\)$/.test(type))
    return 'string';
  if (type === 'binary') return 'binary';
  if (type === 'date') return 'date';
  if (type === 'timestamp') return 'timestamp';
  if (type === 'timestamp_ntz') return 'timestamp_ntz';
  if (type.startsWith('time(')) return 'time';
  if (type.startsWith('interval')) return 'interval';
  if (/^(array|map|struct)</.test(type)) return 'complex';
  if (type === 'void') return 'void';
  return 'other';
}

const ORDERABLE = new Set<TypeFamily>([
  'boolean',
  'integer',
  'long',
  'fractional',
  'decimal',
  'string',
  'binary',
  'date',
  'timestamp',
  'timestamp_ntz',
  'time',
  'interval',
]);
const NUMERIC = new Set<TypeFamily>(['integer', 'long', 'fractional', 'decimal']);

/** Values of the type can be compared with `<` and sorted. */
export function isOrderable(family: TypeFamily): boolean {
  return ORDERABLE.has(family);
}

export function isNumeric(family: TypeFamily): boolean {
  return NUMERIC.has(family);
}

export function isTemporal(family: TypeFamily): boolean {
  return family === 'date' || family === 'timestamp' || family === 'timestamp_ntz';
}
