import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EncodeStats } from '../encode/stats.js';
import { ServiceMetrics, type MetricSources, type TrackedResult } from './metrics.js';

/** What is known of a request while it runs: the counters of its result. */
export interface RequestTelemetry {
  readonly metrics: ServiceMetrics;
  /** The route's pattern (`/v1/datasets/:name/rows`), or `unmatched`. */
  readonly route: string;
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

export interface ObservabilityOptions {
  /** Serve `GET /metrics`. */
  readonly serveMetrics: boolean;
}

/**
 * Metrics of every request: counted by method, route and status when its response ends (a
 * stream's last byte, or the client leaving), and `GET /metrics`. Add before other hooks so
 * that requests refused early are counted too.
 */
export function observability(
  app: FastifyInstance,
  sources: MetricSources,
  options: ObservabilityOptions,
): ServiceMetrics {
  const metrics = new ServiceMetrics(sources);
  app.decorate('metrics', metrics);
  app.decorateRequest('telemetry', null);

  app.addHook('onRequest', (request, reply, done) => {
    const startedAt = performance.now();
    const route = request.routeOptions.url ?? 'unmatched';
    const telemetry: RequestTelemetry = { metrics, route, result: undefined };
    request.telemetry = telemetry;
    reply.raw.once('close', () => {
      metrics.requestEnded(request.method, route, reply.statusCode, (performance.now() - startedAt) / 1000);
      if (telemetry.result !== undefined) metrics.resultEnded(telemetry.result);
    });
    done();
  });

  if (options.serveMetrics) {
    app.get('/metrics', async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.text()),
    );
  }
  app.addHook('onClose', (_instance, done) => {
    metrics.close();
    done();
  });
  return metrics;
}

/**
 * Counts the rows and bytes of a result response from its encoder's statistics, as they are
 * sent: nothing is done per chunk; the figures are read when the response ends or a scrape comes.
 */
export function observeResult(reply: FastifyReply, format: string, stats: EncodeStats): void {
  const telemetry = reply.request.telemetry;
  if (telemetry !== null) telemetry.result = telemetry.metrics.trackResult(telemetry.route, format, stats);
}
