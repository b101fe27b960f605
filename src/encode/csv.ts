import { isUtf8 } from 'node:buffer';
import { DataType, type Data, type RecordBatch, type Schema } from 'apache-arrow';
import type { ByteSink } from './byte-sink.js';
import {
  asciiWriter,
  exactWriter,
  floatWriter,
  integerWriter,
  withNullBytes,
  type ByteWriter,
} from './column-bytes.js';
import { base64Text, booleanText, isExactTextType, stringText } from './column-text.js';
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
      rowWriter: (batch, sink) => csvRowWriter(batch, sink, options, text),
      tail: () => '',
    },
    options,
  );
}

const COMMA = 0x2c;
const EMPTY = new Uint8Array(0);

function csvRowWriter(
  batch: RecordBatch,
  sink: ByteSink,
  options: JsonValueOptions,
  textCell: (text: string) => string,
): ByteWriter {
  const fields = batch.data.children.map((column) =>
    withNullBytes(column, fieldWriter(column, sink, options, textCell), sink, EMPTY),
  );
  const n = fields.length;
  const first = fields[0];
  if (first === undefined) return () => undefined;
  return (i) => {
    first(i);
    for (let c = 1; c < n; c++) {
      sink.byte(COMMA);
      (fields[c] as ByteWriter)(i);
    }
  };
}

function fieldWriter(
  data: Data,
  sink: ByteSink,
  options: JsonValueOptions,
  textCell: (text: string) => string,
): ByteWriter {
  const type: DataType = data.type;
  if (DataType.isNull(type)) return () => undefined;
  if (DataType.isBool(type)) return asciiWriter(booleanText(data), sink, false);
  if (DataType.isInt(type)) return integerWriter(data, sink, false);
  if (DataType.isFloat(type)) return floatWriter(data, sink, false);
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type)) {
    const plain = plainStringWriter(data, sink, textCell);
    if (plain !== undefined) return plain;
    const text = stringText(data);
    return (i) => {
      sink.text(textCell(text(i)));
    };
  }
  if (DataType.isBinary(type) || DataType.isLargeBinary(type)) {
    const text = base64Text(data);
    return (i) => {
      sink.ascii(text(i) || '""');
    };
  }
  if (isExactTextType(type)) return exactWriter(data, sink, false);
  const json = jsonWriter(data, options);
  return (i) => {
    sink.text(csvQuote(json(i)));
  };
}

/**
 * Strings of a chunk whose bytes are valid UTF-8 without a comma, quote or line break: each is
 * its own field, copied as it is, except the empty string (`""`) and, when formulas are
 * defused, a value starting like one (through `textCell`).
 */
function plainStringWriter(
  data: Data,
  sink: ByteSink,
  textCell: (text: string) => string,
): ByteWriter | undefined {
  if (!DataType.isUtf8(data.type)) return undefined;
  const bytes = data.values as Uint8Array;
  const offsets = data.valueOffsets as Int32Array;
  const start = offsets[0] ?? 0;
  const end = offsets[data.length] ?? 0;
  for (let k = start; k < end; k++) {
    const b = bytes[k] as number;
    if (b === 0x22 || b === 0x2c || b === 0x0d || b === 0x0a) return undefined;
  }
  if (!isUtf8(bytes.subarray(start, end))) return undefined;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const defuse = textCell === csvTextCell;
  return (i) => {
    const from = offsets[i] ?? 0;
    const to = offsets[i + 1] ?? 0;
    if (from === to) sink.ascii('""');
    else if (defuse && startsFormula(bytes[from] as number))
      sink.text(textCell(buffer.toString('utf8', from, to)));
    else sink.copy(bytes, from, to);
  };
}

const NEEDS_QUOTES = /[",\r\n]/;

/** A field as RFC 4180 text; the empty string is quoted to tell it from null. */
export function csvQuote(text: string): string {
  if (text === '') return '""';
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Whether a spreadsheet would read a cell starting so as a formula: `=`, `+`, `-`, `@`, tab, CR. */
function startsFormula(c: number): boolean {
  return c === 0x3d || c === 0x2b || c === 0x2d || c === 0x40 || c === 0x09 || c === 0x0d;
}

/** A text cell as {@link csvQuote} writes it, except a formula is defused: `"'=…"`. */
export function csvTextCell(text: string): string {
  return startsFormula(text.charCodeAt(0)) ? `"'${text.replaceAll('"', '""')}"` : csvQuote(text);
}
