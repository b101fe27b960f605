/** Sending an open result over HTTP in the negotiated format, within its limits. */
import { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { openArrowStream } from '../encode/arrow-ipc.js';
import { ChunkPool } from '../encode/chunk-pool.js';
import { encodeCsv } from '../encode/csv.js';
import { encodeJson } from '../encode/json.js';
import { encodeNdjson, ndjsonLine } from '../encode/ndjson.js';
import { encodeStats, type EncodeStats } from '../encode/stats.js';
import { observeResult } from './observability.js';
import type { ResponseLimits } from '../service/limits.js';
import type { OpenResult } from '../service/open-result.js';
import { limitPayloads } from './arrow-limits.js';
import { FORMATS, type Format } from './negotiate.js';
import { toProblem } from '../errors/problem.js';
import { toCatalogueError } from '../errors/to-catalogue.js';
import { resultColumnsHeader } from './result-columns.js';
import { addVary } from './cache-headers.js';
import { compressStream, compressWhole } from './compress.js';
import { PooledBody } from './pooled-body.js';
import type { Coding } from './content-coding.js';

export interface RespondOptions {
  readonly format: Format;
  readonly limits: ResponseLimits;
  /** Longs and decimals as JSON numbers instead of exact strings. */
  readonly numbers: boolean;
  /** CSV: defuse text cells that start like spreadsheet formulas. */
  readonly escapeFormulas: boolean;
  /** Deadline of the request, to name a timeout as such in a closing line. */
  readonly timeoutMs: number;
  /**
   * The content coding negotiated for a text format, and whether the client takes identity too
   * (small JSON answers are then sent as they are); absent where nothing is compressed.
   */
  readonly compression?: { readonly coding: Coding; readonly identityAccepted: boolean } | undefined;
}

/** JSON answers smaller than this are sent uncompressed when the client accepts that. */
const MIN_COMPRESSED_JSON_BYTES = 1024;

/**
 * Sends an open result: headers first (format, column types, limits), then the rows, pulled
 * by the socket. JSON is built whole within its limits so any error still gets a status;
 * streamed formats report a limit that cut them in trailers (and NDJSON in a last line), and a
 * failure after the headers by a last NDJSON line or by aborting the connection.
 */
export async function sendResult(
  reply: FastifyReply,
  result: OpenResult,
  options: RespondOptions,
): Promise<void> {
  const { format, limits } = options;
  const stats = encodeStats();
  const compression = options.compression;
  if (compression !== undefined) addVary(reply, 'accept-encoding');
  const coding = compression?.coding ?? 'identity';
  // The bytes metric counts the body as sent: compressed when it is.
  const sent: EncodeStats =
    coding === 'identity'
      ? stats
      : {
          get rows() {
            return stats.rows;
          },
          get truncated() {
            return stats.truncated;
          },
          bytes: 0,
        };
  observeResult(reply, format, sent);
  reply.header('content-type', FORMATS[format]);
  const columns = resultColumnsHeader(result.schema);
  if (columns === undefined) reply.header('result-columns-omitted', 'true');
  else reply.header('result-columns', columns);
  reply.header('result-max-rows', String(limits.maxRows));
  reply.header('result-max-bytes', String(limits.maxBytes));

  if (format === 'json') {
    const chunks: Uint8Array[] = [];
    for await (const chunk of encodeJson(result.schema, result.batches, {
      ...limits,
      stats,
      numbers: options.numbers,
    })) {
      chunks.push(chunk);
    }
    reply.header('result-rows', String(stats.rows)).header('result-truncated', String(stats.truncated));
    const json = Buffer.concat(chunks);
    if (
      coding === 'identity' ||
      (json.byteLength < MIN_COMPRESSED_JSON_BYTES && compression?.identityAccepted === true)
    ) {
      sent.bytes = json.byteLength;
      return reply.send(json);
    }
    const body = await compressWhole(json, coding);
    sent.bytes = body.byteLength;
    return reply.header('content-encoding', coding).send(body);
  }

  reply.trailer('result-rows', () => Promise.resolve(String(stats.rows)));
  reply.trailer('result-truncated', () => Promise.resolve(String(stats.truncated)));
  if (format === 'arrow') {
    const arrow = await openArrowStream(limitPayloads(result.payloads, limits, stats), { stats });
    return reply.send(Readable.from(arrow.chunks, { objectMode: false, highWaterMark: 1 }));
  }
  // Text is written into buffers of this response's own, used again once sent.
  const buffers = new ChunkPool();
  const body =
    format === 'ndjson'
      ? ndjson(result, options, stats, buffers, reply.log)
      : encodeCsv(result.schema, result.batches, {
          ...limits,
          stats,
          buffers,
          numbers: options.numbers,
          escapeFormulas: options.escapeFormulas,
        });
  if (coding === 'identity') return reply.send(new PooledBody(body, buffers));
  return reply.header('content-encoding', coding).send(compressStream(body, coding, sent, buffers));
}

async function* ndjson(
  result: OpenResult,
  options: RespondOptions,
  stats: EncodeStats,
  buffers: ChunkPool,
  log: FastifyBaseLogger,
): AsyncGenerator<Uint8Array> {
  try {
    yield* encodeNdjson(result.batches, { ...options.limits, stats, buffers, numbers: options.numbers });
  } catch (err) {
    log.info({ err }, 'the result failed after its first rows');
    // The status line is gone: the failure is the last line, in the problem format.
    yield ndjsonLine({ '@error': toProblem(toCatalogueError(err, { timeoutMs: options.timeoutMs })) });
    return;
  }
  if (stats.truncated) {
    const reason = stats.rows >= options.limits.maxRows ? 'maxRows' : 'maxBytes';
    yield ndjsonLine({ '@truncated': { reason, rows: stats.rows, ...options.limits } });
  }
}
