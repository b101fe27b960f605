import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';
import { serviceMallocEnv } from './service.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** The V8 and Node options the bench process itself runs with (`npm run bench` sets some). */
  readonly benchNodeOptions: readonly string[];
  /**
   * glibc's malloc settings of the service processes (`NAME=value`): its image's, unless the
   * bench's environment sets others.
   */
  readonly serviceMalloc: readonly string[];
  /** 1-minute load average when the run started: how busy the machine already was. */
  readonly loadAtStart: number;
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${type()} ${release()} ${process.arch}`,
    node: process.version,
    benchNodeOptions: ownNodeOptions(process.execArgv),
    serviceMalloc: Object.entries(serviceMallocEnv()).map(([name, value]) => `${name}=${value}`),
    loadAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** `execArgv` without its module loaders (`--import tsx`), which say nothing about the runtime. */
function ownNodeOptions(execArgv: readonly string[]): string[] {
  const options: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    if (arg === '--import' || arg === '--require' || arg === '--loader') i++;
    else if (!/^--(import|require|loader)=/.test(arg)) options.push(arg);
  }
  return options;
}
