/**
 * `npm run structure` (part of `npm run lint`): source files stay small. The median file of
 * src/ (generated code aside) is under 150 lines; ESLint's max-lines caps each at 350.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const MEDIAN_BELOW = 150;
const root = new URL('../src/', import.meta.url).pathname;

const sizes = readdirSync(root, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.startsWith('gen/'))
  .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n').length - 1 }))
  .sort((a, b) => a.lines - b.lines);

const lines = sizes.map((s) => s.lines);
const at = (i: number) => lines[i] ?? 0;
const median = (at(Math.floor((lines.length - 1) / 2)) + at(Math.ceil((lines.length - 1) / 2))) / 2;
const largest = sizes
  .slice(-5)
  .reverse()
  .map((s) => `${s.file} ${s.lines}`)
  .join(', ');
console.log(`src/: ${sizes.length} files, median ${median} lines; largest: ${largest}`);
if (median >= MEDIAN_BELOW) {
  console.error(`the median file of src/ has ${median} lines; keep it under ${MEDIAN_BELOW}`);
  process.exit(1);
}
