/**
 * Compressed answers against Spark, read by real clients: curl (`--compressed`, and each coding
 * asked alone) and Python's standard library decode NDJSON and CSV of demo-like events to the
 * very bytes of the uncompressed answer; JSON over raw SQL likewise; a cached answer's ETag names
 * its coding and still gets 304; Arrow is never compressed; `COMPRESSION=false` turns it off.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { OFFERED, ZSTD_AVAILABLE } from '../../src/http/content-coding.js';
import { call, serve, type Served } from '../helpers/http.js';
import { runTool } from '../helpers/run-tool.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

const ROWS = 200_000;

const registry = new DatasetRegistry({
  setup: {
    statements: [
      `CREATE OR REPLACE TEMPORARY VIEW events AS
       SELECT
         id AS event_id,
         element_at(array('view', 'click', 'signup', 'purchase'), CAST(pmod(hash(id, 1), 4) + 1 AS INT)) AS event_type,
         element_at(array('EU', 'US', 'APAC', 'LATAM'), CAST(pmod(hash(id, 2), 4) + 1 AS INT)) AS region,
         timestamp_seconds(1735689600 + id * 9) AS ts,
         CAST(pmod(hash(id, 3), 100000) / 100.0 AS DECIMAL(12, 2)) AS revenue,
         CAST(pmod(hash(id, 4), 50000) AS BIGINT) AS user_id
       FROM range(0, ${ROWS}, 1, 4)`,
    ],
  },
  datasets: {
    events: { description: 'events', table: 'events', maxLimit: 1_000_000 },
    kept: { description: 'events, reused', table: 'events', maxLimit: 1_000_000, cacheTtlSeconds: 300 },
  },
});

let served: Served;
let dir: string;

before(async () => {
  served = await serve({ RAW_SQL: 'true', POOL_MIN: '1' }, registry);
  dir = tempDir();
});
after(async () => {
  await served.close();
  removeTempDirs();
});

const rowsUrl = (format: string, dataset = 'events') =>
  `${served.url}/v1/datasets/${dataset}/rows?format=${format}&limit=${ROWS}&orderBy=event_id`;

interface CurlAnswer {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
  readonly trailers: Record<string, string>;
  readonly downloaded: number;
}

let runs = 0;
/** curl's answer: the body as curl wrote it, the header and trailer fields, the bytes it received. */
async function curl(url: string, args: readonly string[]): Promise<CurlAnswer> {
  runs += 1;
  const out = join(dir, `body-${runs}`);
  const heads = join(dir, `heads-${runs}`);
  const run = await runTool('curl', [
    '-sS',
    '--fail',
    '-o',
    out,
    '-D',
    heads,
    '-w',
    '%{size_download}',
    ...args,
    url,
  ]);
  assert.equal(run.code, 0, run.output);
  // -D writes the header fields, then (after the body) the trailer fields.
  const [head = '', tail = ''] = readFileSync(heads, 'utf8').split(/\r\n\r\n/);
  const fields = (text: string) =>
    Object.fromEntries(
      text
        .split('\r\n')
        .filter((line) => line.includes(':'))
        .map((line) => [
          line.slice(0, line.indexOf(':')).toLowerCase(),
          line.slice(line.indexOf(':') + 1).trim(),
        ]),
    );
  return {
    body: readFileSync(out),
    headers: fields(head),
    trailers: fields(tail),
    downloaded: Number(run.output),
  };
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('compressed answers read by curl', () => {
  for (const format of ['ndjson', 'csv'] as const) {
    it(`${format}: curl --compressed and each coding give the uncompressed bytes`, async (t) => {
      const plain = await curl(rowsUrl(format), []);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.match(plain.headers['vary'] ?? '', /accept-encoding/i);
      assert.equal(plain.trailers['result-rows'], String(ROWS));
      const lines = plain.body.toString('utf8').trimEnd().split('\n');
      assert.equal(lines.length, format === 'csv' ? ROWS + 1 : ROWS);
      const sizes = [`identity ${plain.downloaded}`];

      // curl offers every coding it has (deflate, gzip, br, zstd): the best one offered here wins.
      const any = await curl(rowsUrl(format), ['--compressed']);
      assert.equal(any.headers['content-encoding'], OFFERED[0]);
      assert.ok(any.body.equals(plain.body));

      for (const coding of ['gzip', 'br', 'zstd']) {
        const answer = await curl(rowsUrl(format), ['--compressed', '-H', `accept-encoding: ${coding}`]);
        const sent = coding !== 'zstd' || ZSTD_AVAILABLE ? coding : undefined;
        assert.equal(answer.headers['content-encoding'], sent, coding);
        assert.ok(answer.body.equals(plain.body), coding);
        assert.equal(answer.trailers['result-rows'], String(ROWS), coding);
        assert.equal(answer.trailers['result-truncated'], 'false', coding);
        if (sent !== undefined) assert.ok(answer.downloaded < plain.downloaded / 2, coding);
        sizes.push(`${sent ?? 'identity (zstd not offered)'} ${answer.downloaded}`);
      }
      t.diagnostic(`${format}, ${ROWS} rows: ${sizes.join(', ')} bytes`);
    });
  }

  it('Arrow is sent as it is, whatever Accept-Encoding says', async () => {
    const answer = await curl(rowsUrl('arrow'), ['-H', 'accept-encoding: gzip, br']);
    assert.equal(answer.headers['content-encoding'], undefined);
    assert.doesNotMatch(answer.headers['vary'] ?? '', /accept-encoding/i);
    assert.equal(answer.trailers['result-rows'], String(ROWS));
  });

  it('a header refusing identity and every coding offered gets 406', async () => {
    const answer = await call('GET', rowsUrl('ndjson'), {
      headers: { 'accept-encoding': 'compress, identity;q=0' },
    });
    assert.equal(answer.status, 406);
    assert.match(answer.text(), /content coding/);
  });
});

describe('compressed answers read by Python', () => {
  it('urllib and zlib read gzip NDJSON line by line, the same rows as uncompressed', async () => {
    const plain = await call('GET', rowsUrl('ndjson'));
    assert.equal(plain.status, 200);
    const python = process.env['PYTHON'] ?? 'python3';
    const script = [
      'import hashlib, json, sys, urllib.request, zlib',
      'request = urllib.request.Request(sys.argv[1], headers={"Accept-Encoding": "gzip"})',
      'with urllib.request.urlopen(request) as response:',
      '    coding = response.headers.get("Content-Encoding")',
      '    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)',
      '    digest, rows, pending = hashlib.sha256(), 0, b""',
      '    while chunk := response.read(65536):',
      '        text = decoder.decompress(chunk)',
      '        digest.update(text)',
      '        *lines, pending = (pending + text).split(b"\\n")',
      '        for line in lines:',
      '            json.loads(line)',
      '            rows += 1',
      '    digest.update(decoder.flush())',
      'print(json.dumps({"coding": coding, "rows": rows, "sha256": digest.hexdigest(), "rest": pending.decode()}))',
    ].join('\n');
    const run = await runTool(python, ['-c', script, rowsUrl('ndjson')]);
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(JSON.parse(run.output), {
      coding: 'gzip',
      rows: ROWS,
      sha256: sha(plain.body),
      rest: '',
    });
  });
});

describe('compressed JSON, queries and cached answers', () => {
  it('raw SQL as JSON, and a query as CSV, decompress to the uncompressed bytes', async () => {
    const sql = {
      sql: 'SELECT event_id, region, revenue FROM events WHERE event_id < 5000 ORDER BY event_id',
    };
    const plainJson = await call('POST', `${served.url}/v1/sql?format=json`, { body: sql });
    assert.equal(plainJson.status, 200);
    const gzipJson = await call('POST', `${served.url}/v1/sql?format=json`, {
      body: sql,
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(gzipJson.headers['content-encoding'], 'gzip');
    assert.match(String(gzipJson.headers.vary), /accept-encoding/i);
    assert.ok(zlib.gunzipSync(gzipJson.body).equals(plainJson.body));

    const spec = {
      where: { op: 'lt', column: 'event_id', value: 20_000 },
      orderBy: [{ column: 'event_id' }],
      limit: 20_000,
    };
    const url = `${served.url}/v1/datasets/events/query?format=csv`;
    const plainCsv = await call('POST', url, { body: spec });
    const brCsv = await call('POST', url, { body: spec, headers: { 'accept-encoding': 'br' } });
    assert.equal(brCsv.headers['content-encoding'], 'br');
    assert.ok(zlib.brotliDecompressSync(brCsv.body).equals(plainCsv.body));
    assert.equal(brCsv.trailers['result-rows'], '20000');
  });

  it('a small JSON answer is sent as it is', async () => {
    const answer = await call('GET', `${served.url}/v1/datasets/events/rows?format=json&limit=2`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-encoding'], undefined);
    assert.match(String(answer.headers.vary), /accept-encoding/i);
  });

  it('a cached answer: its ETag names the coding, and If-None-Match gets 304', async () => {
    const url = `${served.url}/v1/datasets/kept/rows?format=ndjson&limit=3000&orderBy=event_id`;
    const gzip = { 'accept-encoding': 'gzip' };
    const first = await call('GET', url, { headers: gzip });
    assert.equal(first.headers['content-encoding'], 'gzip');
    const compressed = await call('GET', url, { headers: gzip });
    const plain = await call('GET', url);
    assert.equal(compressed.headers.age !== undefined, true, 'answered from the cache');
    const etag = String(compressed.headers.etag);
    assert.equal(first.headers.etag, etag);
    assert.notEqual(plain.headers.etag, etag);
    assert.ok(zlib.gunzipSync(compressed.body).equals(plain.body));
    assert.equal(String(compressed.headers.vary).toLowerCase(), 'accept, accept-encoding');

    const notModified = await call('GET', url, { headers: { ...gzip, 'if-none-match': etag } });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.body.byteLength, 0);
    assert.equal(String(notModified.headers.vary).toLowerCase(), 'accept, accept-encoding');
    // The plain copy's tag does not name the compressed one.
    const other = await call('GET', url, {
      headers: { ...gzip, 'if-none-match': String(plain.headers.etag) },
    });
    assert.equal(other.status, 200);
    assert.equal(other.headers['content-encoding'], 'gzip');
  });
});

describe('COMPRESSION=false', () => {
  it('sends every answer as it is, without Vary: Accept-Encoding', async () => {
    const off = await serve({ COMPRESSION: 'false', POOL_MIN: '1' }, registry);
    try {
      const answer = await call('GET', `${off.url}/v1/datasets/events/rows?limit=1000`, {
        headers: { 'accept-encoding': 'gzip, br, identity;q=0' },
      });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-encoding'], undefined);
      assert.equal(answer.headers.vary, undefined);
      assert.equal(answer.text().trimEnd().split('\n').length, 1000);
    } finally {
      await off.close();
    }
  });
});
