/**
 * `npm start`: the service on a local Spark. With `SPARK_REMOTE` set it uses that server;
 * otherwise it starts a Spark Connect container (`SPARK_IMAGE`, by default apache/spark at
 * the pinned version, which `npm run spark:image` can build) and stops it when the service exits.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  SparkConnectContainer,
  type StartedSparkConnectContainer,
} from '../containers/spark-connect-container.js';
import { SPARK_IMAGE } from '../containers/spark-version.js';

const root = fileURLToPath(new URL('..', import.meta.url));
// On your machine, open to anyone who can reach it unless you set up authentication (AUTH_FILE).
const env: NodeJS.ProcessEnv = { ...process.env };
if (env['AUTH_FILE'] === undefined) env['ANONYMOUS'] ??= 'true';
env['GRAPHIQL'] ??= 'true';
let container: StartedSparkConnectContainer | undefined;

if (!env['SPARK_REMOTE']) {
  console.log(`starting a local Spark Connect server (${SPARK_IMAGE})…`);
  try {
    container = await new SparkConnectContainer().start();
  } catch (err) {
    console.error(
      `could not start Spark in a container (${(err as Error).message}).\n` +
        'npm start needs Docker for a local Spark; or point it at a server: SPARK_REMOTE=sc://host:15002 npm start',
    );
    process.exit(1);
  }
  env['SPARK_REMOTE'] = container.getConnectionString();
  console.log(`Spark Connect at ${env['SPARK_REMOTE']} (web UI ${container.getUiUrl()})`);
}

// In its own process group, so that Ctrl-C reaches the service once, through us: a second
// signal makes it stop at once instead of draining.
const service = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
  cwd: root,
  env,
  stdio: 'inherit',
  detached: true,
});
void announce(`http://127.0.0.1:${env['PORT'] ?? '8080'}`);
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    service.kill(signal);
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
