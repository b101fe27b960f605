/** A caller's request id is kept only when short and plain; otherwise the service makes one. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { appWithoutSparkLogging } from '../helpers/offline-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let app: FastifyInstance;
const lines: Record<string, unknown>[] = [];

before(async () => {
  app = await appWithoutSparkLogging('info', lines);
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
