import { QueryError } from './errors.js';
import { LikePatternError, likeWildcards, type LikeWildcards } from './like-pattern.js';
import { SPEC_LIMITS, type Filter, type QuerySpec } from './spec.js';

/**
 * Bounds of a query's size, whatever route it came by (a JSON body checked by its schema, a
 * query string, GraphQL arguments), checked before any other work on it, so that nothing too
 * large or too deep reaches the validator's recursion, the plan, or Spark.
 */
export function checkShape(spec: QuerySpec): void {
  for (const key of ['select', 'groupBy', 'aggregates', 'orderBy'] as const) {
    const items = spec[key];
    if (items === undefined) continue;
    if (items.length === 0) throw new QueryError(`/${key}`, `${key} needs at least one column`);
    if (items.length > SPEC_LIMITS.maxColumns)
      throw new QueryError(`/${key}`, `${key} may have at most ${SPEC_LIMITS.maxColumns} items`);
  }
  for (const key of ['limit', 'offset'] as const) {
    const n = spec[key];
    if (n !== undefined && !(Number.isInteger(n) && n >= 0 && n <= SPEC_LIMITS.maxRowIndex)) {
      throw new QueryError(`/${key}`, `${key} must be an integer from 0 to ${SPEC_LIMITS.maxRowIndex}`);
    }
  }
  checkFilters([
    { filter: spec.where, pointer: '/where' },
    { filter: spec.having, pointer: '/having' },
  ]);
}

/**
 * The conditions of `where` and `having`, walked without recursion before anything else looks
 * at them: at most {@link SPEC_LIMITS.maxFilters} conditions in the whole query, nested at most
 * {@link SPEC_LIMITS.maxFilterDepth} deep. Refuses as soon as a bound is passed, so a huge tree
 * costs no more than the part read up to there.
 */
function checkFilters(roots: readonly { filter: Filter | undefined; pointer: string }[]): void {
  const { maxFilters, maxFilterDepth } = SPEC_LIMITS;
  let conditions = 0;
  const stack: { filter: Filter; pointer: string; depth: number }[] = [];
  for (const root of [...roots].reverse()) {
    if (root.filter !== undefined) stack.push({ filter: root.filter, pointer: root.pointer, depth: 0 });
  }
  const tooDeep = (pointer: string) =>
    new QueryError(pointer, `conditions may nest at most ${maxFilterDepth} deep`);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { filter, pointer, depth } = next;
    if (filter.op === 'and' || filter.op === 'or') {
      const { filters } = filter;
      if (filters.length === 0)
        throw new QueryError(`${pointer}/filters`, `"${filter.op}" needs a condition`);
      if (conditions + filters.length > maxFilters) throw tooMany(pointer);
      if (depth >= maxFilterDepth) throw tooDeep(`${pointer}/filters/0`);
      for (let k = filters.length - 1; k >= 0; k--) {
        stack.push({ filter: filters[k] as Filter, pointer: `${pointer}/filters/${k}`, depth: depth + 1 });
      }
    } else if (filter.op === 'not') {
      if (depth >= maxFilterDepth) throw tooDeep(`${pointer}/filter`);
      stack.push({ filter: filter.filter, pointer: `${pointer}/filter`, depth: depth + 1 });
    } else if (++conditions > maxFilters) {
      throw tooMany(pointer);
    }
  }
}

function tooMany(pointer: string): QueryError {
  return new QueryError(
    pointer,
    `a query may have at most ${SPEC_LIMITS.maxFilters} conditions (where and having together)`,
  );
}

/**
 * A LIKE pattern Spark accepts: escapes only before `%`, `_` and `\` (Spark refuses any other),
 * and at most {@link SPEC_LIMITS.maxPatternWildcards} wildcards, since Spark compiles a pattern
 * into a Java regular expression, whose compiler overflows on long ones.
 */
export function checkPattern(pattern: string, pointer: string): void {
  let wildcards: LikeWildcards;
  try {
    wildcards = likeWildcards(pattern);
  } catch (err) {
    if (err instanceof LikePatternError) throw new QueryError(pointer, err.message);
    throw err;
  }
  if (wildcards.any + wildcards.one > SPEC_LIMITS.maxPatternWildcards) {
    throw new QueryError(
      pointer,
      `a pattern may have at most ${SPEC_LIMITS.maxPatternWildcards} wildcards (% and _)`,
    );
  }
}
