/**
 * The limits of a result, resolved in one place: what the server allows per front door and
 * format, and what a request may ask for within it.
 */
import type { Config } from '../config.js';
import { Errors } from '../errors/catalogue.js';

/** The bounds of one response's rows. */
export interface ResponseLimits {
  /** Most rows of this response. */
  readonly maxRows: number;
  /** Most bytes of this response's rows. */
  readonly maxBytes: number;
}

/** What a request asks for; absent means the server's limit. */
export interface RequestedLimits {
  readonly maxRows?: number | undefined;
  readonly maxBytes?: number | undefined;
}

/** The bounds of a GraphQL field's whole answer, and of the time to produce it. */
export interface AnswerLimits extends ResponseLimits {
  readonly queryTimeoutMs: number;
}

/**
 * An HTTP response's limits: a request may ask for less than the server's limits for its
 * format (JSON is built whole, so it has its own), never more; asking more is a 413.
 */
export function resolveLimits(asked: RequestedLimits, config: Config, json: boolean): ResponseLimits {
  const { maxRows, maxBytes, jsonMaxRows, jsonMaxBytes } = config.limits;
  const rowCap = json ? jsonMaxRows : maxRows;
  const byteCap = json ? jsonMaxBytes : maxBytes;
  if (asked.maxRows !== undefined && asked.maxRows > rowCap) {
    throw new Errors.ResultTooLarge(
      `maxRows ${asked.maxRows} is more than this server sends (${rowCap}${json ? ' as JSON; NDJSON, CSV and Arrow stream more' : ''})`,
    );
  }
  if (asked.maxBytes !== undefined && asked.maxBytes > byteCap) {
    throw new Errors.ResultTooLarge(`maxBytes ${asked.maxBytes} is more than this server sends (${byteCap})`);
  }
  return { maxRows: asked.maxRows ?? rowCap, maxBytes: asked.maxBytes ?? byteCap };
}

/** A GraphQL field's limits: the server's, which a document cannot change. */
export function answerLimits(config: Config): AnswerLimits {
  return {
    maxRows: config.graphql.maxRows,
    maxBytes: config.graphql.maxBytes,
    queryTimeoutMs: config.limits.queryTimeoutMs,
  };
}
