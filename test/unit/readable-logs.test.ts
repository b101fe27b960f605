import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readableLine } from '../../scripts/readable-logs.js';

describe('readable log lines (npm start on a terminal)', () => {
  it('shows time, level and message first, then the other fields flattened', () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      pid: 12,
      hostname: 'h',
      reqId: 'req-1',
      req: {
        method: 'GET',
        url: '/v1/datasets?limit=2',
        host: 'h:1',
        remoteAddress: '127.0.0.1',
        remotePort: 2,
      },
      msg: 'incoming request',
    });
    assert.equal(
      readableLine(line),
      '03:04:05.678 INFO  incoming request reqId=req-1 req.method=GET req.url=/v1/datasets?limit=2',
    );
  });

  it('quotes values with spaces, rounds fractions, names unknown levels by number, leaves out stacks', () => {
    const err = { message: 'a "b" c', stack: 'Error: a\n    at f' };
    const line = JSON.stringify({
      level: 35,
      time: 0,
      msg: 'x',
      err,
      responseTime: 5034.180381000002,
      ok: false,
    });
    assert.equal(
      readableLine(line),
      '00:00:00.000 35    x err.message="a \\"b\\" c" responseTime=5034.18 ok=false',
    );
  });

  it('shows the stack of an error, indented under its line', () => {
    const line = JSON.stringify({
      level: 50,
      time: 0,
      msg: 'request failed',
      err: { stack: 'Error: a\n    at f' },
    });
    assert.equal(readableLine(line), '00:00:00.000 ERROR request failed\n    Error: a\n        at f');
  });

  it('leaves lines that are not JSON objects as they are', () => {
    for (const line of ['listening', '[1,2]', '42', 'null', '{"unfinished":'])
      assert.equal(readableLine(line), line);
  });
});
