import type { RecordBatch } from 'apache-arrow';
import { arrowPayloads, decodePayload } from '../src/arrow/decode.js';
import type { Plan } from '../src/gen/spark/connect/base_pb.js';
import { compilePlan, sourceTemplate } from '../src/plan/compile.js';
import { SparkConnectClient } from '../src/spark/client.js';
import type { SparkSession } from '../src/spark/session.js';

export interface SparkServer {
  readonly remote: string;
  /** Whether this run started the server (and stops it). */
  readonly started: boolean;
  stop(): Promise<void>;
}

/**
 * The Spark Connect server of the run: `SPARK_REMOTE` if set, otherwise a container like the
 * one `npm test` starts, with room in the driver for results read slowly.
 */
export async function sparkServer(log: (line: string) => void): Promise<SparkServer> {
  const remote = process.env['SPARK_REMOTE'];
  if (remote !== undefined && remote !== '') {
    log(`using the Spark Connect server at ${remote}`);
    return { remote, started: false, stop: () => Promise.resolve() };
  }
  // The run stops its container itself (also on Ctrl-C); Testcontainers' reaper would be one
  // more image to pull, which an air-gapped machine cannot.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  const { SparkConnectContainer } = await import('../containers/spark-connect-container.js');
  const { SPARK_IMAGE } = await import('../containers/spark-version.js');
  log(`starting Spark Connect (${SPARK_IMAGE})`);
  const container = await new SparkConnectContainer()
    .withDriverMemory('2g')
    .withSparkConf('spark.driver.maxResultSize', '2g')
    .start();
  return {
    remote: container.getConnectionString(),
    started: true,
    stop: async () => {
      await container.stop();
    },
  };
}

/**
 * The plan the service sends for `GET /v1/datasets/<name>/rows?limit=<limit>` of a SQL
 * dataset without parameters: built by the service's own compiler, so the raw drain reads
 * the same ExecutePlan stream as the service.
 */
export function datasetPlan(name: string, sql: string, limit: number): Plan {
  return compilePlan({ dataset: name, params: {}, limit, offset: 0 }, sourceTemplate({ kind: 'sql', sql }));
}

export interface Drained {
  /** Arrow IPC bytes Spark sent. */
  readonly bytes: number;
  readonly rows: number;
}

/** Reads an execution to its end, counting Arrow bytes and rows without decoding anything. */
export async function drainArrow(session: SparkSession, plan: Plan): Promise<Drained> {
  let bytes = 0;
  let rows = 0n;
  for await (const payload of arrowPayloads(session.execute(plan))) {
    bytes += payload.data.byteLength;
    rows += payload.rowCount;
  }
  return { bytes, rows: Number(rows) };
}

/** Every record batch of a result, decoded and held in memory. */
export async function fetchBatches(session: SparkSession, plan: Plan): Promise<RecordBatch[]> {
  const all: RecordBatch[] = [];
  for await (const payload of arrowPayloads(session.execute(plan)))
    all.push(...decodePayload(payload).batches);
  return all;
}

/** One client with one session, for the measurements that bypass the service. */
export class DirectSpark {
  readonly client: SparkConnectClient;
  readonly session: SparkSession;

  constructor(remote: string) {
    this.client = SparkConnectClient.connect(remote);
    this.session = this.client.newSession();
  }

  version(): Promise<string> {
    return this.session.sparkVersion();
  }

  async close(): Promise<void> {
    try {
      await this.session.release();
    } finally {
      this.client.close();
    }
  }
}
