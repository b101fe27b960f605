import Negotiator from 'negotiator';
import {
  ARROW_STREAM_CONTENT_TYPE,
  CSV_CONTENT_TYPE,
  JSON_CONTENT_TYPE,
  NDJSON_CONTENT_TYPE,
} from '../encode/content-types.js';
import { Errors, withExtras } from '../errors/catalogue.js';

/** The result formats, by their `format` name, with the media type that selects them. */
export const FORMATS = {
  ndjson: NDJSON_CONTENT_TYPE,
  json: JSON_CONTENT_TYPE,
  csv: CSV_CONTENT_TYPE,
  arrow: ARROW_STREAM_CONTENT_TYPE,
} as const;
export type Format = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as Format[];

/** A content type without its parameters. */
export function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim();
}

const MEDIA_TYPES = FORMAT_NAMES.map((f) => mediaType(FORMATS[f]));

/**
 * The format of a response: `?format=` wins, else the best match of the Accept header (NDJSON
 * for none or any). Anything else is a 406 listing what is offered.
 */
export function negotiate(format: string | undefined, accept: string | undefined): Format {
  if (format !== undefined) {
    if ((FORMAT_NAMES as string[]).includes(format)) return format as Format;
    throw withExtras(new Errors.NotAcceptable(`format "${format}" is not offered`), {
      pointer: '/format',
      allowed: FORMAT_NAMES,
    });
  }
  if (accept === undefined || accept.trim() === '') return 'ndjson';
  const [best] = new Negotiator({ headers: { accept: withoutParameters(accept) } }).mediaTypes(MEDIA_TYPES);
  const index = best === undefined ? -1 : MEDIA_TYPES.indexOf(best);
  if (index === -1) {
    throw withExtras(new Errors.NotAcceptable(`none of the accepted types is offered: ${accept}`), {
      allowed: MEDIA_TYPES,
    });
  }
  return FORMAT_NAMES[index] ?? 'ndjson';
}

/**
 * The Accept header with each media range's parameters dropped but its weight (`q`), so
 * `text/csv; charset=utf-8` or `application/x-ndjson; charset=utf-8` selects its format.
 */
function withoutParameters(accept: string): string {
  return accept
    .split(',')
    .map((range) => {
      const [type = '', ...parameters] = range.split(';');
      const weight = parameters.map((p) => p.trim()).find((p) => /^q=/i.test(p));
      return weight === undefined ? type.trim() : `${type.trim()};${weight}`;
    })
    .join(',');
}
