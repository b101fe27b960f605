import { status as GrpcStatus, type Metadata } from '@grpc/grpc-js';
import { fromBinary } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import { ErrorInfoSchema } from '../gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../gen/google/rpc/status_pb.js';
import type { FetchErrorDetailsResponse } from '../gen/spark/connect/base_pb.js';

/** What Spark says about an error, decoded from `google.rpc.ErrorInfo` and FetchErrorDetails. */
export interface SparkErrorFields {
  /** gRPC status code of the call (Spark uses INTERNAL for query errors). */
  readonly grpcCode: GrpcStatus;
  /** Spark's error class (condition), e.g. `TABLE_OR_VIEW_NOT_FOUND`, `INVALID_HANDLE.SESSION_CLOSED`. */
  readonly errorClass?: string | undefined;
  /** The ANSI SQLSTATE, e.g. `42P01`. */
  readonly sqlState?: string | undefined;
  readonly messageParameters?: Readonly<Record<string, string>> | undefined;
  /** Server-side id of the error, the key for FetchErrorDetails. */
  readonly errorId?: string | undefined;
  /** JVM exception class hierarchy, most specific first. */
  readonly exceptionClasses?: readonly string[] | undefined;
  /** The server marked the error as safe to retry (a `google.rpc.RetryInfo` detail). */
  readonly retryInfo?: boolean | undefined;
  /** SQL fragments the error points at, when Spark reports them. */
  readonly queryContexts?: readonly SparkQueryContext[] | undefined;
  /**
   * Spark dropped details to fit gRPC metadata (the error class and parameters, when their
   * JSON is too long); FetchErrorDetails with `errorId` recovers them.
   */
  readonly detailsTruncated?: boolean | undefined;
}

export interface SparkQueryContext {
  readonly fragment: string;
  readonly startIndex: number;
  readonly stopIndex: number;
  readonly summary: string;
}

const SESSION_GONE = new Set([
  'INVALID_HANDLE.SESSION_NOT_FOUND',
  'INVALID_HANDLE.SESSION_CLOSED',
  'INVALID_HANDLE.SESSION_CHANGED',
]);

/**
 * The one error type of the Spark client. Anything thrown by a call is converted once, at the
 * gRPC boundary ({@link SparkError.from}); the original error stays in `cause` for logs.
 */
export class SparkError extends Error implements SparkErrorFields {
  override readonly name = 'SparkError';
  readonly grpcCode: GrpcStatus;
  readonly errorClass: string | undefined;
  readonly sqlState: string | undefined;
  readonly messageParameters: Readonly<Record<string, string>>;
  readonly errorId: string | undefined;
  readonly exceptionClasses: readonly string[];
  readonly retryInfo: boolean;
  readonly queryContexts: readonly SparkQueryContext[];
  readonly detailsTruncated: boolean;

  constructor(message: string, fields: SparkErrorFields, options?: { cause?: unknown }) {
    super(message, options);
    this.grpcCode = fields.grpcCode;
    this.errorClass = fields.errorClass;
    this.sqlState = fields.sqlState;
    this.messageParameters = fields.messageParameters ?? {};
    this.errorId = fields.errorId;
    this.exceptionClasses = fields.exceptionClasses ?? [];
    this.retryInfo = fields.retryInfo ?? false;
    this.queryContexts = fields.queryContexts ?? [];
    this.detailsTruncated = fields.detailsTruncated ?? false;
  }

  /** Converts anything thrown by a call: gRPC errors are decoded, aborts become CANCELLED. */
  static from(err: unknown): SparkError {
    if (err instanceof SparkError) return err;
    if (isServiceError(err)) return fromServiceError(err);
    if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) {
      return new SparkError(err.message, { grpcCode: GrpcStatus.CANCELLED }, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new SparkError(message, { grpcCode: GrpcStatus.UNKNOWN }, { cause: err });
  }

  /** The server no longer knows the session (expired, released or restarted). */
  get sessionGone(): boolean {
    return this.errorClass !== undefined && SESSION_GONE.has(this.errorClass);
  }

  /**
   * The server (or a proxy in front of it) refused the client's credentials: no token, or not
   * the one it expects. Sending the call again changes nothing until the token is fixed.
   */
  get credentialsRefused(): boolean {
    return this.grpcCode === GrpcStatus.UNAUTHENTICATED;
  }

  /** A call that may succeed if sent again (or reattached): transport failures and cursor drops. */
  get retryable(): boolean {
    return (
      this.retryInfo ||
      this.grpcCode === GrpcStatus.UNAVAILABLE ||
      this.errorClass === 'INVALID_CURSOR.DISCONNECTED'
    );
  }

  /** This error, completed with the root error of a FetchErrorDetails response. */
  withDetails(response: FetchErrorDetailsResponse): SparkError {
    const root = response.errors[response.rootErrorIdx ?? 0];
    const throwable = root?.sparkThrowable;
    if (root === undefined) return this;
    return new SparkError(
      root.message || this.message,
      {
        grpcCode: this.grpcCode,
        errorClass: throwable?.errorClass ?? this.errorClass,
        sqlState: throwable?.sqlState ?? this.sqlState,
        messageParameters: throwable ? { ...throwable.messageParameters } : this.messageParameters,
        errorId: this.errorId,
        exceptionClasses:
          root.errorTypeHierarchy.length > 0 ? root.errorTypeHierarchy : this.exceptionClasses,
        retryInfo: this.retryInfo,
        detailsTruncated: false,
        queryContexts: (throwable?.queryContexts ?? []).map((q) => ({
          fragment: q.fragment,
          startIndex: q.startIndex,
          stopIndex: q.stopIndex,
          summary: q.summary,
        })),
      },
      { cause: this.cause },
    );
  }
}

interface ServiceErrorLike {
  code: GrpcStatus;
  details: string;
  metadata: Metadata;
}

function isServiceError(err: unknown): err is ServiceErrorLike & Error {
  return (
    err instanceof Error &&
    typeof (err as Partial<ServiceErrorLike>).code === 'number' &&
    typeof (err as Partial<ServiceErrorLike>).details === 'string'
  );
}

/** Decodes the `grpc-status-details-bin` trailer Spark attaches (a google.rpc.Status with ErrorInfo). */
function fromServiceError(err: ServiceErrorLike & Error): SparkError {
  const fields: { -readonly [K in keyof SparkErrorFields]: SparkErrorFields[K] } = { grpcCode: err.code };
  const [bin] = err.metadata.get('grpc-status-details-bin');
  if (bin instanceof Uint8Array) {
    try {
      const status = fromBinary(StatusSchema, bin);
      for (const detail of status.details) {
        if (detail.typeUrl.endsWith('/google.rpc.RetryInfo')) fields.retryInfo = true;
        const info = anyUnpack(detail, ErrorInfoSchema);
        if (info === undefined) continue;
        const meta = info.metadata;
        fields.errorClass = meta['errorClass'];
        fields.sqlState = meta['sqlState'];
        fields.errorId = meta['errorId'];
        fields.messageParameters = parseJsonObject(meta['messageParameters']);
        fields.exceptionClasses =
          parseJsonArray(meta['classes']) ?? (info.reason ? [info.reason] : undefined);
      }
    } catch {
      // A malformed trailer leaves us with the status code and message.
    }
  }
  // Spark leaves out the error class and parameters when their JSON exceeds its metadata limit.
  fields.detailsTruncated = fields.errorId !== undefined && fields.errorClass === undefined;
  fields.errorClass ??= errorClassFromMessage(err.details);
  return new SparkError(err.details || err.message, fields, { cause: err });
}

/** Spark prefixes messages with `[ERROR_CLASS]`; used when the metadata could not carry it. */
function errorClassFromMessage(message: string): string | undefined {
  return /^\[([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)*)\]/.exec(message)?.[1];
}

function parseJsonObject(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  } catch {
    return undefined;
  }
}

function parseJsonArray(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.map(String) : undefined;
  } catch {
    return undefined;
  }
}
