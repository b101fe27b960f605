/**
 * Conditional and partial requests of a stored representation (RFC 9110): its strong ETag,
 * `If-None-Match`, and one `Range` of bytes honoured unless `If-Range` names another version.
 */
import { Errors, withExtras } from '../errors/catalogue.js';

/** Bytes `start` to `end` (exclusive) of a representation. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** The headers of a request that decide between 200, 206 and 304. */
export interface ConditionalHeaders {
  readonly range?: string | undefined;
  readonly 'if-range'?: string | undefined;
  readonly 'if-none-match'?: string | undefined;
}

/** The request already has this version: `If-None-Match` lists its ETag (or `*`). */
export function notModified(headers: ConditionalHeaders, etag: string): boolean {
  const header = headers['if-none-match'];
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

/** The request asks for part of the representation: it has a Range that If-Range does not void. */
export function wantsRange(headers: ConditionalHeaders, etag: string): boolean {
  if (headers.range === undefined) return false;
  const ifRange = headers['if-range'];
  // A date, or another (or a weak) tag: the client's copy is not this one; send it whole.
  return ifRange === undefined || ifRange.trim() === etag;
}

const RANGE = /^bytes=(\d*)-(\d*)$/;
const HOW = 'send one range of bytes: "bytes=<first>-<last>", "bytes=<first>-" or "bytes=-<suffix length>"';

/**
 * The one range of bytes a `Range` header asks of a representation of `length` bytes. A header
 * this service cannot read is a 400 saying what to send; a range that starts past the end is a
 * 416 telling the length.
 */
export function parseRange(header: string, length: number): ByteRange {
  const match = RANGE.exec(header.replace(/\s+/g, ''));
  const [, first = '', last = ''] = match ?? [];
  if (match === null || (first === '' && last === '')) {
    throw withExtras(new Errors.RequestInvalid(`Range "${header}" is not understood: ${HOW}`), {
      pointer: '/headers/range',
    });
  }
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || length === 0) throw unsatisfiable(header, length);
    return { start: Math.max(0, length - suffix), end: length };
  }
  const start = Number(first);
  const end = last === '' ? Infinity : Number(last) + 1;
  if (end <= start) {
    throw withExtras(new Errors.RequestInvalid(`Range "${header}" ends before it starts: ${HOW}`), {
      pointer: '/headers/range',
    });
  }
  if (start >= length) throw unsatisfiable(header, length);
  return { start, end: Math.min(end, length) };
}

function unsatisfiable(header: string, length: number) {
  return new Errors.RangeNotSatisfiable(
    `Range "${header}" asks for no byte of this representation, which has ${length} bytes`,
  );
}

/** The `Content-Range` of a partial answer. */
export function contentRange(range: ByteRange, length: number): string {
  return `bytes ${range.start}-${range.end - 1}/${length}`;
}

/** Only bytes `start` to `end` (exclusive) of a stream of chunks. */
export async function* sliceBytes(
  chunks: AsyncIterable<Uint8Array>,
  range: ByteRange,
): AsyncGenerator<Uint8Array, void, undefined> {
  let offset = 0;
  for await (const chunk of chunks) {
    const next = offset + chunk.byteLength;
    if (next > range.start) {
      yield chunk.subarray(Math.max(0, range.start - offset), Math.min(chunk.byteLength, range.end - offset));
    }
    offset = next;
    if (offset >= range.end) return;
  }
}
