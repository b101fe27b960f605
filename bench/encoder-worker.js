/**
 * The service's NDJSON or CSV encoder, timed in a thread of plain Node.js that imports the
 * build in dist/, as the service process does. The bench itself runs under tsx, which also
 * rewrites dist/'s JavaScript (naming every function it creates), and the encoder then runs
 * about a fifth more slowly than in the service.
 *
 * workerData: `{ format, ipc }`, the record batches as an Arrow IPC stream. Each message
 * `{ batches }` encodes the first `batches` of them and answers `{ rows, bytes, ms }`.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { tableFromIPC } from 'apache-arrow';
import { encodeCsv } from '../dist/encode/csv.js';
import { encodeNdjson } from '../dist/encode/ndjson.js';

const { format, ipc } = workerData;
const table = tableFromIPC(ipc);

async function* inOrder(batches) {
  for (const batch of batches) yield batch;
  await Promise.resolve();
}

parentPort.on('message', async ({ batches: count }) => {
  const batches = table.batches.slice(0, count);
  const started = performance.now();
  const chunks =
    format === 'ndjson' ? encodeNdjson(inOrder(batches)) : encodeCsv(table.schema, inOrder(batches));
  let bytes = 0;
  for await (const chunk of chunks) bytes += chunk.byteLength;
  const ms = performance.now() - started;
  let rows = 0;
  for (const batch of batches) rows += batch.numRows;
  parentPort.postMessage({ rows, bytes, ms });
});
