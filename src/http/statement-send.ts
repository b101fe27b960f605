/** Sending a statement's result, or one chunk, as HTTP: conditional, and by byte range. */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { Config } from '../config.js';
import { clientGone } from '../service/client-gone.js';
import type { StatementService } from '../service/statements/service.js';
import { FORMATS, negotiate } from './negotiate.js';
import { contentRange, notModified, parseRange, sliceBytes, wantsRange } from './ranges.js';
import { resultColumnsHeader } from './result-columns.js';
import { lengthOf, representation } from './statement-result.js';
import type { ResultQuery } from './statement-schemas.js';

/**
 * The whole result (`chunk` undefined) or one chunk, in the format asked for (the statement's
 * when the request names none); 304 for a copy the client has, 206 for a Range.
 */
export async function sendResult(
  request: FastifyRequest,
  reply: FastifyReply,
  statements: StatementService,
  config: Config,
  chunk: number | undefined,
): Promise<FastifyReply> {
  const { id } = request.params as { id: string };
  const { record, source } = await statements.result(request.principal, id);
  const query = request.query as Static<typeof ResultQuery>;
  const headers = request.headers;
  const accept = headers.accept;
  const anyType = accept === undefined || accept.trim() === '' || accept.trim() === '*/*';
  const format = negotiate(query.format ?? (anyType ? record.format : undefined), accept);
  const rep = representation(record, source, chunk, {
    format,
    numbers: query.numbers ?? false,
    escapeFormulas: query.escapeFormulas ?? config.csvEscapeFormulas,
  });
  void reply
    .header('etag', rep.etag)
    .header('accept-ranges', 'bytes')
    .header('cache-control', 'private')
    .header('content-type', FORMATS[format]);
  const columns = resultColumnsHeader(source.schema);
  if (columns === undefined) void reply.header('result-columns-omitted', 'true');
  else void reply.header('result-columns', columns);
  if (notModified(headers, rep.etag)) return reply.code(304).send(null);
  const signal = clientGone(reply);
  if (!wantsRange(headers, rep.etag) || headers.range === undefined) {
    return reply.send(Readable.from(rep.body(signal), { objectMode: false }));
  }
  const length = await lengthOf(rep, signal);
  let range;
  try {
    range = parseRange(headers.range, length);
  } catch (err) {
    void reply.header('content-range', `bytes */${length}`);
    throw err;
  }
  return reply
    .code(206)
    .header('content-range', contentRange(range, length))
    .header('content-length', String(range.end - range.start))
    .send(Readable.from(sliceBytes(rep.body(signal), range), { objectMode: false }));
}
