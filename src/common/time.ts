// The one place that turns times and durations into text, and a reviewer's day or time into Unix
// seconds. Every stage may use it (it imports nothing of ours).

/**
 * Clock skew tolerated between two clocks that stamp the same message. Mail servers run NTP and
 * agree to seconds, but internal relays, appliances and desktop clients drift by minutes; 15 minutes
 * absorbs that and still catches the whole-hour errors of a time written in the wrong zone.
 */
export const CLOCK_SKEW_SECONDS = 15 * 60;

/**
 * - `iso`: 2024-01-23T08:41:18Z (what exports and findings quote; no milliseconds: our times are seconds)
 * - `readable`: 2024-01-23 08:41:18Z (the review screens)
 * - `minute`: 2024-01-23 08:41 (a sentence that names the minute; always UTC)
 * - `day`: 2024-01-23
 */
export type TimeStyle = 'iso' | 'readable' | 'minute' | 'day';

/**
 * Unix seconds as UTC text. `missing` stands for null or undefined. A time outside what a Date can
 * hold (a forged header can claim any year) comes out as the number itself rather than throwing.
 */
export function formatTime(epoch: number | null | undefined, style: TimeStyle = 'iso', missing = '—'): string {
  if (epoch === null || epoch === undefined) return missing;
  const d = new Date(epoch * 1000);
  if (Number.isNaN(d.getTime())) return String(epoch);
  const iso = d.toISOString();
  const seconds = iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
  switch (style) {
    case 'iso':
      return seconds;
    case 'readable':
      return seconds.replace('T', ' ');
    case 'minute':
      return iso.slice(0, 16).replace('T', ' ');
    case 'day':
      return iso.slice(0, 10);
  }
}

/**
 * - `clock`: 0:01:57 (hours unbounded; an estimate's precision is the second)
 * - `words`: 3 min 20 s (the two largest units; a negative span keeps its sign: −5 s)
 * - `prose`: 3 days 4 hours, 12 seconds (a finding's sentence; the size of the gap, unsigned)
 * - `seconds`: 0.8 s (elapsed times of a run or a benchmark)
 */
export type DurationStyle = 'clock' | 'words' | 'prose' | 'seconds';

/** A span of time given in seconds, as text. */
export function formatDuration(seconds: number, style: DurationStyle): string {
  if (style === 'seconds') return `${seconds.toFixed(1)} s`;
  const sign = seconds < 0 ? '−' : '';
  let s = Math.abs(Math.round(seconds));
  if (style === 'clock') {
    return `${sign}${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  }
  const prose = style === 'prose';
  const parts: string[] = [];
  for (const [short, long, size] of UNITS) {
    if (s >= size) {
      const n = Math.floor(s / size);
      parts.push(prose ? `${n} ${long}${n === 1 ? '' : 's'}` : `${n} ${short}`);
      s %= size;
    }
  }
  if (!parts.length || (s && !prose)) parts.push(prose ? `${s} second${s === 1 ? '' : 's'}` : `${s} s`);
  return (prose ? '' : sign) + parts.slice(0, 2).join(' ');
}

const UNITS = [
  ['d', 'day', 86400],
  ['h', 'hour', 3600],
  ['min', 'minute', 60],
] as const;

/**
 * A day (`YYYY-MM-DD`, UTC) or an ISO time (`2023-03-06T10:00`, `… 10:00:00+01:00`; UTC when no zone
 * is written) as Unix seconds. A bare day stands for its first second, or its last with `endOfDay`,
 * so that a range of days is inclusive. Null when the text is not such a time.
 */
export function parseTimeBound(text: string, endOfDay = false): number | null {
  const t = text.trim();
  // Date.parse alone takes many shapes (08/03/2023 as August); only ISO 8601 is unambiguous.
  if (!/^\d{4}-\d{2}-\d{2}(?:[T ]|$)/.test(t)) return null;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T${endOfDay ? '23:59:59' : '00:00:00'}Z` : t.replace(' ', 'T');
  const ms = Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
