/**
 * Eight ordinary slow downloads against a Spark with its default 1 GiB driver: eight clients
 * read a million demo events each as NDJSON at 4 MB/s, at the same time. Without a spool, Spark's
 * driver held every batch the readers had not taken and died of an OutOfMemoryError; with it,
 * all eight complete with the same rows, and Spark still answers afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, serve, type Served } from '../helpers/http.js';
import { readSlowly } from '../helpers/slow-reader.js';
import { removeTempDirs, tempDir } from '../helpers/temp-dirs.js';

const READERS = 8;
const ROWS = 1_000_000;
const BYTES_PER_SECOND = 4 * 1024 ** 2;

let served: Served;

before(async () => {
  served = await serve({ POOL_MAX: String(READERS), SPOOL_DIR: tempDir() });
});
after(async () => {
  await served.close();
  removeTempDirs();
});

/** The events of the demo, a million of them; each reader's filter differs but keeps every row,
 * so eight queries run on Spark rather than one shared answer. */
const download = (reader: number) => ({
  limit: ROWS,
  where: { op: 'gte', column: 'event_id', value: -1 - reader },
});

describe('eight slow downloads of a million rows each', () => {
  it('all complete with the same rows, and Spark answers afterwards', async () => {
    const reads = await Promise.all(
      Array.from({ length: READERS }, (_, reader) =>
        readSlowly(
          `${served.url}/v1/datasets/events/query?format=ndjson`,
          download(reader),
          BYTES_PER_SECOND,
        ),
      ),
    );
    for (const read of reads) {
      assert.equal(read.status, 200, read.lastLine);
      assert.equal(read.lines, ROWS, `a reader got ${read.lines} rows; the last line: ${read.lastLine}`);
      assert.equal((JSON.parse(read.lastLine) as { event_id: string }).event_id, String(ROWS - 1));
    }
    assert.deepEqual(new Set(reads.map((r) => r.sha256)).size, 1, 'the eight answers differ');

    const after = await call('GET', `${served.url}/v1/datasets/events/rows?limit=3&format=json`);
    assert.equal(after.status, 200, after.text());
    assert.equal((after.json() as { rowCount: number }).rowCount, 3);
  });
});
