import { AbstractStartedContainer, GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { SPARK_IMAGE } from './spark-version.js';

export const SPARK_CONNECT_PORT = 15002;
/** Spark's web UI, whose REST API shows jobs. */
export const SPARK_UI_PORT = 4040;

/**
 * A Spark Connect server in a container. Works with the official `apache/spark` images and
 * with the equivalent image `npm run spark:image` builds: both start the server with
 * `/opt/spark/sbin/start-connect-server.sh`.
 */
export class SparkConnectContainer extends GenericContainer {
  readonly #confs = new Map<string, string>();
  #token: string | undefined;

  constructor(image: string = SPARK_IMAGE) {
    super(image);
    this.withExposedPorts(SPARK_CONNECT_PORT, SPARK_UI_PORT)
      .withEntrypoint(['/opt/spark/sbin/start-connect-server.sh'])
      .withEnvironment({ SPARK_NO_DAEMONIZE: '1' })
      .withWaitStrategy(Wait.forLogMessage(/Spark Connect server started at/))
      .withStartupTimeout(180_000);
  }

  /** Sets a Spark configuration on the server (`--conf key=value`). */
  withSparkConf(key: string, value: string): this {
    this.#confs.set(key, value);
    return this;
  }

  /** How long the server keeps an idle session (Spark's default is 60 minutes). */
  withSessionTimeout(timeout: `${number}${'ms' | 's' | 'm'}`): this {
    return this.withSparkConf('spark.connect.session.manager.defaultSessionTimeout', timeout);
  }

  /**
   * The driver's heap (e.g. `2g`; Spark's default is 1g). Results pass through the driver, which
   * queues what the client has not read yet.
   */
  withDriverMemory(memory: string): this {
    return this.withSparkConf('spark.driver.memory', memory);
  }

  /** Requires clients to send this bearer token (Spark's pre-shared token authentication). */

  withAuthToken(token: string): this {
    this.#token = token;
    return this.withEnvironment({ SPARK_CONNECT_AUTHENTICATE_TOKEN: token });
  }

  override async start(): Promise<StartedSparkConnectContainer> {
    this.withCommand([...this.#confs].flatMap(([key, value]) => ['--conf', `${key}=${value}`]));
    return new StartedSparkConnectContainer(await super.start(), this.#token);
  }
}

export class StartedSparkConnectContainer extends AbstractStartedContainer {
  readonly #token: string | undefined;

  constructor(started: StartedTestContainer, token: string | undefined) {
    super(started);
    this.#token = token;
  }

  /**
   * `sc://host:port/`, plus the token when the server requires one. Spark Connect servers
   * speak plaintext gRPC, and a token alone implies TLS, hence `use_ssl=false`.
   */
  getConnectionString(): string {
    const base = `sc://${this.getHost()}:${this.getMappedPort(SPARK_CONNECT_PORT)}/`;
    return this.#token === undefined
      ? base
      : `${base};use_ssl=false;token=${encodeURIComponent(this.#token)}`;
  }

  /** Base URL of Spark's web UI (its monitoring REST API is under `/api/v1`). */
  getUiUrl(): string {
    return `http://${this.getHost()}:${this.getMappedPort(SPARK_UI_PORT)}`;
  }
}
