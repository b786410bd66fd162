// Time limits and wording shared by the time checks (received-order, date-consistency, dkim-time),
// so all of them forgive the same skew and say times the same way. Not a check.

/**
 * Clock skew tolerated between two clocks that stamp the same message. Mail servers run NTP and
 * agree to seconds, but internal relays, appliances and desktop clients drift by minutes; 15 minutes
 * absorbs that and still catches the whole-hour errors of a time written in the wrong zone.
 */
export const CLOCK_SKEW_SECONDS = 15 * 60;

/** A time as a reader can check it: ISO 8601 in UTC. */
export function formatTime(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace('.000Z', 'Z');
}

/** "3 days 4 hours", "2 hours 5 minutes", "40 minutes", "12 seconds". */
export function describeDuration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  const parts: [number, string][] = [
    [Math.floor(s / 86400), 'day'],
    [Math.floor((s % 86400) / 3600), 'hour'],
    [Math.floor((s % 3600) / 60), 'minute'],
  ];
  const shown = parts
    .filter(([n]) => n > 0)
    .slice(0, 2)
    .map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`);
  return shown.length > 0 ? shown.join(' ') : `${s} second${s === 1 ? '' : 's'}`;
}
