// RFC 5322 date-times as found in Date and Received headers, read strictly with luxon (the only
// file that imports it; the common case is computed directly, to the same result, see directEpoch):
// a date that cannot exist (31 February, a weekday that does not match the date) is reported, never
// normalised into another day. Honest variants that strict RFC 5322 rejects (lower-case names, a
// missing space, "UT", "+02:00", a common zone abbreviation) are brought to the standard form first.
import { DateTime } from 'luxon';

/** What a date-time says, read strictly. */
export interface MailTime {
  /** Unix seconds, or null when the text is no date or one that cannot exist. */
  epoch: number | null;
  /** Why the date cannot be as written (impossible day, wrong weekday), in a plain phrase; else null. */
  problem: string | null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * Zone abbreviations mail programs write although RFC 5322 knows only UT, GMT and the US zones
 * (which luxon reads itself). Unambiguous ones only: IST (India, Ireland, Israel) is left out and
 * read as unknown.
 */
const ZONE_ABBREVIATIONS: Record<string, string> = {
  UTC: '+0000',
  UT: '+0000',
  WET: '+0000',
  WEST: '+0100',
  BST: '+0100',
  CET: '+0100',
  MET: '+0100',
  CEST: '+0200',
  MEST: '+0200',
  EET: '+0200',
  EEST: '+0300',
  MSK: '+0300',
  HKT: '+0800',
  SGT: '+0800',
  JST: '+0900',
  KST: '+0900',
  AEST: '+1000',
  AEDT: '+1100',
  NZST: '+1200',
  NZDT: '+1300',
};

const SHAPE =
  /^(?:([A-Za-z]{3}),?\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s+([+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?(?:\s+[A-Za-z]{1,5})?$/;

function title(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

/** RFC 5322 4.3: a two-digit year below 50 is 20xx, otherwise 19xx; a three-digit year adds 1900. */
function fullYear(y: string): number {
  const n = Number(y);
  if (y.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  if (y.length === 3) return 1900 + n;
  return n;
}

/** Comments and folding gone, whitespace collapsed. */
function clean(text: string): string {
  return text
    .replace(/\([^()]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * `luxonOnly`: read every date with luxon, the reference the direct reading is tested against
 * (tests/parse/mail-time.test.ts); without it, the common case is computed directly (directEpoch).
 */
export function readMailTime(text: string | null, { luxonOnly = false }: { luxonOnly?: boolean } = {}): MailTime {
  if (!text) return { epoch: null, problem: null };
  const m = SHAPE.exec(clean(text));
  if (!m) return { epoch: null, problem: null };
  const [, weekday, day, month, year, hour, minute, second, zoneText] = m;
  const monthName = title(month!);
  if (!MONTHS.includes(monthName)) return { epoch: null, problem: null };
  const zone = normaliseZone(zoneText);
  const dayName = weekday === undefined ? null : title(weekday);
  if (dayName !== null && !WEEKDAYS.includes(dayName)) return { epoch: null, problem: null };
  // A leap second (RFC 5322 3.3 allows :60) is read as the second before it.
  const seconds = second === '60' ? '59' : second;
  if (!luxonOnly) {
    const epoch = directEpoch(
      dayName,
      Number(day),
      MONTHS.indexOf(monthName),
      fullYear(year!),
      Number(hour),
      Number(minute),
      Number(seconds ?? 0),
      zone,
    );
    if (epoch !== null) return { epoch, problem: null };
  }
  const sec = seconds === undefined ? '' : `:${seconds}`;
  const core = `${Number(day)} ${monthName} ${fullYear(year!)} ${hour!.padStart(2, '0')}:${minute}${sec} ${zone}`;
  const strict = DateTime.fromRFC2822(dayName === null ? core : `${dayName}, ${core}`, { setZone: true });
  if (strict.isValid) return { epoch: Math.floor(strict.toSeconds()), problem: null };
  const plain = DateTime.fromRFC2822(core, { setZone: true });
  if (strict.invalidReason === 'mismatched weekday' && plain.isValid) {
    const actual = plain.toFormat('cccc');
    return {
      epoch: Math.floor(plain.toSeconds()),
      problem: `"${dayName}" is not the weekday of ${Number(day)} ${monthName} ${fullYear(year!)}, which is a ${actual}`,
    };
  }
  if (plain.invalidReason === 'unit out of range') {
    return {
      epoch: null,
      problem: `${Number(day)} ${monthName} ${fullYear(year!)} ${hour}:${minute}${sec} is not a date and time that exists`,
    };
  }
  return { epoch: null, problem: null };
}

/**
 * Speed, same result as luxon (a small message's Date and Received times took about 35 us in it):
 * Unix seconds computed directly for the common case, a date and time that exist (no hour 24), a
 * numeric zone up to 23:59 or GMT, the weekday right or absent, a year from 1000. Null for anything
 * else, which luxon then reads and explains.
 */
function directEpoch(
  dayName: string | null,
  day: number,
  month: number,
  year: number,
  hour: number,
  minute: number,
  second: number,
  zone: string,
): number | null {
  if (year < 1000 || month < 0 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  if (zone !== 'GMT' && zone !== 'Z') {
    const z = /^([+-])(\d\d)(\d\d)$/.exec(zone);
    if (!z || Number(z[2]) > 23 || Number(z[3]) > 59) return null;
    offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
  }
  if (dayName !== null && WEEKDAYS[(new Date(Date.UTC(year, month, day)).getUTCDay() + 6) % 7] !== dayName) return null;
  return Date.UTC(year, month, day, hour, minute, second) / 1000 - offset * 60;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** "+02:00" -> "+0200"; known abbreviations -> their offset; none -> "-0000" (RFC 5322: zone unknown, read as UTC). */
function normaliseZone(zone: string | undefined): string {
  if (zone === undefined) return '-0000';
  if (/^[+-]\d{2}:?\d{2}$/.test(zone)) return zone.replace(':', '');
  const upper = zone.toUpperCase();
  if (ZONE_ABBREVIATIONS[upper]) return ZONE_ABBREVIATIONS[upper];
  // GMT, Z and the US zones luxon knows; RFC 5322 4.3 reads any other letters as "-0000".
  return /^(GMT|Z|[ECMP][SD]T)$/.test(upper) ? upper : '-0000';
}

/** Unix seconds, or null when the text is not a date we can trust. */
export function parseMailTime(text: string | null): number | null {
  return readMailTime(text).epoch;
}

/** The zone as written at the end of a date: "+0200", "-0700", "GMT", "EST". */
export function mailTimeZone(text: string | null): string | null {
  if (!text) return null;
  const cleaned = text.replace(/\([^()]*\)/g, ' ').trim();
  const m = /([+-]\d{4}|\b[A-Z]{1,5})\s*$/.exec(cleaned);
  return m ? m[1]! : null;
}
