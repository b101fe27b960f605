/**
 * The checked form of a query, the plan compiler's only input, and what validation needs to
 * know of a dataset to produce it.
 */
import type { ColumnInfo } from './columns.js';
import type { ScalarType, TypedValue } from './scalar-types.js';
import type { Aggregate, Scalar, TIME_BUCKETS } from './spec.js';

/** A declared parameter of a dataset. */
export interface ParameterDefinition {
  readonly type: ScalarType;
  readonly description?: string | undefined;
  readonly required: boolean;
  readonly default?: Scalar | undefined;
  /** The only values accepted. */
  readonly allowed?: readonly Scalar[] | undefined;
  /** Inclusive bounds, for numbers, dates and timestamps. */
  readonly min?: Scalar | undefined;
  readonly max?: Scalar | undefined;
}

/** What validation needs to know about a dataset. */
export interface DatasetShape {
  readonly name: string;
  readonly columns: readonly ColumnInfo[];
  readonly parameters: Readonly<Record<string, ParameterDefinition>>;
  readonly defaultLimit: number;
  readonly maxLimit: number;
  /** Columns that may be filtered on; all when absent. */
  readonly filterable?: readonly string[] | undefined;
  /** Columns that may be grouped by; all when absent. */
  readonly groupable?: readonly string[] | undefined;
}

export type TimeBucket = (typeof TIME_BUCKETS)[number];

/** A filter whose columns are resolved and whose values are typed. */
export type Condition =
  | {
      readonly op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';
      readonly column: string;
      readonly value: TypedValue;
    }
  | { readonly op: 'in' | 'not_in'; readonly column: string; readonly values: readonly TypedValue[] }
  | { readonly op: 'between'; readonly column: string; readonly from: TypedValue; readonly to: TypedValue }
  | { readonly op: 'like' | 'ilike'; readonly column: string; readonly pattern: string }
  | { readonly op: 'is_null' | 'not_null'; readonly column: string }
  | { readonly op: 'and' | 'or'; readonly conditions: readonly Condition[] }
  | { readonly op: 'not'; readonly condition: Condition };

export interface OutputColumn {
  readonly column: string;
  readonly as: string;
}

export interface GroupColumn extends OutputColumn {
  readonly bucket?: TimeBucket | undefined;
  readonly timeZone?: string | undefined;
  /** The column is a date (buckets stay dates). */
  readonly date?: boolean | undefined;
  /** The column is a timestamp_ntz (buckets stay wall-clock times). */
  readonly local?: boolean | undefined;
}

export interface AggregateColumn {
  readonly fn: Aggregate['fn'];
  readonly column?: string | undefined;
  readonly percentile?: number | undefined;
  readonly as: string;
}

/** The checked, frozen form of a query: the compiler's only input. */
export interface ValidatedQuery {
  readonly dataset: string;
  readonly params: Readonly<Record<string, TypedValue>>;
  readonly select?: readonly OutputColumn[] | undefined;
  readonly where?: Condition | undefined;
  readonly groupBy?: readonly GroupColumn[] | undefined;
  readonly aggregates?: readonly AggregateColumn[] | undefined;
  readonly having?: Condition | undefined;
  readonly orderBy?: readonly {
    readonly column: string;
    readonly direction: 'asc' | 'desc';
    readonly nulls?: 'first' | 'last' | undefined;
  }[];
  readonly limit: number;
  readonly offset: number;
}
