/** A caller's request id is kept only when short and plain; otherwise the service makes one. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loggerOptions } from '../../src/observability/logging.js';
import { closedPort } from '../helpers/closed-port.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let app: FastifyInstance;
const lines: Record<string, unknown>[] = [];

before(async () => {
  const config = loadConfig({
    SPARK_REMOTE: `sc://127.0.0.1:${await closedPort()}`,
    LOG_LEVEL: 'info',
    ANONYMOUS: 'true',
  });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  app = await buildApp(config, {}, { logger: { ...loggerOptions(config), stream } });
});
after(() => app.close());

const echoed = async (id: string | undefined) => {
  const response = await app.inject({
    url: '/healthz',
    headers: id === undefined ? {} : { 'request-id': id },
  });
  return String(response.headers['request-id']);
};

describe('request ids', () => {
  it('keeps a caller’s id of up to 128 plain characters', async () => {
    for (const id of [
      'caller-7',
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      'Root=1-67891233-abcdef012345678912345678',
      'a'.repeat(128),
      'abc+/=._:-',
    ]) {
      assert.equal(await echoed(id), id);
    }
  });

  it('replaces an id that is too long or holds other characters, everywhere it is used', async () => {
    const cases = ['x'.repeat(129), 'y'.repeat(8192), 'a b', 'a,b', '<script>', 'ümlaut', '"quoted"', ''];
    for (const id of cases) {
      const got = await echoed(id);
      assert.match(got, UUID, `for ${JSON.stringify(id.slice(0, 20))}`);
      const logged = lines.filter((l) => l['reqId'] === got);
      assert.ok(logged.length > 0, 'log lines carry the replacement');
    }
    assert.ok(
      lines.every((l) => typeof l['reqId'] !== 'string' || l['reqId'].length <= 128),
      'no log line carries a long id',
    );
  });

  it('generates a fresh id when none is sent', async () => {
    const [a, b] = [await echoed(undefined), await echoed(undefined)];
    assert.match(a, UUID);
    assert.notEqual(a, b);
  });
});
