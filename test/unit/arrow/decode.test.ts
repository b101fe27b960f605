import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Int32, Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import { ArrowDecodeError, arrowPayloads } from '../../../src/arrow/decode.js';
import { RELEASABLE_BYTES } from '../../../src/arrow/payload-memory.js';
import {
  ExecutePlanResponseSchema,
  type ExecutePlanResponse,
} from '../../../src/gen/spark/connect/base_pb.js';
import { batchRows, decodeResult } from '../../helpers/arrow-results.js';

function ipc(values: number[]): Uint8Array {
  return tableToIPC(new Table({ x: vectorFromArray(values, new Int32()) }), 'stream');
}

function batch(
  data: Uint8Array,
  rowCount: number,
  extra: { startOffset?: bigint; chunkIndex?: bigint; numChunksInBatch?: bigint } = {},
): ExecutePlanResponse {
  return create(ExecutePlanResponseSchema, {
    responseType: { case: 'arrowBatch', value: { data, rowCount: BigInt(rowCount), ...extra } },
  });
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* stream(...responses: ExecutePlanResponse[]): AsyncGenerator<ExecutePlanResponse> {
  yield* responses;
}

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('Arrow payloads of an ExecutePlan stream', () => {
  it('skips non-Arrow responses and decodes every batch in order', async () => {
    const result = await decodeResult(
      stream(
        create(ExecutePlanResponseSchema, {}),
        batch(ipc([1, 2]), 2, { startOffset: 0n }),
        create(ExecutePlanResponseSchema, { responseType: { case: 'executionProgress', value: {} } }),
        batch(ipc([3]), 1, { startOffset: 2n }),
      ),
    );
    assert.deepEqual(
      result.schema.fields.map((f) => f.name),
      ['x'],
    );
    const rows = (await drain(result.batches)).flatMap(batchRows);
    assert.deepEqual(rows, [{ x: 1 }, { x: 2 }, { x: 3 }]);
  });

  it('refuses a batch that does not start where the previous one ended', async () => {
    await assert.rejects(
      drain(
        arrowPayloads(
          stream(batch(ipc([1]), 1, { startOffset: 0n }), batch(ipc([2]), 1, { startOffset: 5n })),
        ),
      ),
      (err: unknown) => err instanceof ArrowDecodeError && /starts at row 5, expected 1/.test(err.message),
    );
  });

  it('joins a batch Spark split into chunks before decoding it', async () => {
    const whole = ipc([7, 8, 9]);
    const cut = 10;
    const payloads = await drain(
      arrowPayloads(
        stream(
          batch(whole.subarray(0, cut), 3, { chunkIndex: 0n, numChunksInBatch: 2n }),
          batch(whole.subarray(cut), 3, { chunkIndex: 1n, numChunksInBatch: 2n }),
        ),
      ),
    );
    assert.equal(payloads.length, 1);
    assert.deepEqual(Buffer.from(payloads[0]!.data), Buffer.from(whole));
  });

  it('refuses pieces of a chunked batch that are missing, repeated or out of order', async () => {
    const whole = ipc([7, 8, 9]);
    const piece = (index: bigint, data: Uint8Array) =>
      batch(data, 3, { startOffset: 0n, chunkIndex: index, numChunksInBatch: 3n });
    const [a, b, c] = [whole.subarray(0, 8), whole.subarray(8, 16), whole.subarray(16)];
    const refused = async (responses: ExecutePlanResponse[], message: RegExp) =>
      assert.rejects(
        drain(arrowPayloads(stream(...responses))),
        (err: unknown) => err instanceof ArrowDecodeError && message.test(err.message),
      );
    await refused([piece(0n, a), piece(2n, c)], /piece 2 of 3 does not continue piece 0/);
    await refused([piece(0n, a), piece(0n, a)], /piece 0 of 3 does not continue piece 0/);
    await refused([piece(1n, b), piece(2n, c)], /begins with piece 1 of 3/);
    await refused([piece(0n, a), piece(1n, b)], /ended inside a chunked Arrow batch/);
    const [joined] = await drain(arrowPayloads(stream(piece(0n, a), piece(1n, b), piece(2n, c))));
    assert.deepEqual(Buffer.from(joined!.data), Buffer.from(whole));
  });

  it('lets a payload free its memory when the message that carried it was its own, and only then', async () => {
    const large = ipc(Array.from({ length: RELEASABLE_BYTES / 4 }, (_, i) => i));
    const small = ipc([1, 2, 3]);
    // As the gRPC client hands over each message: in memory of its own, after 5 bytes of framing.
    const received = (response: ExecutePlanResponse) => {
      const bytes = toBinary(ExecutePlanResponseSchema, response);
      const framed = Buffer.allocUnsafeSlow(bytes.byteLength + 5);
      framed.set(bytes, 5);
      return fromBinary(ExecutePlanResponseSchema, framed.subarray(5));
    };
    const rows = RELEASABLE_BYTES / 4;
    const [own, tiny] = await drain(
      arrowPayloads(
        stream(received(batch(large, rows)), received(batch(small, 3, { startOffset: BigInt(rows) }))),
      ),
    );
    assert.deepEqual(Buffer.from(own!.data), Buffer.from(large));
    assert.equal(tiny!.release, undefined);
    // Views into a larger message (here, one built by hand) are left to the garbage collector.
    const [view] = await drain(
      arrowPayloads(stream(batch(Buffer.concat([large, large]).subarray(0, large.byteLength), rows))),
    );
    assert.equal(view!.release, undefined);
    own!.release!();
    assert.equal(own!.data.byteLength, 0);
    // A batch joined from pieces is in memory of its own.
    const cut = 100;
    const [joined] = await drain(
      arrowPayloads(
        stream(
          batch(large.subarray(0, cut), rows, { chunkIndex: 0n, numChunksInBatch: 2n }),
          batch(large.subarray(cut), rows, { chunkIndex: 1n, numChunksInBatch: 2n }),
        ),
      ),
    );
    assert.deepEqual(Buffer.from(joined!.data), Buffer.from(large));
    assert.ok(joined!.release !== undefined);
  });

  it('returns an empty schema when the stream carried no Arrow data', async () => {
    const result = await decodeResult(stream(create(ExecutePlanResponseSchema, {})));
    assert.equal(result.schema.fields.length, 0);
    assert.deepEqual(await drain(result.batches), []);
  });
});
