/** The enums the generic and the typed fields share: caching, ordering, time buckets. */
import { GraphQLEnumType } from 'graphql';
import { TIME_BUCKETS } from '../../query/spec.js';
import type { SchemaTypes } from './schema-types.js';

const values = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, { value: n }]));

export const cachePolicy = (types: SchemaTypes) =>
  types.once(
    'CachePolicy',
    (name) =>
      new GraphQLEnumType({
        name,
        description: 'Whether an answer may come from the result cache.',
        values: {
          USE: { description: 'A cached answer within the dataset’s TTL will do.' },
          BYPASS: { description: 'Ask Spark; the fresh answer replaces the cached one.' },
        },
      }),
  );

/** Ordering of the typed fields, one column per item: `{ ts: desc_nulls_last }`. */
export const orderDirection = (types: SchemaTypes) =>
  types.once(
    'OrderDirection',
    (name) =>
      new GraphQLEnumType({
        name,
        values: values([
          'asc',
          'asc_nulls_first',
          'asc_nulls_last',
          'desc',
          'desc_nulls_first',
          'desc_nulls_last',
        ]),
      }),
  );

export const timeBucketUnit = (types: SchemaTypes) =>
  types.once('TimeBucketUnit', (name) => new GraphQLEnumType({ name, values: values(TIME_BUCKETS) }));

/** The ordering enums of the generic `query` field's `orderBy`. */
export const sortDirection = (types: SchemaTypes) =>
  types.once('SortDirection', (name) => new GraphQLEnumType({ name, values: values(['asc', 'desc']) }));

export const nullsOrder = (types: SchemaTypes) =>
  types.once('NullsOrder', (name) => new GraphQLEnumType({ name, values: values(['first', 'last']) }));
