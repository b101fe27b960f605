/**
 * The client-gone signal every front door gives the queries it runs: it aborts when the
 * connection closes before the response was written, so Spark stops working for nobody.
 */

/** What a Fastify reply shows of its Node response: enough to know the client left. */
export interface ClientConnection {
  readonly raw: {
    on(event: 'close', listener: () => void): unknown;
    readonly writableFinished: boolean;
  };
}

/** Aborts when the client closes the connection before the whole response is written. */
export function clientGone(reply: ClientConnection): AbortSignal {
  const gone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new Error('the client closed the connection'));
  });
  return gone.signal;
}
