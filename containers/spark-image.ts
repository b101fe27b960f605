/**
 * Makes sure a Spark image is on this machine before a container starts from it: the image if
 * present, else pulled, else built locally by `scripts/spark-image.sh` (Docker alone), for
 * machines without a reachable registry. Progress goes to the terminal.
 */
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SPARK_IMAGE, SPARK_VERSION } from './spark-version.js';

const run = promisify(execFile);
const buildScript = fileURLToPath(new URL('../scripts/spark-image.sh', import.meta.url));

/** Docker is missing or its engine does not answer; the message says why. */
export class DockerUnavailableError extends Error {}

/** Fails with {@link DockerUnavailableError} unless a Docker engine answers. */
export async function assertDockerAvailable(): Promise<void> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 });
  } catch (err) {
    const { code, stderr } = err as NodeJS.ErrnoException & { stderr?: string };
    const reason =
      code === 'ENOENT'
        ? 'the docker command is not installed'
        : (stderr?.trim().split('\n').at(-1) ?? 'the Docker engine does not answer');
    throw new DockerUnavailableError(reason);
  }
}

async function present(image: string): Promise<boolean> {
  try {
    await run('docker', ['image', 'inspect', image]);
    return true;
  } catch {
    return false;
  }
}

function inherit(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const child = spawn(command, args, { stdio: 'inherit', env });
  return new Promise((resolve) => {
    child.on('error', () => {
      resolve(false);
    });
    child.on('exit', (code) => {
      resolve(code === 0);
    });
  });
}

/**
 * The image if present; else `docker pull`; else a local build of `version` tagged `image`.
 * `log` prints each decision.
 */
export async function ensureSparkImage(
  image: string = SPARK_IMAGE,
  version: string = SPARK_VERSION,
  log: (line: string) => void = console.log,
): Promise<void> {
  if (await present(image)) return;
  log(`${image} is not on this machine; pulling it`);
  if (await inherit('docker', ['pull', image])) return;
  log(`${image} cannot be pulled; building it locally (a few minutes, once)`);
  const env = { ...process.env, SPARK_IMAGE: image, SPARK_VERSION: version };
  if (!(await inherit(buildScript, [], env))) {
    throw new Error(`could not build ${image} (scripts/spark-image.sh failed; its output is above)`);
  }
}
