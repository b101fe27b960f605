/**
 * A new user's first minutes, as the README tells them: `npm start` brings up Spark and the
 * service with the demo datasets; every curl example of the README answers, and where the README
 * shows the output, that is the output.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { closedPort } from '../helpers/closed-port.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Each `$ curl …` line of the README's console blocks, with the output shown under it (if any). */
function curlExamples(): { command: string; output: string[] }[] {
  const examples: { command: string; output: string[] }[] = [];
  for (const block of readme.matchAll(/```console\n([\s\S]*?)```/g)) {
    const lines = (block[1] ?? '').split('\n');
    lines.forEach((line, k) => {
      if (!line.startsWith('$ curl ')) return;
      const output: string[] = [];
      for (const next of lines.slice(k + 1)) {
        if (next.startsWith('$') || next === '') break;
        output.push(next);
      }
      examples.push({ command: line.slice(2), output });
    });
  }
  return examples;
}

let base: string;
let stop: (() => Promise<void>) | undefined;

before(
  async () => {
    const port = await closedPort();
    base = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' };
    delete env['SPARK_REMOTE'];
    // Its own process group, to be stopped as Ctrl-C in a terminal stops it: a SIGINT to the group.
    const child = spawn('npm', ['start'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    let output = '';
    const exited = new Promise<void>((resolve) =>
      child.on('exit', () => {
        resolve();
      }),
    );
    stop = async () => {
      signalGroup('SIGINT');
      const stopped = await Promise.race([exited.then(() => true), sleep(60_000, false, { ref: false })]);
      if (!stopped) {
        signalGroup('SIGKILL');
        throw new Error('npm start did not stop within 60 s of Ctrl-C');
      }
    };
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('spark-data-api is ready')) resolve();
      });
      void exited.then(() => {
        reject(new Error(`npm start exited:\n${output}`));
      });
    });
  },
  { timeout: 240_000 },
);

after(async () => {
  await stop?.();
});

describe('the README, followed by a new user', () => {
  const examples = curlExamples();

  it('has curl examples, and npm start printed the URLs to try', () => {
    assert.ok(examples.length >= 5, `${examples.length} examples`);
  });

  for (const { command, output } of examples) {
    it(command.slice(0, 100), () => {
      const line = command
        .replaceAll('http://localhost:8080', base)
        .replace(/^curl /, 'curl -sS --fail-with-body ');
      const answer = execFileSync('bash', ['-c', line], { encoding: 'utf8' });
      assert.ok(answer.length > 0);
      if (output.length > 0) assert.deepEqual(answer.trimEnd().split('\n'), output);
    });
  }
});
