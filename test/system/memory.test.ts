/**
 * Constant memory: the service streams 10 million rows (over 1 GB of NDJSON) to a reader that
 * takes them slowly, and its resident memory stays bounded. The service runs compiled, as a
 * process of its own, so its RSS is its own.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closedPort } from '../helpers/closed-port.js';
import { rssBytes } from '../../bench/rss.js';
import { sparkRemote } from '../helpers/spark-remote.js';

const ROWS = 10_000_000;
/** How fast the reader takes bytes: well below what the service can send. */
const READ_BYTES_PER_SECOND = 80 * 1024 * 1024;
/** About half the NDJSON the rows make. */
const HALF = 600 * 1024 * 1024;
const MiB = 1024 ** 2;

const root = fileURLToPath(new URL('../..', import.meta.url));
let service: ChildProcess;
let base: string;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-data-api-'));
  const datasets = join(dir, 'datasets.yaml');
  writeFileSync(
    datasets,
    [
      'datasets:',
      '  wide:',
      '    description: ten million rows',
      '    maxLimit: 20000000',
      '    defaultLimit: 20000000',
      '    sql: >-',
      '      SELECT id AS event_id, id * 3 AS amount_cents, id % 1000 AS region_code, id / 7.0D AS ratio,',
      `      concat('customer-', id) AS customer FROM range(0, ${ROWS}, 1, 32)`,
    ].join('\n'),
  );
  // Measured as it is deployed: compiled, without the TypeScript loader.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  const port = await closedPort();
  base = `http://127.0.0.1:${port}`;
  service = spawn(process.execPath, ['dist/server.js'], {
    cwd: root,
    env: {
      ...process.env,
      SPARK_REMOTE: sparkRemote(),
      ANONYMOUS: 'true',
      DATASETS_FILE: datasets,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      MAX_ROWS: String(2 * ROWS),
      MAX_BYTES: String(8 * 1024 ** 3),
    },
    stdio: 'inherit',
  });
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      // starting
    }
    if (attempt > 300) throw new Error('the service did not become ready');
    await sleep(200);
  }
});

after(async () => {
  if (service.exitCode !== null || service.signalCode !== null) return;
  const exited = new Promise((resolve) => service.once('exit', resolve));
  service.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(30_000, false, { ref: false })]);
  if (!stopped) service.kill('SIGKILL');
});

describe('memory while streaming to a slow reader', () => {
  it('streams 10 million rows, over 1 GB of NDJSON, in bounded memory', async (t) => {
    const pid = service.pid ?? 0;
    const before = rssBytes(pid);
    let peak = before;
    let firstHalfPeak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(pid));
    }, 100);
    const started = Date.now();
    const { bytes, lines } = await new Promise<{ bytes: number; lines: number }>((resolve, reject) => {
      get(`${base}/v1/datasets/wide/rows`, (res) => {
        assert.equal(res.statusCode, 200);
        let bytes = 0;
        let lines = 0;
        res.on('data', (chunk: Buffer) => {
          if (bytes < HALF && bytes + chunk.length >= HALF) firstHalfPeak = peak;
          bytes += chunk.length;
          for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
          // Reads no faster than READ_BYTES_PER_SECOND: the socket's backpressure does the rest.
          const ahead = bytes / READ_BYTES_PER_SECOND - (Date.now() - started) / 1000;
          if (ahead > 0) {
            res.pause();
            setTimeout(() => res.resume(), ahead * 1000);
          }
        });
        res.on('end', () => {
          resolve({ bytes, lines });
        });
        res.on('error', reject);
      }).on('error', reject);
    });
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    t.diagnostic(
      `${lines} rows, ${(bytes / 1024 ** 3).toFixed(2)} GiB in ${seconds.toFixed(1)} s; service RSS ` +
        `${(before / MiB).toFixed(0)} MiB before, peak ${(firstHalfPeak / MiB).toFixed(0)} MiB ` +
        `in the first half, ${(peak / MiB).toFixed(0)} MiB in all`,
    );
    assert.equal(lines, ROWS);
    assert.ok(bytes > 1024 ** 3, `${bytes} bytes`);
    // Constant: the second half of the result does not take the service higher than the first did.
    assert.ok(peak - firstHalfPeak < 96 * MiB, `grew ${((peak - firstHalfPeak) / MiB).toFixed(0)} MiB`);
    // 207-233 MiB on 2 cores; 294-338 when every double's text was a string of V8's old space.
    assert.ok(peak < 288 * MiB, `peak RSS ${(peak / MiB).toFixed(0)} MiB`);
  });
});
