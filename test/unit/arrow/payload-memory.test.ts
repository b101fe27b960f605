import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { memoryReleaser, RELEASABLE_BYTES } from '../../../src/arrow/payload-memory.js';

describe('freeing the memory of a payload', () => {
  it('detaches memory that holds the payload alone: its bytes are gone, a second release is harmless', () => {
    const data = randomBytes(RELEASABLE_BYTES);
    const memory = data.buffer;
    const release = memoryReleaser(data);
    assert.ok(release !== undefined);
    release();
    assert.equal(data.byteLength, 0);
    assert.equal(memory.byteLength, 0);
    release();
    assert.equal(memory.byteLength, 0);
  });

  it('detaches the memory of a view that leaves at most a message’s fields beside it', () => {
    const message = Buffer.allocUnsafeSlow(RELEASABLE_BYTES + 1024);
    const data = message.subarray(1000, 1000 + RELEASABLE_BYTES);
    const release = memoryReleaser(data);
    assert.ok(release !== undefined);
    release();
    assert.equal(message.byteLength, 0);
  });

  it('leaves alone memory that may hold other things, and payloads too small to matter', () => {
    const shared = Buffer.allocUnsafeSlow(3 * RELEASABLE_BYTES);
    const view = shared.subarray(0, 2 * RELEASABLE_BYTES);
    assert.equal(memoryReleaser(view), undefined);
    // Node's buffer pool gives many small buffers one ArrayBuffer.
    const pooled = Buffer.from('a small payload');
    assert.ok(pooled.buffer.byteLength > pooled.byteLength);
    assert.equal(memoryReleaser(pooled), undefined);
    assert.equal(memoryReleaser(randomBytes(RELEASABLE_BYTES - 1)), undefined);
    assert.equal(shared.byteLength, 3 * RELEASABLE_BYTES);
  });
});
