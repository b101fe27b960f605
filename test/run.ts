/**
 * `npm test`: starts one Spark Connect server for the whole run (or uses `SPARK_REMOTE`),
 * then runs every test file under node's test runner with `SPARK_REMOTE` pointing at it.
 * `--no-spark` runs only the unit and component tests; `--integration` only the integration tests
 * (to check another Spark release line, with `SPARK_VERSION`), leaving out the system tests, which
 * check the service as a product (its image, `npm start`, the README, its pages and documents with
 * the tools pointed at them, its memory) whatever the Spark release. The Spark image is used if
 * present, else pulled, else built locally.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SparkConnectContainer,
  type StartedSparkConnectContainer,
} from '../containers/spark-connect-container.js';
import { ensureSparkImage } from '../containers/spark-image.js';
import { SPARK_IMAGE } from '../containers/spark-version.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const withSpark = !process.argv.includes('--no-spark');
const tiers = !withSpark
  ? ['unit', 'component']
  : process.argv.includes('--integration')
    ? ['integration']
    : ['unit', 'component', 'integration', 'system'];
// Every test stops the containers it starts; Testcontainers' reaper would be one more image to pull.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';

function testFiles(): string[] {
  return tiers.flatMap((tier) => {
    const dir = join(root, 'test', tier);
    let entries: string[];
    try {
      entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
    } catch {
      return [];
    }
    return entries.filter((f) => f.endsWith('.test.ts')).map((f) => relative(root, join(dir, f)));
  });
}

function runNodeTests(files: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // A test that hangs fails after ten minutes instead of holding the run.
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=600000', ...files];
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal);
  };
  process.once('SIGINT', forward).once('SIGTERM', forward);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
}

function imagePresent(image: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const files = testFiles();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const env: NodeJS.ProcessEnv = { ...process.env };
let container: StartedSparkConnectContainer | undefined;
let exitCode = 1;
try {
  if (withSpark && !imagePresent(env['SERVICE_IMAGE'] ?? 'spark-data-api:local')) {
    console.log('building the service image (npm run image), which the image tests run');
    execFileSync(join(root, 'scripts', 'service-image.sh'), { cwd: root, env, stdio: 'inherit' });
  }
  if (withSpark && !env['SPARK_REMOTE']) {
    await ensureSparkImage();
    console.log(`starting Spark Connect (${SPARK_IMAGE})`);
    // Results wait in the driver while a client reads slowly; the streaming tests send gigabytes.
    container = await new SparkConnectContainer()
      .withDriverMemory('2g')
      .withSparkConf('spark.driver.maxResultSize', '2g')
      .start();
    env['SPARK_REMOTE'] = container.getConnectionString();
    env['SPARK_UI_URL'] = container.getUiUrl();
    console.log(`Spark Connect at ${env['SPARK_REMOTE']}`);
  }
  exitCode = await runNodeTests(files, env);
} finally {
  await container?.stop();
}
process.exit(exitCode);
