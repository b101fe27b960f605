/**
 * Errors as GraphQL errors whose extensions carry the catalogue's code and the facts of the
 * problem body the HTTP API would answer with.
 */
import { GraphQLError } from 'graphql';
import { Errors } from './catalogue.js';
import { toProblem } from './problem.js';
import { toCatalogueError } from './to-catalogue.js';

/** A GraphQL error as sent to the client, and the HTTP status its catalogue error has. */
export interface GraphQLErrorBody {
  readonly body: Record<string, unknown>;
  readonly status: number;
}

/**
 * The body of a GraphQL error. The document's own faults (syntax, validation, limits, an
 * unknown persisted query: errors of graphql-js or mercurius) are REQUEST_INVALID; errors a
 * resolver raised are mapped as the HTTP API maps them, 5xx ones saying nothing internal.
 */
export function graphqlErrorBody(error: GraphQLError): GraphQLErrorBody {
  const original = error.originalError;
  const json = error.toJSON() as unknown as Record<string, unknown>;
  const mercuriusError = (original as { code?: unknown } | undefined)?.code;
  const fromMercurius = typeof mercuriusError === 'string' && mercuriusError.startsWith('MER_ERR_GQL_');
  if (original === undefined || original instanceof GraphQLError || fromMercurius) {
    if (fromMercurius && original !== undefined) json['message'] = original.message;
    const { code, statusCode } = new Errors.RequestInvalid();
    return {
      body: { ...json, extensions: { ...(json['extensions'] as object), code, status: statusCode } },
      status: statusCode,
    };
  }
  const { type: _type, title: _title, detail, ...facts } = toProblem(toCatalogueError(original));
  return { body: { ...json, message: detail, extensions: { ...facts } }, status: facts.status };
}
