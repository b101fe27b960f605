/**
 * What an execution needs of the session it runs on, declared apart from the session so that
 * the session (which starts executions) and the execution import each other in one direction
 * only; and the deadline given to housekeeping calls.
 */
import type { UserContext } from '../gen/spark/connect/base_pb.js';
import type { SparkError } from './errors.js';
import type { CallOptions, GrpcTransport } from './grpc.js';

/** The session an execution runs on. */
export interface ExecutionSession {
  readonly sessionId: string;
  readonly userContext: UserContext;
  readonly transport: GrpcTransport;
  /** Fields every request carries. */
  header(): {
    sessionId: string;
    userContext: UserContext;
    clientType: string;
    clientObservedServerSideSessionId?: string;
  };
  /** Checks a response belongs to the session. */
  observe(response: { sessionId: string; serverSideSessionId: string }): void;
  /** Completes an error whose details did not fit in gRPC metadata. */
  enrich(error: SparkError): Promise<SparkError>;
  /** Interrupts one operation; resolves to the ids interrupted. */
  interrupt(operationId: string, options?: CallOptions): Promise<string[]>;
}

/** Deadline for housekeeping calls (release, interrupt), so cleanup never hangs. */
const HOUSEKEEPING_TIMEOUT_MS = 10_000;

/** The options of a housekeeping call, with a deadline if they have none. */
export function withDeadline(options: CallOptions): CallOptions {
  return options.deadline === undefined
    ? { ...options, deadline: new Date(Date.now() + HOUSEKEEPING_TIMEOUT_MS) }
    : options;
}
