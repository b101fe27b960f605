import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FORMATS, negotiate } from '../../../src/http/negotiate.js';

describe('format negotiation', () => {
  it('says UTF-8 in the text formats’ content types', () => {
    assert.equal(FORMATS.ndjson, 'application/x-ndjson; charset=utf-8');
    assert.equal(FORMATS.csv, 'text/csv; charset=utf-8; header=present');
  });

  it('matches Accept by media type, whatever parameters it asks for', () => {
    assert.equal(negotiate(undefined, 'application/x-ndjson'), 'ndjson');
    assert.equal(negotiate(undefined, 'application/x-ndjson; charset=utf-8'), 'ndjson');
    assert.equal(negotiate(undefined, 'text/csv;charset=UTF-8;header=present'), 'csv');
    assert.equal(negotiate(undefined, 'text/csv; header=absent, application/json;q=0.5'), 'csv');
    assert.equal(negotiate(undefined, 'text/csv;q=0.2, application/json; charset=utf-8; q=0.9'), 'json');
    assert.equal(negotiate(undefined, 'application/vnd.apache.arrow.stream;q=1, */*;q=0.1'), 'arrow');
    assert.equal(negotiate(undefined, '*/*'), 'ndjson');
    assert.throws(() => negotiate(undefined, 'text/csv;q=0'), /none of the accepted types/);
    assert.throws(() => negotiate(undefined, 'image/png; charset=utf-8'), /none of the accepted types/);
  });
});
