import { parseConnectionString, type SparkEndpoint } from './connection-string.js';
import { GrpcTransport, type TransportOptions } from './grpc.js';
import { SparkSession } from './session.js';
import { ExecutionStats } from './stats.js';

import { VERSION } from '../version.js';

/** Who the service is to Spark when the connection string names no user. */
export const DEFAULT_USER_ID = 'spark-data-api';

export interface NewSessionOptions {
  /** Overrides the connection string's `user_id` (e.g. one per tenant). */
  readonly userId?: string;
  readonly userName?: string;
  /** A UUID; a fresh random one by default. */
  readonly sessionId?: string;
}

/**
 * A Spark Connect client: one gRPC channel to one server, shared by the sessions it creates.
 * It knows nothing of HTTP.
 */
export class SparkConnectClient {
  readonly endpoint: SparkEndpoint;
  readonly clientType: string;
  /** Executions of every session of this client. */
  readonly executions = new ExecutionStats();
  readonly #transport: GrpcTransport;

  constructor(endpoint: SparkEndpoint, options: TransportOptions = {}) {
    this.endpoint = endpoint;
    this.clientType = [
      endpoint.userAgent ?? 'spark-data-api',
      `spark-data-api/${VERSION}`,
      `node/${process.versions.node}`,
      `os/${process.platform}`,
    ].join(' ');
    this.#transport = new GrpcTransport(endpoint, { userAgent: `spark-data-api/${VERSION}`, ...options });
  }

  /** Parses the connection string (`sc://host:port/;…`) and creates the channel (lazily connected). */
  static connect(connectionString: string, options?: TransportOptions): SparkConnectClient {
    return new SparkConnectClient(parseConnectionString(connectionString), options);
  }

  /** A new session object; the server creates the session on its first request. */
  newSession(options: NewSessionOptions = {}): SparkSession {
    return new SparkSession(this.#transport, {
      userId: options.userId ?? this.endpoint.userId ?? DEFAULT_USER_ID,
      userName: options.userName ?? this.endpoint.userName,
      sessionId: options.sessionId,
      clientType: this.clientType,
      stats: this.executions,
    });
  }

  close(): void {
    this.#transport.close();
  }
}
