/** Catalogue errors as RFC 9457 problem details: the body of every HTTP error response. */
import { PROBLEM_TITLES, type CatalogueError, type Problem } from './catalogue.js';

/** The problem body of a catalogue error; 5xx bodies carry nothing internal. */
export function toProblem(err: CatalogueError): Problem {
  const status = err.statusCode;
  return {
    type: `urn:spark-data-api:error:${err.code.toLowerCase()}`,
    title: PROBLEM_TITLES[status] ?? 'Error',
    status,
    code: err.code,
    detail: status === 500 ? 'Internal error' : err.message,
    ...(err.pointer === undefined ? {} : { pointer: err.pointer }),
    ...(err.allowed === undefined ? {} : { allowed: err.allowed }),
    ...(err.errorClass === undefined ? {} : { errorClass: err.errorClass }),
    ...(err.sqlState === undefined ? {} : { sqlState: err.sqlState }),
    ...(err.retryAfter === undefined ? {} : { retryAfter: err.retryAfter }),
  };
}
