/**
 * Statements against a real Spark: answered in time or later, polled with progress, results
 * read whole or by chunk, in parallel, in every format, resumed by Range; stopped by DELETE;
 * seen only by their owner; bounded per tenant; refused clearly when asked wrongly.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { call, serve, type Served } from '../helpers/http.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';
import {
  assertJobsStop,
  filesOf,
  jobRuns,
  pollUntil,
  STATEMENT_DATASETS,
  submit,
  type Statement,
} from '../helpers/statements.js';

const KEYS = { alice: 'alice-key', bob: 'bob-key', quota: 'quota-key' } as const;
const as = (who: keyof typeof KEYS) => ({ 'x-api-key': KEYS[who] });
const hash = (key: string) => createHash('sha256').update(key).digest('hex');

let served: Served;
let base: string;
let spoolDir: string;

before(async () => {
  const dir = tempDir();
  spoolDir = join(dir, 'spool');
  const authFile = join(dir, 'auth.yaml');
  const key = (name: keyof typeof KEYS, tenant: string) =>
    `  - { name: ${name}, sha256: ${hash(KEYS[name])}, tenant: ${tenant}, scopes: [datasets:read, sql:execute] }`;
  writeFileSync(
    authFile,
    ['apiKeys:', key('alice', 'acme'), key('bob', 'acme'), key('quota', 'small')].join('\n'),
  );
  served = await serve(
    {
      AUTH_FILE: authFile,
      ANONYMOUS: 'false',
      RAW_SQL: 'true',
      SPOOL_DIR: spoolDir,
      SPOOL_CHUNK_BYTES: '65536',
      STATEMENTS_MAX_RUNNING: '2',
    },
    STATEMENT_DATASETS,
  );
  base = served.url;
});
after(async () => {
  await served.close();
  removeTempDirs();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  call('GET', `${base}${path}`, { headers: { ...as('alice'), ...headers } });

async function done(body: object): Promise<Statement> {
  const answer = await submit(base, { waitTimeoutMs: 50_000, ...body }, as('alice'));
  assert.equal(answer.status, 200, answer.text());
  const statement = answer.json() as Statement;
  assert.equal(statement.state, 'SUCCEEDED', answer.text());
  return statement;
}

describe('statements', () => {
  it('answers 200 with a manifest when done in time; its rows are those of the sync route', async () => {
    const statement = await done({ dataset: 'nums', query: { orderBy: ['id'] } });
    const manifest = statement.manifest!;
    assert.deepEqual(manifest.columns, [
      { name: 'id', type: 'bigint' },
      { name: 'k', type: 'bigint' },
      { name: 's', type: 'string' },
    ]);
    assert.equal(manifest.totalRows, 60_000);
    assert.equal(manifest.truncated, false);
    assert.ok(manifest.chunks.length > 1, `expected several chunks, got ${manifest.chunks.length}`);
    assert.equal(
      manifest.chunks.reduce((n, c) => n + c.rowCount, 0),
      60_000,
    );
    manifest.chunks.forEach((c, i) => {
      assert.equal(c.index, i);
    });
    const sync = await call('POST', `${base}/v1/datasets/nums/query?format=ndjson`, {
      body: { orderBy: ['id'] },
      headers: as('alice'),
    });
    const whole = await get(`/v1/statements/${statement.id}/result?format=ndjson`);
    assert.equal(whole.status, 200);
    assert.equal(whole.text(), sync.text());
  });

  it('serves every format of the result as the sync route does', async () => {
    const query = { orderBy: ['id'], limit: 3000 };
    const statement = await done({ dataset: 'nums', query });
    for (const format of ['ndjson', 'csv', 'json']) {
      const sync = await call('POST', `${base}/v1/datasets/nums/query?format=${format}`, {
        body: query,
        headers: as('alice'),
      });
      const kept = await get(`/v1/statements/${statement.id}/result?format=${format}`);
      assert.equal(kept.status, 200, format);
      assert.equal(kept.headers['content-type'], sync.headers['content-type'], format);
      assert.equal(kept.headers['result-columns'], sync.headers['result-columns'], format);
      assert.equal(kept.text(), sync.text(), format);
    }
    const sync = await call('POST', `${base}/v1/datasets/nums/query?format=arrow`, {
      body: query,
      headers: as('alice'),
    });
    const kept = await get(`/v1/statements/${statement.id}/result?format=arrow`);
    assert.deepEqual(
      tableFromIPC(kept.body).toArray().map(String),
      tableFromIPC(sync.body).toArray().map(String),
    );
  });

  it('uses the statement’s format for its links and when the request names none', async () => {
    const statement = await done({ dataset: 'nums', query: { limit: 10 }, format: 'csv' });
    const href = statement.manifest!.chunks[0]!.href;
    assert.match(href, /\?format=csv$/);
    const chunk = await get(href);
    assert.match(String(chunk.headers['content-type']), /^text\/csv/);
    const whole = await get(`/v1/statements/${statement.id}/result`);
    assert.match(String(whole.headers['content-type']), /^text\/csv/);
  });

  it('serves chunks in parallel, which joined are the whole result', async () => {
    const statement = await done({ dataset: 'nums', query: { orderBy: ['id'] } });
    const chunks = statement.manifest!.chunks;
    const parts = await Promise.all(
      chunks.map((c) => get(`${c.href}${c.href.includes('?') ? '&' : '?'}format=ndjson`)),
    );
    parts.forEach((part, i) => {
      assert.equal(part.status, 200);
      assert.equal(part.text().split('\n').length - 1, chunks[i]!.rowCount);
    });
    const whole = await get(`/v1/statements/${statement.id}/result?format=ndjson`);
    assert.equal(parts.map((p) => p.text()).join(''), whole.text());
    // Arrow chunks are Arrow streams of their rows.
    const arrows = await Promise.all(
      chunks.map((c) => get(`/v1/statements/${statement.id}/result/chunks/${c.index}?format=arrow`)),
    );
    const ids = arrows.flatMap((a) => [...tableFromIPC(a.body).getChild('id')!].map(String));
    assert.deepEqual(
      ids,
      Array.from({ length: 60_000 }, (_, i) => String(i)),
    );
  });

  it('resumes a download with Range, byte for byte, any number of times', async () => {
    const statement = await done({ dataset: 'nums', query: { orderBy: ['id'] } });
    const path = `/v1/statements/${statement.id}/result?format=arrow`;
    const whole = await get(path);
    const etag = String(whole.headers['etag']);
    assert.match(etag, /^"[^"]+"$/);
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    const cut = 100_003;
    const head = await get(path, { range: `bytes=0-${cut - 1}` });
    assert.equal(head.status, 206);
    assert.equal(head.headers['content-range'], `bytes 0-${cut - 1}/${whole.body.length}`);
    const [tail, again] = await Promise.all([
      get(path, { range: `bytes=${cut}-`, 'if-range': etag }),
      get(path, { range: `bytes=${cut}-`, 'if-range': etag }),
    ]);
    assert.equal(tail.status, 206);
    assert.ok(Buffer.concat([head.body, tail.body]).equals(whole.body));
    assert.ok(again.body.equals(tail.body));
    const suffix = await get(path, { range: 'bytes=-10' });
    assert.ok(suffix.body.equals(whole.body.subarray(-10)));
    // Another version's tag: the whole representation.
    const stale = await get(path, { range: `bytes=${cut}-`, 'if-range': '"other"' });
    assert.equal(stale.status, 200);
    assert.ok(stale.body.equals(whole.body));
    assert.equal((await get(path, { 'if-none-match': etag })).status, 304);
    const past = await get(path, { range: `bytes=${whole.body.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers['content-range'], `bytes */${whole.body.length}`);
    assert.equal((past.json() as { code: string }).code, 'RANGE_NOT_SATISFIABLE');
    const malformed = await get(path, { range: 'bytes=five-' });
    assert.equal(malformed.status, 400);
    assert.match((malformed.json() as { detail: string }).detail, /bytes=<first>-<last>/);
  });

  it('answers 202 for a slow query, whose polls go on to SUCCEEDED with progress moving', async () => {
    const answer = await submit(base, { dataset: 'slow', waitTimeoutMs: 0 }, as('alice'));
    assert.equal(answer.status, 202, answer.text());
    const statement = answer.json() as Statement;
    assert.equal(answer.headers['location'], `/v1/statements/${statement.id}`);
    assert.ok(['PENDING', 'RUNNING'].includes(statement.state), statement.state);
    const seen = await pollUntil(base, statement.id, ['SUCCEEDED', 'FAILED'], as('alice'));
    const last = seen.at(-1)!;
    assert.equal(last.state, 'SUCCEEDED', JSON.stringify(last.error));
    assert.ok(
      seen.some((s) => s.state === 'RUNNING'),
      'expected a poll to see it RUNNING',
    );
    const running = seen.filter((s) => s.state === 'RUNNING').map((s) => s.progress);
    assert.ok(
      running.some((p) => p['tasksTotal']! > 0 && p['tasksDone']! < p['tasksTotal']!),
      `expected progress part-way, saw ${JSON.stringify(running)}`,
    );
    assert.equal(last.progress['tasksDone'], last.progress['tasksTotal']);
    assert.equal(last.manifest!.totalRows, 1000);
  });

  it('stops the Spark job and deletes the result on DELETE', async () => {
    const requestId = `statement-delete-${randomUUID()}`;
    const answer = await submit(
      base,
      { dataset: 'endless', waitTimeoutMs: 0 },
      { ...as('alice'), 'request-id': requestId },
    );
    const { id } = answer.json() as Statement;
    await jobRuns(requestId);
    const deleted = await call('DELETE', `${base}/v1/statements/${id}`, { headers: as('alice') });
    assert.equal(deleted.status, 204);
    await assertJobsStop(requestId);
    const after = (await get(`/v1/statements/${id}`)).json() as Statement;
    assert.equal(after.state, 'CANCELED');
    assert.deepEqual(filesOf(spoolDir, id), []);
    assert.equal((await get(`/v1/statements/${id}/result`)).status, 409);
    // A statement that SUCCEEDED: its files go too.
    const finished = await done({ dataset: 'nums' });
    assert.ok(filesOf(spoolDir, finished.id).length > 0);
    assert.equal(
      (await call('DELETE', `${base}/v1/statements/${finished.id}`, { headers: as('alice') })).status,
      204,
    );
    assert.deepEqual(filesOf(spoolDir, finished.id), []);
    assert.equal((await get(`/v1/statements/${finished.id}/result`)).status, 409);
  });

  it('stops the job at the end of the wait on onWaitTimeout=CANCEL', async () => {
    const requestId = `statement-cancel-${randomUUID()}`;
    const answer = await submit(
      base,
      { dataset: 'endless', waitTimeoutMs: 1000, onWaitTimeout: 'CANCEL' },
      { ...as('alice'), 'request-id': requestId },
    );
    assert.equal(answer.status, 202);
    assert.equal((answer.json() as Statement).state, 'CANCELED');
    await assertJobsStop(requestId);
  });

  it('shows a statement to its owner only', async () => {
    const statement = await done({ dataset: 'nums', query: { limit: 5 } });
    for (const [method, path] of [
      ['GET', `/v1/statements/${statement.id}`],
      ['GET', `/v1/statements/${statement.id}/result`],
      ['GET', `/v1/statements/${statement.id}/result/chunks/0`],
      ['DELETE', `/v1/statements/${statement.id}`],
    ] as const) {
      const answer = await call(method, `${base}${path}`, { headers: as('bob') });
      assert.equal(answer.status, 404, `${method} ${path}`);
      assert.equal((answer.json() as { code: string }).code, 'STATEMENT_NOT_FOUND');
    }
    assert.equal((await get(`/v1/statements/${statement.id}/result`)).status, 200);
  });

  it('refuses a statement over the tenant’s running quota with 429 and Retry-After', async () => {
    const ids: string[] = [];
    const requestIds: string[] = [];
    const endless = async () => {
      requestIds.push(`statement-quota-${randomUUID()}`);
      const headers = { ...as('quota'), 'request-id': requestIds.at(-1)! };
      return submit(base, { dataset: 'endless', waitTimeoutMs: 0 }, headers);
    };
    try {
      for (let i = 0; i < 2; i++) {
        const answer = await endless();
        assert.equal(answer.status, 202);
        ids.push((answer.json() as Statement).id);
      }
      const over = await endless();
      assert.equal(over.status, 429, over.text());
      assert.equal((over.json() as { code: string }).code, 'STATEMENT_QUOTA');
      assert.ok(Number(over.headers['retry-after']) > 0);
      // A deleted statement no longer counts, even while its Spark job is still being stopped.
      const deleted = await call('DELETE', `${base}/v1/statements/${ids.shift()!}`, { headers: as('quota') });
      assert.equal(deleted.status, 204);
      const again = await endless();
      assert.equal(again.status, 202, again.text());
      ids.push((again.json() as Statement).id);
      // Another tenant's statement is taken (while the endless ones may hold Spark's cores).
      const other = await submit(
        base,
        { dataset: 'nums', query: { limit: 1 }, waitTimeoutMs: 0 },
        as('alice'),
      );
      assert.ok(other.status === 200 || other.status === 202, other.text());
      await call('DELETE', `${base}/v1/statements/${(other.json() as Statement).id}`, {
        headers: as('alice'),
      });
    } finally {
      for (const id of ids) await call('DELETE', `${base}/v1/statements/${id}`, { headers: as('quota') });
    }
    // Deleted within moments of being sent, the endless statements run no job on Spark, now or
    // after Spark has had time to register them.
    await sleep(1000);
    for (const requestId of requestIds) await assertJobsStop(requestId);
  });

  it('runs raw SQL with parameters', async () => {
    const statement = await done({ sql: 'SELECT :n + 1 AS answer', params: { n: 41 }, format: 'json' });
    const result = await get(statement.manifest!.chunks[0]!.href);
    assert.deepEqual((result.json() as { rows: unknown[] }).rows, [{ answer: 42 }]);
  });

  it('refuses bad requests with a 4xx that says what to fix', async () => {
    const bad = async (body: object, status: number, pattern: RegExp) => {
      const answer = await submit(base, body, as('alice'));
      assert.equal(answer.status, status, `${JSON.stringify(body)}: ${answer.text()}`);
      assert.match((answer.json() as { detail: string }).detail, pattern);
    };
    await bad({ dataset: 'nums', waitTimeoutMs: 60_000 }, 400, /waitTimeoutMs|50000/);
    await bad({ dataset: 'nums', onWaitTimeout: 'WAIT' }, 400, /onWaitTimeout|CONTINUE/);
    await bad({ dataset: 'nums', sql: 'SELECT 1' }, 400, /"dataset".*"sql"/);
    await bad({}, 400, /"dataset".*"sql"/);
    await bad({ dataset: 'nums', query: { select: ['nope'] } }, 400, /nope/);
    await bad({ dataset: 'none' }, 404, /none/);
    const statement = await done({ dataset: 'nums', query: { limit: 5 } });
    const chunk = await get(`/v1/statements/${statement.id}/result/chunks/99`);
    assert.equal(chunk.status, 404);
    assert.match((chunk.json() as { detail: string }).detail, /chunks 0 to 0, not chunk 99/);
    assert.equal((await get(`/v1/statements/${randomUUID()}`)).status, 404);
    assert.equal((await get('/v1/statements/not-an-id')).status, 400);
    assert.equal((await get(`/v1/statements/${statement.id}?waitTimeoutMs=-1`)).status, 400);
  });

  it('is read by PyArrow', async () => {
    const python = process.env['PYTHON'] ?? 'python3';
    const statement = await done({ dataset: 'nums', query: { orderBy: ['id'] } });
    const whole = await get(`/v1/statements/${statement.id}/result?format=arrow`);
    const out = execFileSync(
      python,
      [
        '-c',
        'import sys, pyarrow as pa, pyarrow.compute as pc\nt = pa.ipc.open_stream(sys.stdin.buffer.read()).read_all()\nprint(t.num_rows, pc.sum(t["id"]).as_py())',
      ],
      { input: whole.body },
    ).toString();
    assert.equal(out.trim(), `60000 ${(59_999 * 60_000) / 2}`);
  });
});
