/**
 * CSV answers defuse spreadsheet formulas in Spark's text values and column names, leave numbers
 * as Spark computed them, and send everything as it is when the request or the server says so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { parseCsv } from '../helpers/csv-parser.js';
import { call, serve, type Served } from '../helpers/http.js';

const registry = new DatasetRegistry({
  datasets: {
    cells: {
      description: 'text that looks like formulas, and negative numbers',
      sql: `SELECT id, s, -id AS neg, CAST(-id * 1.5 AS DECIMAL(10, 2)) AS dec, -id / 4.0D AS dbl,
              s AS \`=HYPERLINK("http://x")\`
            FROM VALUES
              (1, '=1+1'), (2, '+41'), (3, '-3'), (4, '@SUM(A1:A9)'), (5, char(9) || '=1'),
              (6, char(13) || '=1'), (7, 'plain'), (8, 'x=1'), (9, '=cmd|' || char(39) || ' /C calc' || char(39) || '!A0'), (10, '')
              AS t(id, s)`,
    },
  },
});

const TRIGGER = /^[=+\-@\t\r]/;
let served: Served;
let strict: Served;
before(async () => {
  served = await serve({}, registry);
  strict = await serve({ CSV_ESCAPE_FORMULAS: 'false' }, registry);
});
after(async () => {
  await served.close();
  await strict.close();
});

/** Spark's own values, read as JSON (exact strings for decimals). */
async function sparkRows(): Promise<Record<string, string | number>[]> {
  const answer = await call('GET', `${served.url}/v1/datasets/cells/rows?format=json&orderBy=id`);
  assert.equal(answer.status, 200, answer.text());
  return (answer.json() as { rows: Record<string, string | number>[] }).rows;
}

async function csv(base: string, query = ''): Promise<(string | null)[][]> {
  const answer = await call('GET', `${base}/v1/datasets/cells/rows?format=csv&orderBy=id${query}`);
  assert.equal(answer.status, 200, answer.text());
  return parseCsv(answer.text());
}

const defused = (text: string) => (TRIGGER.test(text) ? `'${text}` : text);

describe('CSV formula injection', () => {
  it('prefixes text cells and column names that start like formulas with a quote, by default', async () => {
    const rows = await sparkRows();
    const [header, ...records] = await csv(served.url);
    const names = Object.keys(rows[0]!);
    assert.deepEqual(header, names.map(defused));
    assert.equal(header.at(-1), `'=HYPERLINK("http://x")`);
    records.forEach((record, n) => {
      const row = rows[n]!;
      const s = String(row['s']);
      assert.equal(record[1], s === '' ? '' : defused(s), `row ${n}`);
      // Numbers are data: a negative number stays a number.
      assert.equal(record[2], String(row['neg']));
      assert.equal(record[3], row['dec']);
      assert.equal(record[4], String(row['dbl']));
      assert.match(record[2], /^-\d+$/);
    });
    assert.deepEqual(
      records.map((r) => r[1]),
      ["'=1+1", "'+41", "'-3", "'@SUM(A1:A9)", "'\t=1", "'\r=1", 'plain', 'x=1', "'=cmd|' /C calc'!A0", ''],
    );
  });

  it('sends text as Spark has it with escapeFormulas=false, or when the server turns it off', async () => {
    const rows = await sparkRows();
    for (const [base, query] of [
      [served.url, '&escapeFormulas=false'],
      [strict.url, ''],
    ] as const) {
      const [header, ...records] = await csv(base, query);
      assert.deepEqual(header, Object.keys(rows[0]!));
      assert.deepEqual(
        records.map((r) => r[1] ?? ''),
        rows.map((r) => r['s']),
      );
    }
    const [, ...asked] = await csv(strict.url, '&escapeFormulas=true');
    assert.equal(asked[0]?.[1], "'=1+1");
  });
});
