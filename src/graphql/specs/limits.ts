/** The row limits every GraphQL QuerySpec is held to before it runs. */
import { Errors } from '../../errors/catalogue.js';
import type { QuerySpec } from '../../query/spec.js';
import { checkSpec } from './generic.js';

/**
 * GraphQL answers are whole: the spec is checked as the HTTP API checks it, and a limit above
 * the server's GraphQL row limit is refused.
 */
export function withRowLimit(spec: QuerySpec, maxRows: number): QuerySpec {
  checkSpec(spec);
  if (spec.limit !== undefined && spec.limit > maxRows) {
    throw new Errors.QueryInvalid(
      `limit ${spec.limit} is above this server's GraphQL row limit (${maxRows})`,
    );
  }
  return spec;
}

/** Without a limit, a typed field returns the dataset's default, within the GraphQL row limit. */
export function defaultLimit(spec: QuerySpec, datasetDefault: number, maxRows: number): QuerySpec {
  return spec.limit === undefined ? { ...spec, limit: Math.min(datasetDefault, maxRows) } : spec;
}
