/**
 * The service's JSON log lines as a person reads them, one line per event: time, level, message,
 * then the other fields as `key=value` (nested objects flattened to `req.url=…`); an error's stack
 * follows, indented, at level ERROR and above. `npm start` uses it when its output is a terminal;
 * the service itself always writes JSON.
 */
const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** Fields shown apart, or that say nothing on a developer's machine. */
const NOT_LISTED = new Set([
  'level',
  'time',
  'msg',
  'pid',
  'hostname',
  'req.host',
  'req.remoteAddress',
  'req.remotePort',
  'err.stack',
]);

function text(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) return String(Math.round(value * 1000) / 1000);
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"]/.test(shown) || shown === '' ? JSON.stringify(shown) : shown;
}

function flatten(prefix: string, value: unknown, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(prefix ? `${prefix}.${key}` : key, inner, out);
  } else {
    out.set(prefix, value);
  }
}

/** One JSON log line made readable; any other line comes back unchanged. */
export function readableLine(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return line;
  const fields = new Map<string, unknown>();
  flatten('', record, fields);
  const level = fields.get('level');
  const time = fields.get('time');
  const msg = fields.get('msg');
  const parts: string[] = [
    typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '',
    (typeof level === 'number'
      ? (LEVELS[level] ?? String(level))
      : typeof level === 'string'
        ? level
        : ''
    ).padEnd(5),
  ];
  if (typeof msg === 'string') parts.push(msg);
  for (const [key, value] of fields) {
    if (!NOT_LISTED.has(key)) parts.push(`${key}=${text(value)}`);
  }
  const stack = fields.get('err.stack');
  const withStack = typeof level === 'number' && level >= 50 && typeof stack === 'string';
  const head = parts.filter((part) => part !== '').join(' ');
  return withStack ? `${head}\n${stack.replace(/^/gm, '    ')}` : head;
}
