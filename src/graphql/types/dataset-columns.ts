/**
 * A dataset's columns as its typed fields offer them. What a column allows (filters and their
 * comparisons, grouping, time buckets, sorting, aggregates and their result types) is asked of
 * the query vocabulary's column rules, which validation asks too: the typed schema offers what
 * a query may do, and nothing that validation would then refuse. What is decided here is only
 * GraphQL's: which columns it can name, and the scalar each value is answered as.
 */
import { GraphQLNonNull, type GraphQLOutputType, type GraphQLScalarType } from 'graphql';
import {
  aggregateMayBeNull,
  aggregateRefusal,
  aggregateResultType,
  bucketUnits,
  isGroupableType,
  isListed,
  isSortable,
} from '../../query/column-rules.js';
import { typeFamily, type ColumnInfo } from '../../query/columns.js';
import type { Aggregate } from '../../query/spec.js';
import type { DatasetDescription } from '../../service/query-service.js';
import { isGraphQLName } from '../names.js';
import { scalarOfSparkType, scalarType } from '../scalars.js';

/** The columns the typed fields expose: those GraphQL can name, except `where`'s own keys. */
export function typedColumns(d: DatasetDescription): DatasetDescription['columns'][number][] {
  return d.columns.filter((c) => isGraphQLName(c.name) && !['_and', '_or', '_not'].includes(c.name));
}

/** Columns a typed `where` names: those the dataset's `filterable` list admits, of any type. */
export const filterableColumns = (d: DatasetDescription, columns: readonly ColumnInfo[]) =>
  columns.filter((c) => isListed(c.name, d.filterable));

/** Columns an aggregate field groups by: listed in `groupable`, of a type that groups. */
export const groupableColumns = (d: DatasetDescription, columns: readonly ColumnInfo[]) =>
  columns.filter((c) => isListed(c.name, d.groupable) && isGroupableType(typeFamily(c.type)));

/** Groupable columns that can be bucketed by time. */
export const bucketableColumns = (groupable: readonly ColumnInfo[]) =>
  groupable.filter((c) => bucketUnits(typeFamily(c.type)).length > 0);

/** Columns rows are ordered by. */
export const sortableColumns = (columns: readonly ColumnInfo[]) =>
  columns.filter((c) => isSortable(typeFamily(c.type)));

/** Columns an aggregate function takes. */
export const aggregableColumns = (fn: Aggregate['fn'], columns: readonly ColumnInfo[]) =>
  columns.filter((c) => aggregateRefusal(fn, typeFamily(c.type)) === undefined);

/** The scalar a value of a Spark type is answered as. */
export const scalarOf = (type: string): GraphQLScalarType => scalarType(scalarOfSparkType(type));

/** The type a column's values (and its group keys) are answered as. */
export const valueType = (c: ColumnInfo): GraphQLScalarType => scalarOf(c.type);

/** The type an aggregate of a column is answered as: its result type, never null for counts. */
export function aggregateType(fn: Aggregate['fn'], c: ColumnInfo): GraphQLOutputType {
  const scalar = scalarOf(aggregateResultType(fn, c.type));
  return aggregateMayBeNull(fn) ? scalar : new GraphQLNonNull(scalar);
}
