/** Content types of the encoders' output, for the HTTP layer's negotiation and headers. */
/** UTF-8, said outright: without a charset some clients guess another one. */
export const NDJSON_CONTENT_TYPE = 'application/x-ndjson; charset=utf-8';
export const JSON_CONTENT_TYPE = 'application/json';
/** RFC 4180 with the header row (RFC 4180 §3 `header=present`); UTF-8 without a byte-order mark. */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';
export const ARROW_STREAM_CONTENT_TYPE = 'application/vnd.apache.arrow.stream';
