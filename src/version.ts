import { readFileSync } from 'node:fs';

/** The service's version, from package.json (which sits two levels above src/ and dist/ files alike). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
