// Time in the leak: UTC milliseconds inside, rendered per time zone the way each program writes it.
// The zone rules are written out (EU, UK, US and fixed offsets) instead of asking the ICU data of
// the running Node, so the bytes do not depend on the Node build. Only 2023-2025 matter here.

export type ZoneId =
  | 'Europe/Brussels'
  | 'Europe/Berlin'
  | 'Europe/Madrid'
  | 'Europe/Stockholm'
  | 'Europe/London'
  | 'America/New_York'
  | 'America/Los_Angeles'
  | 'Africa/Nairobi'
  | 'Asia/Singapore'
  | 'UTC';

interface ZoneRule {
  standard: number; // minutes east of UTC
  rule: 'eu' | 'us' | 'none';
  names: [string, string]; // standard, summer abbreviations
}

const ZONES: Record<ZoneId, ZoneRule> = {
  'Europe/Brussels': { standard: 60, rule: 'eu', names: ['CET', 'CEST'] },
  'Europe/Berlin': { standard: 60, rule: 'eu', names: ['CET', 'CEST'] },
  'Europe/Madrid': { standard: 60, rule: 'eu', names: ['CET', 'CEST'] },
  'Europe/Stockholm': { standard: 60, rule: 'eu', names: ['CET', 'CEST'] },
  'Europe/London': { standard: 0, rule: 'eu', names: ['GMT', 'BST'] },
  'America/New_York': { standard: -300, rule: 'us', names: ['EST', 'EDT'] },
  'America/Los_Angeles': { standard: -480, rule: 'us', names: ['PST', 'PDT'] },
  'Africa/Nairobi': { standard: 180, rule: 'none', names: ['EAT', 'EAT'] },
  'Asia/Singapore': { standard: 480, rule: 'none', names: ['+08', '+08'] },
  UTC: { standard: 0, rule: 'none', names: ['UTC', 'UTC'] },
};

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** The UTC time of the n-th (1-based; -1 = last) Sunday of a month at the given UTC hour. */
function sundayOf(year: number, month: number, nth: number, utcHour: number): number {
  if (nth > 0) {
    const first = new Date(Date.UTC(year, month, 1));
    const day = 1 + ((7 - first.getUTCDay()) % 7) + (nth - 1) * 7;
    return Date.UTC(year, month, day, utcHour);
  }
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), utcHour);
}

function isSummer(zone: ZoneRule, at: number): boolean {
  const year = new Date(at).getUTCFullYear();
  if (zone.rule === 'eu') return at >= sundayOf(year, 2, -1, 1) && at < sundayOf(year, 9, -1, 1);
  if (zone.rule === 'us') {
    const hours = -zone.standard / 60;
    return at >= sundayOf(year, 2, 2, 2 + hours) && at < sundayOf(year, 10, 1, 1 + hours);
  }
  return false;
}

/** Minutes east of UTC in `zone` at `at`. */
export function offsetMinutes(zone: ZoneId, at: number): number {
  const z = ZONES[zone];
  return z.standard + (isSummer(z, at) ? 60 : 0);
}

