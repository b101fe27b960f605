import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Field, Float64, Int32, Schema, Utf8, vectorFromArray } from 'apache-arrow';
import { csvQuote, csvTextCell, encodeCsv } from '../../../src/encode/csv.js';
import { encodeStats } from '../../../src/encode/stats.js';
import { parseCsv } from '../../helpers/csv-parser.js';
import { allTypesColumns, batchOf, column, from, text } from './fixtures.js';

describe('CSV', () => {
  it('quotes only fields with a comma, quote, CR or LF, doubling quotes', () => {
    assert.equal(csvQuote('plain text'), 'plain text');
    assert.equal(csvQuote(' spaced '), ' spaced ');
    assert.equal(csvQuote("it's é"), "it's é");
    assert.equal(csvQuote('a,b'), '"a,b"');
    assert.equal(csvQuote('say "hi"'), '"say ""hi"""');
    assert.equal(csvQuote('"'), '""""');
    assert.equal(csvQuote('line\nbreak'), '"line\nbreak"');
    assert.equal(csvQuote('cr\rhere'), '"cr\rhere"');
    assert.equal(csvQuote('crlf\r\n'), '"crlf\r\n"');
    assert.equal(csvQuote(''), '""');
  });

  it('writes a header and every type as text, nulls as empty fields, with CRLF', async () => {
    const batch = batchOf(allTypesColumns());
    const output = await text(encodeCsv(batch.schema, from(batch)));
    const records = parseCsv(output);
    const names = batch.schema.fields.map((f) => f.name);
    assert.deepEqual(records[0], names);
    const rows = records
      .slice(1)
      .map((r) => Object.fromEntries(r.map((v, c) => [names[c]!, v])) as Record<string, string | null>);
    assert.equal(rows.length, 4);
    assert.deepEqual(rows[0], {
      long: '9007199254740993',
      dec: '-12.3400',
      small_dec: '-0.01',
      dbl: 'NaN',
      dbl2: '1.5',
      flt: '0.1',
      i8: '-128',
      i16: '-32768',
      i32: '-2147483648',
      bool: 'true',
      ts: '1970-01-01T00:00:00.000001Z',
      ntz: '1970-01-01T00:00:00',
      date: '1970-01-01',
      time: '00:00:00',
      dti: 'P1DT1H1M1.5S',
      ymi: 'P1Y2M',
      bin: 'AP8=',
      str: 'plain',
      ascii: 'a"b',
      struct: '{"name":"a","items":[1,2]}',
      smap: '{"a":1,"b":null}',
      imap: '[[1,"x"]]',
      structs: '[{"a":1}]',
      longs: '[["1"],["9007199254740993"]]',
      nothing: null,
    });
    assert.deepEqual(
      rows.map((r) => [r['dbl'], r['dbl2'], r['flt'], r['str'], r['ascii'], r['bin'], r['long']]),
      [
        ['NaN', '1.5', '0.1', 'plain', 'a"b', 'AP8=', '9007199254740993'],
        ['Infinity', '1e+21', '3.4028235e+38', 'q"b\\n\nt\tz\u0000', 'c\\d', '', '-9223372036854775808'],
        ['-Infinity', '5e-324', 'NaN', 'é ü 中 😀 \u2028\u2029', '\u0001\u001f', null, null],
        ['-0.0', null, null, null, '', 'aGk=', '9223372036854775807'],
      ],
    );
    assert.ok(output.startsWith('long,dec,small_dec,dbl,'));
    assert.ok(output.includes('\r\n9007199254740993,-12.3400,-0.01,NaN,1.5,0.1,-128,'));
    assert.equal(output.split('\r\n').length, 6);
  });

  it('keeps duplicate names in the header and quotes names when needed', async () => {
    const ints = () => column(new Int32(), Int32Array.of(1), 1);
    const batch = batchOf([
      ['a', ints()],
      ['a', ints()],
      ['x,"y"', ints()],
    ]);
    assert.equal(await text(encodeCsv(batch.schema, from(batch))), 'a,a,"x,""y"""\r\n1,1,1\r\n');
  });

  it('tells an empty string from null and writes the header alone for no rows', async () => {
    const strings = vectorFromArray(['', null, ' '], new Utf8()).data[0]!;
    const batch = batchOf([
      ['s', strings],
      ['n', column(new Int32(), Int32Array.of(1, 2, 3), 3)],
    ]);
    assert.equal(await text(encodeCsv(batch.schema, from(batch))), 's,n\r\n"",1\r\n,2\r\n ,3\r\n');
    const schema = new Schema([new Field('s', new Utf8(), true)]);
    assert.equal(await text(encodeCsv(schema, from())), 's\r\n');
  });

  it('defuses text that starts like a spreadsheet formula, as OWASP advises', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x")']) {
      assert.equal(csvTextCell(text), `"'${text.replaceAll('"', '""')}"`, JSON.stringify(text));
    }
    for (const text of ['a=1', ' =1', "'=1", 'x-y', '', 'a,b'])
      assert.equal(csvTextCell(text), csvQuote(text));
  });

  it('defuses text cells and header names, not numbers, and not when asked not to', async () => {
    const strings = vectorFromArray(["=cmd|' /C calc'!A0", '-3', 'ok', null], new Utf8()).data[0]!;
    const batch = batchOf([
      ['=name', strings],
      ['n', column(new Int32(), Int32Array.of(-1, -2, 3, 4), 4)],
      ['x', column(new Float64(), Float64Array.of(-1.5, 2, -Infinity, 0), 4)],
    ]);
    assert.equal(
      await text(encodeCsv(batch.schema, from(batch))),
      '"\'=name",n,x\r\n"\'=cmd|\' /C calc\'!A0",-1,-1.5\r\n"\'-3",-2,2\r\nok,3,-Infinity\r\n,4,0\r\n',
    );
    assert.equal(
      await text(encodeCsv(batch.schema, from(batch), { escapeFormulas: false })),
      "=name,n,x\r\n=cmd|' /C calc'!A0,-1,-1.5\r\n-3,-2,2\r\nok,3,-Infinity\r\n,4,0\r\n",
    );
  });

  it('stops at maxRows', async () => {
    const batch = batchOf([['n', column(new Int32(), Int32Array.of(1, 2, 3), 3)]]);
    const stats = encodeStats();
    assert.equal(await text(encodeCsv(batch.schema, from(batch), { maxRows: 2, stats })), 'n\r\n1\r\n2\r\n');
    assert.deepEqual(stats, { rows: 2, bytes: 9, truncated: true });
  });
});
