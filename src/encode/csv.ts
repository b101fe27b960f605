import { DataType, type Data, type RecordBatch, type Schema } from 'apache-arrow';
import {
  base64Text,
  booleanText,
  exactText,
  floatText,
  integerText,
  isExactTextType,
  stringText,
  withNulls,
} from './column-text.js';
import type { TextReader } from './text-reader.js';
import { jsonWriter, type JsonValueOptions } from './json-values.js';
import { encodeRows, type RowEncodeOptions } from './rows.js';

/** `numbers` applies to the JSON text of nested values. */
export type CsvOptions = JsonValueOptions &
  RowEncodeOptions & {
    /**
     * Defuse text that a spreadsheet would run as a formula (OWASP's CSV injection advice);
     * on unless turned off.
     */
    readonly escapeFormulas?: boolean | undefined;
  };

/**
 * RFC 4180 CSV: a header row with the column names as they are, CRLF line ends, fields quoted
 * only when they hold `,`, `"`, CR or LF (quotes doubled). Null is an empty field and an
 * empty string (or binary) `""`, as Spark's own CSV writer does, so the two stay apart. Numbers are
 * exact digits, temporal values ISO-8601, binary base64, nested values their JSON text.
 * Text cells and header names that start with `=`, `+`, `-`, `@`, tab or CR get a leading `'`
 * inside a quoted field (OWASP's rule) unless `escapeFormulas` is false; numbers, dates, base64
 * and JSON text are data a spreadsheet cannot run, so a negative number stays a number.
 */
export function encodeCsv(
  schema: Schema,
  batches: AsyncIterable<RecordBatch>,
  options: CsvOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const text = options.escapeFormulas === false ? csvQuote : csvTextCell;
  const header = schema.fields.map((f) => text(f.name)).join(',');
  return encodeRows(
    batches,
    {
      head: `${header}\r\n`,
      separator: '',
      terminator: '\r\n',
      rowWriter: (batch) => csvRowWriter(batch, options, text),
      tail: () => '',
    },
    options,
  );
}

function csvRowWriter(
  batch: RecordBatch,
  options: JsonValueOptions,
  textCell: (text: string) => string,
): TextReader {
  const fields = batch.data.children.map((column) =>
    withNulls(column, fieldWriter(column, options, textCell), ''),
  );
  const n = fields.length;
  if (n === 0) return () => '';
  const first = fields[0] as TextReader;
  return (i) => {
    let text = first(i);
    for (let c = 1; c < n; c++) text += ',' + (fields[c] as TextReader)(i);
    return text;
  };
}

function fieldWriter(data: Data, options: JsonValueOptions, textCell: (text: string) => string): TextReader {
  const type: DataType = data.type;
  if (DataType.isNull(type)) return () => '';
  if (DataType.isBool(type)) return booleanText(data);
  if (DataType.isInt(type)) return integerText(data);
  if (DataType.isFloat(type)) return floatText(data, false);
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
    const text = stringText(data);
    return (i) => textCell(text(i));
  }
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) {
    const text = base64Text(data);
    return (i) => text(i) || '""';
  }
  if (isExactTextType(type)) return exactText(data);
  const json = jsonWriter(data, options);
  return (i) => csvQuote(json(i));
}

const NEEDS_QUOTES = /[",\r\n]/;

/** A field as RFC 4180 text; the empty string is quoted to tell it from null. */
export function csvQuote(text: string): string {
  if (text === '') return '""';
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Whether a spreadsheet would read a cell starting so as a formula: `=`, `+`, `-`, `@`, tab, CR. */
function startsFormula(text: string): boolean {
  const c = text.charCodeAt(0);
  return c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40 || c === 0x09 || c === 0x0d;
}

/** A text cell as {@link csvQuote} writes it, except a formula is defused: `"'=…"`. */
export function csvTextCell(text: string): string {
  return startsFormula(text) ? `"'${text.replaceAll('"', '""')}"` : csvQuote(text);
}
