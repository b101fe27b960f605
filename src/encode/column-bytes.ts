/**
 * Writers that put the bytes of a column chunk's values straight into a `ByteSink`, digit by
 * digit where the text is a number or a time: the same text as column-text.ts's readers, which
 * stay the definition, without a string per value. Shared by the JSON and CSV encoders.
 */
import { DataType, Precision, TimeUnit, type Data } from 'apache-arrow';
import { utf8Bytes, type ByteSink } from './byte-sink.js';
import { exactText, floatText } from './column-text.js';
import type { TextReader } from './text-reader.js';
import { dateText } from './temporal-text.js';

/** Writes row `i`'s text into the sink the writer was made for. */
export type ByteWriter = (i: number) => void;

const QUOTE = 0x22;

/** Null rows get `nullBytes`; the others are written by `write` (which alone writes a null type's rows). */
export function withNullBytes(
  data: Data,
  write: ByteWriter,
  sink: ByteSink,
  nullBytes: Uint8Array,
): ByteWriter {
  const bitmap = data.nullBitmap as Uint8Array | undefined;
  if (bitmap === undefined || data.nullCount === 0 || bitmap.length === 0) return write;
  const o = data.offset;
  const n = nullBytes.length;
  return (i) => {
    const bit = o + i;
    if (((bitmap[bit >> 3] ?? 0) & (1 << (bit & 7))) !== 0) write(i);
    else sink.copy(nullBytes, 0, n);
  };
}

/** Text known to be ASCII (numbers, ISO-8601, base64), quoted or not. */
export function asciiWriter(text: TextReader, sink: ByteSink, quoted: boolean): ByteWriter {
  if (!quoted) {
    return (i) => {
      sink.ascii(text(i));
    };
  }
  return (i) => {
    sink.byte(QUOTE);
    sink.ascii(text(i));
    sink.byte(QUOTE);
  };
}

/** Integers of any width; 64-bit ones within ±2^53 digit by digit, beyond through BigInt's text. */
export function integerWriter(data: Data, sink: ByteSink, quoted: boolean): ByteWriter {
  const type = data.type as DataType & { bitWidth: number; isSigned: boolean };
  if (type.bitWidth < 64) {
    const values = data.values as Int32Array | Uint32Array;
    return (i) => {
      writeInteger(sink, values[i] ?? 0);
    };
  }
  return longWriter(data, sink, quoted);
}

/**
 * Floats and doubles as `floatText` writes them. Doubles other than zeros and non-finite ones
 * get their text from one `JSON.stringify` of a window of values, whose numbers are by
 * definition the text `String` gives, and each row copies its part. One string per window
 * instead of one per value: V8 makes the string of each `String(double)` in its old space (for
 * its number-string cache), where it stays until the next full collection, so a stream of
 * doubles grew the heap by tens of megabytes a second; and the window is faster too.
 */
export function floatWriter(data: Data, sink: ByteSink, quoteNonFinite: boolean): ByteWriter {
  const text = asciiWriter(floatText(data, quoteNonFinite), sink, false);
  if ((data.type as DataType & { precision: Precision }).precision !== Precision.DOUBLE) return text;
  return doubleWriter(data.values as Float64Array, data.length, sink, text);
}

/** How many doubles one `JSON.stringify` turns into text: a string of about 50 KB. */
const DOUBLE_WINDOW = 2048;
/** The window's values; filled and read synchronously, so every writer can share it. */
const doubleWindow: number[] = new Array<number>(DOUBLE_WINDOW).fill(0.5);

/**
 * `values` in order as their shortest text, `zeroOrNotFinite` writing those it does not. Rows
 * are read in ascending order; another order is right too, only slower.
 */
function doubleWriter(
  values: Float64Array,
  length: number,
  sink: ByteSink,
  zeroOrNotFinite: ByteWriter,
): ByteWriter {
  /** `[v,v,…]` of rows `first` to `last` (exclusive). */
  let text = '';
  let first = 0;
  let last = 0;
  /** Where in `text` the value of row `row` starts. */
  let row = 0;
  let at = 0;
  return (i) => {
    if (i < first || i >= last) {
      const n = Math.min(DOUBLE_WINDOW, length - i);
      const window = n === DOUBLE_WINDOW ? doubleWindow : new Array<number>(n);
      for (let k = 0; k < n; k++) window[k] = values[i + k] ?? 0;
      text = JSON.stringify(window);
      first = row = i;
      last = i + n;
      at = 1;
    } else if (i < row) {
      row = first;
      at = 1;
    }
    for (; row < i; row++) at = text.indexOf(',', at) + 1;
    let end = text.indexOf(',', at);
    if (end === -1) end = text.length - 1;
    const c = text.charCodeAt(at);
    // `null` is NaN or an infinity; `0` is either zero.
    if (c === 0x6e || (c === 0x30 && end === at + 1)) zeroOrNotFinite(i);
    else sink.asciiRange(text, at, end);
  };
}

/**
 * Decimals, dates, times, timestamps and intervals: `exactText`'s ASCII text, written digit
 * by digit for 128-bit decimals and microsecond timestamps.
 */
export function exactWriter(data: Data, sink: ByteSink, quoted: boolean): ByteWriter {
  const type: DataType = data.type;
  if (DataType.isDecimal(type) && type.bitWidth === 128) return decimalWriter(data, sink, quoted);
  if (DataType.isTimestamp(type) && type.unit === TimeUnit.MICROSECOND)
    return timestampWriter(data, sink, quoted);
  return asciiWriter(exactText(data), sink, quoted);
}

