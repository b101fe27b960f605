/**
 * `npm start` stopped with Ctrl-C while its Spark container is still starting: the container is
 * stopped once it is up, not left running for nobody.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { closedPort } from '../helpers/closed-port.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The containers `npm start` on `port` made (running or not). */
function startContainers(port: number): string[] {
  const ids = execFileSync(
    'docker',
    ['ps', '-a', '-q', '--filter', `label=dev.spark-data-api.npm-start-port=${port}`],
    { encoding: 'utf8' },
  );
  return ids.split('\n').filter((id) => id !== '');
}

describe('npm start, stopped while Spark starts', () => {
  it('stops the Spark container it was starting, and exits', { timeout: 300_000 }, async () => {
    const port = await closedPort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' };
    delete env['SPARK_REMOTE'];
    // Its own process group, as in a terminal, where Ctrl-C sends SIGINT to the whole group.
    const child = spawn('npm', ['start'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    try {
      // Ctrl-C once the container exists, before Spark in it has started.
      while (startContainers(port).length === 0) {
        if (child.exitCode !== null) assert.fail(`npm start exited before making its container:\n${output}`);
        await sleep(100);
      }
      assert.ok(!output.includes('Spark Connect at'), `Spark had already started:\n${output}`);
      process.kill(-child.pid!, 'SIGINT');
      const stopped = await Promise.race([exited.then(() => true), sleep(120_000, false, { ref: false })]);
      assert.ok(stopped, `npm start did not exit within 120 s of Ctrl-C:\n${output}`);
      assert.deepEqual(startContainers(port), [], `a container was left behind:\n${output}`);
      assert.match(output, /stopping: the Spark container is stopped once it has started/);
      assert.doesNotMatch(output, /spark-data-api is ready/);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      for (const id of startContainers(port)) execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
    }
  });
});
