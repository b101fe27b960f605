/**
 * A query that cannot run as asked. `pointer` locates the offending part of the request
 * (JSON pointer, e.g. `/where/filters/0/column`); `allowed` lists what would be accepted.
 */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  readonly pointer: string;
  readonly allowed: readonly string[] | undefined;

  constructor(pointer: string, message: string, allowed?: readonly string[]) {
    super(`${pointer === '' ? 'query' : pointer}: ${message}`);
    this.pointer = pointer;
    this.allowed = allowed;
  }
}
