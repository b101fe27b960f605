import {
  AbstractStartedContainer,
  GenericContainer,
  ImageName,
  Wait,
  getContainerRuntimeClient,
} from 'testcontainers';

/** The port the service listens on inside its image (`PORT`). */
export const SERVICE_PORT = 8080;

/** `SERVICE_IMAGE` names the image to test; `scripts/service-image.sh` builds this default. */
export const SERVICE_IMAGE: string = process.env['SERVICE_IMAGE'] ?? 'spark-data-api:local';

/**
 * Fails, saying how to build it, when the image is not on this machine. The image is built
 * locally, never pulled, so a missing one is a setup mistake rather than a reason to skip.
 */
export async function assertImagePresent(image: string = SERVICE_IMAGE): Promise<void> {
  const client = await getContainerRuntimeClient();
  if (!(await client.image.exists(ImageName.fromString(image)))) {
    throw new Error(`the service image ${image} is not present: build it with scripts/service-image.sh`);
  }
}

/**
 * The service's own image (the repository's Dockerfile) in a container. It counts as started
 * when the image's HEALTHCHECK reports it healthy.
 */
export class ServiceContainer extends GenericContainer {
  readonly #image: string;

  constructor(image: string = SERVICE_IMAGE) {
    super(image);
    this.#image = image;
    this.withExposedPorts(SERVICE_PORT).withWaitStrategy(Wait.forHealthCheck()).withStartupTimeout(60_000);
  }

  /** The Spark Connect server the service uses (`SPARK_REMOTE`), e.g. `sc://spark:15002`. */
  withSparkRemote(connectionString: string): this {
    return this.withEnvironment({ SPARK_REMOTE: connectionString, ANONYMOUS: 'true' });
  }

  withLogLevel(level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'): this {
    return this.withEnvironment({ LOG_LEVEL: level });
  }

  /** How long `/readyz` waits for Spark (`READY_TIMEOUT_MS`). */
  withReadyTimeout(ms: number): this {
    return this.withEnvironment({ READY_TIMEOUT_MS: String(ms) });
  }

  /**
   * Mounts the root filesystem read-only, with a small writable `/tmp`, as the Kubernetes
   * manifest does (`readOnlyRootFilesystem`).
   */
  withReadOnlyRootFilesystem(): this {
    this.hostConfig.ReadonlyRootfs = true;
    return this.withTmpFs({ '/tmp': 'rw,size=16m' });
  }

  override async start(): Promise<StartedServiceContainer> {
    await assertImagePresent(this.#image);
    return new StartedServiceContainer(await super.start());
  }
}

export class StartedServiceContainer extends AbstractStartedContainer {
  /** `http://host:port` of the service, through the port Docker mapped. */
  getBaseUrl(): string {
    return `http://${this.getHost()}:${this.getMappedPort(SERVICE_PORT)}`;
  }
}
