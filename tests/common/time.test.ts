import { describe, expect, it } from 'vitest';
import { formatDuration, formatTime, parseTimeBound } from '../../src/common/time.ts';

const T = Date.UTC(2024, 0, 23, 8, 41, 18) / 1000;

describe('formatTime', () => {
  it('writes Unix seconds as UTC in each style', () => {
    expect(formatTime(T)).toBe('2024-01-23T08:41:18Z');
    expect(formatTime(T, 'readable')).toBe('2024-01-23 08:41:18Z');
    expect(formatTime(T, 'minute')).toBe('2024-01-23 08:41');
    expect(formatTime(T, 'day')).toBe('2024-01-23');
    expect(formatTime(0, 'iso')).toBe('1970-01-01T00:00:00Z');
  });

  it('keeps a fraction of a second rather than dropping it', () => {
    expect(formatTime(T + 0.5)).toBe('2024-01-23T08:41:18.500Z');
  });

  it('says what stands for a missing time, and never throws on a time no calendar has', () => {
    expect(formatTime(null, 'readable')).toBe('—');
    expect(formatTime(undefined, 'day', '-')).toBe('-');
    expect(formatTime(8e15, 'iso')).toBe('8000000000000000');
  });
});

describe('formatDuration', () => {
  it('writes a clock for estimates', () => {
    expect(formatDuration(117, 'clock')).toBe('0:01:57');
    expect(formatDuration(3 * 3600 + 5, 'clock')).toBe('3:00:05');
    expect(formatDuration(59.6, 'clock')).toBe('0:01:00');
  });

  it('writes the two largest units in short words, keeping the sign', () => {
    expect(formatDuration(200, 'words')).toBe('3 min 20 s');
    expect(formatDuration(86400 + 3600 + 60 + 1, 'words')).toBe('1 d 1 h');
    expect(formatDuration(0, 'words')).toBe('0 s');
    expect(formatDuration(-5, 'words')).toBe('−5 s');
    expect(formatDuration(3600, 'words')).toBe('1 h');
  });

  it('writes prose for sentences: whole words, plurals, the size of the gap only', () => {
    expect(formatDuration(3 * 86400 + 4 * 3600 + 50, 'prose')).toBe('3 days 4 hours');
    expect(formatDuration(86400 + 300, 'prose')).toBe('1 day 5 minutes');
    expect(formatDuration(65, 'prose')).toBe('1 minute');
    expect(formatDuration(-12, 'prose')).toBe('12 seconds');
    expect(formatDuration(1, 'prose')).toBe('1 second');
  });

  it('writes elapsed seconds to a tenth', () => {
    expect(formatDuration(0.84, 'seconds')).toBe('0.8 s');
    expect(formatDuration(37, 'seconds')).toBe('37.0 s');
  });
});

describe('parseTimeBound', () => {
  it('reads a day as its first or last second, so that a range of days is inclusive', () => {
    expect(parseTimeBound('2023-03-08')).toBe(Date.UTC(2023, 2, 8) / 1000);
    expect(parseTimeBound('2023-03-08', true)).toBe(Date.UTC(2023, 2, 9) / 1000 - 1);
  });

  it('reads ISO times, UTC unless a zone is written', () => {
    expect(parseTimeBound('2023-03-08T10:00')).toBe(Date.UTC(2023, 2, 8, 10) / 1000);
    expect(parseTimeBound('2023-03-08 10:00:00+01:00')).toBe(Date.UTC(2023, 2, 8, 9) / 1000);
    expect(parseTimeBound(' 2023-03-08T10:00:00Z ')).toBe(Date.UTC(2023, 2, 8, 10) / 1000);
  });

  it('refuses what is no time', () => {
    for (const t of ['', 'yesterday', '2023-13-45', '08/03/2023']) expect(parseTimeBound(t), t).toBeNull();
  });
});
