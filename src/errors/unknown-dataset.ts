/** The refusal of a dataset name that names no dataset the caller may use. */

/** A request named a dataset that does not exist (for its caller); `known` lists those that do. */
export class UnknownDatasetError extends Error {
  override readonly name = 'UnknownDatasetError';
  /** The name asked for. */
  readonly dataset: string;
  /** The datasets the caller could have named. */
  readonly known: readonly string[];

  constructor(dataset: string, known: readonly string[]) {
    super(`there is no dataset "${dataset}"`);
    this.dataset = dataset;
    this.known = known;
  }
}
