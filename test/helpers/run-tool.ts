import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ToolRun {
  readonly code: number | null;
  readonly output: string;
}

/**
 * Runs a tool to its end and gives its exit code and output. A tool that cannot be started
 * rejects: a missing tool fails the test, never skips it.
 */
export function runTool(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', (err) => {
      reject(new Error(`could not run ${command}: ${err.message}`));
    });
    child.on('close', (code) => {
      resolve({ code, output });
    });
  });
}

/** A tool installed by npm in this repository. */
export function npmBin(name: string): string {
  return `${ROOT}node_modules/.bin/${name}`;
}
