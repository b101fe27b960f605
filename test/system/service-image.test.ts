/**
 * The service's container image (Dockerfile), run next to a Spark Connect server on one Docker
 * network, as in compose.yaml and on Kubernetes. Needs the image: `scripts/service-image.sh` builds
 * it (`SERVICE_IMAGE` names another one); without it every test fails saying so.
 *
 *   TESTCONTAINERS_RYUK_DISABLED=true node --import tsx --test test/system/service-image.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Network, getContainerRuntimeClient, type StartedNetwork } from 'testcontainers';
import {
  SERVICE_IMAGE,
  ServiceContainer,
  assertImagePresent,
  type StartedServiceContainer,
} from '../../containers/service-container.js';
import {
  SPARK_CONNECT_PORT,
  SparkConnectContainer,
  type StartedSparkConnectContainer,
} from '../../containers/spark-connect-container.js';
import { SPARK_VERSION } from '../../containers/spark-version.js';
import { MALLOC_ENV } from '../../scripts/malloc-env.js';

const readJson = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as unknown;
const pkg = readJson('../../package.json') as { dependencies: Record<string, string> };
const lock = readJson('../../package-lock.json') as { packages: Record<string, { dev?: boolean }> };

/** Starts all, and when one fails, stops those that started before rethrowing. */
async function startAll<T extends { stop(): Promise<unknown> }>(starts: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(starts);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed === undefined) return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : Promise.resolve())));
  throw failed.reason;
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  return { status: response.status, body: await response.json() };
}

describe(`the service image (${SERVICE_IMAGE})`, { timeout: 300_000 }, () => {
  let network: StartedNetwork | undefined;
  let spark: StartedSparkConnectContainer | undefined;
  let service: StartedServiceContainer | undefined;
  let readOnly: StartedServiceContainer | undefined;
  let serviceStopped = false;

  before(async () => {
    await assertImagePresent();
    network = await new Network().start();
    const remote = `sc://spark:${SPARK_CONNECT_PORT}`;
    [spark, service, readOnly] = (await startAll<StartedSparkConnectContainer | StartedServiceContainer>([
      new SparkConnectContainer().withNetwork(network).withNetworkAliases('spark').start(),
      new ServiceContainer().withNetwork(network).withSparkRemote(remote).start(),
      new ServiceContainer()
        .withNetwork(network)
        .withSparkRemote(remote)
        .withReadOnlyRootFilesystem()
        .start(),
    ])) as [StartedSparkConnectContainer, StartedServiceContainer, StartedServiceContainer];
  });

  after(async () => {
    await Promise.all([serviceStopped ? undefined : service?.stop(), readOnly?.stop(), spark?.stop()]);
    await network?.stop();
  });

  it('runs as a user other than root', async () => {
    const uid = await service!.exec(['id', '-u']);
    assert.equal(uid.exitCode, 0, uid.output);
    assert.match(uid.stdout.trim(), /^\d+$/);
    assert.notEqual(uid.stdout.trim(), '0');
  });

  it('cannot change its own code: /app belongs to root', async () => {
    const write = await service!.exec(['touch', '/app/dist/server.js']);
    assert.notEqual(write.exitCode, 0, 'the service user could write to /app/dist');
    const owner = await service!.exec(['stat', '-c', '%u', '/app', '/app/dist', '/app/node_modules']);
    assert.deepEqual(owner.stdout.trim().split('\n'), ['0', '0', '0']);
  });

  it('answers /healthz through the mapped port, and Docker sees its HEALTHCHECK pass', async () => {
    const { status, body } = await getJson(`${service!.getBaseUrl()}/healthz`);
    assert.equal(status, 200);
    assert.deepEqual(body, { status: 'ok' });

    const client = await getContainerRuntimeClient();
    const inspect = await client.container.inspect(client.container.getById(service!.getId()));
    assert.equal(inspect.State.Health?.Status, 'healthy');
  });

  it("is ready once Spark answers, reporting Spark's version", async () => {
    // Spark may still be setting up its first session; /readyz answers 503 until then.
    const deadline = Date.now() + 60_000;
    let last: { status: number; body: unknown };
    for (;;) {
      last = await getJson(`${service!.getBaseUrl()}/readyz`);
      if (last.status === 200 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    assert.equal(last.status, 200, JSON.stringify(last.body));
    const body = last.body as { status: string; sparkVersion: string };
    assert.equal(body.status, 'ready');
    if (process.env['SPARK_IMAGE'] === undefined) assert.equal(body.sparkVersion, SPARK_VERSION);
    else assert.match(body.sparkVersion, /^\d+\.\d+\.\d+/);
  });

  it('holds the compiled service and its production dependencies, and no devDependencies', async () => {
    // What the lockfile installs only for development (typescript, eslint, tsx, testcontainers and
    // their own dependencies), by install path.
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.dev === true)
      .map(([path]) => path);
    assert.ok(devOnly.includes('node_modules/typescript'));
    const probe = `
      const fs = require('node:fs');
      const [deps, devOnly] = JSON.parse(process.argv[1]);
      console.log(JSON.stringify({
        missing: deps.filter((name) => !fs.existsSync('node_modules/' + name + '/package.json')),
        dev: devOnly.filter((path) => fs.existsSync(path)),
        files: ['dist/server.js', 'package.json', 'datasets/demo.yaml', 'src', 'test', 'tsconfig.json'].filter((f) => fs.existsSync(f)),
      }));`;
    const args = JSON.stringify([Object.keys(pkg.dependencies), devOnly]);
    const result = await service!.exec(['node', '-e', probe, args]);
    assert.equal(result.exitCode, 0, result.output);
    const found = JSON.parse(result.stdout) as { missing: string[]; dev: string[]; files: string[] };
    assert.deepEqual(found.missing, [], 'dependencies missing from the image');
    assert.deepEqual(found.dev, [], 'devDependencies in the image');
    assert.deepEqual(found.files, ['dist/server.js', 'package.json', 'datasets/demo.yaml']);
  });

  it('runs the service with the malloc settings that npm start and the bench give it', async () => {
    const environ = await service!.exec(['cat', '/proc/1/environ']);
    assert.equal(environ.exitCode, 0, environ.output);
    const vars = environ.stdout.split('\0').filter((v) => v.startsWith('MALLOC_'));
    const expected = Object.entries(MALLOC_ENV).map(([name, value]) => `${name}=${value}`);
    assert.ok(expected.length > 0);
    assert.deepEqual(vars.sort(), expected.sort());
  });

  it('runs on a read-only root filesystem', async () => {
    const { status } = await getJson(`${readOnly!.getBaseUrl()}/healthz`);
    assert.equal(status, 200);
    const write = await readOnly!.exec(['touch', '/home/node/file']);
    assert.notEqual(write.exitCode, 0, 'the root filesystem is writable');
  });

  it('stops promptly on SIGTERM, with exit status 0', async () => {
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(service!.getId());
    const started = Date.now();
    await service!.stop({ timeout: 10_000, remove: false });
    serviceStopped = true;
    const elapsed = Date.now() - started;
    const inspect = await client.container.inspect(container);
    await client.container.remove(container);
    assert.equal(inspect.State.ExitCode, 0);
    assert.ok(elapsed < 5000, `stopping took ${elapsed} ms: SIGTERM was not handled`);
  });
});
