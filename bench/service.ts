import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, get, request, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { MALLOC_ENV } from '../scripts/malloc-env.js';
import { rssBytes } from './rss.js';
import { now } from './stats.js';

export interface ServiceOptions {
  readonly root: string;
  readonly sparkRemote: string;
  readonly datasetsFile: string;
  /** Options for node before the script, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[] | undefined;
  /** More environment variables of the service, e.g. `POOL_MAX`. */
  readonly env?: Readonly<Record<string, string>> | undefined;
}

/** glibc's malloc settings of the service processes: the image's, unless this environment sets its own. */
export function serviceMallocEnv(): Record<string, string> {
  const own = Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[0].startsWith('MALLOC_') && entry[1] !== undefined,
  );
  return { ...MALLOC_ENV, ...Object.fromEntries(own) };
}

/**
 * The service as it is deployed: the compiled `dist/server.js` in a process of its own, so its
 * CPU and memory are its own. Limits are raised above the benchmark's results.
 */
export class ServiceProcess {
  readonly base: string;
  readonly #child: ChildProcess;
  #exited = false;

  private constructor(child: ChildProcess, base: string) {
    this.#child = child;
    this.base = base;
    child.once('exit', () => {
      this.#exited = true;
    });
  }

  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), 'dist/server.js'], {
      cwd: options.root,
      env: {
        ...process.env,
        ...serviceMallocEnv(),
        SPARK_REMOTE: options.sparkRemote,
        DATASETS_FILE: options.datasetsFile,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        MAX_ROWS: String(2 ** 31 - 2),
        MAX_BYTES: String(64 * 1024 ** 3),
        // The benchmark's client is the only caller: served without credentials, never rate limited.
        ANONYMOUS: 'true',
        RATE_LIMIT_MAX: String(2 ** 31 - 1),
        ...options.env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const service = new ServiceProcess(child, `http://127.0.0.1:${port}`);
    await service.#ready();
    return service;
  }

  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined) throw new Error('the service process has no pid');
    return pid;
  }

  async #ready(): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (this.#exited) throw new Error('the service exited while starting');
      try {
        const res = await fetch(`${this.base}/readyz`);
        await res.arrayBuffer();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('the service did not become ready within 2 minutes');
      await sleep(200);
    }
  }

  /** CPU seconds the service process has used so far. */
  cpu(): number {
    return cpuSeconds(this.pid);
  }

  /** Resident memory of the service process, in bytes. */
  rss(): number {
    return rssBytes(this.pid);
  }

  /** Samples the resident memory every `intervalMs` until `stop()`, which returns the peak. */
  sampleRss(intervalMs = 50): { stop(): number } {
    let peak = this.rss();
    const timer = setInterval(() => {
      if (!this.#exited) peak = Math.max(peak, this.rss());
    }, intervalMs);
    return {
      stop: () => {
        clearInterval(timer);
        if (!this.#exited) peak = Math.max(peak, this.rss());
        return peak;
      },
    };
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(20_000, false)]);
    if (!stopped) this.#child.kill('SIGKILL');
  }
}

let clockTicks: number | undefined;

/**
 * CPU time (user + system) a process has used so far, in seconds; NaN where the operating
 * system does not show it (Linux only).
 */
export function cpuSeconds(pid: number): number {
  if (process.platform !== 'linux') return NaN;
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/**
 * One sample of a service's `/metrics`, e.g. `name_count{kind="major"}`, of the metric
 * `family`. A labelled sample not yet observed has no line: that reads as 0, but a family the
 * page does not describe at all is an error.
 */
export async function metricSample(base: string, family: string, sample = family): Promise<number> {
  const res = await fetch(`${base}/metrics`);
  const lines = (await res.text()).split('\n');
  if (!res.ok || !lines.some((l) => l.startsWith(`# TYPE ${family} `)))
    throw new Error(`the service's /metrics has no ${family}`);
  const line = lines.find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/** How many full (mark-compact) garbage collections a service has done. */
export function majorGcs(base: string): Promise<number> {
  return metricSample(base, 'nodejs_gc_duration_seconds', 'nodejs_gc_duration_seconds_count{kind="major"}');
}

/** CPU time this process has used so far, in seconds. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface Download {
  readonly bytes: number;
  /** Milliseconds from sending the request to the last byte. */
  readonly ms: number;
  /** The `Result-Rows` trailer: the rows the service says it sent. */
  readonly rows: number;
  readonly truncated: boolean;
}

export interface DownloadOptions {
  /** Reads no faster than this many bytes per second; the socket's backpressure does the rest. */
  readonly bytesPerSecond?: number | undefined;
  /** Called with each chunk (for checks that need the body). */
  readonly onChunk?: ((chunk: Buffer) => void) | undefined;
}

/** GETs a URL and reads the body to its end, counting bytes. */
export function download(url: string, options: DownloadOptions = {}): Promise<Download> {
  const { bytesPerSecond, onChunk } = options;
  const started = now();
  return new Promise((resolve, reject) => {
    get(url, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        failWithBody(res, url, reject);
        return;
      }
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        onChunk?.(chunk);
        if (bytesPerSecond !== undefined) {
          const ahead = (bytes / bytesPerSecond) * 1000 - (now() - started);
          if (ahead > 0) {
            res.pause();
            setTimeout(() => res.resume(), ahead);
          }
        }
      });
      res.on('end', () => {
        resolve({
          bytes,
          ms: now() - started,
          rows: Number(res.trailers['result-rows'] ?? NaN),
          truncated: res.trailers['result-truncated'] === 'true',
        });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** An answer other than 200, with the start of its body. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;

  constructor(url: string, status: number, body: string) {
    super(`${url}: ${status} ${body.slice(0, 500)}`);
    this.status = status;
  }
}

function failWithBody(res: IncomingMessage, url: string, reject: (err: Error) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => {
    reject(new HttpError(url, res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
  });
  res.on('error', reject);
}

/** Keeps connections open between requests, like a dashboard's HTTP client. */
export function keepAliveAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets });
}

/** Sends a small request over `agent` (a GET, or a POST of `json`) and returns the answer's body. */
export function small(url: string, agent: Agent, json?: unknown): Promise<Buffer> {
  const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json), 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: body === undefined ? 'GET' : 'POST',
        headers:
          body === undefined ? {} : { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        if (res.statusCode !== 200) {
          failWithBody(res, url, reject);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve(Buffer.concat(chunks));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
