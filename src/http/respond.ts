/** Sending an open result over HTTP in the negotiated format, within its limits. */
import { Readable } from 'node:stream';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { openArrowStream } from '../encode/arrow-ipc.js';
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

export interface RespondOptions {
  readonly format: Format;
  readonly limits: ResponseLimits;
  /** Longs and decimals as JSON numbers instead of exact strings. */
  readonly numbers: boolean;
  /** CSV: defuse text cells that start like spreadsheet formulas. */
  readonly escapeFormulas: boolean;
  /** Deadline of the request, to name a timeout as such in a closing line. */
  readonly timeoutMs: number;
}

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
  observeResult(reply, format, stats);
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
    return reply.send(Buffer.concat(chunks));
  }

  reply.trailer('result-rows', () => Promise.resolve(String(stats.rows)));
  reply.trailer('result-truncated', () => Promise.resolve(String(stats.truncated)));
  const body =
    format === 'ndjson'
      ? ndjson(result, options, stats, reply.log)
      : format === 'csv'
        ? encodeCsv(result.schema, result.batches, {
            ...limits,
            stats,
            numbers: options.numbers,
            escapeFormulas: options.escapeFormulas,
          })
        : (await openArrowStream(limitPayloads(result.payloads, limits, stats), { stats })).chunks;
  return reply.send(Readable.from(body, { objectMode: false, highWaterMark: 1 }));
}

async function* ndjson(
  result: OpenResult,
  options: RespondOptions,
  stats: EncodeStats,
  log: FastifyBaseLogger,
): AsyncGenerator<Uint8Array> {
  try {
    yield* encodeNdjson(result.batches, { ...options.limits, stats, numbers: options.numbers });
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
