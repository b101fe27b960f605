/**
 * Sizes of JSON text measured without writing it: what `Buffer.byteLength(JSON.stringify(s))`
 * gives, for the row-values builder that must count the bytes the JSON encoder would send.
 */

/** Characters below U+0020 that JSON.stringify writes as a two-character escape (`\n`…). */
const SHORT_ESCAPES = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d]);

/**
 * UTF-8 bytes of `JSON.stringify(s)`: the quotes; `"` and `\` and the short escapes take two
 * bytes; other control characters and lone surrogates `\uXXXX` (six); then UTF-8 widths.
 */
export function jsonStringBytes(s: string): number {
  let bytes = 2;
  const n = s.length;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x80) {
      if (c >= 0x20) bytes += c === 0x22 || c === 0x5c ? 2 : 1;
      else bytes += SHORT_ESCAPES.has(c) ? 2 : 6;
    } else if (c < 0x800) {
      bytes += 2;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(k + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        k++;
      } else {
        bytes += 6;
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      bytes += 6;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}
