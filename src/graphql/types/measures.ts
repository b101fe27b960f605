/** The measures a group of a typed aggregate field has, each an aggregate of the columns it takes. */
import type { Aggregate } from '../../query/spec.js';

export interface Measure {
  /** The field of a group, and of a group's `orderBy`. */
  readonly field: string;
  readonly fn: Aggregate['fn'];
  /** The type name of its object, after the dataset's: `<T>Sums`. */
  readonly name: string;
  readonly description: string;
}

export const MEASURES: readonly Measure[] = [
  {
    field: 'countDistinct',
    fn: 'count_distinct',
    name: 'DistinctCounts',
    description: 'Numbers of distinct non-null values.',
  },
  { field: 'sum', fn: 'sum', name: 'Sums', description: 'Sums of numeric and interval columns.' },
  { field: 'avg', fn: 'avg', name: 'Averages', description: 'Averages of numeric and interval columns.' },
  { field: 'min', fn: 'min', name: 'Minimums', description: 'Smallest values.' },
  { field: 'max', fn: 'max', name: 'Maximums', description: 'Largest values.' },
];
