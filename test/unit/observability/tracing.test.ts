import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INVALID_SPAN_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { traceTag } from '../../../src/observability/tracing.js';

const tracing = (env: Record<string, string>) => loadConfig(env).tracing;

describe('tracing configuration (OTEL_* variables)', () => {
  it('is off unless an exporter or an endpoint is given', () => {
    const config = tracing({});
    assert.deepEqual(config.exporters, []);
    assert.equal(config.serviceName, 'spark-data-api');
    assert.equal(config.sampler, 'parentbased_always_on');
  });

  it('exports OTLP to <endpoint>/v1/traces when only an endpoint is set', () => {
    for (const endpoint of ['http://collector:4318', 'http://collector:4318/']) {
      const config = tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
      assert.deepEqual(config.exporters, ['otlp']);
      assert.equal(config.otlpUrl, 'http://collector:4318/v1/traces');
    }
  });

  it('uses a traces endpoint as it is', () => {
    const config = tracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector.example.com/otlp/traces',
    });
    assert.equal(config.otlpUrl, 'https://collector.example.com/otlp/traces');
  });

  it('takes the exporters OTEL_TRACES_EXPORTER names; none or OTEL_SDK_DISABLED turn tracing off', () => {
    assert.deepEqual(tracing({ OTEL_TRACES_EXPORTER: 'console' }).exporters, ['console']);
    assert.deepEqual(tracing({ OTEL_TRACES_EXPORTER: 'otlp, console' }).exporters, ['otlp', 'console']);
    assert.equal(tracing({ OTEL_TRACES_EXPORTER: 'otlp' }).otlpUrl, 'http://localhost:4318/v1/traces');
    assert.deepEqual(
      tracing({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).exporters,
      [],
    );
    assert.deepEqual(
      tracing({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).exporters,
      [],
    );
  });

  it('reads the service name, resource attributes and sampler', () => {
    const config = tracing({
      OTEL_SERVICE_NAME: 'data-api-eu',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod, team=data%20platform',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    assert.equal(config.serviceName, 'data-api-eu');
    assert.deepEqual(config.resourceAttributes, {
      'deployment.environment': 'prod',
      team: 'data platform',
    });
    assert.equal(config.sampler, 'parentbased_traceidratio');
    assert.equal(config.samplerRatio, 0.25);
  });

  it('refuses what it cannot honour, naming the variable', () => {
    const refused: [Record<string, string>, RegExp][] = [
      [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /OTEL_TRACES_EXPORTER/],
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /OTEL_EXPORTER_OTLP_PROTOCOL 'grpc' is not supported/],
      [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }, /OTEL_EXPORTER_OTLP_TRACES_PROTOCOL/],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /OTLP traces endpoint/],
      [{ OTEL_RESOURCE_ATTRIBUTES: 'novalue' }, /OTEL_RESOURCE_ATTRIBUTES: 'novalue' is not key=value/],
      [{ OTEL_RESOURCE_ATTRIBUTES: 'a=%zz' }, /OTEL_RESOURCE_ATTRIBUTES: the value of 'a'/],
      [{ OTEL_TRACES_SAMPLER: 'jaeger_remote' }, /OTEL_TRACES_SAMPLER/],
      [{ OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG/],
    ];
    for (const [env, message] of refused) {
      assert.throws(
        () => loadConfig(env),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
        JSON.stringify(env),
      );
    }
  });
});

describe('traceTag', () => {
  it('names the trace in a tag Spark accepts (not empty, no comma)', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const tag = traceTag({ traceId, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED });
    assert.equal(tag, `trace-id:${traceId}`);
    assert.ok(!tag.includes(','));
  });

  it('is undefined outside a trace', () => {
    assert.equal(traceTag(INVALID_SPAN_CONTEXT), undefined);
  });
});
