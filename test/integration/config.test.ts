import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SparkError } from '../../src/spark/errors.js';
import { collectSql, connect } from '../helpers/spark.js';

const client = connect();
after(() => {
  client.close();
});

describe('Config against Spark', () => {
  it('sets values and reads them back, and they take effect in the session', async () => {
    const session = client.newSession();
    await session.setConfigs({
      'spark.sql.session.timeZone': 'America/New_York',
      'spark.sql.shuffle.partitions': '7',
    });
    const values = await session.getConfigs(['spark.sql.session.timeZone', 'spark.sql.shuffle.partitions']);
    assert.deepEqual(
      [...values],
      [
        ['spark.sql.session.timeZone', 'America/New_York'],
        ['spark.sql.shuffle.partitions', '7'],
      ],
    );
    const { rows } = await collectSql(session, 'SELECT current_timezone() AS tz');
    assert.deepEqual(rows, [{ tz: 'America/New_York' }]);
  });

  it('keeps one session’s settings away from another session', async () => {
    const first = client.newSession();
    const second = client.newSession();
    await first.setConfigs({ 'spark.sql.shuffle.partitions': '3' });
    const [[, value] = []] = await second.getConfigs(['spark.sql.shuffle.partitions']);
    assert.notEqual(value, '3');
  });

  it('reports an unknown key as a Spark error with its class', async () => {
    const session = client.newSession();
    await assert.rejects(session.getConfigs(['spark.sql.no.such.setting']), (err: unknown) => {
      assert.ok(err instanceof SparkError);
      assert.equal(err.errorClass, 'SQL_CONF_NOT_FOUND');
      return true;
    });
  });
});
