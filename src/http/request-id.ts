import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * A caller's request id is kept when it is 1 to 128 of `A-Z a-z 0-9 . _ : + / = -` (UUIDs,
 * ULIDs, trace ids, base64 ids): it is echoed in a header, written in every log line and sent
 * to Spark as an operation tag, so anything longer or stranger is replaced by a generated one.
 */
export const REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/** The request's id: the caller's `request-id` if it passes {@link REQUEST_ID}, else a new UUID. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers['request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
