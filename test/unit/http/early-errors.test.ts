import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { frameworkErrors } from '../../../src/http/early-errors.js';

/** A reply that records what is sent, and a request whose logger records errors. */
function exchange() {
  const logged: unknown[] = [];
  const sent: { status?: number; type?: string; body?: unknown } = {};
  const request = { log: { error: (...args: unknown[]) => logged.push(args) } } as unknown as FastifyRequest;
  const reply = {
    code(status: number) {
      sent.status = status;
      return this;
    },
    type(type: string) {
      sent.type = type;
      return this;
    },
    send(body: unknown) {
      sent.body = body;
      return this;
    },
  } as unknown as FastifyReply;
  return { request, reply, logged, sent };
}

describe('errors of Fastify’s router', () => {
  it('answer problem+json; one the router itself failed on is a logged 500 that says nothing', () => {
    const { request, reply, logged, sent } = exchange();
    frameworkErrors(new Error('secret detail of a constraint'), request, reply);
    assert.equal(sent.status, 500);
    assert.equal(sent.type, 'application/problem+json');
    assert.doesNotMatch(JSON.stringify(sent.body), /secret/);
    assert.equal(logged.length, 1);
  });

  it('a bad URL is a 400 and is not logged as a failure', () => {
    const { request, reply, logged, sent } = exchange();
    const error = Object.assign(new URIError("'/%FF' is not a valid url component"), {
      code: 'FST_ERR_BAD_URL',
      statusCode: 400,
    });
    frameworkErrors(error, request, reply);
    assert.equal(sent.status, 400);
    assert.equal((sent.body as { code: string }).code, 'REQUEST_INVALID');
    assert.equal(logged.length, 0);
  });
});
