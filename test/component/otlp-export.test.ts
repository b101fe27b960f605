/**
 * Tracing configured by OTEL_* variables alone, as an operator sets it: spans reach an OTLP
 * receiver over HTTP as protobuf, and with tracing off nothing is started.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startTracing, tracer } from '../../src/observability/tracing.js';

interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

const received: Received[] = [];
const receiver = createServer((request: IncomingMessage, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push({
      path: request.url ?? '',
      contentType: request.headers['content-type'] ?? '',
      body: Buffer.concat(chunks),
    });
    response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});

before(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});

after(() => {
  receiver.close();
});

describe('OTLP export', () => {
  it('is not started when no exporter or endpoint is configured', async () => {
    assert.equal(await startTracing(loadConfig({}).tracing), undefined);
  });

  it('sends spans to <endpoint>/v1/traces as protobuf, flushed on shutdown', async () => {
    const { port } = receiver.address() as AddressInfo;
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_SERVICE_NAME: 'otlp-export-test',
    });
    const tracing = await startTracing(config.tracing);
    assert.ok(tracing, 'tracing starts when an endpoint is set');
    tracer.startSpan('exported-span-4f1c').end();
    await tracing.shutdown();
    const traces = received.filter((r) => r.path === '/v1/traces');
    assert.equal(traces.length, 1, JSON.stringify(received.map((r) => r.path)));
    assert.equal(traces[0]!.contentType, 'application/x-protobuf');
    // Protobuf keeps strings as they are: the span's and the service's names are in the body.
    assert.ok(traces[0]!.body.includes('exported-span-4f1c'));
    assert.ok(traces[0]!.body.includes('otlp-export-test'));
  });
});
