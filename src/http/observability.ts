import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import type { EncodeStats } from '../encode/stats.js';
import { problems } from './openapi-responses.js';
import { ServiceMetrics, type MetricSources, type TrackedResult } from '../observability/metrics.js';
import { ATTR, tracer } from '../observability/tracing.js';

/** What is known of a request while it runs: its span, and the counters of its result. */
export interface RequestTelemetry {
  readonly metrics: ServiceMetrics;
  /** The route's pattern (`/v1/datasets/:name/rows`), or `unmatched`. */
  readonly route: string;
  readonly span: Span | undefined;
  /** The context handlers run in: the request's span, under the caller's trace if it sent one. */
  readonly context: Context;
  result: TrackedResult | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The service's Prometheus metrics. */
    readonly metrics: ServiceMetrics;
  }
  interface FastifyRequest {
    telemetry: RequestTelemetry | null;
  }
}

/** Probes and scrapes are counted but not traced: frequent, and they tell nothing. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);

export interface ObservabilityOptions {
  /** Where the gauges read the pools, executions and GraphQL cache from. */
  readonly sources: MetricSources;
  /** Serve `GET /metrics`. */
  readonly serveMetrics: boolean;
}

/**
 * Metrics and traces of every request: a server span per request (continuing the caller's
 * W3C trace context) in which the handler runs, so spans of plan compiles, session leases and
 * Spark executions are its children; the request counted by method, route and status when
 * its response ends (a stream's last byte, or the client leaving). Its hooks and the `metrics`
 * decorator are the whole app's (fastify-plugin); register it before other hooks so that
 * requests refused early are seen too.
 */
const observabilityPlugin: FastifyPluginCallback<ObservabilityOptions> = (app, options, loaded) => {
  const { sources } = options;
  const metrics = new ServiceMetrics(sources);
  app.decorate('metrics', metrics);
  app.decorateRequest('telemetry', null);

  app.addHook('onRequest', (request, reply, done) => {
    const startedAt = performance.now();
    const route = request.routeOptions.url ?? 'unmatched';
    let span: Span | undefined;
    let active = context.active();
    if (!UNTRACED.has(route)) {
      const parent = propagation.extract(ROOT_CONTEXT, request.headers);
      span = tracer.startSpan(
        `${request.method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': request.method,
            'http.route': route,
            'url.path': request.url.split('?', 1)[0],
            [ATTR.requestId]: request.id,
          },
        },
        parent,
      );
      active = trace.setSpan(parent, span);
      if (span.isRecording()) {
        // The request's log lines carry the trace id.
        request.log = reply.log = request.log.child({ traceId: span.spanContext().traceId });
      }
    }
    const telemetry: RequestTelemetry = { metrics, route, span, context: active, result: undefined };
    request.telemetry = telemetry;
    reply.raw.once('close', () => {
      const status = reply.statusCode;
      metrics.requestEnded(request.method, route, status, (performance.now() - startedAt) / 1000);
      if (telemetry.result !== undefined) metrics.resultEnded(telemetry.result);
      if (span !== undefined) {
        span.setAttribute('http.response.status_code', status);
        if (!reply.raw.writableFinished) span.setAttribute('spark_data_api.client_left', true);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
    context.with(active, done);
  });
  // Handlers run in the request's context again: reading a body loses it.
  app.addHook('preHandler', (request, _reply, done) => {
    const telemetry = request.telemetry;
    if (telemetry?.span === undefined) done();
    else context.with(telemetry.context, done);
  });
  app.addHook('onError', (request, _reply, error, done) => {
    const span = request.telemetry?.span;
    if (span?.isRecording() === true) span.recordException(error);
    done();
  });

  if (options.serveMetrics) {
    const schema = {
      operationId: 'getMetrics',
      tags: ['service'],
      summary: 'Prometheus metrics',
      description:
        'Requests by route and status, rows and bytes streamed, Spark execution times, interrupts and ' +
        'reattaches, session pool gauges, GraphQL cache hits, and the process’s own figures, in the ' +
        'Prometheus text format. Not served when `METRICS=false`. Needs the `admin` scope.',
      response: {
        200: {
          description: 'Prometheus text format 0.0.4',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        ...problems(401, 403, 429),
      },
    };
    app.get('/metrics', { schema }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.text()),
    );
  }
  app.addHook('onClose', (_instance, done) => {
    metrics.close();
    done();
  });
  loaded();
};

export const observability = fp(observabilityPlugin, { name: 'observability' });

/**
 * Counts the rows and bytes of a result response from its encoder's statistics, as they are
 * sent: nothing is done per chunk; the figures are read when the response ends or a scrape comes.
 */
export function observeResult(reply: FastifyReply, format: string, stats: EncodeStats): void {
  const telemetry = reply.request.telemetry;
  if (telemetry !== null) telemetry.result = telemetry.metrics.trackResult(telemetry.route, format, stats);
}
