import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  Date_,
  DateUnit,
  Decimal,
  Float32,
  Float64,
  Int64,
  TimeUnit,
  Timestamp,
  Utf8,
  vectorFromArray,
  type RecordBatch,
} from 'apache-arrow';
import { formatDate, formatDecimal, formatTimestamp } from '../../../src/arrow/temporal.js';
import { encodeCsv } from '../../../src/encode/csv.js';
import { encodeNdjson } from '../../../src/encode/ndjson.js';
import { parseCsv } from '../../helpers/csv-parser.js';
import { batchOf, column, decimalWords, from, text } from './fixtures.js';

async function ndjsonValues(batch: RecordBatch, numbers = false): Promise<unknown[]> {
  const output = await text(encodeNdjson(from(batch), { numbers }));
  return output
    .split('\n')
    .slice(0, -1)
    .map((line) => Object.values(JSON.parse(line) as object)[0] as unknown);
}

/** What a JS string is after a trip through UTF-8 (lone surrogates become U+FFFD). */
function utf8(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

const SPARK_MICROS = { min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n };

describe('encoders on random values', () => {
  it('round-trip any string, and any column name, through NDJSON and JSON.parse', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary' }),
        fc.array(fc.option(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary-ascii' })))),
        async (name, values) => {
          const batch = batchOf([[name || 'x', vectorFromArray(values, new Utf8()).data[0]!]]);
          const output = await text(encodeNdjson(from(batch)));
          const rows = output
            .split('\n')
            .slice(0, -1)
            .map((line) => JSON.parse(line) as unknown);
          assert.deepEqual(
            rows,
            values.map((v) => ({ [utf8(name || 'x')]: v === null ? null : utf8(v) })),
          );
        },
      ),
    );
  });

  it('round-trip any string through CSV, telling empty strings from nulls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.option(
            fc.oneof(
              fc.string({ unit: 'binary' }),
              fc.constantFrom('', ',', '"', '\r\n', '\n', '=1+1', '-2', '@x', '\t=x', '\r=x', '+"a"'),
            ),
          ),
          {
            minLength: 1,
          },
        ),
        async (values) => {
          const batch = batchOf([['s', vectorFromArray(values, new Utf8()).data[0]!]]);
          const raw = parseCsv(await text(encodeCsv(batch.schema, from(batch), { escapeFormulas: false })));
          assert.deepEqual(raw, [['s'], ...values.map((v) => [v === null ? null : utf8(v)])]);
          // Defused, a formula reads back with a leading quote, and no field starts like one.
          const defused = parseCsv(await text(encodeCsv(batch.schema, from(batch))));
          assert.deepEqual(defused, [
            ['s'],
            ...values.map((v) => [
              v === null ? null : /^[=+\-@\t\r]/.test(utf8(v)) ? `'${utf8(v)}` : utf8(v),
            ]),
          ]);
        },
      ),
    );
  });

  it('write doubles that read back exactly, and non-finite ones as strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double()), async (values) => {
        const batch = batchOf([['d', column(new Float64(), Float64Array.from(values), values.length)]]);
        const parsed = await ndjsonValues(batch);
        assert.deepEqual(
          parsed,
          values.map((v) => (Number.isFinite(v) ? v : String(v))),
        );
      }),
    );
  });

  it('write floats as the shortest text that reads back as the same float', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true })), async (values) => {
        const batch = batchOf([['f', column(new Float32(), Float32Array.from(values), values.length)]]);
        const parsed = (await ndjsonValues(batch)) as number[];
        parsed.forEach((p, i) => {
          const v = values[i]!;
          assert.equal(Math.fround(p), v);
          assert.ok(String(p).length <= String(v).length);
        });
      }),
    );
  });

  it('write every long exactly, as a string or as a number', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), async (values) => {
        const batch = batchOf([['l', column(new Int64(), BigInt64Array.from(values), values.length)]]);
        assert.deepEqual(
          await ndjsonValues(batch),
          values.map((v) => v.toString()),
        );
        const output = await text(encodeNdjson(from(batch), { numbers: true }));
        assert.equal(output, values.map((v) => `{"l":${v}}\n`).join(''));
      }),
    );
  });

  it('write decimals of any precision and scale as formatDecimal does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 38 }),
        fc.array(
          fc.oneof(
            fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }),
            fc.bigInt({ min: -(2n ** 54n), max: 2n ** 54n }),
          ),
        ),
        async (scale, values) => {
          const batch = batchOf([
            ['d', column(new Decimal(scale, 38, 128), decimalWords(values), values.length)],
          ]);
          assert.deepEqual(
            await ndjsonValues(batch),
            values.map((v) => formatDecimal(v, scale)),
          );
        },
      ),
    );
  });

  it('write timestamps and dates as arrow/temporal.ts does, over Spark’s whole range', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.bigInt(SPARK_MICROS), fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }))),
        fc.array(fc.integer({ min: -719_162, max: 2_932_896 })),
        async (micros, days) => {
          const n = micros.length;
          const instants = batchOf([
            ['ts', column(new Timestamp(TimeUnit.MICROSECOND, 'UTC'), BigInt64Array.from(micros), n)],
          ]);
          const local = batchOf([
            ['ts', column(new Timestamp(TimeUnit.MICROSECOND), BigInt64Array.from(micros), n)],
          ]);
          const dates = batchOf([['d', column(new Date_(DateUnit.DAY), Int32Array.from(days), days.length)]]);
          assert.deepEqual(
            await ndjsonValues(instants),
            micros.map((m) => formatTimestamp(m, true)),
          );
          assert.deepEqual(
            await ndjsonValues(local),
            micros.map((m) => formatTimestamp(m, false)),
          );
          assert.deepEqual(
            await ndjsonValues(dates),
            days.map((d) => formatDate(d)),
          );
        },
      ),
    );
  });
});
