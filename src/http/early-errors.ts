import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Errors } from '../errors/catalogue.js';
import { toProblem } from '../errors/problem.js';
import { toCatalogueError } from '../errors/to-catalogue.js';

/**
 * Errors raised before a request reaches a route, answered as problem+json like every other:
 * those of Node's HTTP parser (headers too large, malformed requests, timeouts), which have
 * only the socket to write to, and those of Fastify's router (a bad percent-encoding, a path
 * parameter too long).
 */
export function clientErrorHandler(
  this: FastifyInstance,
  err: Error & { code?: string },
  socket: Duplex,
): void {
  // The connection is gone: nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new Errors.HeadersTooLarge()
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new Errors.RequestTimeout()
        : new Errors.RequestInvalid(`The request is not valid HTTP (${err.code ?? err.message})`);
  this.log.debug({ err }, 'malformed request');
  const problem = toProblem(error);
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export function frameworkErrors(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const problem = toProblem(toCatalogueError(error));
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.code(problem.status).type('application/problem+json').send(problem);
}
