/**
 * Responses as route schemas describe them for the OpenAPI document: the problems an
 * operation may answer, JSON answers and the result of a query in its four formats. Schemas
 * with an `$id` are the document's components.
 */
import { resultDocumentSchema } from './openapi-components.js';
import { FORMATS, mediaType } from './negotiate.js';
import { Problem } from './schemas.js';

const PROBLEM_WHEN: Readonly<Record<number, string>> = {
  400: 'The request or the query is invalid; `pointer` says where, `allowed` what would do.',
  401: 'No credentials, or credentials that are not valid (see WWW-Authenticate).',
  403: 'Not allowed: raw SQL off, or the credentials lack the scope, dataset or claim.',
  404: 'No such dataset, table, statement, chunk or route.',
  406: 'None of the accepted formats is offered.',
  409: 'The statement has no result yet (or failed, or was canceled).',
  410: 'The statement expired; its result is gone.',
  413: 'The request asks for more than the server sends, or its body is too large.',
  429: 'Too many requests or statements from these credentials; retry after Retry-After seconds.',
  415: 'The body is not JSON.',
  416: 'The Range asks for no byte of the representation (Content-Range gives its length).',
  422: 'Spark could not compute the result from the data (overflow, division by zero, bad cast).',
  502: "Spark failed to run the query, or refused the service's credentials.",
  503: 'Spark or a session is not available now; retry after Retry-After seconds.',
  504: 'The query did not start returning rows in time.',
};

/** The problem+json answers of these statuses. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: PROBLEM_WHEN[status] ?? 'Error',
        content: { 'application/problem+json': { schema: Problem } },
      },
    ]),
  );
}

/** A JSON answer. */
export function jsonResponse<S>(description: string, schema: S) {
  return { description, content: { 'application/json': { schema } } };
}

/** `{"status": <status>}`. */
export function statusSchema(status: string) {
  return {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', const: status } },
  } as const;
}

/** The rows of a query, in the negotiated format (streamed: documented, never serialized). */
export const RESULT_RESPONSE = {
  description:
    'The rows, in the negotiated format. Headers give the column types and the limits in force; the trailers ' +
    '`Result-Rows` and `Result-Truncated` tell how many rows were sent and whether a limit cut them (NDJSON then ' +
    'ends with a `{"@truncated":…}` line; a failure after the first row ends it with an `{"@error":…}` line and ' +
    'aborts CSV and Arrow responses).',
  headers: {
    'Result-Columns': {
      description:
        'JSON array of {name, type}: names as the JSON and NDJSON rows key them (a later duplicate ' +
        'gets a suffix, `a_2`), types as Spark names them (odd struct field names in backticks). ' +
        'Left out when it would pass 8192 bytes.',
      type: 'string',
      maxLength: 8192,
    },
    'Result-Columns-Omitted': {
      description:
        '`true` when Result-Columns was left out for its length; the JSON format’s `columns` (ask ' +
        'with `limit=0` for the columns alone) and the Arrow schema list them.',
      type: 'string',
      enum: ['true'],
    },
    'Result-Max-Rows': { description: 'The row limit of this response.', type: 'integer' },
    'Result-Max-Bytes': { description: 'The byte limit of this response’s rows.', type: 'integer' },
    'Content-Encoding': {
      description:
        'The coding of a compressed NDJSON, CSV or JSON body, as Accept-Encoding asked (zstd where the ' +
        'server’s runtime has it, br, gzip); absent when sent as is. Arrow is never compressed.',
      type: 'string',
      enum: ['zstd', 'br', 'gzip'],
    },
    Vary: {
      description:
        'Includes `Accept-Encoding` on NDJSON, CSV and JSON answers (and `Accept` on cached ones).',
      type: 'string',
    },
  },
  content: {
    [mediaType(FORMATS.ndjson)]: {
      schema: { type: 'string', description: 'One JSON object per row and line, in UTF-8.' },
    },
    [FORMATS.json]: { schema: { $id: 'ResultDocument', ...resultDocumentSchema({ type: 'object' }) } },
    [mediaType(FORMATS.csv)]: {
      schema: { type: 'string', description: 'RFC 4180, with a header row, in UTF-8.' },
    },
    [FORMATS.arrow]: {
      schema: { type: 'string', contentEncoding: 'binary', description: 'One Arrow IPC stream.' },
    },
  },
};

/** The caching headers of a dataset's result, when its dataset has a cache TTL. */
const CACHE_HEADERS = {
  ETag: {
    description:
      'Names this result in this representation (format, its options, limits, content coding), when the dataset has a cache ' +
      'TTL; the same while the result is reused. Send it back in If-None-Match to get 304 instead of the rows.',
    type: 'string',
  },
  Age: {
    description: 'Seconds since Spark produced the result, on answers reused from the cache.',
    type: 'integer',
  },
  'Cache-Control': {
    description: '`private, max-age=<seconds the result is still reused>`, when the dataset has a cache TTL.',
    type: 'string',
  },
} as const;

/** A dataset's rows: a query's result, perhaps reused within the dataset's cache TTL. */
export const CACHED_RESULT_RESPONSE = {
  ...RESULT_RESPONSE,
  description:
    `${RESULT_RESPONSE.description} Within the dataset's cache TTL an identical request (same query, parameters ` +
    'and tenant) is answered from the kept result, without Spark, byte for byte the same.',
  headers: { ...RESULT_RESPONSE.headers, ...CACHE_HEADERS },
};

/** If-None-Match named the result this request would get. */
export const NOT_MODIFIED = {
  description: 'If-None-Match names the result this request would be answered with; no body.',
  type: 'null',
  headers: CACHE_HEADERS,
} as const;
