import { get, type IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Writable, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { DATASETS, expectRows, type BenchContext } from '../context.js';
import { now, summarize } from '../stats.js';
import type { TextFormat } from './text.js';

export type Coding = 'identity' | 'gzip' | 'br' | 'zstd';

export interface CodingResult {
  readonly format: TextFormat;
  readonly coding: Coding;
  /** Whether the service answered in this coding (zstd only where its Node has it). */
  readonly offered: boolean;
  /** Median bytes on the wire, and the same answer decoded. */
  readonly wireBytes: number;
  readonly decodedBytes: number;
  /** Median wall time of the download in milliseconds, the client decoding as it reads. */
  readonly ms: number;
  /** Median CPU seconds of the service process per download. */
  readonly serviceCpuSeconds: number;
  /** Service CPU seconds per GiB of the answer before compression. */
  readonly cpuSecondsPerGiB: number;
}

export interface CompressionResult {
  readonly rows: number;
  readonly runs: number;
  readonly codings: readonly CodingResult[];
}

const CODINGS: readonly Coding[] = ['identity', 'gzip', 'br', 'zstd'];

interface Got {
  readonly coding: string;
  readonly wireBytes: number;
  readonly decodedBytes: number;
  readonly rows: number;
  readonly ms: number;
}

/** Node's decoder of a content coding, or undefined where this Node has none (zstd before 22.15). */
function decoder(coding: string): Transform | undefined {
  if (coding === 'gzip') return zlib.createGunzip();
  if (coding === 'br') return zlib.createBrotliDecompress();
  const zstd = (zlib as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  return coding === 'zstd' ? zstd?.() : undefined;
}

/** Downloads `url` asking for `coding`, counting bytes as sent and as decoded. */
function fetchCoded(url: string, coding: Coding): Promise<Got> {
  const started = now();
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': coding } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        reject(new Error(`${url} (${coding}): ${res.statusCode}`));
        res.resume();
        return;
      }
      const used = res.headers['content-encoding'] ?? 'identity';
      let wireBytes = 0;
      let decodedBytes = 0;
      res.on('data', (chunk: Buffer) => {
        wireBytes += chunk.length;
      });
      const count = new Writable({
        write(chunk: Buffer, _encoding, done) {
          decodedBytes += chunk.length;
          done();
        },
      });
      const decode = used === 'identity' ? undefined : decoder(used);
      if (used !== 'identity' && decode === undefined) {
        reject(new Error(`no decoder here for ${used}`));
        return;
      }
      const done = decode === undefined ? pipeline(res, count) : pipeline(res, decode, count);
      done.then(() => {
        resolve({
          coding: used,
          wireBytes,
          decodedBytes,
          rows: Number(res.trailers['result-rows'] ?? NaN),
          ms: now() - started,
        });
      }, reject);
    }).on('error', reject);
  });
}

/**
 * Compressed answers: the same NDJSON and CSV download of `config.compressionRows` rows asked
 * for in each content coding, with the bytes on the wire and the service's CPU per GiB of the
 * answer. Every coded answer must decode to exactly as many bytes as the identity one.
 */
export async function compressionScenario(ctx: BenchContext): Promise<CompressionResult> {
  const { config, service } = ctx;
  const rows = config.compressionRows;
  const codings: CodingResult[] = [];
  for (const format of ['ndjson', 'csv'] as const) {
    const url = `${service.base}/v1/datasets/${DATASETS.wide}/rows?format=${format}&limit=${rows}`;
    let identityBytes: number | undefined;
    for (const coding of CODINGS) {
      const got: Got[] = [];
      const cpu: number[] = [];
      await fetchCoded(url, coding); // warm-up
      for (let run = 0; run < config.compressionRuns; run++) {
        const cpu0 = service.cpu();
        const one = await fetchCoded(url, coding);
        cpu.push(service.cpu() - cpu0);
        expectRows(`${format} ${coding} download`, one.rows, rows);
        got.push(one);
      }
      const offered = got.every((g) => g.coding === coding);
      const decodedBytes = got[0]!.decodedBytes;
      identityBytes ??= decodedBytes;
      if (got.some((g) => g.decodedBytes !== identityBytes)) {
        throw new Error(`${format} ${coding}: decoded ${decodedBytes} bytes, identity ${identityBytes}`);
      }
      const serviceCpuSeconds = summarize(cpu).median;
      const result: CodingResult = {
        format,
        coding,
        offered,
        wireBytes: summarize(got.map((g) => g.wireBytes)).median,
        decodedBytes,
        ms: summarize(got.map((g) => g.ms)).median,
        serviceCpuSeconds,
        cpuSecondsPerGiB: serviceCpuSeconds / (decodedBytes / 1024 ** 3),
      };
      codings.push(result);
      ctx.log(
        `compression: ${format} ${coding}${offered ? '' : ' (not offered: identity)'} ` +
          `${(result.wireBytes / 1e6).toFixed(1)} MB on the wire, ${(result.ms / 1000).toFixed(2)} s, ` +
          `service CPU ${result.cpuSecondsPerGiB.toFixed(2)} s/GiB`,
      );
    }
  }
  return { rows, runs: config.compressionRuns, codings };
}
