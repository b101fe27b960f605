/**
 * Checks the data of a configuration file (the datasets file, the auth file) against its JSON
 * Schema with Ajv, which the HTTP layer loads anyway. The first problem is told, with where it is.
 */
import { Ajv } from 'ajv';

export interface SchemaProblem {
  /** The path of the value at fault: for an unknown key, the key's own. */
  readonly path: readonly string[];
  /** The JSON pointer of the value (of the object, for an unknown key) and what is wrong with it. */
  readonly text: string;
}

const ajv = new Ajv({ allErrors: false });

/** A check of data against `schema`: its first problem, or undefined when it has none. */
export function schemaCheck(schema: object): (data: unknown) => SchemaProblem | undefined {
  const validate = ajv.compile(schema);
  return (data) => {
    if (validate(data)) return undefined;
    const first = validate.errors?.[0];
    if (first === undefined) return { path: [], text: '/ is not valid' };
    const at = pointerPath(first.instancePath);
    const where = first.instancePath || '/';
    const key: unknown = first.params['additionalProperty'];
    if (first.keyword === 'additionalProperties' && typeof key === 'string') {
      return { path: [...at, key], text: `${where} has an unknown key ${JSON.stringify(key)}` };
    }
    return { path: at, text: `${where} ${first.message ?? 'is not valid'}` };
  };
}

function pointerPath(pointer: string): string[] {
  return pointer === ''
    ? []
    : pointer
        .slice(1)
        .split('/')
        .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}
