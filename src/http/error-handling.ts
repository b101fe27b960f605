/**
 * How every route's errors are answered: problem+json from the error catalogue, 404 for an
 * unknown path and 405 (with `Allow`) for a known path asked with a method it does not answer.
 * Visible to the whole app (fastify-plugin); register it before any route, so that the methods
 * of every path are learned.
 */
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { Errors, withExtras } from '../errors/catalogue.js';
import { isFromSpark } from '../errors/from-spark.js';
import { toProblem } from '../errors/problem.js';
import { toCatalogueError } from '../errors/to-catalogue.js';
import { AllowedMethods } from './allowed-methods.js';

export interface ErrorHandlingOptions {
  /** The server's body limit, named in the 413 problem. */
  readonly bodyLimit: number;
  /** The query timeout, named in the 504 problem. */
  readonly queryTimeoutMs: number;
}

const errorHandlingPlugin: FastifyPluginCallback<ErrorHandlingOptions> = (app, options, done) => {
  const allowedMethods = new AllowedMethods(app);
  app.setErrorHandler((error, request, reply) => {
    // A client that hung up (or timed out) while sending its body: nobody hears the answer.
    const left = (error as NodeJS.ErrnoException).code === 'ECONNRESET' && !request.raw.complete;
    const problem = toProblem(
      left
        ? new Errors.RequestInvalid('the client closed the connection before its request was received')
        : toCatalogueError(error, { bodyLimit: options.bodyLimit, timeoutMs: options.queryTimeoutMs }),
    );
    if (left) request.log.info({ err: error }, 'the client left while sending its request');
    else if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else if (isFromSpark(error)) request.log.info({ err: error }, 'Spark refused the query');
    if (problem.retryAfter !== undefined) void reply.header('retry-after', String(problem.retryAfter));
    // A result that failed before its first byte had its body's coding set already.
    reply.removeHeader('content-encoding');
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });
  // A known path asked with a method it does not answer: 405 with the methods it does.
  app.setNotFoundHandler((request, reply) => {
    const allow: string[] = allowedMethods.of(request.url);
    // No route has the path, or its route found nothing there (a missing asset): 404.
    if (allow.length === 0 || allow.includes(request.method)) {
      throw new Errors.NotFound(request.method, request.url);
    }
    void reply.header('allow', allow.join(', '));
    const path = request.url.split('?')[0] ?? request.url;
    throw withExtras(new Errors.MethodNotAllowed(request.method, path, allow.join(', ')), { allowed: allow });
  });
  done();
};

export const errorHandling = fp(errorHandlingPlugin, { name: 'error-handling' });
