/** Column names of a request resolved to the columns of a dataset or of a query's output. */
import type { ColumnInfo } from './columns.js';
import { QueryError } from './errors.js';

/** Resolves column names exactly, or else ignoring case as Spark does. */
export class Resolver {
  readonly #columns: readonly ColumnInfo[];
  readonly #what: string;
  readonly #dataset: string;

  constructor(columns: readonly ColumnInfo[], dataset: string, what = 'column') {
    this.#columns = columns;
    this.#dataset = dataset;
    this.#what = what;
  }

  get(name: string, pointer = ''): ColumnInfo {
    const found =
      this.#columns.find((c) => c.name === name) ??
      this.#columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
    if (found === undefined) {
      throw new QueryError(pointer, `dataset ${this.#dataset} has no ${this.#what} "${name}"`, this.names());
    }
    return found;
  }

  names(): string[] {
    return [...new Set(this.#columns.map((c) => c.name))];
  }
}
