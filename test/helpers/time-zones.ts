/**
 * The instants (ms since the epoch) at which a zone's UTC offset changes between two years,
 * found with the runtime's Intl time zone data, to pick test instants around them. The
 * answers under test are compared with Spark's, never with these.
 */
export function dstTransitions(zone: string, fromYear: number, toYear: number): number[] {
  if (/^[+-]/.test(zone) || zone === 'UTC') return [];
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const offset = (ms: number) => {
    const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, Number(p.value)]));
    const local = Date.UTC(
      parts['year']!,
      parts['month']! - 1,
      parts['day'],
      parts['hour'],
      parts['minute'],
      parts['second'],
    );
    return local - Math.floor(ms / 1000) * 1000;
  };
  const week = 7 * 86_400_000;
  const found: number[] = [];
  let at = Date.UTC(fromYear, 0, 1);
  let before = offset(at);
  for (const end = Date.UTC(toYear, 0, 1); at < end; at += week) {
    const next = offset(at + week);
    if (next !== before) {
      // The last second with the old offset, then the first with the new one.
      let [lo, hi] = [at, at + week];
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offset(mid) === before) lo = mid;
        else hi = mid;
      }
      found.push(hi);
      before = next;
    }
  }
  return found;
}
