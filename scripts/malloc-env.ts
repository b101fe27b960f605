/**
 * glibc's malloc setting the service runs with: in its image (the Dockerfile's `ENV`), under
 * `npm start` and in `npm run bench`. Allocations of 128 KiB and more (Spark's Arrow payloads,
 * the spool's chunks and what is read back from its files) get pages of their own from the
 * system, which go back to it as soon as they are freed. Without it glibc raises that threshold
 * to the largest block freed so far (up to 32 MiB), after which such buffers come from its heap,
 * whose freed space stays resident once it is scattered. Only read when the process starts.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };
