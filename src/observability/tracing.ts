import {
  context,
  isSpanContextValid,
  SpanStatusCode,
  trace,
  INVALID_SPAN_CONTEXT,
  type Attributes,
  type Span,
  type SpanContext,
  type SpanOptions,
} from '@opentelemetry/api';
import type { TracingConfig } from '../config/tracing.js';
import { VERSION } from '../version.js';
import type { Tracing, TracingOptions } from './tracing-sdk.js';

/**
 * The service's tracer. Until tracing starts (and when it is off) it makes non-recording spans,
 * which cost next to nothing; code creates spans the same way either way.
 */
export const tracer = trace.getTracer('spark-data-api', VERSION);

/** Attribute names of this service's own span attributes. */
export const ATTR = {
  requestId: 'spark_data_api.request_id',
  dataset: 'spark_data_api.dataset',
  operationId: 'spark.operation_id',
  sessionId: 'spark.session_id',
  userId: 'spark.user_id',
  operationTags: 'spark.operation.tags',
  outcome: 'spark.execution.outcome',
} as const;

export type { Tracing, TracingOptions } from './tracing-sdk.js';

/**
 * Starts OpenTelemetry tracing for the process, as configured: spans of HTTP requests, GraphQL
 * fields, plan compiles, session leases and Spark executions, W3C trace context taken from
 * incoming requests. Does nothing (and returns undefined) when tracing is off; OpenTelemetry's
 * SDK and exporters are loaded only when it is on, so a service without tracing never holds them.
 */
export async function startTracing(
  config: TracingConfig,
  options: TracingOptions = {},
): Promise<Tracing | undefined> {
  if (options.processors === undefined && config.exporters.length === 0) return undefined;
  const { startSdk } = await import('./tracing-sdk.js');
  return startSdk(config, options);
}

/** A span that records nothing, for work done outside any trace. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * A new span, child of the active one; a span that records nothing when there is none, so work
 * outside requests (start-up, readiness probes, pool upkeep) makes no traces of its own.
 */
export function childSpan(name: string, options: SpanOptions = {}): Span {
  return trace.getActiveSpan() === undefined ? NO_SPAN : tracer.startSpan(name, options);
}

/**
 * Runs `fn` in a span of its own (see {@link childSpan}): the span records a failure and ends
 * when `fn` settles.
 */
export async function traced<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = childSpan(name, { attributes });
  if (span === NO_SPAN) return fn(span);
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** {@link traced} for synchronous work. */
export function tracedSync<T>(name: string, attributes: Attributes, fn: (span: Span) => T): T {
  const span = childSpan(name, { attributes });
  if (span === NO_SPAN) return fn(span);
  try {
    return context.with(trace.setSpan(context.active(), span), () => fn(span));
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks a span as failed by `err`. */
export function failed(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/**
 * The Spark operation tag carrying a span's trace id, to find the operation of a trace in
 * Spark (its UI lists jobs with their tags); undefined when there is no trace. Trace ids are
 * hex, so the tag is never empty and has no comma, as Spark requires.
 */
export function traceTag(spanContext: SpanContext): string | undefined {
  return isSpanContextValid(spanContext) ? `trace-id:${spanContext.traceId}` : undefined;
}
