import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sparkTimeZone } from '../../../src/query/time-zone.js';

/** Spark's own answers for these are checked in test/integration/time-zones.test.ts. */
describe('time zones as Spark reads them', () => {
  it('reads offsets in every spelling Java accepts, widened as Spark widens them', () => {
    const offsets: [string, number][] = [
      ['Z', 0],
      ['UTC', 0],
      ['UT', 0],
      ['+5', 18_000],
      ['-05', -18_000],
      ['+0530', 19_800],
      ['+05:30', 19_800],
      ['+5:30', 19_800],
      ['+05:3', 18_180],
      ['+053045', 19_845],
      ['-05:30:45', -19_845],
      ['+18:00', 64_800],
      ['UTC+5', 18_000],
      ['GMT-05:30', -19_800],
      ['UT+1', 3_600],
      ['EST', -18_000],
    ];
    for (const [zone, seconds] of offsets)
      assert.deepEqual(sparkTimeZone(zone), { kind: 'offset', seconds }, zone);
  });

  it('reads region IDs case-sensitively, and short IDs as Java maps them', () => {
    assert.deepEqual(sparkTimeZone('Europe/Paris'), { kind: 'region', id: 'Europe/Paris' });
    assert.deepEqual(sparkTimeZone('Asia/Calcutta'), { kind: 'region', id: 'Asia/Calcutta' });
    assert.deepEqual(sparkTimeZone('PST'), { kind: 'region', id: 'America/Los_Angeles' });
    assert.deepEqual(sparkTimeZone('GMT0'), { kind: 'region', id: 'GMT0' });
  });

  it('refuses what Java refuses, though Intl may accept it', () => {
    for (const zone of [
      'utc',
      'ROC',
      'europe/paris',
      '+18:59',
      '+18:00:01',
      '+19',
      '+05:60',
      '05:30',
      'z',
      '',
      '+',
    ])
      assert.equal(sparkTimeZone(zone), undefined, zone);
    for (const zone of ['UTC+', 'UTC5', 'UTX', 'GMT+18:01', '+05:30:0', ' UTC', 'toString', '__proto__'])
      assert.equal(sparkTimeZone(zone), undefined, zone);
  });
});
