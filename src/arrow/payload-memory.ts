/**
 * Giving the memory of a payload back as soon as nobody reads it.
 *
 * Each of Spark's payloads arrives in memory of its own (the gRPC message that carried it).
 * Left to V8, that memory is freed when the payload's object is collected; a payload held for
 * more than a couple of young-generation collections (queued for the spool's file, say) is
 * moved to the old generation first, and then its memory waits for a full collection, which
 * V8 starts only once tens of megabytes of such memory have piled up. Detaching the payload's
 * ArrayBuffer frees it now instead; views of it read as empty from then on.
 */

/** Payloads smaller than this are not worth it, and may share memory (Node's buffer pool). */
export const RELEASABLE_BYTES = 64 * 1024;

/** The most memory beside the payload itself that may go with it: the message's other fields. */
const BESIDE_BYTES = 1024;

/**
 * A function that frees the memory holding `data`, when that memory holds `data` and at most
 * a message's worth more (so nothing else can be in it); otherwise undefined. Whoever calls it
 * must hold the only reader of that memory, with no write of it still pending.
 */
export function memoryReleaser(data: Uint8Array): (() => void) | undefined {
  const memory = data.buffer;
  if (!(memory instanceof ArrayBuffer)) return undefined;
  if (data.byteLength < RELEASABLE_BYTES || memory.byteLength - data.byteLength > BESIDE_BYTES)
    return undefined;
  return () => {
    detach(memory);
  };
}

interface Transferable {
  transfer?: (length: number) => ArrayBuffer;
}

function detach(memory: ArrayBuffer): void {
  // Detached memory has no bytes; this memory had at least RELEASABLE_BYTES.
  if (memory.byteLength === 0) return;
  const transfer = (memory as Transferable).transfer;
  if (transfer !== undefined) {
    // Node 22 and newer: its bytes are freed here.
    transfer.call(memory, 0);
    return;
  }
  // Node 20: moved into a new ArrayBuffer, which is dropped at once and dies young.
  structuredClone(memory, { transfer: [memory] });
}
