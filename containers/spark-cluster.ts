import { randomUUID } from 'node:crypto';
import {
  GenericContainer,
  Network,
  Wait,
  type StartedNetwork,
  type StartedTestContainer,
} from 'testcontainers';
import {
  SPARK_CONNECT_PORT,
  SPARK_UI_PORT,
  StartedSparkConnectContainer,
} from './spark-connect-container.js';
import { SPARK_IMAGE } from './spark-version.js';

/** The standalone master's RPC port (the `spark://` URL) and its web UI (`/json/` lists workers). */
export const SPARK_MASTER_PORT = 7077;
export const SPARK_MASTER_UI_PORT = 8080;

const STARTUP_TIMEOUT_MS = 180_000;

/**
 * A Spark standalone cluster in containers on one Docker network: a master, workers, and a Spark
 * Connect server that is the cluster's driver (`--master spark://spark-master-…:7077`), so queries
 * run in executor JVMs the workers start in their own containers.
 *
 * Each container is attached to that network only, and is found by its container name, which is
 * also its host name (`spark-master-<id>`, `spark-worker-1-<id>`, `spark-connect-<id>`). Network
 * aliases would not do: Testcontainers then also attaches the container to Docker's default
 * bridge, the host name resolves to the bridge address inside the container, and Spark daemons
 * bind to that address while their peers reach them through the other network.
 *
 * Works with the official `apache/spark` images and with the image `npm run spark:image` builds:
 * both have `/opt/spark/bin/spark-class` (master and workers) and
 * `/opt/spark/sbin/start-connect-server.sh` (the driver).
 */
export class SparkCluster {
  readonly #image: string;
  #workers = 2;
  #workerCores = 1;
  #workerMemory = '1g';
  #executorMemory = '512m';
  #daemonMemory = '512m';
  readonly #confs = new Map<string, string>();

  constructor(image: string = SPARK_IMAGE) {
    this.#image = image;
  }

  withWorkers(count: number): this {
    this.#workers = count;
    return this;
  }

  /** What each worker offers to executors (`--cores`, `--memory`); one executor per worker. */
  withWorkerResources(cores: number, memory: string): this {
    this.#workerCores = cores;
    this.#workerMemory = memory;
    return this;
  }

  /** Heap of each executor (`spark.executor.memory`); must fit in a worker's memory. */
  withExecutorMemory(memory: string): this {
    this.#executorMemory = memory;
    return this;
  }

  /** Heap of the master and worker daemons themselves (`SPARK_DAEMON_MEMORY`). */
  withDaemonMemory(memory: string): this {
    this.#daemonMemory = memory;
    return this;
  }

  /** A Spark configuration of the Connect server, the cluster's driver (`--conf key=value`). */
  withSparkConf(key: string, value: string): this {
    this.#confs.set(key, value);
    return this;
  }

