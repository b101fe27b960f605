/**
 * The GraphQL side's decisions about columns, in one place: which columns the typed fields
 * expose, filter on, group and order by, which comparisons each takes, and the type each
 * measure of a column is answered as.
 */
import { GraphQLNonNull, type GraphQLOutputType, type GraphQLScalarType } from 'graphql';
import { isNumeric, isOrderable, isTemporal, typeFamily, type ColumnInfo } from '../../query/columns.js';
import type { DatasetDescription } from '../../service/query-service.js';
import { isGraphQLName } from '../names.js';
import { GraphQLDecimal, GraphQLDouble, GraphQLLong, scalarOfSparkType, scalarType } from '../scalars.js';

/** A dataset's column, with the description its configuration gives it. */
export type DescribedColumn = DatasetDescription['columns'][number];

/** The columns the typed fields expose: those GraphQL can name, except `where`'s own keys. */
export function typedColumns(d: DatasetDescription): DescribedColumn[] {
  return d.columns.filter((c) => isGraphQLName(c.name) && !['_and', '_or', '_not'].includes(c.name));
}

/** Columns a typed `where` compares: those allowed, of a type with comparisons. */
export function filterableColumns(d: DatasetDescription, columns: readonly ColumnInfo[]): ColumnInfo[] {
  return columns.filter(
    (c) =>
      (d.filterable === undefined || d.filterable.includes(c.name)) &&
      !['complex', 'void', 'other'].includes(typeFamily(c.type)),
  );
}

/** Columns an aggregate field groups by: those allowed, of an orderable type. */
export function groupableColumns(d: DatasetDescription, columns: readonly ColumnInfo[]): ColumnInfo[] {
  return columns.filter(
    (c) => (d.groupable === undefined || d.groupable.includes(c.name)) && isOrderable(typeFamily(c.type)),
  );
}

/** Columns rows are ordered by, and that have minimums, maximums and distinct counts. */
export const orderableColumns = (columns: readonly ColumnInfo[]) =>
  columns.filter((c) => isOrderable(typeFamily(c.type)));

/** Columns with sums and averages. */
export const numericColumns = (columns: readonly ColumnInfo[]) =>
  columns.filter((c) => isNumeric(typeFamily(c.type)));

/** Columns with time buckets. */
export const temporalColumns = (columns: readonly ColumnInfo[]) =>
  columns.filter((c) => isTemporal(typeFamily(c.type)));

/** The type a column's values (and its minimum and maximum) are answered as. */
export const valueType = (c: ColumnInfo): GraphQLScalarType => scalarType(scalarOfSparkType(c.type));

/** The type of a numeric column's sum: exact for integers and decimals. */
export function sumType(c: ColumnInfo): GraphQLScalarType {
  const family = typeFamily(c.type);
  return family === 'fractional' ? GraphQLDouble : family === 'decimal' ? GraphQLDecimal : GraphQLLong;
}

/** The type of a numeric column's average. */
export const avgType = (c: ColumnInfo): GraphQLScalarType =>
  typeFamily(c.type) === 'decimal' ? GraphQLDecimal : GraphQLDouble;

/** The type of a column's count of distinct values. */
export const distinctCountType = (): GraphQLOutputType => new GraphQLNonNull(GraphQLLong);

/** The comparisons a column takes, and the name of the input type holding them. */
export interface ComparisonRule {
  readonly name: string;
  readonly scalar: GraphQLScalarType;
  /** `_gt`, `_gte`, `_lt`, `_lte`. */
  readonly ordered: boolean;
  /** `_like`, `_ilike`. */
  readonly text: boolean;
}

/** Columns answered as strings without being text get comparisons of their own (no LIKE). */
const NOT_TEXT: Readonly<Record<string, string>> = {
  binary: 'Binary',
  timestamp_ntz: 'LocalTimestamp',
  time: 'Time',
  interval: 'Interval',
};

export function comparisonRule(c: ColumnInfo): ComparisonRule {
  const scalar = valueType(c);
  const family = typeFamily(c.type);
  return {
    name: `${NOT_TEXT[family] ?? scalar.name}Comparison`,
    scalar,
    ordered: isOrderable(family),
    text: family === 'string',
  };
}
