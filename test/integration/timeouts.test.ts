/**
 * Slow senders are cut off (408, connection closed) while long answers are not: a query slower
 * than the request timeout, and a download read slowly, both complete. A client that leaves
 * while sending its body is logged at info, not as an error.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { loggerOptions } from '../../src/observability/logging.js';
import { sparkRemote } from '../helpers/spark-remote.js';

const ROWS = 500_000;
const registry = new DatasetRegistry({
  datasets: {
    // The first row comes after two seconds, twice the request timeout.
    sleepy: {
      description: 'slow to start',
      sql: "SELECT id, reflect('java.lang.Thread', 'sleep', 2000L) AS slept FROM range(0, 1, 1, 1)",
    },
    many: {
      description: 'many rows',
      sql: `SELECT id FROM range(0, ${ROWS}, 1, 4)`,
      maxLimit: ROWS,
      defaultLimit: ROWS,
    },
  },
});

let app: FastifyInstance;
let port: number;
const lines: { level: number; msg: string }[] = [];

before(async () => {
  const config = loadConfig({
    SPARK_REMOTE: sparkRemote(),
    LOG_LEVEL: 'info',
    ANONYMOUS: 'true',
    REQUEST_TIMEOUT_MS: '1000',
    HEADERS_TIMEOUT_MS: '1000',
  });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  app = await buildApp(config, { registry }, { logger: { ...loggerOptions(config), stream } });
  port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
});
after(() => app.close());

/**
 * Sends `head`, then one byte of `drip` every 200 ms for up to a minute; resolves with what the
 * server answered once it closes the connection, or 'still open' if it never did.
 */
async function slowSender(head: string, drip: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      resolve();
    }),
  );
  socket.write(head);
  for (let i = 0; i < 300; i++) {
    const done = await Promise.race([closed.then(() => true), sleep(200).then(() => false)]);
    if (done) return answer;
    socket.write(drip);
  }
  socket.destroy();
  return 'still open';
}

describe('slow senders', () => {
  it('are answered 408 and disconnected when the body trickles in', async () => {
    const head =
      'POST /v1/datasets/many/query HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
      'content-length: 100000\r\n\r\n{"limit":';
    const answers = await Promise.all(Array.from({ length: 40 }, () => slowSender(head, ' ')));
    for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408 /);
  });

  it('are answered 408 and disconnected when the headers trickle in', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, () => slowSender('GET /v1/datasets HTTP/1.1\r\nhost: x\r\n', 'x')),
    );
    for (const answer of answers) assert.match(answer, /^HTTP\/1\.1 408 /);
  });

  it('log a client that leaves while sending its body at info, not as an error', async () => {
    const before = lines.length;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      'POST /v1/datasets/many/query HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
        'content-length: 1000\r\n\r\n{"limit":',
    );
    await sleep(300);
    socket.destroy();
    const left = (l: { msg: string }) => l.msg === 'the client left while sending its request';
    for (let i = 0; i < 100 && !lines.slice(before).some(left); i++) await sleep(50);
    await sleep(200);
    const mine = lines.slice(before);
    assert.ok(
      mine.some((l) => l.level === 30 && left(l)),
      JSON.stringify(mine),
    );
    assert.deepEqual(
      mine.filter((l) => l.level >= 50),
      [],
    );
  });
});

describe('long answers', () => {
  it('a query whose first row takes longer than the request timeout still answers', async () => {
    const answer = await fetch(`http://127.0.0.1:${port}/v1/datasets/sleepy/rows?format=json`);
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { rowCount: number }).rowCount, 1);
  });

  it('a download read slowly, past the request timeout, completes', async () => {
    const { rows, trailers } = await new Promise<{ rows: number; trailers: NodeJS.Dict<string> }>(
      (resolve, reject) => {
        const req = httpRequest(`http://127.0.0.1:${port}/v1/datasets/many/rows`, (res) => {
          let rows = 0;
          let paused = false;
          res.on('data', (chunk: Buffer) => {
            for (const byte of chunk) if (byte === 0x0a) rows++;
            if (!paused && rows > 10_000) {
              // The reader stalls for three times the request timeout.
              paused = true;
              res.pause();
              setTimeout(() => res.resume(), 3_000);
            }
          });
          res.on('end', () => {
            resolve({ rows, trailers: res.trailers });
          });
          res.on('error', reject);
        });
        req.on('error', reject).end();
      },
    );
    assert.equal(rows, ROWS);
    assert.equal(trailers['result-rows'], String(ROWS));
    assert.equal(trailers['result-truncated'], 'false');
  });
});
