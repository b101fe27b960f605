import { context, diag, DiagLogLevel, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { TracingConfig } from '../config/tracing.js';
import { VERSION } from '../version.js';

export interface Tracing {
  /** Exports the spans still buffered and stops tracing. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Instead of the configured exporters (tests: an in-memory exporter). */
  readonly processors?: readonly SpanProcessor[];
  /** Where the SDK reports its own problems (an exporter that cannot reach its endpoint). */
  readonly onProblem?: (message: string) => void;
}

/** OpenTelemetry's SDK, started as configured (see `startTracing`, which loads this module). */
export function startSdk(config: TracingConfig, options: TracingOptions): Tracing | undefined {
  const processors = options.processors ?? configuredProcessors(config);
  if (processors.length === 0) return undefined;
  const onProblem = options.onProblem;
  if (onProblem !== undefined) {
    const report = (message: string, ...args: unknown[]) => {
      onProblem([message, ...args.map(String)].join(' '));
    };
    const ignore = () => undefined;
    diag.setLogger(
      { error: report, warn: report, info: ignore, debug: ignore, verbose: ignore },
      DiagLogLevel.WARN,
    );
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...config.resourceAttributes,
      'service.name': config.serviceName,
      'service.version': VERSION,
    }),
    sampler: sampler(config),
    spanProcessors: [...processors],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);
  let stopped: Promise<void> | undefined;
  return {
    shutdown: () =>
      (stopped ??= provider.shutdown().finally(() => {
        trace.disable();
        propagation.disable();
        context.disable();
        diag.disable();
      })),
  };
}

function configuredProcessors(config: TracingConfig): SpanProcessor[] {
  return config.exporters.map((name) =>
    name === 'otlp'
      ? // Headers, timeout, compression and certificates: the exporter reads OTEL_EXPORTER_OTLP_*.
        new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: config.otlpUrl }) })
      : new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }),
  );
}

function sampler(config: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}
