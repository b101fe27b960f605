import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { Errors } from '../errors/catalogue.js';
import { MAX_NESTING, nestsDeeperThan } from '../query/document-bounds.js';

/**
 * Reads JSON bodies. Before parsing, a body nesting deeper than {@link MAX_NESTING} is refused,
 * so no recursive step after it (schema validation, GraphQL variables) can run out of stack.
 * Keys that could change objects' prototypes (`__proto__`, `constructor.prototype`) are refused
 * too, with a message that says so rather than "not valid JSON".
 */
export function jsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

function parseBody(text: string): unknown {
  if (text.trim() === '') throw new Errors.RequestInvalid('The body is empty: send a JSON document');
  if (nestsDeeperThan(text, MAX_NESTING)) {
    throw new Errors.RequestInvalid(`The body nests deeper than ${MAX_NESTING} levels`);
  }
  try {
    return secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (err) {
    const message = (err as Error).message;
    if (/forbidden prototype property/.test(message)) {
      throw new Errors.RequestInvalid(
        'The body has a "__proto__" key, or a "constructor" key holding "prototype": ' +
          'neither is accepted, as either could change the prototype of objects; rename it',
      );
    }
    throw new Errors.RequestInvalid(`The body is not valid JSON: ${message}`);
  }
}
