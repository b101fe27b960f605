/**
 * The time zones a bucket accepts are the ones Spark accepts: every region ID of Java's and
 * of this runtime's tz data, Java's short IDs, offsets in all their spellings and generated
 * near-misses. What we accept Spark reads with the offset we expect; what we refuse Spark
 * refuses too, and the service answers it with a 400 instead of Spark's error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DatasetRegistry } from '../../src/datasets/registry.js';
import { JAVA_ZONE_IDS } from '../../src/query/java-zone-ids.js';
import { sparkTimeZone } from '../../src/query/time-zone.js';
import { SparkError } from '../../src/spark/errors.js';
import { SparkConnectClient } from '../../src/spark/client.js';
import type { SparkSession } from '../../src/spark/session.js';
import { call, serve, type Served } from '../helpers/http.js';
import { collectSql } from '../helpers/spark.js';
import { sparkRemote } from '../helpers/spark-remote.js';

const ODD = [
  ...['UTC', 'utc', 'Utc', 'ROC', 'europe/paris', 'EUROPE/PARIS', 'US/Pacific-New', 'Asia/Calcutta'],
  ...['EST', 'MST', 'HST', 'PST', 'CST', 'IST', 'ECT', 'EDT', 'CET', 'GMT0', 'UCT', 'Zulu', 'UTX'],
  ...['Z', 'z', '', '+', '-', '+18:59', '+18:00', '-18:00', '+18:00:01', '+19', '+5', '+05', '+5:30'],
  ...['+05:3', '+1:5', '+0530', '+053000', '+05:30:00', '+05:30:0', '+05:60', '05:30', '+05:30 '],
  ...['UTC+5', 'UTC+05:30', 'GMT-05:30', 'GMT+5:3', 'UT', 'UT+1', 'UT-18', 'GMT+18:01', 'UTC+', 'UTC5'],
  ...['Etc/GMT+5', 'Etc/GMT+15', 'SystemV/EST5', 'America/Coyhaique', 'Europe/Kyiv', 'Europe/Kiev'],
];

/** Offsets and prefixed offsets in and beyond every spelling Java knows. */
const generatedOffsets = fc
  .tuple(
    fc.constantFrom('', '', 'UTC', 'GMT', 'UT', 'utc'),
    fc.constantFrom('+', '-'),
    fc.stringMatching(/^[0-9]{1,3}((:?)[0-9]{1,2}((:?)[0-9]{1,2})?)?$/),
  )
  .map(([prefix, sign, rest]) => `${prefix}${sign}${rest}`);

function candidates(): string[] {
  const cased = [...JAVA_ZONE_IDS].flatMap((id) => [id, id.toLowerCase(), id.toUpperCase()]);
  return [
    ...new Set([
      ...cased,
      ...Intl.supportedValuesOf('timeZone'),
      ...ODD,
      ...fc.sample(generatedOffsets, { numRuns: 400, seed: 11 }),
    ]),
  ];
}

let spark: SparkConnectClient;
let session: SparkSession;

before(async () => {
  spark = SparkConnectClient.connect(sparkRemote());
  session = spark.newSession();
  await session.setConfigs({ 'spark.sql.session.timeZone': 'UTC', 'spark.sql.ansi.enabled': 'true' });
});

after(async () => {
  await session.release();
  spark.close();
});

const literal = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** Seconds east of UTC Spark gives each zone on 2020-01-01, in one query (it fails if any is refused). */
async function sparkOffsets(zones: readonly string[]): Promise<Map<string, number>> {
  const rows = zones.map((z) => `(${literal(z)})`).join(', ');
  const { rows: answer } = await collectSql(
    session,
    `SELECT z, unix_seconds(from_utc_timestamp(TIMESTAMP'2020-01-01 00:00:00Z', z)) - 1577836800 AS s
     FROM VALUES ${rows} AS t(z)`,
  );
  return new Map(answer.map((r) => [r['z'] as string, Number(r['s'])]));
}

async function sparkRefuses(zone: string): Promise<boolean> {
  try {
    await collectSql(session, `SELECT from_utc_timestamp(TIMESTAMP'2020-01-01 00:00:00Z', ${literal(zone)})`);
    return false;
  } catch (err) {
    if (err instanceof SparkError && err.errorClass === 'INVALID_TIMEZONE') return true;
    throw err;
  }
}

describe('time zones are checked as Spark checks them', () => {
  const all = candidates();
  const accepted = all.filter((z) => sparkTimeZone(z) !== undefined);
  const refused = all.filter((z) => sparkTimeZone(z) === undefined);

  it(`Spark accepts the ${accepted.length} zones we accept, at the offsets we read`, async () => {
    assert.ok(accepted.length > 600 && refused.length > 600);
    const offsets = await sparkOffsets(accepted);
    for (const zone of accepted) {
      const ours = sparkTimeZone(zone);
      if (ours?.kind === 'offset') assert.equal(offsets.get(zone), ours.seconds, zone);
    }
  });

  it(`Spark refuses the ${refused.length} zones we refuse`, async () => {
    const wrongly: string[] = [];
    for (let i = 0; i < refused.length; i += 8) {
      const batch = refused.slice(i, i + 8);
      const answers = await Promise.all(batch.map(sparkRefuses));
      batch.forEach((zone, k) => {
        if (answers[k] !== true) wrongly.push(zone);
      });
    }
    assert.deepEqual(wrongly, []);
  });
});

describe('a time zone Spark refuses is a 400', () => {
  let served: Served;

  before(async () => {
    const registry = new DatasetRegistry({
      setup: { configs: {}, statements: [] },
      datasets: {
        moments: { description: 'instants', sql: 'SELECT timestamp_seconds(id * 1000) AS ts FROM range(10)' },
      },
    });
    served = await serve({}, registry, { spark });
  });

  after(() => served.close());

  const bucket = (timeZone: string) =>
    call('POST', `${served.url}/v1/datasets/moments/query?format=json`, {
      body: { groupBy: [{ column: 'ts', bucket: 'hour', timeZone, as: 'b' }] },
    });

  for (const zone of ['utc', 'ROC', '+18:59', 'europe/paris']) {
    it(`"${zone}"`, async () => {
      const answer = await bucket(zone);
      assert.equal(answer.status, 400, answer.text());
      const problem = answer.json() as { code: string; detail: string; pointer: string };
      assert.equal(problem.code, 'QUERY_INVALID');
      assert.equal(problem.pointer, '/groupBy/0/timeZone');
      assert.match(problem.detail, /not a time zone Spark knows/);
    });
  }

  for (const zone of ['EST', '+5:30', 'UTC+05:30', 'Asia/Calcutta', 'Europe/Kyiv']) {
    it(`"${zone}" works`, async () => {
      const answer = await bucket(zone);
      assert.equal(answer.status, 200, answer.text());
    });
  }
});
