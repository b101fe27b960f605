/** The names GraphQL can spell, and the type names the typed fields of a dataset take. */

/** A name GraphQL accepts for a field. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** The generic fields: no dataset's typed field may take their names. */
export const GENERIC_FIELDS: ReadonlySet<string> = new Set(['datasets', 'dataset', 'query']);

/** A name GraphQL accepts for a field, and not one GraphQL keeps for itself (`__…`). */
export function isGraphQLName(name: string): boolean {
  return NAME.test(name) && !name.startsWith('__');
}

/** `daily_revenue` → `DailyRevenue`. */
export function typeName(dataset: string): string {
  return dataset
    .split('_')
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
