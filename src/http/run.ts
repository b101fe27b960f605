import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { Errors } from '../errors/catalogue.js';
import type { OpenResult } from '../service/run-query.js';
import { negotiate } from './negotiate.js';
import { sendResult, type ResponseLimits } from './respond.js';
import type { ResultOptions } from './schemas.js';

/** Opens a result under the request's signal, for at most `maxRows` rows. */
export type Opener = (signal: AbortSignal, maxRows: number) => Promise<OpenResult>;

/**
 * The part every result route shares: negotiate the format, resolve the limits, open the result
 * while the client is there and within the query timeout, then send it. The timeout bounds the
 * wait for the result to start; once rows flow, the limits bound the response.
 */
export async function runResult(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
  options: ResultOptions,
  open: Opener,
): Promise<void> {
  const format = negotiate(options.format, request.headers.accept);
  const limits = resolveLimits(options, config, format === 'json');
  const gone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new Error('the client closed the connection'));
  });
  const { queryTimeoutMs } = config.limits;
  const deadline = new AbortController();
  const timer = setTimeout(() => {
    deadline.abort(new DOMException(`no result within ${queryTimeoutMs} ms`, 'TimeoutError'));
  }, queryTimeoutMs);
  let result: OpenResult;
  try {
    result = await open(AbortSignal.any([gone.signal, deadline.signal]), limits.maxRows);
  } catch (err) {
    throw deadline.signal.aborted ? new Errors.QueryTimeout(queryTimeoutMs, { cause: err }) : err;
  } finally {
    // Once rows flow, the limits bound the response, not the clock.
    clearTimeout(timer);
  }
  try {
    await sendResult(reply, result, {
      format,
      limits,
      numbers: options.numbers ?? false,
      escapeFormulas: options.escapeFormulas ?? config.csvEscapeFormulas,
      timeoutMs: queryTimeoutMs,
    });
  } catch (err) {
    await result.close();
    throw err;
  }
}

/** A request may ask for less than the server's limits, never more. */
function resolveLimits(options: ResultOptions, config: Config, json: boolean): ResponseLimits {
  const { maxRows, maxBytes, jsonMaxRows, jsonMaxBytes } = config.limits;
  const rowCap = json ? jsonMaxRows : maxRows;
  const byteCap = json ? jsonMaxBytes : maxBytes;
  if (options.maxRows !== undefined && options.maxRows > rowCap) {
    throw new Errors.ResultTooLarge(
      `maxRows ${options.maxRows} is more than this server sends (${rowCap}${json ? ' as JSON; NDJSON, CSV and Arrow stream more' : ''})`,
    );
  }
  if (options.maxBytes !== undefined && options.maxBytes > byteCap) {
    throw new Errors.ResultTooLarge(
      `maxBytes ${options.maxBytes} is more than this server sends (${byteCap})`,
    );
  }
  return { maxRows: options.maxRows ?? rowCap, maxBytes: options.maxBytes ?? byteCap };
}
