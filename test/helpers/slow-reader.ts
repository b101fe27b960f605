/** A client that reads an HTTP answer no faster than a given rate, keeping only a digest of it. */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface SlowRead {
  readonly status: number;
  readonly bytes: number;
  /** Newline characters read: the rows of an NDJSON answer. */
  readonly lines: number;
  readonly sha256: string;
  /** The last line, for a look at where the answer ended. */
  readonly lastLine: string;
}

/** POSTs `body` to `url` and reads the answer at `bytesPerSecond` at most. */
export function readSlowly(url: string, body: unknown, bytesPerSecond: number): Promise<SlowRead> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (response) => {
        const hash = createHash('sha256');
        const started = performance.now();
        let bytes = 0;
        let lines = 0;
        let tail = '';
        response.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          bytes += chunk.byteLength;
          for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
          tail = (tail + chunk.subarray(-4096).toString('utf8')).slice(-8192);
          const ahead = (bytes / bytesPerSecond) * 1000 - (performance.now() - started);
          if (ahead > 0) {
            response.pause();
            setTimeout(() => response.resume(), ahead);
          }
        });
        response.on('end', () => {
          const last = tail.trimEnd().split('\n').at(-1) ?? '';
          resolve({
            status: response.statusCode ?? 0,
            bytes,
            lines,
            sha256: hash.digest('hex'),
            lastLine: last,
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
