/** What a caller may be told of a Spark error without the internals that follow its first line. */
import type { SparkError } from '../spark/errors.js';

/**
 * Message parameters whose values say nothing about a dataset's definition, its data or its
 * row filters: types, settings, function names, sizes. Spark fills its messages from these,
 * so a message whose parameters are all here carries no internals.
 */
const SAFE_PARAMETERS = new Set([
  'config',
  'ansiConfig',
  'sourceType',
  'targetType',
  'dataType',
  'inputType',
  'requiredType',
  'left',
  'right',
  'precision',
  'scale',
  'indexValue',
  'arraySize',
  'alternative',
  'func',
  'functionName',
]);

/** Parameters safe for one error class only. */
const SAFE_FOR_CLASS: Readonly<Record<string, readonly string[]>> = {
  // Java's own words: "long overflow", "integer overflow".
  ARITHMETIC_OVERFLOW: ['message'],
  // The text a query raised on purpose, for its caller.
  USER_RAISED_EXCEPTION: ['errorMessage'],
};

/** Where Spark's first line stops saying what went wrong and starts pointing into the plan. */
const TAIL = /\s*SQLSTATE: [0-9A-Z]{5}.*$|;\s*line \d+ pos \d+;?.*$/;
const POSITION = /line (\d+),? pos (\d+)/;

export interface SparkDetail {
  readonly detail: string;
  /** The part of the request at fault, when the caller's own SQL is. */
  readonly pointer?: string | undefined;
}

/**
 * What a caller is told of a Spark error: never the analysed plan, the dataset's SQL, setup
 * views or row filter values that follow Spark's first line (the log keeps them). The first
 * line itself, minus its SQLSTATE tail, is told when the SQL is the caller's own (`callerSql`),
 * or when every value Spark filled into it is harmless; otherwise `what` and the error class.
 */
export function sparkDetail(err: SparkError, what: string, callerSql: boolean): SparkDetail {
  const raw = err.message.trim().split('\n', 1)[0] ?? '';
  const line = raw.replace(TAIL, '').trim();
  if (callerSql && line !== '') {
    const at = POSITION.exec(raw);
    return at === null
      ? { detail: line, pointer: '/sql' }
      : { detail: `${line} (line ${at[1]}, position ${at[2]} of the SQL)`, pointer: '/sql' };
  }
  if (line !== '' && harmless(err)) return { detail: line };
  return { detail: `${what} (${err.errorClass ?? 'no error class'}); the service's log has Spark's message` };
}

/** Spark's message is its error class's template filled with parameters known to be safe. */
function harmless(err: SparkError): boolean {
  if (err.errorClass === undefined || err.detailsTruncated) return false;
  const forClass = SAFE_FOR_CLASS[err.errorClass] ?? [];
  return Object.keys(err.messageParameters).every(
    (name) => SAFE_PARAMETERS.has(name) || forClass.includes(name),
  );
}
