import { readFileSync } from 'node:fs';

interface PackageJson {
  config: { sparkVersion: string };
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;

/** The Spark release the project is built and tested against (package.json `config.sparkVersion`). */
export const PINNED_SPARK_VERSION: string = pkg.config.sparkVersion;

/** `SPARK_VERSION` runs the same suite against another release line (e.g. 4.1.2, 4.0.1). */
export const SPARK_VERSION: string = process.env['SPARK_VERSION'] ?? PINNED_SPARK_VERSION;

/** `SPARK_IMAGE` overrides the image; by default the official one for {@link SPARK_VERSION}. */
export const SPARK_IMAGE: string = process.env['SPARK_IMAGE'] ?? `apache/spark:${SPARK_VERSION}`;