  /**
   * Starts the master, then the workers and the Connect server together. The server counts as
   * started once every worker's executor registered with it (`minRegisteredResourcesRatio`), so
   * the first query already has the whole cluster.
   */
  async start(): Promise<StartedSparkCluster> {
    const network = await new Network().start();
    const id = randomUUID().slice(0, 8);
    const masterHost = `spark-master-${id}`;
    const connectHost = `spark-connect-${id}`;
    const masterUrl = `spark://${masterHost}:${SPARK_MASTER_PORT}`;
    const started: StartedTestContainer[] = [];
    const track = async <T extends StartedTestContainer>(container: Promise<T>): Promise<T> => {
      const value = await container;
      started.push(value);
      return value;
    };
    try {
      const master = await track(this.#master(network, masterHost).start());
      const workerNames = Array.from({ length: this.#workers }, (_, i) => `spark-worker-${i + 1}-${id}`);
      const [connect, ...workers] = await settleAll([
        track(this.#connectServer(network, connectHost, masterUrl).start()),
        ...workerNames.map((name) => track(this.#worker(network, name, masterUrl).start())),
      ]);
      return new StartedSparkCluster({
        network,
        masterUrl,
        master,
        workers: workers.map((container, i) => ({ hostname: workerNames[i]!, container })),
        connect: new StartedSparkConnectContainer(connect!, undefined),
        connectHostname: connectHost,
      });
    } catch (err) {
      await Promise.allSettled(started.map((container) => container.stop()));
      await network.stop();
      throw err;
    }
  }

  #container(network: StartedNetwork, name: string): GenericContainer {
    return new GenericContainer(this.#image)
      .withNetworkMode(network.getName())
      .withName(name)
      .withHostname(name);
  }

  #daemon(network: StartedNetwork, hostname: string): GenericContainer {
    return this.#container(network, hostname)
      .withEntrypoint(['/opt/spark/bin/spark-class'])
      .withEnvironment({ SPARK_DAEMON_MEMORY: this.#daemonMemory })
      .withStartupTimeout(STARTUP_TIMEOUT_MS);
  }

  #master(network: StartedNetwork, hostname: string): GenericContainer {
    return this.#daemon(network, hostname)
      .withCommand([
        'org.apache.spark.deploy.master.Master',
        ...['--host', hostname, '--port', String(SPARK_MASTER_PORT)],
        ...['--webui-port', String(SPARK_MASTER_UI_PORT)],
      ])
      .withExposedPorts(SPARK_MASTER_UI_PORT)
      .withWaitStrategy(Wait.forLogMessage(/I have been elected leader/));
  }

  #worker(network: StartedNetwork, hostname: string, masterUrl: string): GenericContainer {
    return this.#daemon(network, hostname)
      .withCommand([
        'org.apache.spark.deploy.worker.Worker',
        masterUrl,
        ...['--cores', String(this.#workerCores), '--memory', this.#workerMemory],
        // The image's working directory belongs to the spark user in both images.
        ...['--work-dir', '/opt/spark/work-dir'],
      ])
      .withWaitStrategy(Wait.forLogMessage(/Successfully registered with master/));
  }

  #connectServer(network: StartedNetwork, hostname: string, masterUrl: string): GenericContainer {
    const confs = new Map<string, string>([
      // Executors connect back to the driver by this name.
      ['spark.driver.host', hostname],
      ['spark.executor.cores', String(this.#workerCores)],
      ['spark.executor.memory', this.#executorMemory],
      ['spark.cores.max', String(this.#workers * this.#workerCores)],
      // Wait for all executors before the server starts accepting queries.
      ['spark.scheduler.minRegisteredResourcesRatio', '1.0'],
      ['spark.scheduler.maxRegisteredResourcesWaitingTime', '120s'],
      ...this.#confs,
    ]);
    return this.#container(network, hostname)
      .withEntrypoint(['/opt/spark/sbin/start-connect-server.sh'])
      .withEnvironment({ SPARK_NO_DAEMONIZE: '1' })
      .withCommand([
        ...['--master', masterUrl],
        ...[...confs].flatMap(([key, value]) => ['--conf', `${key}=${value}`]),
      ])
      .withExposedPorts(SPARK_CONNECT_PORT, SPARK_UI_PORT)
      .withWaitStrategy(Wait.forLogMessage(/Spark Connect server started at/))
      .withStartupTimeout(STARTUP_TIMEOUT_MS);
  }
}

export interface StartedWorker {
  /** The worker container's host name, which its executors report too. */
  readonly hostname: string;
  readonly container: StartedTestContainer;
}

export class StartedSparkCluster implements AsyncDisposable {
  readonly network: StartedNetwork;
  /** `spark://spark-master-<id>:7077`, as the containers on the network reach the master. */
  readonly masterUrl: string;
  readonly master: StartedTestContainer;
  readonly workers: readonly StartedWorker[];
  /** The Connect server, the driver of the cluster's one application. */
  readonly connect: StartedSparkConnectContainer;
  /** The Connect server's host name on the cluster's network. */
  readonly connectHostname: string;

  constructor(parts: {
    network: StartedNetwork;
    masterUrl: string;
    master: StartedTestContainer;
    workers: readonly StartedWorker[];
    connect: StartedSparkConnectContainer;
    connectHostname: string;
  }) {
    this.network = parts.network;
    this.masterUrl = parts.masterUrl;
    this.master = parts.master;
    this.workers = parts.workers;
    this.connect = parts.connect;
    this.connectHostname = parts.connectHostname;
  }

  /** `sc://host:port/` of the Connect server, through the port Docker mapped. */
  getConnectionString(): string {
    return this.connect.getConnectionString();
  }

  /** The master's web UI; `/json/` describes the workers and applications. */
  getMasterUiUrl(): string {
    return `http://${this.master.getHost()}:${this.master.getMappedPort(SPARK_MASTER_UI_PORT)}`;
  }

  /** The driver's web UI (Spark's monitoring REST API is under `/api/v1`). */
  getUiUrl(): string {
    return this.connect.getUiUrl();
  }

  /** Stops the Connect server, the workers and the master, then removes the network. */
  async stop(): Promise<void> {
    const results = await Promise.allSettled([
      this.connect.stop(),
      ...this.workers.map(({ container }) => container.stop()),
    ]);
    results.push(...(await Promise.allSettled([this.master.stop()])));
    await this.network.stop();
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Like Promise.all, but waits for every promise to settle before rejecting with the first error. */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
