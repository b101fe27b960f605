import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { growHeapInLargerSteps } from '../../src/heap-growth.js';

describe('the heap growth the service sets at start-up', () => {
  it('is set when Node was started without a growth of its own', () => {
    assert.equal(growHeapInLargerSteps([]), true);
    assert.equal(growHeapInLargerSteps(['--max-old-space-size=512', '--enable-source-maps']), true);
  });

  it('leaves a growth given on the command line alone, in either spelling', () => {
    assert.equal(growHeapInLargerSteps(['--heap-growing-percent=50']), false);
    assert.equal(growHeapInLargerSteps(['--heap_growing_percent=50']), false);
    assert.equal(growHeapInLargerSteps(['--enable-source-maps', '--heap-growing-percent', '50']), false);
  });
});
