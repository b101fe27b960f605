/**
 * The Spark Connect server integration tests talk to: `npm test` starts one and sets
 * `SPARK_REMOTE`; to run a single file by hand, point `SPARK_REMOTE` at a running server.
 */
export function sparkRemote(): string {
  const remote = process.env['SPARK_REMOTE'];
  if (!remote) {
    throw new Error(
      'SPARK_REMOTE is not set: run the suite with `npm test`, or set SPARK_REMOTE=sc://host:port',
    );
  }
  return remote;
}
