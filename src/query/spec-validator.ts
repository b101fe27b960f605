/**
 * The one compiled validator of the QuerySpec's shape (its JSON Schema in spec.ts): the body of
 * a query sent over HTTP is checked by it, and so is the QuerySpec a GraphQL field builds, so
 * the same bad input gets the same message through either front door.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Filter, QuerySpec } from './spec.js';

/**
 * As JSON bodies are checked: values are never coerced (2.5 must not become "2.5"), unknown
 * properties are errors rather than dropped, and a filter is checked as the variant its `op`
 * names. The first error is the one reported.
 */
const ajv = new Ajv({
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
  discriminator: true,
  allErrors: false,
  addUsedSchema: false,
});
ajv.addSchema(Filter);

/** Whether a value has the QuerySpec's shape; when not, `errors` holds Ajv's first error. */
export const validateQuerySpec: ValidateFunction<QuerySpec> = ajv.compile<QuerySpec>(QuerySpec);
