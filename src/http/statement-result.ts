/**
 * A statement's result as HTTP representations: the whole result or one chunk, in any format,
 * encoded from the kept Arrow payloads each time it is asked for (Arrow re-framed into one IPC
 * stream, the others by the encoders). The bytes depend only on the result and the options,
 * so each representation has a strong ETag and ranges of it can be served and resumed.
 */
import { decodePayload, type ArrowPayload } from '../arrow/decode.js';
import { openArrowStream } from '../encode/arrow-ipc.js';
import { encodeCsv } from '../encode/csv.js';
import { encodeJson } from '../encode/json.js';
import { encodeNdjson } from '../encode/ndjson.js';
import { encodeStats } from '../encode/stats.js';
import { Errors, withExtras } from '../errors/catalogue.js';
import type { ResultSource } from '../service/statements/result-source.js';
import type { StatementRecord } from '../service/statements/statement.js';
import { limitPayloads } from './arrow-limits.js';
import type { Format } from './negotiate.js';

export interface EncodingOptions {
  readonly format: Format;
  readonly numbers: boolean;
  readonly escapeFormulas: boolean;
}

export interface Representation {
  readonly etag: string;
  /** The bytes, encoded afresh at each call. */
  body(signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

/** The whole result (`chunk` undefined) or one chunk of a statement that SUCCEEDED. */
export function representation(
  record: StatementRecord,
  source: ResultSource,
  chunk: number | undefined,
  options: EncodingOptions,
): Representation {
  const manifest = record.manifest;
  if (manifest === undefined) throw new Error(`statement ${record.id} has no manifest`);
  const chunks = manifest.chunks;
  let from = 0;
  let to = chunks.length;
  let maxRows = manifest.totalRows;
  if (chunk !== undefined) {
    const listed = chunks.find((c) => c.index === chunk);
    if (listed === undefined) {
      const range = chunks.length === 0 ? 'no chunks' : `chunks 0 to ${chunks.length - 1}`;
      throw withExtras(
        new Errors.ChunkNotFound(`statement "${record.id}" has ${range}, not chunk ${chunk}`),
        {
          pointer: '/index',
        },
      );
    }
    [from, to, maxRows] = [chunk, chunk + 1, listed.rowCount];
  }
  const { format, numbers, escapeFormulas } = options;
  const variant =
    format === 'csv' ? `e${Number(escapeFormulas)}` : format === 'arrow' ? '' : `n${Number(numbers)}`;
  const etag = `"${record.id}.${chunk ?? 'all'}.${format}${variant}"`;
  const limits = { maxRows, maxBytes: Infinity };
  return {
    etag,
    body(signal) {
      const payloads = source.payloads({ from, to, ...(signal === undefined ? {} : { signal }) });
      const stats = encodeStats();
      const rows = { ...limits, stats, numbers };
      switch (format) {
        case 'arrow':
          return arrowBody(limitPayloads(payloads, limits, stats));
        case 'ndjson':
          return encodeNdjson(batches(payloads), rows);
        case 'csv':
          return encodeCsv(source.schema, batches(payloads), { ...rows, escapeFormulas });
        case 'json':
          return encodeJson(source.schema, batches(payloads), rows);
      }
    },
  };
}

async function* arrowBody(
  payloads: AsyncIterable<ArrowPayload>,
): AsyncGenerator<Uint8Array, void, undefined> {
  yield* (await openArrowStream(payloads)).chunks;
}

async function* batches(payloads: AsyncIterable<ArrowPayload>) {
  for await (const payload of payloads) yield* decodePayload(payload).batches;
}

/** Lengths of representations already encoded once, by ETag. */
const lengths = new Map<string, number>();
const MAX_LENGTHS = 10_000;

/** The length in bytes of a representation: remembered, or counted by encoding it once. */
export async function lengthOf(rep: Representation, signal?: AbortSignal): Promise<number> {
  const known = lengths.get(rep.etag);
  if (known !== undefined) return known;
  let length = 0;
  for await (const chunk of rep.body(signal)) length += chunk.byteLength;
  if (lengths.size >= MAX_LENGTHS) lengths.delete(lengths.keys().next().value ?? '');
  lengths.set(rep.etag, length);
  return length;
}
