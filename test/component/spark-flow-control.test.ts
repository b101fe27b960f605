/**
 * The Spark client's HTTP/2 flow-control windows, as a server sees them: how much Spark may send
 * on one call, and on the connection, before the service has read it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SparkConnectClient } from '../../src/spark/client.js';
import { FLOW_CONTROL_WINDOW_BYTES } from '../../src/spark/grpc.js';

interface Windows {
  /** The client's SETTINGS_INITIAL_WINDOW_SIZE: what the server may send on each call. */
  readonly call: number | undefined;
  /** What the server may send on the connection, once the client's settings and updates are in. */
  readonly connection: number | undefined;
}

let server: Http2Server;
let seen: Promise<Windows>;

before(async () => {
  server = createServer();
  seen = new Promise((resolve) => {
    server.once('stream', (stream) => {
      const session = stream.session;
      resolve({
        call: session?.remoteSettings.initialWindowSize,
        connection: session?.state.remoteWindowSize,
      });
      // A trailers-only gRPC answer: UNIMPLEMENTED.
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' },
        { endStream: true },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  server.close();
  await once(server, 'close');
});

describe('the Spark client’s flow control', () => {
  it('lets Spark send 4 MiB on a call and on the connection ahead of what the service has read', async () => {
    const { port } = server.address() as AddressInfo;
    const client = SparkConnectClient.connect(`sc://127.0.0.1:${port}/`);
    try {
      await assert.rejects(client.newSession().sparkVersion());
    } finally {
      client.close();
    }
    assert.equal(FLOW_CONTROL_WINDOW_BYTES, 4 * 1024 ** 2);
    // HTTP/2's default, which the client would otherwise announce, is 65535 for both.
    assert.deepEqual(await seen, { call: FLOW_CONTROL_WINDOW_BYTES, connection: FLOW_CONTROL_WINDOW_BYTES });
  });
});
