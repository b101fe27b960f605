import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The virtualenv of the PySpark baseline: `$XDG_CACHE_HOME/spark-data-api/bench-python`
 * (`~/.cache/…` by default), with the exact packages of `bench/requirements.txt`. Made or
 * updated when the requirements change; `BENCH_PYTHON` names another interpreter instead.
 */
export function benchPython(root: string, log: (line: string) => void): string {
  const given = process.env['BENCH_PYTHON'];
  if (given !== undefined && given !== '') return given;
  const cache = process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  const venv = join(cache, 'spark-data-api', 'bench-python');
  const python = join(venv, 'bin', 'python');
  const requirements = join(root, 'bench', 'requirements.txt');
  const digest = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const stamp = join(venv, '.requirements-sha256');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return python;
  log(`installing the PySpark baseline into ${venv}`);
  mkdirSync(venv, { recursive: true });
  if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements],
    { stdio: 'inherit' },
  );
  writeFileSync(stamp, digest);
  return python;
}

export interface PySparkArrowRun {
  readonly ms: number;
  /** CPU seconds of the Python process (all its threads) during the call. */
  readonly cpuSeconds: number;
  readonly rows: number;
}

export interface PySparkSmallRun {
  readonly latenciesMs: number[];
  readonly wallMs: number;
  readonly rows: number;
}

interface Ready {
  readonly sparkVersion: string;
  readonly client: string;
}

/** A PySpark Connect session in a Python process of its own (`bench/pyspark_worker.py`). */
export class PySparkWorker {
  readonly sparkVersion: string;
  readonly clientVersion: string;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;

  private constructor(child: ChildProcessWithoutNullStreams, lines: AsyncIterator<string>, ready: Ready) {
    this.#child = child;
    this.#lines = lines;
    this.sparkVersion = ready.sparkVersion;
    this.clientVersion = ready.client;
  }

  static async start(python: string, root: string, remote: string, shufflePartitions: string) {
    const child = spawn(python, [join(root, 'bench', 'pyspark_worker.py'), remote, shufflePartitions], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONWARNINGS: 'ignore::FutureWarning' },
    });
    child.stderr.pipe(process.stderr);
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ready = await next<Ready>(lines);
    return new PySparkWorker(child, lines, ready);
  }

  arrow(sql: string, limit: number): Promise<PySparkArrowRun> {
    return this.#ask<PySparkArrowRun>({ op: 'arrow', sql, limit });
  }

  small(
    sql: string,
    limit: number,
    requests: number,
    concurrency: number,
    warmup: number,
  ): Promise<PySparkSmallRun> {
    return this.#ask<PySparkSmallRun>({ op: 'small', sql, limit, requests, concurrency, warmup });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.end(`${JSON.stringify({ op: 'quit' })}\n`);
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  #ask<T>(command: object): Promise<T> {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
    return next<T>(this.#lines);
  }
}

async function next<T>(lines: AsyncIterator<string>): Promise<T> {
  const line = await lines.next();
  if (line.done === true) throw new Error('the PySpark worker exited');
  const value = JSON.parse(line.value) as T & { error?: string };
  if (value.error !== undefined) throw new Error(`PySpark: ${value.error}`);
  return value;
}
