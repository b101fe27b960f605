import * as grpc from '@grpc/grpc-js';
import {
  fromBinary,
  toBinary,
  type DescMessage,
  type DescMethod,
  type MessageShape,
} from '@bufbuild/protobuf';
import type { SparkEndpoint } from './connection-string.js';
import { SparkError } from './errors.js';

type Method<K extends DescMethod['methodKind'], I extends DescMessage, O extends DescMessage> = DescMethod & {
  readonly methodKind: K;
  readonly input: I;
  readonly output: O;
};

export interface CallOptions {
  /** Aborting cancels the call; the caller sees `signal.reason`. */
  readonly signal?: AbortSignal | undefined;
  /** Absolute deadline, for unary calls that must not hang (release, interrupt). */
  readonly deadline?: Date | undefined;
}

export interface TransportOptions {
  /**
   * Interval of HTTP/2 keepalive pings while calls are active. Spark's gRPC server refuses
   * pings more frequent than every 5 minutes unless configured otherwise.
   */
  readonly keepaliveMs?: number;
  readonly keepaliveTimeoutMs?: number;
  /** Sent as the gRPC user agent. */
  readonly userAgent?: string;
  /**
   * PEM certificates of the authorities trusted for TLS (`use_ssl`), instead of Node's default
   * ones: for servers behind a TLS terminator with a private CA.
   */
  readonly caCertificates?: Buffer | undefined;
}

/**
 * Bytes Spark may send on one call, and on the connection, before the service says it has read
 * them (the HTTP/2 flow-control windows it announces). With HTTP/2's default of 64 KiB, Node
 * sends a window update for every 32 KiB read, and across a network one call could move no more
 * than 64 KiB per round trip. A call that is not being read (its reader is slow and the spool
 * is full) holds at most this much; the connection's other calls go on, as Node frees the
 * connection's window as bytes arrive.
 */
export const FLOW_CONTROL_WINDOW_BYTES = 4 * 1024 ** 2;

/**
 * One gRPC channel to a Spark Connect server, with typed calls derived from the generated
 * service descriptor: every call carries the endpoint's metadata and bearer token.
 */
export class GrpcTransport {
  /** The largest message either side may send on this channel, in bytes. */
  readonly maxMessageSize: number;
  readonly #client: grpc.Client;
  readonly #metadata: grpc.Metadata;

  constructor(endpoint: SparkEndpoint, options: TransportOptions = {}) {
    const credentials = endpoint.useSsl
      ? grpc.credentials.createSsl(options.caCertificates ?? null)
      : grpc.credentials.createInsecure();
    this.maxMessageSize = endpoint.maxMessageSize;
    this.#client = new grpc.Client(`${endpoint.host}:${endpoint.port}`, credentials, {
      'grpc.max_receive_message_length': endpoint.maxMessageSize,
      'grpc.max_send_message_length': endpoint.maxMessageSize,
      'grpc.keepalive_time_ms': options.keepaliveMs ?? 300_000,
      'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs ?? 20_000,
      'grpc.keepalive_permit_without_calls': 0,
      'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES,
      ...(options.userAgent === undefined ? {} : { 'grpc.primary_user_agent': options.userAgent }),
    });
    this.#metadata = new grpc.Metadata();
    for (const [key, value] of Object.entries(endpoint.headers)) this.#metadata.set(key, value);
    // Set per call rather than as channel credentials, so it also reaches plaintext servers.
    if (endpoint.token !== undefined) this.#metadata.set('authorization', `Bearer ${endpoint.token}`);
  }

  unary<I extends DescMessage, O extends DescMessage>(
    method: Method<'unary', I, O>,
    request: MessageShape<I>,
    options: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(
        path(method),
        (message: MessageShape<I>) => Buffer.from(toBinary(method.input, message)),
        (bytes: Buffer) => fromBinary(method.output, bytes),
        request,
        this.#metadata.clone(),
        options.deadline === undefined ? {} : { deadline: options.deadline },
        (err, response) => {
          signal?.removeEventListener('abort', onAbort);
          if (signal?.aborted) reject(signal.reason as Error);
          else if (err) reject(SparkError.from(err));
          else if (response === undefined)
            reject(SparkError.from(new Error(`${method.name}: empty response`)));
          else resolve(response);
        },
      );
      const onAbort = () => {
        call.cancel();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * A server-streaming call as an async iterable pulled by the consumer: grpc-js reads the next
   * message only when asked, so HTTP/2 flow control reaches the server. Leaving the loop early
   * cancels the call.
   */
  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: Method<'server_streaming', I, O>,
    request: MessageShape<I>,
    options: CallOptions = {},
  ): AsyncGenerator<MessageShape<O>, void, undefined> {
    const { signal } = options;
    signal?.throwIfAborted();
    const call = this.#client.makeServerStreamRequest(
      path(method),
      (message: MessageShape<I>) => Buffer.from(toBinary(method.input, message)),
      (bytes: Buffer) => fromBinary(method.output, bytes),
      request,
      this.#metadata.clone(),
      options.deadline === undefined ? {} : { deadline: options.deadline },
    );
    const onAbort = () => {
      call.cancel();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    try {
      for await (const message of call) {
        // Messages grpc-js buffered before an abort are not handed out after it.
        signal?.throwIfAborted();
        yield message as MessageShape<O>;
      }
      finished = true;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw SparkError.from(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) call.cancel();
    }
  }

  close(): void {
    this.#client.close();
  }
}

function path(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}
