/** OpenTelemetry tracing settings, read from the standard `OTEL_*` variables. */
import type { Env, SamplerName } from './env-schema.js';

/** OpenTelemetry tracing, from the standard `OTEL_*` variables. */
export interface TracingConfig {
  /** Where spans go; none: tracing is off. */
  readonly exporters: readonly ('otlp' | 'console')[];
  /** The OTLP/HTTP (protobuf) URL traces are posted to. */
  readonly otlpUrl: string;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: SamplerName;
  /** The ratio of the `traceidratio` samplers. */
  readonly samplerRatio: number;
}

/**
 * Tracing as OpenTelemetry's variables say, except that it is off unless asked for: an
 * exporter named in `OTEL_TRACES_EXPORTER`, or an OTLP endpoint (then the exporter is otlp).
 */
export function tracingConfig(v: Env, fail: (message: string) => never): TracingConfig {
  const named = v.OTEL_TRACES_EXPORTER?.split(',').map((name) => name.trim());
  const endpointSet =
    v.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined || v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined;
  const exporters = v.OTEL_SDK_DISABLED
    ? []
    : [...new Set(named ?? (endpointSet ? ['otlp'] : []))].filter(
        (name) => name === 'otlp' || name === 'console',
      );
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const) {
    const protocol = v[name];
    if (protocol !== undefined && protocol !== 'http/protobuf')
      fail(`${name} '${protocol}' is not supported; this service exports http/protobuf`);
  }
  const base = v.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318';
  const otlpUrl =
    v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${base.endsWith('/') ? base : `${base}/`}v1/traces`;
  if (!URL.canParse(otlpUrl) || !/^https?:$/.test(new URL(otlpUrl).protocol))
    fail(`the OTLP traces endpoint '${otlpUrl}' is not an http(s) URL`);
  return Object.freeze({
    exporters,
    otlpUrl,
    serviceName: v.OTEL_SERVICE_NAME,
    resourceAttributes: Object.freeze(resourceAttributes(v.OTEL_RESOURCE_ATTRIBUTES ?? '', fail)),
    sampler: v.OTEL_TRACES_SAMPLER,
    samplerRatio: v.OTEL_TRACES_SAMPLER_ARG ?? 1,
  });
}

/** `key=value,key=value`, values percent-encoded (OTEL_RESOURCE_ATTRIBUTES). */
function resourceAttributes(text: string, fail: (message: string) => never): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq).trim();
    if (eq < 0 || key === '') fail(`OTEL_RESOURCE_ATTRIBUTES: '${pair}' is not key=value`);
    try {
      attributes[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      fail(`OTEL_RESOURCE_ATTRIBUTES: the value of '${key}' is not percent-encoded properly`);
    }
  }
  return attributes;
}