function longWriter(data: Data, sink: ByteSink, quoted: boolean): ByteWriter {
  const values = data.values as BigInt64Array | BigUint64Array;
  const signed = (data.type as DataType & { isSigned: boolean }).isSigned;
  const high = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const low = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const limit = 0x200000;
  return (i) => {
    if (quoted) sink.byte(QUOTE);
    const h = signed ? (high[2 * i + 1] ?? 0) : (low[2 * i + 1] ?? 0);
    if (h >= -limit && h < limit) writeInteger(sink, h * 0x100000000 + (low[2 * i] ?? 0));
    else sink.ascii(String(values[i]));
    if (quoted) sink.byte(QUOTE);
  };
}

const POWERS_OF_TEN = Array.from({ length: 39 }, (_, n) => 10 ** n);

/**
 * Decimal128 as `formatDecimal` writes it, digit by digit when the
 * unscaled value is within ±2^53 (nearly always), else through its text.
 */
function decimalWriter(data: Data, sink: ByteSink, quoted: boolean): ByteWriter {
  const words = data.values as Uint32Array;
  const signed = new Int32Array(words.buffer, words.byteOffset, words.length);
  const scale = (data.type as DataType & { scale: number }).scale;
  const text = exactText(data);
  const unit = POWERS_OF_TEN[scale] ?? Infinity;
  return (i) => {
    if (quoted) sink.byte(QUOTE);
    const at = i * 4;
    const high = signed[at + 1] ?? 0;
    const top = high < 0 ? -1 : 0;
    if (
      scale <= 38 &&
      high >= -0x200000 &&
      high < 0x200000 &&
      signed[at + 2] === top &&
      signed[at + 3] === top
    ) {
      let unscaled = high * 0x100000000 + (words[at] ?? 0);
      if (unscaled < 0) {
        sink.byte(0x2d); // -
        unscaled = -unscaled;
      }
      if (scale === 0) {
        writeInteger(sink, unscaled);
      } else {
        let whole = Math.floor(unscaled / unit);
        let fraction = unscaled - whole * unit;
        if (fraction < 0) {
          // The division rounded up to the next whole number.
          whole -= 1;
          fraction += unit;
        }
        writeInteger(sink, whole);
        sink.byte(0x2e); // .
        writeDigits(sink, fraction, scale);
      }
    } else {
      sink.ascii(text(i));
    }
    if (quoted) sink.byte(QUOTE);
  };
}

const MICROS_PER_DAY = 86_400_000_000;

/**
 * Microsecond timestamps as `temporalText` writes them, `YYYY-MM-DDTHH:MM:SS[.ffffff][Z]`, the
 * time digit by digit and the date's bytes kept while rows stay on one day; beyond ±2^53 µs
 * through its text.
 */
function timestampWriter(data: Data, sink: ByteSink, quoted: boolean): ByteWriter {
  const type = data.type as DataType & { timezone?: string | null };
  const instant = type.timezone != null && type.timezone !== '';
  const values = data.values as BigInt64Array;
  const high = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const low = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const text = exactText(data);
  let lastDay = NaN;
  let date: Uint8Array = new Uint8Array(0);
  return (i) => {
    if (quoted) sink.byte(QUOTE);
    const h = high[2 * i + 1] ?? 0;
    if (h < -0x200000 || h >= 0x200000) {
      sink.ascii(text(i));
    } else {
      const micros = h * 0x100000000 + (low[2 * i] ?? 0);
      const day = Math.floor(micros / MICROS_PER_DAY);
      if (day !== lastDay) {
        lastDay = day;
        date = utf8Bytes(dateText(day));
      }
      sink.copy(date, 0, date.length);
      const ofDay = micros - day * MICROS_PER_DAY;
      const seconds = Math.floor(ofDay / 1_000_000);
      let fraction = ofDay - seconds * 1_000_000;
      sink.byte(0x54); // T
      writeDigits(sink, Math.floor(seconds / 3600), 2);
      sink.byte(0x3a);
      writeDigits(sink, Math.floor(seconds / 60) % 60, 2);
      sink.byte(0x3a);
      writeDigits(sink, seconds % 60, 2);
      if (fraction !== 0) {
        let digits = 6;
        while (fraction % 10 === 0) {
          fraction /= 10;
          digits--;
        }
        sink.byte(0x2e);
        writeDigits(sink, fraction, digits);
      }
      if (instant) sink.byte(0x5a); // Z
    }
    if (quoted) sink.byte(QUOTE);
  };
}

/** A safe integer's decimal digits, with `-` when negative. */
export function writeInteger(sink: ByteSink, value: number): void {
  let v = value;
  if (v < 0) {
    sink.byte(0x2d);
    v = -v;
  }
  let digits = 1;
  while (digits < 17 && v >= (POWERS_OF_TEN[digits] as number)) digits++;
  writeDigits(sink, v, digits);
}

/**
 * A non-negative safe integer in exactly `digits` digits, zero-padded on the left: with
 * 32-bit integer arithmetic once it fits, which is much cheaper than a double's division.
 */
function writeDigits(sink: ByteSink, value: number, digits: number): void {
  sink.reserve(digits);
  const buf = sink.buf;
  const first = sink.pos;
  let at = first + digits;
  sink.pos = at;
  let v = value;
  while (v > 0x7fffffff) {
    const q = Math.floor(v / 10);
    buf[--at] = 0x30 + (v - q * 10);
    v = q;
  }
  let small = v | 0;
  while (at > first) {
    const q = (small / 10) | 0;
    buf[--at] = 0x30 + small - q * 10;
    small = q;
  }
}
