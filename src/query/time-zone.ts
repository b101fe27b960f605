import { JAVA_ZONE_IDS } from './java-zone-ids.js';

/** A time zone as Spark reads it: a fixed offset, or a region whose offset changes with its rules. */
export type SparkTimeZone =
  | { readonly kind: 'offset'; /** Seconds east of UTC. */ readonly seconds: number }
  | { readonly kind: 'region'; readonly id: string };

/** Java's `ZoneId.SHORT_IDS`, which Spark passes to `ZoneId.of`. */
const SHORT_IDS: Readonly<Record<string, string>> = {
  ACT: 'Australia/Darwin',
  AET: 'Australia/Sydney',
  AGT: 'America/Argentina/Buenos_Aires',
  ART: 'Africa/Cairo',
  AST: 'America/Anchorage',
  BET: 'America/Sao_Paulo',
  BST: 'Asia/Dhaka',
  CAT: 'Africa/Harare',
  CNT: 'America/St_Johns',
  CST: 'America/Chicago',
  CTT: 'Asia/Shanghai',
  EAT: 'Africa/Addis_Ababa',
  ECT: 'Europe/Paris',
  EST: '-05:00',
  HST: '-10:00',
  IET: 'America/Indiana/Indianapolis',
  IST: 'Asia/Kolkata',
  JST: 'Asia/Tokyo',
  MIT: 'Pacific/Apia',
  MST: '-07:00',
  NET: 'Asia/Yerevan',
  NST: 'Pacific/Auckland',
  PLT: 'Asia/Karachi',
  PNT: 'America/Phoenix',
  PRT: 'America/Puerto_Rico',
  PST: 'America/Los_Angeles',
  SST: 'Pacific/Guadalcanal',
  VST: 'Asia/Ho_Chi_Minh',
};

/**
 * How Spark reads a time zone ID, or undefined where Spark refuses it. Mirrors Spark's
 * `DateTimeUtils.getZoneId`: `+h:mm` and `+hh:m` are widened, then Java's
 * `ZoneId.of(id, SHORT_IDS)` decides — offsets up to ±18:00, `UTC`/`GMT`/`UT` with or without
 * an offset, and region IDs of Java's tz database, case-sensitive (so `utc` and `ROC`, which
 * JavaScript's Intl accepts, are refused). A canonical region ID this runtime's Intl knows is
 * accepted too, so a zone newer than the list above keeps working where Spark's Java has it.
 */
export function sparkTimeZone(zone: string): SparkTimeZone | undefined {
  const widened = zone.replace(/([+-])(\d):/, '$10$2:').replace(/([+-])(\d\d):(\d)$/, '$1$2:0$3');
  const id = Object.hasOwn(SHORT_IDS, widened) ? (SHORT_IDS[widened] as string) : widened;
  if (id.length <= 1 || id.startsWith('+') || id.startsWith('-')) return offset(id);
  const prefix = id.startsWith('UTC') || id.startsWith('GMT') ? 3 : id.startsWith('UT') ? 2 : 0;
  if (prefix > 0) {
    if (id.length === prefix) return { kind: 'offset', seconds: 0 };
    if (id[prefix] === '+' || id[prefix] === '-') return offset(id.slice(prefix));
  }
  return JAVA_ZONE_IDS.has(id) || intlZones().has(id) ? { kind: 'region', id } : undefined;
}

/** Java's `ZoneOffset.of`: `Z`, `+h`, `+hh`, `+hhmm`, `+hh:mm`, `+hhmmss`, `+hh:mm:ss`, within ±18:00. */
function offset(id: string): SparkTimeZone | undefined {
  if (id === 'Z') return { kind: 'offset', seconds: 0 };
  const text = id.length === 2 ? `${id[0]}0${id[1]}` : id;
  const two = (at: number, afterColon = false) =>
    (afterColon && text[at - 1] !== ':') || !/^\d\d$/.test(text.slice(at, at + 2))
      ? NaN
      : Number(text.slice(at, at + 2));
  const fields: Record<number, () => [number, number, number]> = {
    3: () => [two(1), 0, 0],
    5: () => [two(1), two(3), 0],
    6: () => [two(1), two(4, true), 0],
    7: () => [two(1), two(3), two(5)],
    9: () => [two(1), two(4, true), two(7, true)],
  };
  const read = fields[text.length];
  if (read === undefined || (text[0] !== '+' && text[0] !== '-')) return undefined;
  const [hours, minutes, seconds] = read();
  if (!(hours <= 18 && minutes <= 59 && seconds <= 59)) return undefined;
  if (hours === 18 && minutes + seconds > 0) return undefined;
  const total = hours * 3600 + minutes * 60 + seconds;
  return { kind: 'offset', seconds: text[0] === '-' ? 0 - total : total };
}

let intl: ReadonlySet<string> | undefined;

function intlZones(): ReadonlySet<string> {
  intl ??= new Set(Intl.supportedValuesOf('timeZone'));
  return intl;
}
