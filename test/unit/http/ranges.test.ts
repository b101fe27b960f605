import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentRange, notModified, parseRange, sliceBytes, wantsRange } from '../../../src/http/ranges.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return [(err as { code: string }).code, (err as { statusCode: number }).statusCode];
  }
  return 'no error';
};

describe('Range requests', () => {
  it('reads the three forms of one byte range, clamped to the length', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 10 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 100 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 100 });
    assert.deepEqual(parseRange('bytes=95-200', 100), { start: 95, end: 100 });
    assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 100 });
    assert.equal(contentRange({ start: 90, end: 100 }, 100), 'bytes 90-99/100');
  });

  it('is a 416 for a range past the end, and a 400 for one it cannot read', () => {
    assert.deepEqual(
      code(() => parseRange('bytes=100-', 100)),
      ['RANGE_NOT_SATISFIABLE', 416],
    );
    assert.deepEqual(
      code(() => parseRange('bytes=-0', 100)),
      ['RANGE_NOT_SATISFIABLE', 416],
    );
    for (const bad of ['bytes=a-b', 'items=0-1', 'bytes=0-1,5-6', 'bytes=-', 'bytes=9-3', '0-1']) {
      assert.deepEqual(
        code(() => parseRange(bad, 100)),
        ['REQUEST_INVALID', 400],
        bad,
      );
    }
  });

  it('honours If-Range only for the same strong ETag, and If-None-Match', () => {
    assert.equal(wantsRange({ range: 'bytes=0-1' }, '"a"'), true);
    assert.equal(wantsRange({ range: 'bytes=0-1', 'if-range': '"a"' }, '"a"'), true);
    assert.equal(wantsRange({ range: 'bytes=0-1', 'if-range': '"b"' }, '"a"'), false);
    assert.equal(
      wantsRange({ range: 'bytes=0-1', 'if-range': 'Wed, 21 Oct 2015 07:28:00 GMT' }, '"a"'),
      false,
    );
    assert.equal(wantsRange({}, '"a"'), false);
    assert.equal(notModified({ 'if-none-match': '"x", W/"a"' }, '"a"'), true);
    assert.equal(notModified({ 'if-none-match': '"x"' }, '"a"'), false);
  });

  it('slices a stream of chunks to exactly the bytes asked for', async () => {
    async function* chunks() {
      for (const text of ['abc', 'defg', 'hij']) yield await Promise.resolve(Buffer.from(text));
    }
    const read = async (start: number, end: number) => {
      const parts: Uint8Array[] = [];
      for await (const part of sliceBytes(chunks(), { start, end })) parts.push(part);
      return Buffer.concat(parts).toString();
    };
    assert.equal(await read(0, 10), 'abcdefghij');
    assert.equal(await read(2, 8), 'cdefgh');
    assert.equal(await read(3, 7), 'defg');
    assert.equal(await read(9, 10), 'j');
  });
});
