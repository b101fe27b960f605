/**
 * `npm start`: the service on a local Spark. With `SPARK_REMOTE` set it uses that server;
 * otherwise it runs a Spark Connect container (`SPARK_IMAGE`, by default apache/spark at the
 * pinned version: present, else pulled, else built locally) and stops it when the service exits.
 * A container left behind by a start that did not finish (killed, crashed) is reused next time.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  SparkConnectContainer,
  type StartedSparkConnectContainer,
} from '../containers/spark-connect-container.js';
import {
  DockerUnavailableError,
  assertDockerAvailable,
  ensureSparkImage,
} from '../containers/spark-image.js';
import { SPARK_IMAGE } from '../containers/spark-version.js';
import { MALLOC_ENV } from './malloc-env.js';
import { readableLine } from './readable-logs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
// On your machine, open to anyone who can reach it unless you set up authentication (AUTH_FILE).
const env: NodeJS.ProcessEnv = { ...MALLOC_ENV, ...process.env };
if (env['AUTH_FILE'] === undefined) env['ANONYMOUS'] ??= 'true';
env['GRAPHIQL'] ??= 'true';
const port = env['PORT'] ?? '8080';
// This script stops its container itself; Testcontainers' reaper would be one more image to pull.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
let container: StartedSparkConnectContainer | undefined;

if (!env['SPARK_REMOTE']) {
  // Ctrl-C while Spark starts: the container is stopped as soon as it is up, not left behind.
  // One Ctrl-C may arrive twice (from the terminal and relayed by npm or tsx): only a second one
  // a while later means "leave now", and the container is then reused by the next start.
  let interrupted: number | undefined;
  const whileStarting = () => {
    if (interrupted !== undefined) {
      if (performance.now() - interrupted > 2000) process.exit(130);
      return;
    }
    interrupted = performance.now();
    console.error(
      'stopping: the Spark container is stopped once it has started (Ctrl-C again to leave it now)',
    );
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, whileStarting);
  try {
    await assertDockerAvailable();
    await ensureSparkImage();
    console.log(`starting a local Spark Connect server (${SPARK_IMAGE})…`);
    // Reused by the next start on the same port if this one is killed before it can stop it;
    // starts on other ports (running side by side) get containers of their own.
    container = await new SparkConnectContainer()
      .withLabels({ 'dev.spark-data-api.npm-start-port': port })
      .withReuse()
      .start();
  } catch (err) {
    if (interrupted !== undefined) process.exit(130);
    console.error(
      err instanceof DockerUnavailableError
        ? `npm start runs Spark in a Docker container, and Docker is not available (${err.message}).\n` +
            'Either install and start Docker (https://docs.docker.com/engine/install/) and run npm start again,\n' +
            'or point the service at a Spark Connect server you have: SPARK_REMOTE=sc://host:15002 npm start'
        : `could not start Spark in a container: ${(err as Error).message}\n` +
            'Or point the service at a Spark Connect server you have: SPARK_REMOTE=sc://host:15002 npm start',
    );
    process.exit(1);
  }
  for (const signal of signals) process.off(signal, whileStarting);
  if (interrupted !== undefined) {
    await container.stop();
    process.exit(130);
  }
  env['SPARK_REMOTE'] = container.getConnectionString();
  console.log(`Spark Connect at ${env['SPARK_REMOTE']} (web UI ${container.getUiUrl()})`);
}

// In its own process group, so that Ctrl-C reaches the service once, through us: a second
// signal makes it stop at once instead of draining.
// On a terminal its JSON log lines are shown one readable line each.
const readable = process.stdout.isTTY;
const preload = pathToFileURL(join(root, 'scripts', 'exit-with-parent.ts')).href;
const service = spawn(process.execPath, ['--import', 'tsx', '--import', preload, 'src/server.ts'], {
  cwd: root,
  env,
  stdio: ['inherit', readable ? 'pipe' : 'inherit', 'inherit', 'ipc'],
  detached: true,
});
if (service.stdout) {
  createInterface({ input: service.stdout, crlfDelay: Infinity }).on('line', (line) => {
    console.log(readableLine(line));
  });
}
void announce(`http://127.0.0.1:${port}`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    // A closed terminal (SIGHUP) stops the service as SIGTERM does: draining first.
    service.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
  });
}
const code = await new Promise<number>((resolve) => {
  service.on('exit', (exitCode) => {
    resolve(exitCode ?? 0);
  });
});
await container?.stop();
process.exit(code);

/** Once the service answers, prints what to try. */
async function announce(base: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.log(
    [
      '',
      `spark-data-api is ready on ${base}; try:`,
      `  curl '${base}/v1/datasets'`,
      `  curl '${base}/v1/datasets/events/rows?limit=5&orderBy=-ts'`,
      `  curl '${base}/v1/datasets/daily_revenue/rows?params%5Bregion%5D=EU&format=csv'`,
      `  the API page: ${base}/docs`,
      `  GraphiQL: ${base}/graphiql`,
      '',
    ].join('\n'),
  );
}
