/** The HTTP front door of a result: a thin adapter from a route to the service's result flow. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { clientGone } from '../service/client-gone.js';
import { withinDeadline } from '../service/deadline.js';
import { resolveLimits } from '../service/limits.js';
import { openStream, type Opener } from '../service/result-flow.js';
import { compileReusable, openReusable, type DatasetQuery } from '../service/result-reuse.js';
import { DEFAULT_TENANT } from '../auth/principal.js';
import { addVary, cacheHeaders, entityTag, noneMatch } from './cache-headers.js';
import type { ResponseLimits } from '../service/limits.js';
import type { OpenResult } from '../service/open-result.js';
import { negotiate, type Format } from './negotiate.js';
import { sendResult, type RespondOptions } from './respond.js';
import { acceptsIdentity, negotiateCoding } from './content-coding.js';
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
  const compression = negotiateCompression(request, config, format);
  const limits = resolveLimits(options, config, format === 'json');
  const timeoutMs = config.limits.queryTimeoutMs;
  const result = await openStream(open, request.server.spool, {
    signal: clientGone(reply),
    timeoutMs,
    limits,
  });
  await send(reply, result, config, options, format, limits, compression);
}

/**
 * A dataset's result route: like {@link runResult}, but a dataset with a cache TTL answers an
 * identical request (same plan, parameters and tenant) from the result kept in the spool, with
 * `ETag`, `Age` and `Cache-Control`; an `If-None-Match` naming it gets 304.
 */
export async function runDatasetResult(
  request: FastifyRequest,
  reply: FastifyReply,
  config: Config,
  options: ResultOptions,
  query: Omit<DatasetQuery, 'tenant' | 'principal'>,
): Promise<void> {
  const format = negotiate(options.format, request.headers.accept);
  const compression = negotiateCompression(request, config, format);
  const limits = resolveLimits(options, config, format === 'json');
  const timeoutMs = config.limits.queryTimeoutMs;
  const { principal, server } = request;
  const signal = clientGone(reply);
  const reusable = await withinDeadline(timeoutMs, signal, (s) =>
    compileReusable(
      server.queries,
      { ...query, principal, tenant: principal?.tenant ?? DEFAULT_TENANT },
      s,
      limits.maxRows,
    ),
  );
  if (reusable.ttlMs === 0 || server.resultCache.maxBytes === 0) {
    const result = await openStream((s) => reusable.open(s), server.spool, { signal, timeoutMs, limits });
    await send(reply, result, config, options, format, limits, compression);
    return;
  }
  const { result, entry, hit } = await openReusable(reusable, server.spool, server.resultCache, {
    signal,
    timeoutMs,
  });
  const etag = entityTag(entry, [
    format,
    options.numbers ?? false,
    format === 'csv' ? (options.escapeFormulas ?? config.csvEscapeFormulas) : '',
    limits.maxRows,
    limits.maxBytes,
    // A compressed representation has its own strong tag.
    compression?.coding ?? 'identity',
  ]);
  cacheHeaders(reply, entry, etag, hit);
  if (compression !== undefined) addVary(reply, 'accept-encoding');
  if (hit && noneMatch(request, etag)) {
    await result.close();
    await reply.code(304).send();
    return;
  }
  await send(reply, result, config, options, format, limits, compression);
}

async function send(
  reply: FastifyReply,
  result: OpenResult,
  config: Config,
  options: ResultOptions,
  format: Format,
  limits: ResponseLimits,
  compression: RespondOptions['compression'],
): Promise<void> {
  const timeoutMs = config.limits.queryTimeoutMs;
  // However the response ends (sent, failed, or the client gone), the spooled data is let go.
  reply.raw.once('close', () => void result.close());
  try {
    await sendResult(reply, result, {
      format,
      limits,
      numbers: options.numbers ?? false,
      escapeFormulas: options.escapeFormulas ?? config.csvEscapeFormulas,
      timeoutMs,
      compression,
    });
  } catch (err) {
    await result.close();
    throw err;
  }
}

/**
 * The content coding of a text format's response, negotiated before the query runs so a refusal
 * costs nothing; none for Arrow (sent as it is) or with `COMPRESSION=false`.
 */
function negotiateCompression(
  request: FastifyRequest,
  config: Config,
  format: Format,
): RespondOptions['compression'] {
  if (!config.compression || format === 'arrow') return undefined;
  const header = request.headers['accept-encoding'];
  return { coding: negotiateCoding(header), identityAccepted: acceptsIdentity(header) };
}
