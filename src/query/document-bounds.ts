/**
 * How deep a request may nest (objects, lists, argument lists): far above anything a valid
 * request needs, far below what recursive parsers and validators (Ajv, graphql-js) survive.
 */
export const MAX_NESTING = 64;

/**
 * How large a GraphQL request may be, in tokens of its document and in values of its variables:
 * graphql-js spends microseconds on each, so a megabyte of them would hold the event loop for
 * seconds before any limit of the query could refuse it.
 */
export const MAX_GRAPHQL_TOKENS = 10_000;
export const MAX_GRAPHQL_VARIABLE_VALUES = 10_000;

/**
 * Whether JSON or GraphQL text nests its brackets deeper than `max`, outside strings and
 * comments. One pass without recursion that stops at the first bracket too deep, so it is
 * cheap whatever the text is.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (c === '{' || c === '[' || c === '(') {
      if (++depth > max) return true;
    } else if (c === '}' || c === ']' || c === ')') {
      depth--;
    } else if (c === '"') {
      k = text.startsWith('"""', k) ? endOfBlockString(text, k + 3) : endOfString(text, k + 1);
    } else if (c === '#') {
      const end = text.indexOf('\n', k);
      k = end === -1 ? text.length : end;
    }
  }
  return false;
}

/** Index of the quote that ends a string whose text starts at `k`. */
function endOfString(text: string, k: number): number {
  for (; k < text.length; k++) {
    const c = text[k];
    if (c === '\\') k++;
    else if (c === '"' || c === '\n') return k;
  }
  return text.length;
}

/** Index of the last quote of a GraphQL block string whose text starts at `k` (`\"""` is escaped). */
function endOfBlockString(text: string, k: number): number {
  for (;;) {
    const end = text.indexOf('"""', k);
    if (end === -1) return text.length;
    if (text[end - 1] !== '\\') return end + 2;
    k = end + 3;
  }
}

/** Whether a parsed JSON value holds more than `max` values (itself included), counted without recursion. */
export function holdsMoreValuesThan(value: unknown, max: number): boolean {
  const pending: unknown[] = [value];
  let count = 1;
  while (pending.length > 0) {
    const next = pending.pop();
    const children: unknown[] = Array.isArray(next)
      ? next
      : next !== null && typeof next === 'object'
        ? Object.values(next)
        : [];
    count += children.length;
    if (count > max) return true;
    for (const child of children) pending.push(child);
  }
  return false;
}
