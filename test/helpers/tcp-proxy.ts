import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the client and Spark that a test controls: it can point at another
 * upstream (a restarted container) and cut every connection at a chosen moment.
 */
export class TcpProxy {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #upstream: { host: string; port: number };
  /** Bytes sent from upstream to clients so far. */
  bytesDown = 0;
  #onBytes: ((total: number) => void) | undefined;

  private constructor(server: Server, upstream: { host: string; port: number }) {
    this.#server = server;
    this.#upstream = upstream;
  }

  static async start(upstream: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server, upstream);
    server.on('connection', (client) => {
      proxy.#pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  retarget(upstream: { host: string; port: number }): void {
    this.#upstream = upstream;
  }

  /** Calls `fn` with the running total of downstream bytes, after each chunk. */
  onBytes(fn: ((total: number) => void) | undefined): void {
    this.#onBytes = fn;
  }

  /** Destroys every open connection, as a network failure would. */
  cutConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  async close(): Promise<void> {
    this.cutConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #pipe(client: Socket): void {
    const upstream = connect(this.#upstream.port, this.#upstream.host);
    tieSockets(client, upstream, this.#sockets);
    upstream.on('data', (chunk: Buffer) => {
      this.bytesDown += chunk.length;
      this.#onBytes?.(this.bytesDown);
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** Tracks two piped sockets in `open` and, when either fails or closes, closes both. */
export function tieSockets(client: Socket, upstream: Socket, open: Set<Socket>): void {
  for (const socket of [client, upstream]) {
    open.add(socket);
    socket.on('error', () => {
      client.destroy();
      upstream.destroy();
    });
    socket.on('close', () => {
      open.delete(socket);
      client.destroy();
      upstream.destroy();
    });
  }
}
