import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Field, Int32, Schema, Struct, Utf8 } from 'apache-arrow';
import { MAX_RESULT_COLUMNS_BYTES, resultColumnsHeader } from '../../../src/http/result-columns.js';

const schema = (...names: string[]) => new Schema(names.map((n) => new Field(n, new Utf8(), true)));

describe('the Result-Columns header', () => {
  it('names columns as the rows key them, in ASCII, struct field names quoted where needed', () => {
    const fields = [
      new Field('a', new Int32()),
      new Field('a', new Int32()),
      new Field('a_2', new Int32()),
      new Field('é\u007f', new Struct([new Field('a,b', new Int32()), new Field('c:d', new Utf8())])),
    ];
    const header = resultColumnsHeader(new Schema(fields));
    assert.equal(
      header,
      '[{"name":"a","type":"int"},{"name":"a_3","type":"int"},{"name":"a_2","type":"int"},' +
        '{"name":"\\u00e9\\u007f","type":"struct<`a,b`:int,`c:d`:string>"}]',
    );
    assert.ok(/^[\x20-\x7e]*$/.test(header));
  });

  it(`is left out past ${MAX_RESULT_COLUMNS_BYTES} bytes`, () => {
    const frame = '[{"name":"","type":"string"}]'.length;
    const fits = 'x'.repeat(MAX_RESULT_COLUMNS_BYTES - frame);
    assert.equal(resultColumnsHeader(schema(fits))?.length, MAX_RESULT_COLUMNS_BYTES);
    assert.equal(resultColumnsHeader(schema(`${fits}x`)), undefined);
    assert.equal(
      resultColumnsHeader(schema(...Array.from({ length: 256 }, (_, k) => `c${k}`.repeat(20)))),
      undefined,
    );
  });
});
