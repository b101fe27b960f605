/** The HTTP front door of a result: a thin adapter from a route to the service's result flow. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { clientGone } from '../service/client-gone.js';
import { resolveLimits } from '../service/limits.js';
import { openStream, type Opener } from '../service/result-flow.js';
import { negotiate } from './negotiate.js';
import { sendResult } from './respond.js';
import type { ResultOptions } from './schemas.js';

export type { Opener };

/**
 * What every result route does: negotiate the format, have the service open the result (while
 * the client is there, within the query deadline and the limits) and drain it into the app's
 * spool, then send it from there.
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
  const timeoutMs = config.limits.queryTimeoutMs;
  const result = await openStream(open, request.server.spool, {
    signal: clientGone(reply),
    timeoutMs,
    limits,
  });
  // However the response ends (sent, failed, or the client gone), the spooled data is let go.
  reply.raw.once('close', () => void result.close());
  try {
    await sendResult(reply, result, {
      format,
      limits,
      numbers: options.numbers ?? false,
      escapeFormulas: options.escapeFormulas ?? config.csvEscapeFormulas,
      timeoutMs,
    });
  } catch (err) {
    await result.close();
    throw err;
  }
}