export function zoneAbbreviation(zone: ZoneId, at: number): string {
  const z = ZONES[zone];
  return z.names[isSummer(z, at) ? 1 : 0];
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Wall-clock fields of `at` in `zone`. */
export function wallClock(at: number, zone: ZoneId): Date {
  return new Date(at + offsetMinutes(zone, at) * MINUTE);
}

export function formatOffset(minutes: number, colon = false): string {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${pad(Math.floor(m / 60))}${colon ? ':' : ''}${pad(m % 60)}`;
}

export interface DateStyle {
  /** How a one-digit day is written: `2`, `02` or ` 2` (Postfix's `%e`). */
  day?: 'plain' | 'zero' | 'space';
  /** Append ` (CET)` as Postfix, JavaMail and the webmail's relays do. */
  comment?: boolean;
  /** Python's email.utils writes `-0000` for UTC. */
  minusZero?: boolean;
}

/** RFC 5322 date-time as mail programs write it. */
export function formatMailDate(at: number, zone: ZoneId, style: DateStyle = {}): string {
  const w = wallClock(at, zone);
  const d = w.getUTCDate();
  const day = style.day === 'zero' ? pad(d) : style.day === 'space' ? String(d).padStart(2, ' ') : String(d);
  const minutes = offsetMinutes(zone, at);
  const offset = minutes === 0 && style.minusZero ? '-0000' : formatOffset(minutes);
  const text = `${DAYS[w.getUTCDay()]}, ${day} ${MONTHS[w.getUTCMonth()]} ${w.getUTCFullYear()} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())} ${offset}`;
  return style.comment ? `${text} (${zoneAbbreviation(zone, at)})` : text;
}

/** `Tue Jan 23 08:41:12 2024` (asctime, as in mbox From_ lines), in UTC. */
export function formatAsctime(at: number): string {
  const w = new Date(at);
  return `${DAYS[w.getUTCDay()]} ${MONTHS[w.getUTCMonth()]} ${String(w.getUTCDate()).padStart(2, ' ')} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())} ${w.getUTCFullYear()}`;
}

/** ISO 8601 with the zone's offset, as Office documents and XMP write local times. */
export function formatIsoLocal(at: number, zone: ZoneId): string {
  const w = wallClock(at, zone);
  return `${w.toISOString().slice(0, 19)}${formatOffset(offsetMinutes(zone, at), true)}`;
}

/** `20240123084112` in UTC: the stamp that Postfix-style Message-IDs and PDF dates start with. */
export function compactUtc(at: number): string {
  return new Date(at).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Windows FILETIME (100 ns since 1601-01-01) as a BigInt: Outlook puts it in ids and boundaries. */
export function fileTime(at: number): bigint {
  return (BigInt(at) + 11_644_473_600_000n) * 10_000n;
}

export const LONG_DAYS = {
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  fr: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],
  de: ['Sonntag', 'Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag', 'Samstag'],
  es: ['domingo', 'lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado'],
  sv: ['söndag', 'måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag'],
};
export const LONG_MONTHS = {
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
  fr: ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'],
  de: ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'],
  es: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
  sv: ['januari', 'februari', 'mars', 'april', 'maj', 'juni', 'juli', 'augusti', 'september', 'oktober', 'november', 'december'],
};
export const SHORT_MONTHS = MONTHS;
export const SHORT_DAYS = DAYS;
export { pad };

/** RFC 5322 date-time in a fixed offset (what a forger who edits the digits keeps). */
export function formatWithOffset(at: number, offset: number, day: 'plain' | 'zero' | 'space' = 'plain'): string {
  const w = new Date(at + offset * MINUTE);
  const d = w.getUTCDate();
  const dayText = day === 'zero' ? pad(d) : day === 'space' ? String(d).padStart(2, ' ') : String(d);
  return `${DAYS[w.getUTCDay()]}, ${dayText} ${MONTHS[w.getUTCMonth()]} ${w.getUTCFullYear()} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())} ${formatOffset(offset)}`;
}

const DATE_PATTERN =
  /(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ( ?\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)/g;

/** Moves every RFC 5322 date in `text` by `delta` ms, each keeping its own offset and day style. */
export function shiftDates(text: string, delta: number): string {
  return text.replace(
    DATE_PATTERN,
    (_m, _wd: string, day: string, mon: string, y: string, h: string, mi: string, s: string, sign: string, oh: string, om: string) => {
      const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
      const local = Date.UTC(Number(y), MONTHS.indexOf(mon), Number(day), Number(h), Number(mi), Number(s));
      const style = day.startsWith(' ') ? 'space' : day.length === 2 && day.startsWith('0') ? 'zero' : 'plain';
      return formatWithOffset(local - offset * MINUTE + delta, offset, style);
    },
  );
}
